import SQLKit

/// Version 10: SAML settings made through a setup link wait for an org admin's confirmation (settings that exist are
/// taken as confirmed when they were last changed), and failed password sign-ins are counted in the database so that
/// every node sharing it enforces one limit; secrets at rest are sealed (`SecretSealing`), checked by one sealed value.
enum TrustSchema {
    static func apply(_ db: any SQLDatabase, _ types: SQLDialectTypes) async throws {
        try await db.alter(table: "saml_connections").column("confirmed_at", type: types.timestamp).run()
        try await db.alter(table: "saml_connections").column("previous_json", type: .text).run()
        // Settings that exist are confirmed, unless a setup link saved them last (the audit log says who did).
        try await db.raw("""
            UPDATE saml_connections SET confirmed_at = updated_at
            WHERE NOT EXISTS (
                SELECT 1 FROM audit_log a
                WHERE a.action = 'directory.saml_configured' AND a.target_id = saml_connections.directory_id
                  AND a.actor LIKE 'setup-link:%'
                  AND a.sequence = (SELECT MAX(b.sequence) FROM audit_log b
                                    WHERE b.action = 'directory.saml_configured' AND b.target_id = saml_connections.directory_id)
            )
            """).run()
        try await db.create(table: "sign_in_failures")
            .column("attempt_id", type: .text, .notNull)
            .column("throttle_key", type: .text, .notNull)
            .column("failed_at", type: types.timestamp, .notNull)
            .run()
        try await db.create(index: "sign_in_failures_key").on("sign_in_failures").column("throttle_key").column("failed_at").run()
        try await db.create(index: "sign_in_failures_attempt").on("sign_in_failures").column("attempt_id").run()
        try await db.create(index: "sign_in_failures_at").on("sign_in_failures").column("failed_at").run()
        // SCIM keys made through a setup link wait for an org admin, like its SAML settings.
        let falseValue: any SQLExpression = types.kind == .postgres ? SQLRaw("FALSE") : SQLRaw("0")
        try await db.alter(table: "api_keys").column("pending", type: types.boolean, .notNull, .default(falseValue)).run()
        // LogoutRequests Roster sent: the IdP's LogoutResponse must answer one of them, once.
        try await db.create(table: "logout_requests")
            .column("id", type: .text, .primaryKey(autoIncrement: false))
            .column("directory_id", type: .text, .notNull, .references("directories", "id", onDelete: .cascade))
            .column("created_at", type: types.timestamp, .notNull)
            .column("expires_at", type: types.timestamp, .notNull)
            .column("used_at", type: types.timestamp)
            .run()
        // One value sealed under the key of the first start: a start with another key is refused at once.
        try await db.create(table: "secret_key_check")
            .column("id", type: .bigint, .primaryKey(autoIncrement: false))
            .column("key_id", type: .text, .notNull)
            .column("sealed", type: .text, .notNull)
            .run()
    }
}
