import Foundation

/// An administrator of an organization, with one or more roles.
public struct AdminAccount: Sendable, Hashable, Codable, Identifiable {
    public var id: String
    public var organizationId: String
    public var email: String
    public var roles: [AdminRole]
    public var created: Date
    /// May still sign in with a local password where SSO is enforced (the way back in when the IdP is down).
    public var backupAdmin: Bool
    /// The one account this admin signs in to the console with; nil until an organization admin (or the operator)
    /// binds one. Never inferred from an email: anyone able to make an account could otherwise claim the admin's.
    public var userId: String?

    /// Holds the organization admin role (which may do everything in its organization).
    public var isOrgAdmin: Bool { roles.contains { $0.kind == .orgAdmin } }

    public init(
        id: String, organizationId: String, email: String, roles: [AdminRole], created: Date, backupAdmin: Bool = false, userId: String? = nil
    ) {
        self.userId = userId
        self.backupAdmin = backupAdmin
        self.id = id
        self.organizationId = organizationId
        self.email = email
        self.roles = roles
        self.created = created
    }
}

/// An admin role. Site-scoped roles carry the site they apply to.
public struct AdminRole: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case orgAdmin = "org-admin"
        case siteAdmin = "site-admin"
        case userAccessAdmin = "user-access-admin"
    }

    public var kind: Kind
    /// The site for `siteAdmin` (always) and `userAccessAdmin` in the original experience; nil means org-wide.
    public var siteId: String?

    public init(kind: Kind, siteId: String? = nil) {
        self.kind = kind
        self.siteId = siteId
    }

    public static let orgAdmin = AdminRole(kind: .orgAdmin)
}

/// A bearer token of an admin account for the admin API. Only its hash is stored.
public struct AdminToken: Sendable, Hashable, Codable, Identifiable {
    public var id: String
    public var adminId: String
    public var prefix: String
    public var hash: String
    public var created: Date
    public var expires: Date?
    public var revoked: Date?
    public var lastUsed: Date?

    public init(
        id: String, adminId: String, prefix: String, hash: String, created: Date, expires: Date?,
        revoked: Date? = nil, lastUsed: Date? = nil
    ) {
        self.id = id
        self.adminId = adminId
        self.prefix = prefix
        self.hash = hash
        self.created = created
        self.expires = expires
        self.revoked = revoked
        self.lastUsed = lastUsed
    }
}
