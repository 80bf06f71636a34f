import SQLKit

/// Version 2: what SCIM provisioning needs beyond the initial schema: a lower-cased, indexed displayName for
/// case-insensitive filters, and each directory's troubleshooting log of provisioning requests.
enum SCIMSchema {
    static func apply(_ db: any SQLDatabase, _ types: SQLDialectTypes) async throws {
        try await db.alter(table: "users").column("display_name_lower", type: .text).run()
        try await db.raw("UPDATE users SET display_name_lower = lower(display_name)").run()
        try await db.create(index: "users_directory_display_name_lower_idx").on("users")
            .column("directory_id").column("display_name_lower").run()

        try await db.create(table: "provisioning_log")
            .column("sequence", type: types.sequenceKey, .primaryKey(autoIncrement: true))
            .column("directory_id", type: .text, .notNull, .references("directories", "id", onDelete: .cascade))
            .column("at", type: types.timestamp, .notNull)
            .column("method", type: .text, .notNull)
            .column("path", type: .text, .notNull)
            .column("status", type: .int, .notNull)
            .column("scim_type", type: .text)
            .column("detail", type: .text)
            .column("duration_ms", type: .int, .notNull)
            .column("resource_type", type: .text)
            .column("resource_id", type: .text)
            .column("api_key_id", type: .text)
            .run()
        try await db.create(index: "provisioning_log_directory_idx").on("provisioning_log").column("directory_id").column("sequence").run()
        try await db.create(index: "provisioning_log_at_idx").on("provisioning_log").column("at").run()
    }
}

/// Version 3: a local password set over SCIM, as an scrypt hash, outside the JSON document that other code reads.
enum PasswordColumn {
    static func apply(_ db: any SQLDatabase, _ types: SQLDialectTypes) async throws {
        try await db.alter(table: "users").column("password_hash", type: .text).run()
    }
}
