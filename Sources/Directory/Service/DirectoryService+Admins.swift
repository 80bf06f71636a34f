import Foundation

/// A new admin API token, in clear, once.
public struct IssuedAdminToken: Sendable {
    public var admin: AdminAccount
    public var token: AdminToken
    public var value: String
}

extension DirectoryService {
    /// Creates an admin with roles and a first admin API token.
    /// With `password`, the admin also gets a local account with that password, bound to it for the console — in the
    /// same transaction, so a taken userName leaves no admin behind.
    public func createAdmin(
        organizationId: String, email: String, roles: [AdminRole], password: String? = nil, caller: Caller
    ) async throws -> IssuedAdminToken {
        if let password, password.count < 12 { throw DirectoryError(.invalidInput, "A password needs at least 12 characters.") }
        let email = try Validation.email(email)
        guard !roles.isEmpty else { throw DirectoryError(.invalidInput, "An admin needs at least one role.") }
        return try await mapUniqueViolation(DirectoryError(.alreadyExists, "An admin with the email \(email) already exists.")) {
            try await store.write { tx in
                let organization = try await requireOrganization(tx, organizationId)
                try caller.require(.manageOrganization, in: organization)
                for role in roles {
                    switch role.kind {
                    case .orgAdmin where role.siteId != nil:
                        throw DirectoryError(.invalidInput, "An organization admin role applies to the whole organization; give no site.")
                    case .siteAdmin where role.siteId == nil:
                        throw DirectoryError(.invalidInput, "A site admin role needs the site it applies to.")
                    default: break
                    }
                    if let siteId = role.siteId {
                        let site = try await requireSite(tx, siteId)
                        guard site.organizationId == organizationId else {
                            throw DirectoryError(.notFound, "No site with id \(siteId).")
                        }
                    }
                }
                if try await tx.admin(organizationId: organizationId, email: email) != nil {
                    throw DirectoryError(.alreadyExists, "An admin with the email \(email) already exists.")
                }
                var admin = AdminAccount(
                    id: environment.newID(), organizationId: organizationId, email: email,
                    roles: Array(Set(roles)).sorted { ($0.kind.rawValue, $0.siteId ?? "") < ($1.kind.rawValue, $1.siteId ?? "") },
                    created: environment.now()
                )
                try await tx.insert(admin)
                if let password {
                    let local = try await requireLocalDirectory(tx, organizationId: organizationId)
                    if try await tx.user(directoryId: local.id, userName: email) != nil {
                        throw DirectoryError(.userNameTaken, "The local directory already has an account named \(email); bind it with `roster admin bind` after creating the admin without --password-stdin, which resets its password.")
                    }
                    let account = try await insertUser(
                        tx, draft: try UserDraft(userName: email, emails: [User.Email(value: email, primary: true)], password: password).validated(),
                        directory: local, caller: caller
                    )
                    try await tx.bindAdmin(id: admin.id, userId: account.id)
                    admin.userId = account.id
                }
                try await record(
                    tx, organizationId: organizationId, caller: caller, action: "admin.created", targetType: "admin",
                    targetId: admin.id,
                    payload: ["email": .string(email), "roles": .array(admin.roles.map { .string($0.kind.rawValue) })]
                )
                return try await issueAdminToken(tx, admin: admin, caller: caller)
            }
        }
    }

    func issueAdminToken(_ tx: any DirectoryWriting, admin: AdminAccount, caller: Caller) async throws -> IssuedAdminToken {
        let secret = SecretToken.generate(.adminToken, environment: environment)
        let now = environment.now()
        let token = AdminToken(
            id: environment.newID(), adminId: admin.id, prefix: secret.prefix, hash: secret.hash, created: now,
            expires: configuration.adminTokenLifetime.map { now.addingTimeInterval($0) }
        )
        try await tx.insert(token)
        try await record(
            tx, organizationId: admin.organizationId, caller: caller, action: "admin_token.created",
            targetType: "admin_token", targetId: token.id, payload: ["adminId": .string(admin.id), "prefix": .string(token.prefix)]
        )
        return IssuedAdminToken(admin: admin, token: token, value: secret.value)
    }
}
