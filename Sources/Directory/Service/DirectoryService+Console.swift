import Foundation

/// A console session just opened, with its cookie value (shown once).
public struct OpenedConsoleSession: Sendable {
    public var session: ConsoleSession
    public var token: String
}

/// Who a console request acts for.
public struct ConsoleIdentity: Sendable {
    public var session: ConsoleSession
    public var caller: Caller
    /// The admin, for an admin's session.
    public var admin: AdminAccount?
    /// The setup link, for a setup-link session.
    public var setupLink: SetupLink?
}

/// A setup link just made, with its token (shown once, inside the link's URL).
public struct IssuedSetupLink: Sendable {
    public var link: SetupLink
    public var url: String
}

extension DirectoryService {
    /// The longest a console session lasts, whatever the sign-in session that opened it allows.
    public static let consoleSessionLifetime: TimeInterval = 8 * 3600
    /// How long a setup link works unless its maker chooses otherwise.
    public static let defaultSetupLinkLifetime: TimeInterval = 24 * 3600

    /// Opens a console session for the person signed in with `userSessionToken` (SSO or password, under the sign-in
    /// rules of their directory), when their primary email is an admin's of their organization.
    public func openConsoleSession(userSessionToken: String) async throws -> OpenedConsoleSession {
        guard let (userSession, user) = try await validateSession(token: userSessionToken) else {
            throw DirectoryError(.unauthenticated, "Sign in first.")
        }
        let secret = SecretToken.generate(.session, environment: environment)
        return try await store.write { tx in
            let organization = try await organizationOf(tx, user: user)
            // The console opens for the one account bound to an admin, never for whoever has the admin's email: local
            // accounts can be made by site admins, IdP accounts by any connected IdP or setup link's holder.
            // One answer whatever the email: it must not tell who the admins are.
            guard let admin = try await tx.admin(userId: user.id), admin.organizationId == organization.id else {
                throw DirectoryError(
                    .forbidden,
                    "This sign-in account has no admin access to \(organization.name). If you are an admin, an organization admin binds your account to your admin (roster admin bind, or PUT /api/v1/admins/{admin}/account)."
                )
            }
            guard try await requireDirectory(tx, user.directoryId).kind != .portalCustomers else {
                throw DirectoryError(.forbidden, "A portal customer account cannot sign in to the admin console.")
            }
            let now = environment.now()
            let session = ConsoleSession(
                id: environment.newID(), organizationId: organization.id, tokenHash: secret.hash, adminId: admin.id, userId: user.id,
                setupLinkId: nil, created: now, expires: min(userSession.expires, now.addingTimeInterval(Self.consoleSessionLifetime))
            )
            try await tx.insert(session)
            try await record(
                tx, organizationId: organization.id, caller: .admin(admin), action: "console.signed_in", targetType: "admin",
                targetId: admin.id, payload: ["userId": .string(user.id)]
            )
            return OpenedConsoleSession(session: session, token: secret.value)
        }
    }

    /// The identity behind a console cookie, if the session, and the admin or link it acts for, still hold. An admin's
    /// roles and account are read on every request, so a removed role or a deactivated account stops working at once.
    public func consoleIdentity(token: String) async throws -> ConsoleIdentity? {
        guard let presented = SecretToken.parse(token, as: .session) else { return nil }
        let now = environment.now()
        return try await store.read { reader in
            guard let session = try await reader.consoleSession(tokenHash: presented.hash), session.isValid(at: now) else { return nil }
            if let adminId = session.adminId {
                guard let admin = try await reader.admin(id: adminId), admin.organizationId == session.organizationId,
                      let userId = session.userId, admin.userId == userId, let user = try await reader.user(id: userId), user.active
                else { return nil }
                return ConsoleIdentity(session: session, caller: .admin(admin), admin: admin, setupLink: nil)
            }
            guard let linkId = session.setupLinkId, let link = try await reader.setupLink(id: linkId), link.isLive(at: now) else {
                return nil
            }
            return ConsoleIdentity(session: session, caller: .setupLink(link), admin: nil, setupLink: link)
        }
    }

    /// Ends the console session behind a cookie value.
    public func endConsoleSession(token: String) async throws {
        guard let presented = SecretToken.parse(token, as: .session) else { return }
        try await store.write { tx in
            guard let session = try await tx.consoleSession(tokenHash: presented.hash), session.revoked == nil else { return }
            try await tx.revokeConsoleSession(id: session.id, at: environment.now())
        }
    }

