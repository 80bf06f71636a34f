import Foundation

/// What a verified SAML assertion says, as the domain needs it (the SAML library did the verification).
public struct VerifiedAssertion: Sendable, Hashable {
    public var assertionID: String
    public var nameID: String
    public var sessionIndex: String?
    public var inResponseTo: String?
    public var notOnOrAfter: Date
    public var attributes: [String: [String]]

    public init(
        assertionID: String, nameID: String, sessionIndex: String? = nil, inResponseTo: String?, notOnOrAfter: Date,
        attributes: [String: [String]]
    ) {
        self.assertionID = assertionID
        self.nameID = nameID
        self.sessionIndex = sessionIndex
        self.inResponseTo = inResponseTo
        self.notOnOrAfter = notOnOrAfter
        self.attributes = attributes
    }
}

/// A completed sign-in: the session, its cookie value (shown once) and where to send the browser.
public struct SignIn: Sendable {
    public var session: Session
    public var token: String
    public var user: User
    public var relayState: String?
}

/// What an assertion at the ACS led to: a session, or the report of an admin's "Test SSO" run.
public enum SignInResult: Sendable {
    case signedIn(SignIn)
    case tested(SAMLTestRun)
}

/// Where an SP-initiated sign-in goes: the connection, and the SP key when requests are signed.
public struct SignInStart: Sendable {
    public var connection: SAMLConnection
    public var credential: ServiceProviderCredential?
}

extension DirectoryService {
    /// How long an AuthnRequest waits for its response.
    static let authnRequestLifetime: TimeInterval = 600

    /// Why nobody signs in through SAML settings that wait for an org admin.
    static let pendingSettings = DirectoryError(
        .unsupported, "Single sign-on for this directory waits for an organization admin to confirm its new settings."
    )

    /// The checks after the SAML layer's, in order, as the "Test SSO" report names them.
    public static let serviceChecks = ["Answers a request Roster sent", "Not a replay", "Account"]

    /// Stores the SAML settings of an identity provider directory.
    public func configureSAML(
        directoryId: String, identityProviderEntityID: String, singleSignOnURL: String, certificates: [String],
        allowSHA1: Bool, allowIdPInitiated: Bool, singleLogoutURL: String? = nil, signAuthnRequests: Bool = false,
        singleSignOnBinding: SingleSignOnBinding = .redirect, caller: Caller
    ) async throws -> SAMLConnection {
        let entityID = try Validation.name(identityProviderEntityID, field: "IdP entity ID")
        for url in [singleSignOnURL] + [singleLogoutURL].compactMap({ $0 }) {
            guard let parsed = URL(string: url), parsed.scheme == "https" || parsed.scheme == "http", parsed.host != nil else {
                throw DirectoryError(.invalidInput, "The SSO and logout URLs must be http(s) URLs.")
            }
        }
        guard !certificates.isEmpty else { throw DirectoryError(.invalidInput, "Give at least one IdP signing certificate.") }
        let certificates = try certificates.map { text in
            guard let canonical = ServiceProviderKeys.canonicalCertificatePEM(text) else {
                throw DirectoryError(.invalidInput, "An IdP certificate must be exactly one PEM X.509 certificate (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----), nothing before or after it.")
            }
            return canonical
        }
        return try await store.write { tx in
            let directory = try await requireDirectory(tx, directoryId)
            let organization = try await requireOrganization(tx, directory.organizationId)
            try caller.requireManaging(directory, in: organization)
            guard directory.kind != .local else { throw DirectoryError(.unsupported, "The local directory has no identity provider.") }
            let now = environment.now()
            var connection = SAMLConnection(
                directoryId: directoryId, identityProviderEntityID: entityID, singleSignOnURL: singleSignOnURL,
                certificates: certificates, allowSHA1: allowSHA1, allowIdPInitiated: allowIdPInitiated,
                singleLogoutURL: singleLogoutURL, signAuthnRequests: signAuthnRequests, singleSignOnBinding: singleSignOnBinding,
                updated: now
            )
            // Whoever holds a setup link is not trusted to decide who signs in: their settings wait for an org admin,
            // unless they change nothing that decides it (a confirmed connection re-saved as it was stays confirmed).
            if case .setupLink = caller {
                let existing = try await tx.samlConnection(directoryId: directoryId)
                if let existing, !existing.isPending, existing.trustDigest == connection.trustDigest { connection.confirmed = existing.confirmed }
                // What an org admin last confirmed, shown beside the new values until they confirm these.
                if connection.isPending, let existing { connection.previous = existing.isPending ? existing.previous : existing.summary }
            } else {
                connection.confirmed = now
            }
            try await tx.upsert(connection)
            try await record(
                tx, organizationId: organization.id, caller: caller, action: "directory.saml_configured", targetType: "directory",
                targetId: directoryId, payload: [
                    "idpEntityId": .string(entityID), "certificates": .integer(Int64(certificates.count)),
                    "pending": .bool(connection.isPending), "digest": .string(connection.trustDigest),
                ]
            )
            return connection
        }
    }

