import Foundation

/// An AuthnRequest sent over the HTTP-Redirect binding (SAML 2.0 Core §3.4.1, Bindings §3.4).
public struct AuthnRequest: Sendable, Hashable {
    /// `_` and 32 hex digits from the caller's randomness; the server remembers it to match InResponseTo.
    public var id: String
    public var issueInstant: Date
    public var destination: String
    public var serviceProvider: ServiceProviderIdentity

    public init(id: String, issueInstant: Date, destination: String, serviceProvider: ServiceProviderIdentity) {
        self.id = id
        self.issueInstant = issueInstant
        self.destination = destination
        self.serviceProvider = serviceProvider
    }

    /// A request id from 16 random bytes.
    public static func newID(randomBytes: [UInt8]) -> String {
        "_" + randomBytes.map { String(format: "%02x", $0) }.joined()
    }

    public var xml: String {
        let escape = ServiceProviderMetadata.escape
        return """
            <samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" \
            ID="\(escape(id))" Version="2.0" IssueInstant="\(SAMLTime.format(issueInstant))" Destination="\(escape(destination))" \
            ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" AssertionConsumerServiceURL="\(escape(serviceProvider.assertionConsumerServiceURL))">\
            <saml:Issuer>\(escape(serviceProvider.entityID))</saml:Issuer>\
            <samlp:NameIDPolicy Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress" AllowCreate="true"/>\
            </samlp:AuthnRequest>
            """
    }

    /// The URL the browser is redirected to: the IdP's SSO URL with `SAMLRequest` (deflated, base64),
    /// `RelayState`, and a redirect-binding signature when a signer is given.
    public func redirectURL(relayState: String?, signer: RedirectBinding.Signer? = nil) -> URL? {
        RedirectBinding.url(destination: destination, parameter: "SAMLRequest", xml: xml, relayState: relayState, signer: signer)
    }

    /// Decodes a `SAMLRequest` of the redirect binding (for tests and for the single-logout path).
    public static func decodeRedirect(_ value: String) -> String? {
        RedirectBinding.decode(value)
    }
}
