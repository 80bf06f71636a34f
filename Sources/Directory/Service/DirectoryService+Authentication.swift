import Foundation

extension DirectoryService {
    /// How often a credential's `lastUsed` is written; finer bookkeeping would turn every read into a write.
    static let lastUsedGranularity: TimeInterval = 60

    /// Authenticates an admin API bearer token. Every failure is the same `unauthenticated` error.
    public func authenticateAdmin(bearer: String) async throws -> AdminAccount {
        try await authenticateAdminToken(bearer: bearer).0
    }

    /// Authenticates an admin API bearer token and returns the token too.
    public func authenticateAdminToken(bearer: String) async throws -> (AdminAccount, AdminToken) {
        let failure = DirectoryError(.unauthenticated, "The admin API token is missing, wrong, expired or revoked.")
        guard let presented = SecretToken.parse(bearer, as: .adminToken) else { throw failure }
        let now = environment.now()
        let found: (AdminToken, AdminAccount)? = try await store.read { reader in
            guard let token = try await reader.adminToken(prefix: presented.prefix),
                  presented.matches(storedHash: token.hash), token.isUsable(at: now),
                  let admin = try await reader.admin(id: token.adminId)
            else { return nil }
            return (token, admin)
        }
        guard let (token, admin) = found else { throw failure }
        if token.needsLastUsedUpdate(at: now, granularity: Self.lastUsedGranularity) {
            var used = token
            used.lastUsed = now
            let updated = used
            try await store.write { tx in try await tx.update(updated) }
        }
        return (admin, token)
    }

    /// Revokes an admin token at once (an admin signing a token out, or an operator cutting one off).
    public func revokeAdminToken(_ token: AdminToken, admin: AdminAccount, caller: Caller) async throws {
        try await store.write { tx in
            var current = token
            current.revoked = environment.now()
            try await tx.update(current)
            try await record(
                tx, organizationId: admin.organizationId, caller: caller, action: "admin_token.revoked",
                targetType: "admin_token", targetId: token.id, payload: ["adminId": .string(admin.id)]
            )
        }
    }

    /// Issues another token for an existing admin (rotation, or an operator's recovery).
    public func issueAdminToken(adminId: String, caller: Caller) async throws -> IssuedAdminToken {
        try await store.write { tx in
            guard let admin = try await tx.admin(id: adminId) else {
                throw DirectoryError(.notFound, "No admin with id \(adminId.prefix(100)).")
            }
            if case .admin(let actor) = caller, actor.id != admin.id {
                try caller.require(.manageOrganization, in: try await requireOrganization(tx, admin.organizationId))
            }
            return try await issueAdminToken(tx, admin: admin, caller: caller)
        }
    }

    /// Authenticates a SCIM bearer key for one directory. A key of another directory, a revoked or an expired key
    /// fails exactly like a wrong one. The key's last use is recorded.
    public func authenticateApiKey(directoryId: String, bearer: String) async throws -> ApiKey {
        let failure = DirectoryError(.unauthenticated, "The API key is missing, wrong, expired or revoked.")
        guard let presented = SecretToken.parse(bearer, as: .scimKey) else { throw failure }
        let now = environment.now()
        let found = try await store.read { reader in try await reader.apiKey(prefix: presented.prefix) }
        guard var key = found, key.directoryId == directoryId, presented.matches(storedHash: key.hash),
              key.isUsable(at: now)
        else { throw failure }
        if key.needsLastUsedUpdate(at: now, granularity: Self.lastUsedGranularity) {
            key.lastUsed = now
            let updated = key
            try await store.write { tx in try await tx.update(updated) }
        }
        return key
    }

    /// Opens a session for an active user; returns the session and the cookie value (shown once).
    public func createSession(userId: String, lifetime: TimeInterval, caller: Caller) async throws -> (Session, String) {
        let secret = SecretToken.generate(.session, environment: environment)
        return try await store.write { tx in
            let user = try await requireUser(tx, userId)
            guard user.active else { throw DirectoryError(.forbidden, "The account is deactivated.") }
            let organization = try await organizationOf(tx, user: user)
            let now = environment.now()
            let session = Session(
                id: environment.newID(), userId: userId, tokenHash: secret.hash, created: now,
                expires: now.addingTimeInterval(lifetime)
            )
            try await tx.insert(session)
            try await record(
                tx, organizationId: organization.id, caller: caller, action: "session.created", targetType: "session",
                targetId: session.id, payload: ["userId": .string(userId)]
            )
            return (session, secret.value)
        }
    }

    /// The session and user behind a cookie value, if both are still good: a deactivated user's sessions stop
    /// working on their next request.
    public func validateSession(token: String) async throws -> (Session, User)? {
        guard let presented = SecretToken.parse(token, as: .session) else { return nil }
        let now = environment.now()
        return try await store.read { reader in
            guard let session = try await reader.session(tokenHash: presented.hash), session.isValid(at: now),
                  let user = try await reader.user(id: session.userId), user.active
            else { return nil }
            return (session, user)
        }
    }
}
