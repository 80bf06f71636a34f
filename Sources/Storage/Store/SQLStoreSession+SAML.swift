import Directory
import Foundation
import SQLKit

extension SQLStoreSession {
    /// `SELECT` of connections, certificates read back as text on both databases.
    func selectConnections() -> SQLSelectBuilder {
        db.select()
            .columns("directory_id", "idp_entity_id", "sso_url", "allow_sha1", "allow_idp_initiated", "updated_at", "slo_url", "sign_requests", "sso_binding", "confirmed_at", "previous_json")
            .column(SQLAlias(SQLJSONText(column: "certificates"), as: SQLIdentifier("certificates")))
            .from("saml_connections")
    }

    func samlConnection(directoryId: String) async throws -> SAMLConnection? {
        try await selectConnections().where("directory_id", .equal, directoryId).first().map(connection)
    }

    func connection(_ row: any SQLRow) throws -> SAMLConnection {
        SAMLConnection(
            directoryId: try row.string("directory_id"), identityProviderEntityID: try row.string("idp_entity_id"),
            singleSignOnURL: try row.string("sso_url"), certificates: try fromJSON([String].self, try row.string("certificates")),
            allowSHA1: try row.bool("allow_sha1"), allowIdPInitiated: try row.bool("allow_idp_initiated"),
            singleLogoutURL: try row.optionalString("slo_url"), signAuthnRequests: try row.bool("sign_requests"),
            singleSignOnBinding: try row.optionalString("sso_binding").flatMap(SingleSignOnBinding.init(rawValue:)) ?? .redirect,
            updated: try row.date("updated_at"), confirmed: try row.optionalDate("confirmed_at"),
            previous: try row.optionalString("previous_json").map { try fromJSON(SAMLSettingsSummary.self, $0) }
        )
    }

