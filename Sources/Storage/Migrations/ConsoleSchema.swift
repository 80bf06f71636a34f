import SQLKit

/// Version 7: the admin web console. Console sessions (hash only) act for an admin or for a one-time setup link;
/// setup links hand one directory's wizard to the identity provider's admin.
enum ConsoleSchema {
    static func apply(_ db: any SQLDatabase, _ types: SQLDialectTypes) async throws {
        try await db.create(table: "setup_links")
            .column("id", type: .text, .primaryKey(autoIncrement: false))
            .column("organization_id", type: .text, .notNull, .references("organizations", "id", onDelete: .cascade))
            .column("directory_id", type: .text, .notNull, .references("directories", "id", onDelete: .cascade))
            .column("token_hash", type: .text, .notNull)
            .column("created_by", type: .text, .notNull)
            .column("created_at", type: types.timestamp, .notNull)
            .column("expires_at", type: types.timestamp, .notNull)
            .column("redeemed_at", type: types.timestamp)
            .column("revoked_at", type: types.timestamp)
            .run()
        try await db.create(index: "setup_links_token_hash_key").on("setup_links").column("token_hash").unique().run()
        try await db.create(index: "setup_links_directory_idx").on("setup_links").column("directory_id").run()

        try await db.create(table: "console_sessions")
            .column("id", type: .text, .primaryKey(autoIncrement: false))
            .column("organization_id", type: .text, .notNull, .references("organizations", "id", onDelete: .cascade))
            .column("token_hash", type: .text, .notNull)
            .column("admin_id", type: .text, .references("admin_accounts", "id", onDelete: .cascade))
            .column("user_id", type: .text, .references("users", "id", onDelete: .cascade))
            .column("setup_link_id", type: .text, .references("setup_links", "id", onDelete: .cascade))
            .column("created_at", type: types.timestamp, .notNull)
            .column("expires_at", type: types.timestamp, .notNull)
            .column("revoked_at", type: types.timestamp)
            .run()
        try await db.create(index: "console_sessions_token_hash_key").on("console_sessions").column("token_hash").unique().run()
        try await db.create(index: "console_sessions_expires_idx").on("console_sessions").column("expires_at").run()

        // The console's list search is a prefix match on lower-cased userName, display name and email. SQLite answers
        // it as a range on the existing indexes; PostgreSQL needs pattern-ops indexes for LIKE under any collation.
        if types.kind == .postgres {
            try await db.raw("CREATE INDEX users_directory_user_name_pattern_idx ON users (directory_id, user_name_lower text_pattern_ops)").run()
            try await db.raw("CREATE INDEX users_directory_display_name_pattern_idx ON users (directory_id, display_name_lower text_pattern_ops)").run()
            try await db.raw("CREATE INDEX user_emails_directory_value_pattern_idx ON user_emails (directory_id, value_lower text_pattern_ops)").run()
            try await db.raw("CREATE INDEX user_emails_value_pattern_idx ON user_emails (value_lower text_pattern_ops)").run()
        }
    }
}
