import Foundation

/// A signed-in session of the admin web console. The cookie holds the token; the store holds only its hash.
///
/// A console session acts either for an admin account (opened from that person's sign-in session) or for a
/// one-time setup link, which reaches only the wizard of the link's directory.
public struct ConsoleSession: Sendable, Hashable, Identifiable {
    public var id: String
    public var organizationId: String
    public var tokenHash: String
    /// The admin this session acts for; nil for a setup-link session.
    public var adminId: String?
    /// The person's account the admin signed in with; the session stops when it is deactivated.
    public var userId: String?
    /// The setup link this session was opened with; nil for an admin's session.
    public var setupLinkId: String?
    public var created: Date
    public var expires: Date
    public var revoked: Date?

    public init(
        id: String, organizationId: String, tokenHash: String, adminId: String?, userId: String? = nil, setupLinkId: String?,
        created: Date, expires: Date, revoked: Date? = nil
    ) {
        self.userId = userId
        self.id = id
        self.organizationId = organizationId
        self.tokenHash = tokenHash
        self.adminId = adminId
        self.setupLinkId = setupLinkId
        self.created = created
        self.expires = expires
        self.revoked = revoked
    }

    /// Whether the session still works at `now`.
    public func isValid(at now: Date) -> Bool { revoked == nil && now < expires }
}

/// A link an organization admin hands to the identity provider's admin: it opens, once, a console session that
/// shows only one directory's setup wizard, until it expires.
public struct SetupLink: Sendable, Hashable, Codable, Identifiable {
    public var id: String
    public var organizationId: String
    public var directoryId: String
    public var tokenHash: String
    /// `Actor.description` of the admin who made it.
    public var createdBy: String
    public var created: Date
    public var expires: Date
    /// When the link was opened; it opens once.
    public var redeemed: Date?
    public var revoked: Date?

    public init(
        id: String, organizationId: String, directoryId: String, tokenHash: String, createdBy: String,
        created: Date, expires: Date, redeemed: Date? = nil, revoked: Date? = nil
    ) {
        self.id = id
        self.organizationId = organizationId
        self.directoryId = directoryId
        self.tokenHash = tokenHash
        self.createdBy = createdBy
        self.created = created
        self.expires = expires
        self.redeemed = redeemed
        self.revoked = revoked
    }

    /// Whether sessions opened with the link still work at `now` (it has neither expired nor been revoked).
    public func isLive(at now: Date) -> Bool { revoked == nil && now < expires }

    private enum CodingKeys: String, CodingKey {
        case id, directoryId, createdBy, created, expires, redeemed, revoked
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try container.decode(String.self, forKey: .id), organizationId: "",
            directoryId: try container.decode(String.self, forKey: .directoryId), tokenHash: "",
            createdBy: try container.decode(String.self, forKey: .createdBy),
            created: try container.decode(Date.self, forKey: .created), expires: try container.decode(Date.self, forKey: .expires),
            redeemed: try container.decodeIfPresent(Date.self, forKey: .redeemed),
            revoked: try container.decodeIfPresent(Date.self, forKey: .revoked)
        )
    }

    /// The token hash and organization are not part of the API form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(directoryId, forKey: .directoryId)
        try container.encode(createdBy, forKey: .createdBy)
        try container.encode(created, forKey: .created)
        try container.encode(expires, forKey: .expires)
        try container.encodeIfPresent(redeemed, forKey: .redeemed)
        try container.encodeIfPresent(revoked, forKey: .revoked)
    }
}

/// What an admin sees at the top of a directory's page.
public struct DirectoryStatus: Sendable {
    public struct Certificate: Sendable {
        public var fingerprint: String
        public var notAfter: Date
        /// `idp-signing` (the IdP's certificate Roster trusts) or `sp` (Roster's own, for signing requests and decrypting).
        public var use: String
    }

    public var directory: Directory
    public var singleSignOnConfigured: Bool
    /// The directory takes SCIM provisioning and has a key that works now.
    public var provisioningActive: Bool
    public var lastProvisioningRequest: Date?
    public var users: Int
    public var groups: Int
    public var apiKeys: [ApiKey]
    public var certificates: [Certificate]
}