    /// An org admin confirms SAML settings made through a setup link, naming the `digest` of the settings they were
    /// shown: when the settings changed since, nothing is confirmed (`versionMismatch`).
    public func confirmSAML(directoryId: String, digest: String, caller: Caller) async throws -> SAMLConnection {
        try await store.write { tx in
            let directory = try await requireDirectory(tx, directoryId)
            let organization = try await requireOrganization(tx, directory.organizationId)
            try caller.require(.manageDirectories, in: organization)
            guard var connection = try await tx.samlConnection(directoryId: directoryId) else {
                throw DirectoryError(.notFound, "Single sign-on is not set up for this directory.")
            }
            guard connection.isPending else { return connection }
            guard connection.trustDigest == digest else {
                throw DirectoryError(.versionMismatch, "The SAML settings changed since this page was loaded. Review them again before confirming.")
            }
            connection.confirmed = environment.now()
            connection.previous = nil
            try await tx.upsert(connection)
            try await record(
                tx, organizationId: organization.id, caller: caller, action: "directory.saml_confirmed", targetType: "directory",
                targetId: directoryId, payload: ["idpEntityId": .string(connection.identityProviderEntityID), "digest": .string(digest)]
            )
            return connection
        }
    }

    /// The SAML settings of a directory, if configured.
    public func samlConnection(directoryId: String) async throws -> SAMLConnection? {
        try await store.read { try await $0.samlConnection(directoryId: directoryId) }
    }

    /// The SAML settings of a directory for an admin (who must be allowed to see the organization).
    public func samlConnection(directoryId: String, caller: Caller) async throws -> SAMLConnection? {
        try await store.read { reader in
            let directory = try await requireDirectory(reader, directoryId)
            try caller.requireManaging(directory, in: try await requireOrganization(reader, directory.organizationId), readOnly: true)
            return try await reader.samlConnection(directoryId: directoryId)
        }
    }

    /// The directory's SP key pair, made on first use (the key is generated outside any transaction; when two
    /// servers race, the first stored wins and both use it).
    public func serviceProviderCredential(directoryId: String) async throws -> ServiceProviderCredential {
        let directory = try await store.read { reader in try await requireDirectory(reader, directoryId) }
        guard directory.kind != .local else { throw DirectoryError(.unsupported, "The local directory has no identity provider.") }
        if let existing = try await store.read({ try await $0.serviceProviderCredential(directoryId: directoryId) }) { return existing }
        let generated = try ServiceProviderKeys.generate(
            directoryId: directoryId, entityID: "\(configuration.baseURL)/saml/\(directoryId)/metadata", now: environment.now()
        )
        return try await store.write { tx in
            let stored = try await tx.insertIfAbsent(generated)
            if stored == generated {
                try await record(
                    tx, organizationId: directory.organizationId, caller: .system, action: "directory.sp_key_created",
                    targetType: "directory", targetId: directoryId,
                    payload: ["notAfter": .string(ISO8601DateFormatter().string(from: generated.notAfter))]
                )
            }
            return stored
        }
    }

    // MARK: Authentication policy

    /// The directory's policy, or the defaults when none was set.
    public func authenticationPolicy(directoryId: String) async throws -> AuthenticationPolicy {
        try await store.read { reader in try await policy(reader, directoryId: directoryId) }
    }