    func upsert(_ connection: SAMLConnection) async throws {
        try await mapped {
            try await db.delete(from: "saml_connections").where("directory_id", .equal, connection.directoryId).run()
            try await db.insert(into: "saml_connections")
                .columns("directory_id", "idp_entity_id", "sso_url", "certificates", "allow_sha1", "allow_idp_initiated", "updated_at",
                         "slo_url", "sign_requests", "sso_binding", "confirmed_at", "previous_json")
                .values(SQLBind(connection.directoryId), SQLBind(connection.identityProviderEntityID), SQLBind(connection.singleSignOnURL),
                        try json(connection.certificates), SQLBind(connection.allowSHA1), SQLBind(connection.allowIdPInitiated),
                        SQLBind(connection.updated.millisecondsSince1970), SQLBind(connection.singleLogoutURL),
                        SQLBind(connection.signAuthnRequests), SQLBind(connection.singleSignOnBinding.rawValue),
                        SQLBind(connection.confirmed.millis),
                        SQLBind(try connection.previous.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }))
                .run()
        }
    }

    func authnRequest(id: String) async throws -> PendingAuthnRequest? {
        try await db.select().column("*").from("authn_requests").where("id", .equal, id).first().map { row in
            PendingAuthnRequest(
                id: try row.string("id"), directoryId: try row.string("directory_id"), relayState: try row.optionalString("relay_state"),
                created: try row.date("created_at"), expires: try row.date("expires_at"), used: try row.optionalDate("used_at"),
                testRun: try row.bool("test_run")
            )
        }
    }

    func insert(_ request: PendingAuthnRequest) async throws {
        try await mapped {
            try await db.insert(into: "authn_requests")
                .columns("id", "directory_id", "relay_state", "created_at", "expires_at", "used_at", "test_run")
                .values(SQLBind(request.id), SQLBind(request.directoryId), SQLBind(request.relayState),
                        SQLBind(request.created.millisecondsSince1970), SQLBind(request.expires.millisecondsSince1970), SQLBind(request.used.millis),
                        SQLBind(request.testRun))
                .run()
        }
    }

    func markUsed(authnRequestId: String, at date: Date) async throws {
        try await db.update("authn_requests").set("used_at", to: date.millisecondsSince1970).where("id", .equal, authnRequestId).run()
    }

    func recordAssertion(directoryId: String, assertionId: String, expires: Date, now: Date) async throws -> Bool {
        try await db.delete(from: "saml_replay_guard").where("expires_at", .lessThan, now.millisecondsSince1970).run()
        let rows = try await db.insert(into: "saml_replay_guard").columns("assertion_id", "directory_id", "expires_at")
            .values(SQLBind(assertionId), SQLBind(directoryId), SQLBind(expires.millisecondsSince1970))
            .ignoringConflicts(with: ["directory_id", "assertion_id"]).returning("assertion_id").all()
        return !rows.isEmpty
    }

    // MARK: SP credentials, policies, test runs

    func credential(_ row: any SQLRow) throws -> ServiceProviderCredential {
        let directoryId = try row.string("directory_id")
        return ServiceProviderCredential(
            directoryId: directoryId,
            privateKeyPEM: try keyring.open(try row.string("private_key_pem"), context: SecretColumn.spPrivateKey.context(directoryId)),
            certificatePEM: try row.string("certificate_pem"), created: try row.date("created_at"), notAfter: try row.date("not_after")
        )
    }

    func serviceProviderCredential(directoryId: String) async throws -> ServiceProviderCredential? {
        try await db.select().column("*").from("saml_sp_credentials").where("directory_id", .equal, directoryId).first().map(credential)
    }

    func insertIfAbsent(_ credential: ServiceProviderCredential) async throws -> ServiceProviderCredential {
        try await mapped {
            try await db.insert(into: "saml_sp_credentials")
                .columns("directory_id", "private_key_pem", "certificate_pem", "created_at", "not_after")
                .values(SQLBind(credential.directoryId),
                        SQLBind(try keyring.seal(credential.privateKeyPEM, context: SecretColumn.spPrivateKey.context(credential.directoryId))),
                        SQLBind(credential.certificatePEM),
                        SQLBind(credential.created.millisecondsSince1970), SQLBind(credential.notAfter.millisecondsSince1970))
                .ignoringConflicts(with: ["directory_id"])
                .run()
        }
        return try await serviceProviderCredential(directoryId: credential.directoryId) ?? credential
    }

    func authenticationPolicy(directoryId: String) async throws -> AuthenticationPolicy? {
        try await db.select().column("*").from("authentication_policies").where("directory_id", .equal, directoryId).first().map { row in
            AuthenticationPolicy(
                directoryId: try row.string("directory_id"), enforceSSO: try row.bool("enforce_sso"),
                sessionLifetime: TimeInterval(try row.decode(column: "session_lifetime_seconds", as: Int64.self)),
                idleTimeout: TimeInterval(try row.decode(column: "idle_timeout_seconds", as: Int64.self)),
                updated: try row.date("updated_at")
            )
        }
    }

    func upsert(_ policy: AuthenticationPolicy) async throws {
        try await mapped {
            try await db.delete(from: "authentication_policies").where("directory_id", .equal, policy.directoryId).run()
            try await db.insert(into: "authentication_policies")
                .columns("directory_id", "enforce_sso", "session_lifetime_seconds", "idle_timeout_seconds", "updated_at")
                .values(SQLBind(policy.directoryId), SQLBind(policy.enforceSSO), SQLBind(Int64(policy.sessionLifetime)),
                        SQLBind(Int64(policy.idleTimeout)), SQLBind(policy.updated.millisecondsSince1970))
                .run()
        }
    }

    func samlTestRun(id: String) async throws -> SAMLTestRun? {
        guard let row = try await db.select().column("*").from("saml_test_runs").where("id", .equal, id).first() else { return nil }
        var run = SAMLTestRun(
            id: try row.string("id"), directoryId: try row.string("directory_id"), created: try row.date("created_at"),
            completed: try row.optionalDate("completed_at")
        )
        if let result = try row.optionalString("result") {
            let stored = try fromJSON(SAMLTestRun.self, result)
            run.nameID = stored.nameID
            run.succeeded = stored.succeeded
            run.checks = stored.checks
        }
        return run
    }

    func upsert(_ run: SAMLTestRun) async throws {
        try await mapped {
            try await db.delete(from: "saml_test_runs").where("id", .equal, run.id).run()
            try await db.insert(into: "saml_test_runs")
                .columns("id", "directory_id", "created_at", "completed_at", "result")
                .values(SQLBind(run.id), SQLBind(run.directoryId), SQLBind(run.created.millisecondsSince1970), SQLBind(run.completed.millis),
                        SQLBind(String(decoding: try JSONEncoder().encode(run), as: UTF8.self)))
                .run()
        }
    }

    func pruneSignInState(before date: Date) async throws -> (authnRequests: Int, sessions: Int) {
        let cutoff = date.millisecondsSince1970
        let requests = try await db.delete(from: "authn_requests").where("expires_at", .lessThan, cutoff).returning("id").all().count
        let sessions = try await db.delete(from: "sessions")
            .where { $0.where("expires_at", .lessThan, cutoff).orWhere("revoked_at", .lessThan, cutoff) }
            .returning("id").all().count
        let consoleSessions = try await db.delete(from: "console_sessions")
            .where { $0.where("expires_at", .lessThan, cutoff).orWhere("revoked_at", .lessThan, cutoff) }
            .returning("id").all().count
        return (requests, sessions + consoleSessions)
    }
}