    /// Binds the account an admin signs in to the console with (nil unbinds). Only whoever may manage the organization;
    /// the account must be of the organization (not a portal customer) and have the admin's email as its primary email,
    /// and is then protected: only organization admins may change or delete it, and linking never takes it.
    ///
    /// Binding resets the account's local password — to `password` when given, else to none — and ends its sessions: a
    /// password someone else set on the account (a site admin who made it, an IdP over SCIM) must not come along. The
    /// admin's console sessions end whenever the binding changes.
    public func bindAdminAccount(adminId: String, userId: String?, password: String? = nil, caller: Caller) async throws -> AdminAccount {
        if let password, password.count < 12 { throw DirectoryError(.invalidInput, "A password needs at least 12 characters.") }
        if password != nil, userId == nil { throw DirectoryError(.invalidInput, "A password goes with the account being bound; unbinding takes none.") }
        // Whoever may not bind learns so before the password hashing work is done for them.
        try await store.read { reader in
            guard let admin = try await reader.admin(id: adminId) else { throw DirectoryError(.notFound, "No admin with id \(adminId.prefix(100)).") }
            try caller.require(.manageOrganization, in: try await requireOrganization(reader, admin.organizationId))
        }
        let hash = try password.map { try PasswordHash.hash($0, environment: environment) }
        return try await mapUniqueViolation(DirectoryError(.alreadyExists, "That account is already bound to another admin.")) {
            try await store.write { tx in
                guard var admin = try await tx.admin(id: adminId) else { throw DirectoryError(.notFound, "No admin with id \(adminId.prefix(100)).") }
                let organization = try await requireOrganization(tx, admin.organizationId)
                try caller.require(.manageOrganization, in: organization)
                if let userId {
                    let user = try await requireUser(tx, userId)
                    let directory = try await requireDirectory(tx, user.directoryId)
                    guard directory.organizationId == organization.id else { throw DirectoryError(.notFound, "No user with id \(userId.prefix(100)).") }
                    guard directory.kind != .portalCustomers else {
                        throw DirectoryError(.invalidInput, "A portal customer account cannot sign an admin in.")
                    }
                    guard user.primaryEmail?.lowercased() == admin.email.lowercased() || user.userName.lowercased() == admin.email.lowercased() else {
                        throw DirectoryError(.invalidInput, "The account's primary email must be the admin's (\(admin.email)).")
                    }
                    var reset = user
                    reset.passwordHash = hash
                    try await tx.update(reset)
                    _ = try await tx.revokeSessions(userId: user.id, at: environment.now())
                }
                _ = try await tx.revokeConsoleSessions(adminId: adminId, setupLinkId: nil, at: environment.now())
                try await tx.bindAdmin(id: adminId, userId: userId)
                admin.userId = userId
                try await record(
                    tx, organizationId: organization.id, caller: caller, action: "admin.account_bound", targetType: "admin", targetId: adminId,
                    payload: ["userId": userId.map { .string($0) } ?? .null]
                )
                return admin
            }
        }
    }

    /// Unbinds the admin who signs in with `userId`, if there is one, ending that admin's console sessions; returns
    /// whether there was. For an account that stops being trustworthy as an admin's (unlinked, or its IdP disconnected).
    func unbindAdmin(
        _ tx: any DirectoryWriting, signingInWith userId: String, organizationId: String, caller: Caller, reason: String
    ) async throws -> Bool {
        guard let admin = try await tx.admin(userId: userId) else { return false }
        try await tx.bindAdmin(id: admin.id, userId: nil)
        _ = try await tx.revokeConsoleSessions(adminId: admin.id, setupLinkId: nil, at: environment.now())
        try await record(
            tx, organizationId: organizationId, caller: caller, action: "admin.account_bound", targetType: "admin", targetId: admin.id,
            detail: "unbound: \(reason)", payload: ["userId": .null]
        )
        return true
    }

    // MARK: Setup links

    /// Makes a link that hands the setup of one identity provider directory to the IdP's admin.
    public func createSetupLink(directoryId: String, lifetime: TimeInterval? = nil, caller: Caller) async throws -> IssuedSetupLink {
        let lifetime = lifetime ?? Self.defaultSetupLinkLifetime
        guard lifetime >= 3600, lifetime <= 7 * 86_400 else {
            throw DirectoryError(.invalidInput, "A setup link lasts between 1 hour and 7 days.")
        }
        let secret = SecretToken.generate(.setupLink, environment: environment)
        return try await store.write { tx in
            let directory = try await requireDirectory(tx, directoryId)
            let organization = try await requireOrganization(tx, directory.organizationId)
            try caller.require(.manageDirectories, in: organization)
            guard directory.kind != .local else {
                throw DirectoryError(.unsupported, "The local directory has no identity provider to set up.")
            }
            let now = environment.now()
            let link = SetupLink(
                id: environment.newID(), organizationId: organization.id, directoryId: directory.id, tokenHash: secret.hash,
                createdBy: caller.actor.description, created: now, expires: now.addingTimeInterval(lifetime)
            )
            try await tx.insert(link)
            try await record(
                tx, organizationId: organization.id, caller: caller, action: "setup_link.created", targetType: "directory",
                targetId: directory.id, payload: ["setupLinkId": .string(link.id), "expires": .string(ISO8601DateFormatter().string(from: link.expires))]
            )
            return IssuedSetupLink(link: link, url: "\(configuration.baseURL)/admin/setup/\(secret.value)")
        }
    }