    func policy(_ reader: any DirectoryReading, directoryId: String) async throws -> AuthenticationPolicy {
        try await reader.authenticationPolicy(directoryId: directoryId)
            ?? AuthenticationPolicy(directoryId: directoryId, updated: Date(timeIntervalSince1970: 0))
    }

    /// Sets a directory's authentication policy. Enforcing SSO needs working SSO first, so nobody is locked out.
    public func setAuthenticationPolicy(
        directoryId: String, enforceSSO: Bool, sessionLifetime: TimeInterval, idleTimeout: TimeInterval, caller: Caller
    ) async throws -> AuthenticationPolicy {
        let range = AuthenticationPolicy.lifetimeRange
        guard range.contains(sessionLifetime), range.contains(idleTimeout) else {
            throw DirectoryError(.invalidInput, "Session length and idle timeout must be between 5 minutes and 30 days.")
        }
        guard idleTimeout <= sessionLifetime else {
            throw DirectoryError(.invalidInput, "The idle timeout cannot be longer than the session length.")
        }
        return try await store.write { tx in
            let directory = try await requireDirectory(tx, directoryId)
            let organization = try await requireOrganization(tx, directory.organizationId)
            try caller.require(.manageDirectories, in: organization)
            if enforceSSO {
                guard directory.kind != .local else {
                    throw DirectoryError(.unsupported, "The local directory has no identity provider to enforce.")
                }
                guard try await tx.samlConnection(directoryId: directoryId) != nil else {
                    throw DirectoryError(.invalidInput, "Set up SAML single sign-on for this directory before enforcing it.")
                }
                // The admin enforcing it must keep a way into the console: their own account signs in through this IdP, or
                // they are a backup admin. Otherwise a local password account routed here by its verified domain is locked out.
                if case .admin(let admin) = caller, !admin.backupAdmin, let userId = admin.userId, let account = try await tx.user(id: userId),
                   account.directoryId != directoryId {
                    let email = account.primaryEmail ?? account.userName
                    if let domain = Validation.emailDomain(email), let verified = try await tx.verifiedDomain(name: domain),
                       verified.organizationId == organization.id, verified.directoryId == directoryId {
                        throw DirectoryError(
                            .invalidInput,
                            "Enforcing SSO here would lock you out: your console account \(email) signs in with a password, and \(domain) routes to this identity provider. Mark yourself a backup admin first (PUT /api/v1/admins/\(admin.id)/backup), or bind your admin to your account in this identity provider."
                        )
                    }
                }
            }
            let policy = AuthenticationPolicy(
                directoryId: directoryId, enforceSSO: enforceSSO, sessionLifetime: sessionLifetime, idleTimeout: idleTimeout,
                updated: environment.now()
            )
            try await tx.upsert(policy)
            try await record(
                tx, organizationId: organization.id, caller: caller, action: "directory.policy_updated", targetType: "directory",
                targetId: directoryId,
                payload: ["enforceSso": .bool(enforceSSO), "sessionLifetime": .integer(Int64(sessionLifetime)),
                          "idleTimeout": .integer(Int64(idleTimeout))]
            )
            return policy
        }
    }

    /// Marks an org admin as a backup admin: they may still sign in with a password where SSO is enforced.
    public func setBackupAdmin(adminId: String, backup: Bool, caller: Caller) async throws -> AdminAccount {
        try await store.write { tx in
            guard var admin = try await tx.admin(id: adminId) else { throw DirectoryError(.notFound, "No admin with id \(adminId.prefix(100)).") }
            let organization = try await requireOrganization(tx, admin.organizationId)
            try caller.require(.manageOrganization, in: organization)
            guard !backup || admin.isOrgAdmin else {
                throw DirectoryError(.invalidInput, "Only an organization admin can be a backup admin.")
            }
            try await tx.setBackupAdmin(adminId: adminId, backup)
            admin.backupAdmin = backup
            try await record(
                tx, organizationId: organization.id, caller: caller, action: backup ? "admin.backup_granted" : "admin.backup_revoked",
                targetType: "admin", targetId: adminId
            )
            return admin
        }
    }

    // MARK: SP-initiated sign-in

