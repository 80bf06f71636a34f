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
        guard !key.pendingConfirmation else {
            throw DirectoryError(.unauthenticated, "This API key was made through a setup link and waits for an organization admin to confirm it.")
        }
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

    /// How often a session's `lastSeen` is written; the idle timeout is that coarse.
    static let lastSeenGranularity: TimeInterval = 60

    /// The session and user behind a cookie value, if both are still good: a revoked, expired or idle session,
    /// or a deactivated user's, stops working on its next request.
    public func validateSession(token: String) async throws -> (Session, User)? {
        guard let presented = SecretToken.parse(token, as: .session) else { return nil }
        let now = environment.now()
        let found: (Session, User)? = try await store.read { reader in
            guard let session = try await reader.session(tokenHash: presented.hash), session.isValid(at: now),
                  let user = try await reader.user(id: session.userId), user.active
            else { return nil }
            return (session, user)
        }
        guard let (stored, user) = found else { return nil }
        var session = stored
        if now.timeIntervalSince(session.lastSeen ?? session.created) >= Self.lastSeenGranularity {
            session.lastSeen = now
            let touched = session
            try await store.write { tx in try await tx.update(touched) }
        }
        return (session, user)
    }

    /// Ends the session behind a cookie value; returns it (for single logout at the IdP), nil when it was not valid.
    public func signOut(token: String) async throws -> Session? {
        guard let presented = SecretToken.parse(token, as: .session) else { return nil }
        let now = environment.now()
        return try await store.write { tx -> Session? in
            guard var session = try await tx.session(tokenHash: presented.hash), session.revoked == nil,
                  let user = try await tx.user(id: session.userId)
            else { return nil }
            session.revoked = now
            try await tx.update(session)
            let organization = try await organizationOf(tx, user: user)
            try await record(
                tx, organizationId: organization.id, caller: .system, action: "session.ended", targetType: "session",
                targetId: session.id, payload: ["userId": .string(user.id)]
            )
            return session
        }
    }

    /// Local sign-in with an email and password. Refused, with the same message whatever the reason, when no
    /// account has that password, the account is deactivated, or its directory (or the directory its verified email
    /// domain routes to) enforces SSO, unless the person is a backup admin of that organization. Every attempt is
    /// audited.
    public func passwordSignIn(email: String, password: String) async throws -> SignIn {
        let failure = DirectoryError(.unauthenticated, "The email or password is wrong, or this account must sign in with single sign-on.")
        // The attempt is counted (and committed) before the password is checked, then the attempts are counted: of
        // any number of concurrent guesses on any number of nodes, at most `passwordAttemptLimit` get checked.
        let key = Self.throttleKey(email: email)
        let now = environment.now()
        let windowStart = now.addingTimeInterval(-Self.passwordAttemptWindow)
        let attempt = environment.newID()
        try await store.write { tx in try await tx.recordSignInAttempt(id: attempt, key: key, at: now, forgetBefore: windowStart) }
        let (attempts, candidates) = try await store.read { reader in
            (try await reader.signInAttempts(key: key, since: windowStart), try await reader.usersWithPassword(email: email))
        }
        guard attempts <= Self.passwordAttemptLimit else {
            try? await recordRefusedPasswordSignIn(candidates.first, email: email, reason: "too many failed attempts")
            throw DirectoryError(.throttled, "Too many failed attempts for this email. Wait 15 minutes and try again.")
        }
        guard password.utf8.count <= PasswordHash.maximumLength else { throw failure }
        // The same scrypt work whether or not the account exists, so timing does not tell.
        guard let user = candidates.first(where: { PasswordHash.verify(password, against: $0.passwordHash ?? "") }) else {
            if candidates.isEmpty { _ = PasswordHash.verify(password, against: PasswordHash.decoy) }
            try? await recordRefusedPasswordSignIn(candidates.first, email: email, reason: "wrong email or password")
            throw failure
        }
        // Only this attempt is forgotten: earlier failures keep counting, so succeeding with another account of the
        // same email (one an attacker made in their own organization) does not reset the guesses at the victim's.
        try await store.write { tx in try await tx.forgetSignInAttempt(id: attempt) }
        let signIn: SignIn? = try await store.write { tx in
            let directory = try await requireDirectory(tx, user.directoryId)
            let organization = try await requireOrganization(tx, directory.organizationId)
            guard user.active else {
                try await recordRefusal(tx, user: user, organizationId: organization.id, reason: "the account is deactivated")
                return nil
            }
            var enforcing = try await policy(tx, directoryId: directory.id).enforceSSO ? directory.id : nil
            if enforcing == nil, let at = email.lastIndex(of: "@"),
               let domain = try await tx.verifiedDomain(name: String(email[email.index(after: at)...])),
               domain.organizationId == organization.id, let routed = domain.directoryId,
               try await policy(tx, directoryId: routed).enforceSSO {
                enforcing = routed
            }
            if let enforcing {
                // The exemption belongs to the account bound to a backup org admin, not to whoever has that email.
                let admin = try await tx.admin(userId: user.id)
                guard let admin, admin.organizationId == organization.id, admin.backupAdmin, admin.isOrgAdmin
                else {
                    try await recordRefusal(tx, user: user, organizationId: organization.id, reason: "SSO is enforced by directory \(enforcing)")
                    return nil
                }
            }
            return try await openSession(
                tx, user: user, directory: directory, method: "password",
                detail: enforcing == nil ? "password" : "password (backup admin while SSO is enforced)"
            )
        }
        guard let signIn else { throw failure }
        return signIn
    }

    private func recordRefusal(_ tx: any DirectoryWriting, user: User, organizationId: String, reason: String) async throws {
        try await record(
            tx, organizationId: organizationId, caller: .system, action: "sign_in.refused", targetType: "user", targetId: user.id,
            detail: "password: \(reason)", payload: ["reason": .string(reason), "method": .string("password")]
        )
    }

    /// Failed password sign-ins per email, across every node sharing the database: after this many attempts in
    /// `passwordAttemptWindow` the email is refused until the window passes.
    public static let passwordAttemptLimit = 10
    public static let passwordAttemptWindow: TimeInterval = 15 * 60

    static func throttleKey(email: String) -> String {
        "password:" + String(email.trimmingCharacters(in: .whitespaces).lowercased().prefix(320))
    }

    /// Audits a refused password sign-in (never the password): against the account when one has the email, else —
    /// an email no account has — in the organization that verified the email's domain, when one did.
    private func recordRefusedPasswordSignIn(_ user: User?, email: String, reason: String) async throws {
        try await store.write { tx in
            if let user {
                let organization = try await organizationOf(tx, user: user)
                try await recordRefusal(tx, user: user, organizationId: organization.id, reason: reason)
                return
            }
            let address = String(email.prefix(320))
            guard let at = address.lastIndex(of: "@"),
                  let domain = try await tx.verifiedDomain(name: String(address[address.index(after: at)...]).lowercased())
            else { return }
            try await record(
                tx, organizationId: domain.organizationId, caller: .system, action: "sign_in.refused", targetType: "email",
                targetId: address.lowercased(), detail: "password: \(reason) (no account has this email)",
                payload: ["reason": .string(reason), "method": .string("password"), "knownAccount": .bool(false)]
            )
        }
    }

    /// Sets a local password (at least 12 characters) and ends the user's open sessions.
    public func setPassword(userId: String, password: String, caller: Caller) async throws {
        guard password.count >= 12 else { throw DirectoryError(.invalidInput, "A password needs at least 12 characters.") }
        let hash = try PasswordHash.hash(password, environment: environment)
        try await store.write { tx in
            var user = try await requireUser(tx, userId)
            let organization = try await organizationOf(tx, user: user)
            try await requireUserPermission(tx, user: user, organization: organization, caller: caller)
            user.passwordHash = hash
            try await tx.update(user)
            let ended = try await tx.revokeSessions(userId: userId, at: environment.now())
            try await record(
                tx, organizationId: organization.id, caller: caller, action: "user.password_set", targetType: "user", targetId: userId,
                payload: ["sessionsEnded": .integer(Int64(ended))]
            )
        }
    }
}
