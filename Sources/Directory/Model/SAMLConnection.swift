import Foundation

/// The SAML settings of an identity provider directory.
public struct SAMLConnection: Sendable, Hashable {
    public var directoryId: String
    public var identityProviderEntityID: String
    public var singleSignOnURL: String
    /// PEM certificates the IdP signs with; several during a rotation.
    public var certificates: [String]
    public var allowSHA1: Bool
    public var allowIdPInitiated: Bool
    public var updated: Date

    public init(
        directoryId: String, identityProviderEntityID: String, singleSignOnURL: String, certificates: [String],
        allowSHA1: Bool = false, allowIdPInitiated: Bool = false, updated: Date
    ) {
        self.directoryId = directoryId
        self.identityProviderEntityID = identityProviderEntityID
        self.singleSignOnURL = singleSignOnURL
        self.certificates = certificates
        self.allowSHA1 = allowSHA1
        self.allowIdPInitiated = allowIdPInitiated
        self.updated = updated
    }
}

/// An AuthnRequest Roster sent, remembered until its response arrives (once) or it expires.
public struct PendingAuthnRequest: Sendable, Hashable {
    public var id: String
    public var directoryId: String
    public var relayState: String?
    public var created: Date
    public var expires: Date
    public var used: Date?

    public init(id: String, directoryId: String, relayState: String?, created: Date, expires: Date, used: Date? = nil) {
        self.id = id
        self.directoryId = directoryId
        self.relayState = relayState
        self.created = created
        self.expires = expires
        self.used = used
    }
}