    /// The setup links of a directory, newest first.
    public func setupLinks(directoryId: String, caller: Caller) async throws -> [SetupLink] {
        try await store.read { reader in
            let directory = try await requireDirectory(reader, directoryId)
            try caller.require(.manageDirectories, in: try await requireOrganization(reader, directory.organizationId))
            return try await reader.setupLinks(directoryId: directoryId)
        }
    }

    /// Revokes a setup link; sessions opened with it stop at once.
    public func revokeSetupLink(id: String, caller: Caller) async throws {
        try await store.write { tx in
            guard let link = try await tx.setupLink(id: id) else { throw DirectoryError(.notFound, "No setup link with id \(id.prefix(100)).") }
            try caller.require(.manageDirectories, in: try await requireOrganization(tx, link.organizationId))
            let now = environment.now()
            try await tx.revokeSetupLink(id: id, at: now)
            _ = try await tx.revokeConsoleSessions(adminId: nil, setupLinkId: id, at: now)
            try await record(
                tx, organizationId: link.organizationId, caller: caller, action: "setup_link.revoked", targetType: "directory",
                targetId: link.directoryId, payload: ["setupLinkId": .string(id)]
            )
        }
    }

    /// The directory a setup link opens, without opening it (the page that asks the IdP's admin to continue); nil when
    /// the link does not work any more.
    public func setupLinkTarget(token: String) async throws -> (SetupLink, Directory)? {
        guard let presented = SecretToken.parse(token, as: .setupLink) else { return nil }
        let now = environment.now()
        return try await store.read { reader in
            guard let link = try await reader.setupLink(tokenHash: presented.hash), link.isLive(at: now), link.redeemed == nil,
                  let directory = try await reader.directory(id: link.directoryId)
            else { return nil }
            return (link, directory)
        }
    }

    /// Opens a link: the first browser to open it gets a console session that reaches only the link's directory, until
    /// the link expires. A link opened before, expired or revoked is refused.
    public func redeemSetupLink(token: String) async throws -> (OpenedConsoleSession, SetupLink) {
        let refused = DirectoryError(.unauthenticated, "This setup link has expired, was already used, or was withdrawn. Ask your organization admin for a new one.")
        guard let presented = SecretToken.parse(token, as: .setupLink) else { throw refused }
        let secret = SecretToken.generate(.session, environment: environment)
        let now = environment.now()
        let result: (OpenedConsoleSession, SetupLink)? = try await store.write { tx in
            guard let link = try await tx.setupLink(tokenHash: presented.hash), link.isLive(at: now), link.redeemed == nil,
                  try await tx.redeem(setupLinkId: link.id, at: now)
            else { return nil }
            let session = ConsoleSession(
                id: environment.newID(), organizationId: link.organizationId, tokenHash: secret.hash, adminId: nil,
                setupLinkId: link.id, created: now, expires: link.expires
            )
            try await tx.insert(session)
            try await record(
                tx, organizationId: link.organizationId, caller: .setupLink(link), action: "setup_link.opened", targetType: "directory",
                targetId: link.directoryId, payload: ["setupLinkId": .string(link.id)]
            )
            return (OpenedConsoleSession(session: session, token: secret.value), link)
        }
        guard let result else { throw refused }
        return result
    }

    // MARK: Directory page

    /// What the directory page shows first: whether SSO and provisioning work, counts, keys and certificate expiry.
    public func directoryStatus(id: String, caller: Caller) async throws -> DirectoryStatus {
        let now = environment.now()
        return try await store.read { reader in
            let directory = try await requireDirectory(reader, id)
            try caller.requireManaging(directory, in: try await requireOrganization(reader, directory.organizationId), readOnly: true)
            let connection = try await reader.samlConnection(directoryId: id)
            let keys = try await reader.apiKeys(directoryId: id)
            let counts = try await reader.counts(directoryId: id)
            var certificates: [DirectoryStatus.Certificate] = []
            for pem in connection?.certificates ?? [] {
                guard let notAfter = ServiceProviderKeys.expiry(ofCertificatePEM: pem) else { continue }
                certificates.append(.init(fingerprint: SecretToken.hash(pem), notAfter: notAfter, use: "idp-signing"))
            }
            if let credential = try await reader.serviceProviderCredential(directoryId: id) {
                certificates.append(.init(fingerprint: SecretToken.hash(credential.certificatePEM), notAfter: credential.notAfter, use: "sp"))
            }
            return DirectoryStatus(
                directory: directory, singleSignOnConfigured: connection != nil,
                provisioningActive: directory.acceptsProvisioning && keys.contains { $0.revoked == nil && ($0.expires ?? .distantFuture) > now },
                lastProvisioningRequest: try await reader.lastProvisioningRequest(directoryId: id),
                users: counts.users, groups: counts.groups, apiKeys: keys, certificates: certificates
            )
        }
    }
}
