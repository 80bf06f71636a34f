import Directory

/// `PATCH /api/v1/organizations/{org}`.
struct OrganizationPatch: Decodable {
    var plan: Organization.Plan?
    var userManagement: Organization.UserManagement?
}

/// `POST /api/v1/organizations/{org}/sites`.
struct SiteInput: Decodable {
    var name: String
}

/// `POST /api/v1/sites/{site}/products`.
struct ProductInput: Decodable {
    var product: ProductKind
}

/// `POST /api/v1/organizations/{org}/directories`.
struct DirectoryInput: Decodable {
    var name: String
    var identityProvider: IdentityProviderType
    var portalSiteId: String?
}

/// `POST /api/v1/directories/{dir}/api-keys`: rotate, keeping old keys for `overlapSeconds`.
struct RotateKeyInput: Decodable {
    var overlapSeconds: Double?
}

/// `POST /api/v1/organizations/{org}/admins`.
struct AdminInput: Decodable {
    struct Role: Decodable {
        var role: AdminRole.Kind
        var siteId: String?
    }
    var email: String
    var roles: [Role]
}

/// `POST /api/v1/organizations/{org}/domains`.
struct DomainInput: Decodable {
    var name: String
}

/// A user as the admin API takes it. For `POST` and `PUT`, `userName` is required and absent fields are cleared;
/// for `PATCH`, absent fields are kept.
struct UserInput: Decodable {
    var userName: String?
    var externalId: String?
    var emails: [User.Email]?
    var name: User.Name?
    var displayName: String?
    var nickName: String?
    var title: String?
    var department: String?
    var organization: String?
    var timezone: String?
    var locale: String?
    var preferredLanguage: String?
    var active: Bool?
    var extensionAttributes: [String: JSONValue]?
    /// Site users only: the products of the site the new user gets.
    var productIds: [String]?

    func draft() throws -> UserDraft {
        guard let userName else {
            throw APIError(.badRequest, code: "invalid_body", message: "The field 'userName' is required.")
        }
        return UserDraft(
            userName: userName, externalId: externalId, emails: emails ?? [], name: name ?? User.Name(),
            displayName: displayName, nickName: nickName, title: title, department: department,
            organization: organization, timezone: timezone, locale: locale, preferredLanguage: preferredLanguage,
            active: active ?? true, extensionAttributes: extensionAttributes ?? [:]
        )
    }

    func merged(into user: User) -> UserDraft {
        var draft = UserDraft(user)
        if let userName { draft.userName = userName }
        if let externalId { draft.externalId = externalId }
        if let emails { draft.emails = emails }
        if let name { draft.name = name }
        if let displayName { draft.displayName = displayName }
        if let nickName { draft.nickName = nickName }
        if let title { draft.title = title }
        if let department { draft.department = department }
        if let organization { draft.organization = organization }
        if let timezone { draft.timezone = timezone }
        if let locale { draft.locale = locale }
        if let preferredLanguage { draft.preferredLanguage = preferredLanguage }
        if let active { draft.active = active }
        if let extensionAttributes { draft.extensionAttributes = extensionAttributes }
        return draft
    }
}

/// `POST /api/v1/directories/{dir}/groups`.
struct GroupInput: Decodable {
    var displayName: String
}

/// `POST /api/v1/sites/{site}/access-grants`: exactly one of `groupId` and `userId`.
struct GrantInput: Decodable {
    var groupId: String?
    var userId: String?
    var productId: String
    var role: ProductRole?

    func principal() throws -> AccessGrant.Principal {
        switch (groupId, userId) {
        case (let group?, nil): return .group(group)
        case (nil, let user?): return .user(user)
        default:
            throw APIError(.badRequest, code: "invalid_body", message: "Give exactly one of 'groupId' and 'userId'.")
        }
    }
}
