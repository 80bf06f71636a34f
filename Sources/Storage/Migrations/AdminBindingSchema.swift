import SQLKit

/// Version 9: each admin signs in to the console with one bound account (never found by email); unlinked
/// provisioning records are retired rather than deleted, so an account unlinked from a person is never linked back.
enum AdminBindingSchema {
    static func apply(_ db: any SQLDatabase, _ types: SQLDialectTypes) async throws {
        try await db.alter(table: "admin_accounts").column("user_id", type: .text).run()
        try await db.create(index: "admin_accounts_user_key").on("admin_accounts").column("user_id").unique().run()
        try await db.alter(table: "unlinked_records").column("retired_at", type: types.timestamp).run()
    }
}
