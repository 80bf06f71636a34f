import SQLKit

/// Version 5: everything sign-in needs beyond the SAML core: the SP's own key pair per directory (signed requests,
/// encrypted assertions), the IdP's logout URL, per-directory authentication policies, session bookkeeping for the
/// idle timeout and single logout, backup admins, and the admin's "Test SSO" runs.
enum SignInSchema {
    static func apply(_ db: any SQLDatabase, _ types: SQLDialectTypes) async throws {
        let falseValue: any SQLExpression = types.kind == .postgres ? SQLRaw("FALSE") : SQLRaw("0")
        try await db.alter(table: "saml_connections").column("slo_url", type: .text).run()
        try await db.alter(table: "saml_connections").column("sso_binding", type: .text).run()
        try await db.alter(table: "saml_connections")
            .column("sign_requests", type: types.boolean, .notNull, .default(falseValue)).run()
        try await db.create(table: "saml_sp_credentials")
            .column("directory_id", type: .text, .primaryKey(autoIncrement: false), .references("directories", "id", onDelete: .cascade))
            .column("private_key_pem", type: .text, .notNull)
            .column("certificate_pem", type: .text, .notNull)
            .column("created_at", type: types.timestamp, .notNull)
            .column("not_after", type: types.timestamp, .notNull)
            .run()
        try await db.create(table: "authentication_policies")
            .column("directory_id", type: .text, .primaryKey(autoIncrement: false), .references("directories", "id", onDelete: .cascade))
            .column("enforce_sso", type: types.boolean, .notNull)
            .column("session_lifetime_seconds", type: .bigint, .notNull)
            .column("idle_timeout_seconds", type: .bigint, .notNull)
            .column("updated_at", type: types.timestamp, .notNull)
            .run()
        try await db.alter(table: "sessions").column("last_seen_at", type: types.timestamp).run()
        try await db.alter(table: "sessions").column("idle_timeout_seconds", type: .bigint).run()
        try await db.alter(table: "sessions").column("directory_id", type: .text).run()
        try await db.alter(table: "sessions").column("name_id", type: .text).run()
        try await db.alter(table: "sessions").column("session_index", type: .text).run()
        try await db.alter(table: "admin_accounts")
            .column("backup_admin", type: types.boolean, .notNull, .default(falseValue)).run()
        try await db.alter(table: "authn_requests").column("test_run", type: types.boolean, .notNull, .default(falseValue)).run()
        try await db.create(index: "authn_requests_expires_idx").on("authn_requests").column("expires_at").run()
        try await db.create(index: "sessions_expires_idx").on("sessions").column("expires_at").run()
        try await db.create(table: "saml_test_runs")
            .column("id", type: .text, .primaryKey(autoIncrement: false))
            .column("directory_id", type: .text, .notNull, .references("directories", "id", onDelete: .cascade))
            .column("created_at", type: types.timestamp, .notNull)
            .column("completed_at", type: types.timestamp)
            .column("result", type: .text)
            .run()
    }
}