    /// The IdP directory that signs in people with this email: the one linked to the email's verified domain,
    /// when it has SAML set up. Nil sends the person to local sign-in.
    public func signInDirectory(forEmail email: String) async throws -> String? {
        guard let at = email.lastIndex(of: "@") else { return nil }
        let domain = email[email.index(after: at)...].trimmingCharacters(in: .whitespaces).lowercased()
        guard !domain.isEmpty else { return nil }
        return try await store.read { reader in
            guard let found = try await reader.verifiedDomain(name: domain), let directoryId = found.directoryId,
                  try await reader.samlConnection(directoryId: directoryId) != nil
            else { return nil }
            return directoryId
        }
    }

    /// The portal-customer directory of a JSM site, when it has SAML set up.
    public func portalSignInDirectory(siteId: String) async throws -> String? {
        try await store.read { reader in
            guard let directory = try await reader.portalDirectory(siteId: siteId),
                  try await reader.samlConnection(directoryId: directory.id) != nil
            else { return nil }
            return directory.id
        }
    }

    /// Remembers an AuthnRequest id so that its response can be matched once.
    public func beginSignIn(directoryId: String, requestId: String, relayState: String?) async throws -> SignInStart {
        let start = try await store.write { tx in
            guard let connection = try await tx.samlConnection(directoryId: directoryId) else {
                throw DirectoryError(.notFound, "Single sign-on is not set up for this directory.")
            }
            guard !connection.isPending else { throw Self.pendingSettings }
            let now = environment.now()
            try await tx.insert(PendingAuthnRequest(
                id: requestId, directoryId: directoryId, relayState: relayState, created: now,
                expires: now.addingTimeInterval(Self.authnRequestLifetime)
            ))
            return SignInStart(connection: connection, credential: nil)
        }
        guard start.connection.signAuthnRequests else { return start }
        return SignInStart(connection: start.connection, credential: try await serviceProviderCredential(directoryId: directoryId))
    }

    // MARK: Single logout

    /// How long the IdP has to answer Roster's LogoutRequest.
    static let logoutRequestLifetime: TimeInterval = 600

    /// Remembers a LogoutRequest Roster is about to send to the directory's IdP.
    public func beginLogout(directoryId: String, requestId: String) async throws {
        let now = environment.now()
        try await store.write { tx in
            try await tx.insertLogoutRequest(id: requestId, directoryId: directoryId, created: now, expires: now.addingTimeInterval(Self.logoutRequestLifetime))
        }
    }

    /// Matches the IdP's verified LogoutResponse to a LogoutRequest Roster sent (once); false when it answers none.
    public func completeLogout(directoryId: String, inResponseTo: String) async throws -> Bool {
        let now = environment.now()
        return try await store.write { tx in try await tx.useLogoutRequest(id: inResponseTo, directoryId: directoryId, at: now) }
    }

    /// IdP-initiated single logout, from a verified LogoutRequest: ends the sessions the IdP opened for the NameID
    /// (those of the given session indexes, or all), with their console sessions, audited. A LogoutRequest is acted
    /// on once (its ID joins the replay guard). Returns how many accounts' sessions ended.
    public func idpLogout(directoryId: String, requestId: String, nameID: String, sessionIndexes: [String]) async throws -> Int {
        let now = environment.now()
        return try await store.write { tx in
            let directory = try await requireDirectory(tx, directoryId)
            guard try await tx.recordAssertion(directoryId: directoryId, assertionId: "logout:" + requestId,
                                               expires: now.addingTimeInterval(2 * Self.logoutRequestLifetime), now: now)
            else { throw DirectoryError(.unauthenticated, "The LogoutRequest was already used (replay).") }
            let users = try await tx.revokeSessions(directoryId: directoryId, nameID: nameID, sessionIndexes: sessionIndexes, at: now)
            try await record(
                tx, organizationId: directory.organizationId, caller: .system, action: "sign_out.idp_initiated", targetType: "directory",
                targetId: directoryId, detail: "single logout from the identity provider for \(nameID.prefix(200))",
                payload: ["nameId": .string(String(nameID.prefix(320))), "accounts": .array(users.map { .string($0) }),
                          "sessionIndexes": .integer(Int64(sessionIndexes.count))]
            )
            return users.count
        }
    }

