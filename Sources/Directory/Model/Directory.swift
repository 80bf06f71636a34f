import Foundation

/// A source of accounts: the organization's local directory, an identity provider directory,
/// or the portal-customer directory of one Jira Service Management site.
public struct Directory: Sendable, Hashable, Codable, Identifiable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case local
        case identityProvider
        case portalCustomers
    }

    public var id: String
    public var organizationId: String
    public var kind: Kind
    /// Set for `identityProvider` and `portalCustomers` directories.
    public var identityProvider: IdentityProviderType?
    public var name: String
    /// The JSM site whose portal-only customers live here (`portalCustomers` only).
    public var portalSiteId: String?
    public var created: Date
    /// Accounts the IdP deleted are purged after this many days; nil keeps them (deactivated) for good.
    public var purgeDeprovisionedAfterDays: Int?

    public init(
        id: String, organizationId: String, kind: Kind, identityProvider: IdentityProviderType?,
        name: String, portalSiteId: String?, created: Date
    ) {
        self.id = id
        self.organizationId = organizationId
        self.kind = kind
        self.identityProvider = identityProvider
        self.name = name
        self.portalSiteId = portalSiteId
        self.created = created
    }

    /// Whether an identity provider may provision into this directory over SCIM.
    public var acceptsProvisioning: Bool {
        identityProvider?.supportsProvisioning ?? false
    }
}
