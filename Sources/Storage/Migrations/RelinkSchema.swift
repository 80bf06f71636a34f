import SQLKit

/// Version 8: provisioning records the IdP still holds that no longer reach an account, for admins to relink.
enum RelinkSchema {
    static func apply(_ db: any SQLDatabase, _ types: SQLDialectTypes) async throws {
        try await db.create(table: "unlinked_records")
            .column("directory_id", type: .text, .notNull, .references("directories", "id", onDelete: .cascade))
            .column("scim_id", type: .text, .notNull)
            .column("external_id", type: .text)
            .column("user_name", type: .text, .notNull)
            .column("unlinked_at", type: types.timestamp, .notNull)
            .column("reason", type: .text, .notNull)
            .column("former_account_id", type: .text)
            .column("active", type: types.boolean, .notNull)
            .column("group_ids", type: .text, .notNull)
            .primaryKey("directory_id", "scim_id")
            .run()
        try await db.create(index: "unlinked_records_external_idx").on("unlinked_records").column("directory_id").column("external_id").run()
    }
}