    /// Starts an admin's "Test SSO" run: an AuthnRequest whose answer is checked and reported, never a session.
    public func beginTestRun(directoryId: String, requestId: String, caller: Caller) async throws -> (SAMLTestRun, SignInStart) {
        let (run, connection) = try await store.write { tx in
            let directory = try await requireDirectory(tx, directoryId)
            let organization = try await requireOrganization(tx, directory.organizationId)
            try caller.requireManaging(directory, in: organization)
            guard let connection = try await tx.samlConnection(directoryId: directoryId) else {
                throw DirectoryError(.invalidInput, "Set up SAML single sign-on for this directory before testing it.")
            }
            let now = environment.now()
            try await tx.insert(PendingAuthnRequest(
                id: requestId, directoryId: directoryId, relayState: nil, created: now,
                expires: now.addingTimeInterval(Self.authnRequestLifetime), testRun: true
            ))
            let run = SAMLTestRun(id: requestId, directoryId: directoryId, created: now)
            try await tx.upsert(run)
            try await record(
                tx, organizationId: organization.id, caller: caller, action: "directory.sso_test_started", targetType: "directory",
                targetId: directoryId, payload: ["testRunId": .string(requestId)]
            )
            return (run, connection)
        }
        let credential = connection.signAuthnRequests ? try await serviceProviderCredential(directoryId: directoryId) : nil
        return (run, SignInStart(connection: connection, credential: credential))
    }

    /// The AuthnRequest of a test run that has not been answered yet, to send again with the HTTP-POST binding (the
    /// API's sign-in URL for an IdP that takes POST only); nil when the run is unknown, answered or expired.
    public func pendingTestRun(id: String, directoryId: String) async throws -> SignInStart? {
        let now = environment.now()
        let connection: SAMLConnection? = try await store.read { reader in
            guard let request = try await reader.authnRequest(id: id), request.directoryId == directoryId, request.testRun,
                  request.used == nil, request.expires > now
            else { return nil }
            return try await reader.samlConnection(directoryId: directoryId)
        }
        guard let connection else { return nil }
        let credential = connection.signAuthnRequests ? try await serviceProviderCredential(directoryId: directoryId) : nil
        return SignInStart(connection: connection, credential: credential)
    }

    /// A test run, for the admin who may manage its directory.
    public func testRun(id: String, directoryId: String, caller: Caller) async throws -> SAMLTestRun {
        try await store.read { reader in
            let directory = try await requireDirectory(reader, directoryId)
            try caller.requireManaging(directory, in: try await requireOrganization(reader, directory.organizationId), readOnly: true)
            guard let run = try await reader.samlTestRun(id: id), run.directoryId == directoryId else {
                throw DirectoryError(.notFound, "No SSO test run with id \(id.prefix(100)).")
            }
            return run
        }
    }

    /// Records the outcome of a test run whose response the SAML layer refused (the response's InResponseTo only
    /// routes the report; nothing is granted on it). False when there is no open run with that id.
    @discardableResult
    public func failTestRun(id: String, directoryId: String, checks: [SignInCheck]) async throws -> Bool {
        try await store.write { tx in
            guard let run = try await tx.samlTestRun(id: id), run.directoryId == directoryId, run.completed == nil,
                  let directory = try await tx.directory(id: directoryId)
            else { return false }
            try await tx.markUsed(authnRequestId: id, at: environment.now())
            _ = try await complete(
                tx, run, directory: directory, checks: checks + Self.serviceChecks.map { SignInCheck(name: $0, outcome: .notRun) },
                nameID: nil, failure: checks.first { $0.outcome == .failed }?.detail ?? "refused"
            )
            return true
        }
    }

    /// Stores a test run's outcome (failed when `failure` is given) with its audit entry and event.
    private func complete(
        _ tx: any DirectoryWriting, _ run: SAMLTestRun, directory: Directory, checks: [SignInCheck], nameID: String?, failure: String?
    ) async throws -> SAMLTestRun {
        var run = run
        run.completed = environment.now()
        run.succeeded = failure == nil
        run.nameID = nameID ?? run.nameID
        run.checks = checks
        try await tx.upsert(run)
        try await record(
            tx, organizationId: directory.organizationId, caller: .system, action: "directory.sso_test_completed",
            targetType: "directory", targetId: directory.id, detail: failure,
            payload: ["testRunId": .string(run.id), "succeeded": .bool(failure == nil)]
        )
        return run
    }

