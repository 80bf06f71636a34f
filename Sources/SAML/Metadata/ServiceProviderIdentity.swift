/// Roster's identity as a SAML 2.0 service provider for one directory: what an admin copies into the IdP.
public struct ServiceProviderIdentity: Sendable, Hashable {
    /// The SP entity ID (SAML 2.0 Metadata §2.3.2), unique per directory so each IdP connection is distinct.
    public let entityID: String
    /// The Assertion Consumer Service URL, HTTP-POST binding (SAML 2.0 Bindings §3.5).
    public let assertionConsumerServiceURL: String
    /// Where the SP metadata document is served.
    public let metadataURL: String
    /// Where the IdP sends the browser back after single logout (HTTP-Redirect).
    public let singleLogoutURL: String

    /// Derives the identity from Roster's public base URL and the directory id.
    public init(baseURL: String, directoryId: String) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        entityID = "\(base)/saml/\(directoryId)/metadata"
        assertionConsumerServiceURL = "\(base)/saml/\(directoryId)/acs"
        metadataURL = entityID
        singleLogoutURL = "\(base)/saml/\(directoryId)/slo"
    }
}
