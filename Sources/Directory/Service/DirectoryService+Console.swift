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
            let notAdmin = DirectoryError(.forbidden, "\(user.userName) is not an admin of \(organization.name). Ask an organization admin to add you.")
            guard let email = user.primaryEmail ?? (user.userName.contains("@") ? user.userName : nil),
                  let admin = try await tx.admin(organizationId: organization.id, email: email)
            else { throw notAdmin }
            // The email names the admin only when the account's directory speaks for it: the local directory (accounts
            // the organization's admins made), or the identity provider directory its verified domain is linked to.
            // Otherwise any connected IdP (or a setup link's holder, or a portal's just-in-time customers) could make an
            // account with an admin's email and sign in as that admin.
            let directory = try await requireDirectory(tx, user.directoryId)
            switch directory.kind {
            case .local: break
            case .portalCustomers: throw notAdmin
            case .identityProvider:
                guard let domain = Validation.emailDomain(email), let verified = try await tx.verifiedDomain(name: domain),
                      verified.organizationId == organization.id, verified.directoryId == directory.id
                else {
                    throw DirectoryError(
                        .forbidden,
                        "Admins sign in to the console with a local account, or through the identity provider their email's verified domain is linked to."
                    )
                }
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
                      let userId = session.userId, let user = try await reader.user(id: userId), user.active
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