    /// Completes a sign-in from a verified assertion: the AuthnRequest it answers is used once (or IdP-initiated
    /// sign-in must be allowed), the assertion is not a replay, and it names an active account of the directory
    /// (a portal customer is created just in time). For a test run, the checks are reported instead of a session.
    /// Refusals are audited too, with their reason.
    public func completeSignIn(directoryId: String, assertion: VerifiedAssertion, checks: [SignInCheck] = []) async throws -> SignInResult {
        do {
            return try await store.write { tx in
                let directory = try await requireDirectory(tx, directoryId)
                guard let connection = try await tx.samlConnection(directoryId: directoryId) else {
                    throw DirectoryError(.notFound, "Single sign-on is not set up for this directory.")
                }
                let now = environment.now()
                var relayState: String?
                var testRun: SAMLTestRun?
                var report = checks
                func refuse(_ index: Int, _ message: String) async throws -> SignInResult {
                    guard let run = testRun else { throw DirectoryError(.unauthenticated, message) }
                    report.append(SignInCheck(name: Self.serviceChecks[index], outcome: .failed, detail: message))
                    report += Self.serviceChecks[(index + 1)...].map { SignInCheck(name: $0, outcome: .notRun) }
                    return .tested(try await complete(tx, run, directory: directory, checks: report, nameID: assertion.nameID, failure: message))
                }
                if let requestId = assertion.inResponseTo {
                    guard let request = try await tx.authnRequest(id: requestId), request.directoryId == directoryId else {
                        throw DirectoryError(.unauthenticated, "The response answers a request Roster did not send.")
                    }
                    if request.testRun { testRun = try await tx.samlTestRun(id: requestId).flatMap { $0.completed == nil ? $0 : nil } }
                    guard request.used == nil else { return try await refuse(0, "The request was already answered.") }
                    guard request.expires > now else { return try await refuse(0, "The request expired.") }
                    try await tx.markUsed(authnRequestId: requestId, at: now)
                    relayState = request.relayState
                } else if !connection.allowIdPInitiated {
                    throw DirectoryError(.unauthenticated, "IdP-initiated sign-in is off for this directory.")
                }
                // Settings an org admin has not confirmed answer Test SSO only.
                if testRun == nil, connection.isPending { throw Self.pendingSettings }
                report.append(SignInCheck(name: Self.serviceChecks[0], outcome: .passed, detail: assertion.inResponseTo == nil ? "IdP-initiated" : nil))
                guard try await tx.recordAssertion(directoryId: directoryId, assertionId: assertion.assertionID, expires: assertion.notOnOrAfter, now: now) else {
                    return try await refuse(1, "The assertion was already used (replay).")
                }
                report.append(SignInCheck(name: Self.serviceChecks[1], outcome: .passed))
                var user = try await account(tx, directory: directory, nameID: assertion.nameID)
                if user == nil, directory.kind == .portalCustomers, testRun == nil {
                    user = try await createPortalCustomer(tx, directory: directory, assertion: assertion)
                }
                if user == nil, directory.kind == .portalCustomers, let run = testRun {
                    // A test opens no session and makes no account; a real sign-in would make this customer just in time.
                    report.append(SignInCheck(
                        name: Self.serviceChecks[2], outcome: .passed,
                        detail: "\(assertion.nameID.prefix(200)) has no customer account yet; the first real sign-in creates it"
                    ))
                    return .tested(try await complete(tx, run, directory: directory, checks: report, nameID: assertion.nameID, failure: nil))
                }
                guard let user else {
                    return try await refuse(2, "No account of this directory is named \(assertion.nameID.prefix(200)).")
                }
                guard user.active else { return try await refuse(2, "The account \(user.userName) is deactivated.") }
                if let run = testRun {
                    report.append(SignInCheck(name: Self.serviceChecks[2], outcome: .passed, detail: user.userName))
                    return .tested(try await complete(tx, run, directory: directory, checks: report, nameID: assertion.nameID, failure: nil))
                }
                return .signedIn(try await openSession(
                    tx, user: user, directory: directory, method: "saml", detail: "SAML via directory \(directoryId)",
                    nameID: assertion.nameID, sessionIndex: assertion.sessionIndex, relayState: relayState
                ))
            }
        } catch let error as DirectoryError {
            try? await recordRefusedSignIn(directoryId: directoryId, reason: error.message, nameID: assertion.nameID)
            throw error
        }
    }

