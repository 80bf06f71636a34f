import SQLKit

/// Version 4: SAML connections of identity provider directories, the AuthnRequests Roster issued (to match
/// InResponseTo once), and the replay guard of assertion IDs.
enum SAMLSchema {
    static func apply(_ db: any SQLDatabase, _ types: SQLDialectTypes) async throws {
        try await db.create(table: "saml_connections")
            .column("directory_id", type: .text, .primaryKey(autoIncrement: false), .references("directories", "id", onDelete: .cascade))
            .column("idp_entity_id", type: .text, .notNull)
            .column("sso_url", type: .text, .notNull)
            .column("certificates", type: types.json, .notNull)
            .column("allow_sha1", type: types.boolean, .notNull)
            .column("allow_idp_initiated", type: types.boolean, .notNull)
            .column("updated_at", type: types.timestamp, .notNull)
            .run()
        try await db.create(table: "authn_requests")
            .column("id", type: .text, .primaryKey(autoIncrement: false))
            .column("directory_id", type: .text, .notNull, .references("directories", "id", onDelete: .cascade))
            .column("relay_state", type: .text)
            .column("created_at", type: types.timestamp, .notNull)
            .column("expires_at", type: types.timestamp, .notNull)
            .column("used_at", type: types.timestamp)
            .run()
        try await db.create(table: "saml_replay_guard")
            .column("assertion_id", type: .text, .notNull)
            .column("directory_id", type: .text, .notNull, .references("directories", "id", onDelete: .cascade))
            .column("expires_at", type: types.timestamp, .notNull)
            .primaryKey("directory_id", "assertion_id")
            .run()
        try await db.create(index: "saml_replay_guard_expires_idx").on("saml_replay_guard").column("expires_at").run()
    }
}