    /// Opens a signed-in person's session under their directory's policy (lifetime, idle timeout), with the
    /// `sign_in.succeeded` audit entry and event.
    func openSession(
        _ tx: any DirectoryWriting, user: User, directory: Directory, method: String, detail: String,
        nameID: String? = nil, sessionIndex: String? = nil, relayState: String? = nil
    ) async throws -> SignIn {
        let policy = try await policy(tx, directoryId: directory.id)
        let now = environment.now()
        let secret = SecretToken.generate(.session, environment: environment)
        let session = Session(
            id: environment.newID(), userId: user.id, tokenHash: secret.hash, created: now,
            expires: now.addingTimeInterval(policy.sessionLifetime), lastSeen: now, idleTimeout: policy.idleTimeout,
            directoryId: directory.id, nameID: nameID, sessionIndex: sessionIndex
        )
        try await tx.insert(session)
        try await record(
            tx, organizationId: directory.organizationId, caller: .system, action: "sign_in.succeeded", targetType: "user",
            targetId: user.id, detail: detail,
            payload: ["directoryId": .string(directory.id), "sessionId": .string(session.id), "method": .string(method)]
        )
        return SignIn(session: session, token: secret.value, user: user, relayState: relayState)
    }

    /// The account of the directory that a NameID names: by email first, then by userName.
    func account(_ reader: any DirectoryReading, directory: Directory, nameID: String) async throws -> User? {
        let byEmail = try await reader.users(organizationId: directory.organizationId, email: nameID).filter { $0.directoryId == directory.id }
        if let user = byEmail.first { return user }
        return try await reader.user(directoryId: directory.id, userName: nameID)
    }

    /// Just-in-time creation of a portal-only customer from the assertion: the NameID (an email) is the userName
    /// and primary email; common name attributes fill in the name.
    private func createPortalCustomer(_ tx: any DirectoryWriting, directory: Directory, assertion: VerifiedAssertion) async throws -> User {
        let email = assertion.nameID
        guard email.contains("@"), !email.hasPrefix("@"), !email.hasSuffix("@") else {
            throw DirectoryError(.unauthenticated, "A portal customer must be named by an email address (the NameID is \(email.prefix(200))).")
        }
        func first(_ names: String...) -> String? {
            for name in names { if let value = assertion.attributes[name]?.first, !value.isEmpty { return value } }
            return nil
        }
        let given = first("givenName", "firstName", "urn:oid:2.5.4.42", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname")
        let family = first("sn", "surname", "lastName", "familyName", "urn:oid:2.5.4.4", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname")
        let display = first("displayName", "name", "urn:oid:2.16.840.1.113730.3.1.241")
        var draft = UserDraft(
            userName: email, emails: [User.Email(value: email, primary: true)], name: User.Name(familyName: family, givenName: given),
            displayName: display ?? [given, family].compactMap { $0 }.joined(separator: " ").nilIfEmpty
        )
        draft = try draft.validated()
        return try await insertUser(tx, draft: draft, directory: directory, caller: .system)
    }

    /// Audits a refused sign-in (its own transaction: the attempt's own changes were rolled back).
    public func recordRefusedSignIn(directoryId: String, reason: String, nameID: String?) async throws {
        try await store.write { tx in
            guard let directory = try await tx.directory(id: directoryId) else { return }
            try await record(
                tx, organizationId: directory.organizationId, caller: .system, action: "sign_in.refused", targetType: "directory",
                targetId: directoryId, detail: reason,
                payload: ["reason": .string(reason), "nameId": nameID.map { .string(String($0.prefix(200))) } ?? .null]
            )
        }
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
