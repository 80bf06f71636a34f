import SQLKit

/// Version 6: event delivery. Events get a `published` position in commit order (assigned after commit by one
/// publisher at a time, so a cursor never skips an event that committed late); webhook endpoints keep a cursor and
/// a lease (one node delivers an endpoint at a time, in order); finished deliveries, delivered or dead, are kept for
/// the admin; product API tokens read one product's access; accounts the IdP deleted are kept (and purged after a
/// directory's chosen number of days).
enum EventDeliverySchema {
    static func apply(_ db: any SQLDatabase, _ types: SQLDialectTypes) async throws {
        try await db.alter(table: "events").column("published", type: .bigint).run()
        try await db.create(index: "events_published_key").on("events").column("published").unique().run()
        try await db.raw("CREATE INDEX events_unpublished_idx ON events (sequence) WHERE published IS NULL").run()
        try await db.create(index: "events_org_published_idx").on("events").column("organization_id").column("published").run()

        try await db.create(table: "webhook_endpoints")
            .column("id", type: .text, .primaryKey(autoIncrement: false))
            .column("organization_id", type: .text, .notNull, .references("organizations", "id", onDelete: .cascade))
            .column("url", type: .text, .notNull)
            .column("secret", type: .text, .notNull)
            .column("description", type: .text)
            .column("created_at", type: types.timestamp, .notNull)
            .column("cursor", type: .bigint, .notNull)
            .column("attempts", type: .bigint, .notNull)
            .column("next_attempt_at", type: types.timestamp)
            .column("last_error", type: .text)
            .column("lease_owner", type: .text)
            .column("lease_until", type: types.timestamp)
            .run()
        try await db.create(index: "webhook_endpoints_org_idx").on("webhook_endpoints").column("organization_id").run()

        try await db.create(table: "webhook_deliveries")
            .column("id", type: .text, .primaryKey(autoIncrement: false))
            .column("endpoint_id", type: .text, .notNull, .references("webhook_endpoints", "id", onDelete: .cascade))
            .column("event_id", type: .text, .notNull)
            .column("published", type: .bigint, .notNull)
            .column("status", type: .text, .notNull)
            .column("attempts", type: .bigint, .notNull)
            .column("last_status", type: .bigint)
            .column("last_error", type: .text)
            .column("completed_at", type: types.timestamp, .notNull)
            .run()
        try await db.create(index: "webhook_deliveries_endpoint_idx").on("webhook_deliveries")
            .column("endpoint_id").column("status").column("published").run()
        try await db.create(index: "webhook_deliveries_completed_idx").on("webhook_deliveries").column("completed_at").run()

        try await db.alter(table: "users").column("deprovisioned_at", type: types.timestamp).run()
        try await db.create(index: "users_deprovisioned_idx").on("users").column("deprovisioned_at").run()
        try await db.alter(table: "directories").column("purge_after_days", type: .bigint).run()

        try await db.create(table: "expiry_notices")
            .column("subject_type", type: .text, .notNull)
            .column("subject_id", type: .text, .notNull)
            .column("threshold_days", type: .bigint, .notNull)
            .column("sent_at", type: types.timestamp, .notNull)
            .primaryKey("subject_type", "subject_id", "threshold_days")
            .run()

        try await db.create(table: "group_conflicts")
            .column("id", type: .text, .primaryKey(autoIncrement: false))
            .column("organization_id", type: .text, .notNull, .references("organizations", "id", onDelete: .cascade))
            // No foreign keys to the groups: a merge deletes the local group, and the decision stays on record.
            .column("synced_group_id", type: .text, .notNull)
            .column("local_group_id", type: .text, .notNull)
            .column("status", type: .text, .notNull)
            .column("created_at", type: types.timestamp, .notNull)
            .column("resolved_at", type: types.timestamp)
            .run()
        try await db.create(index: "group_conflicts_org_idx").on("group_conflicts").column("organization_id").column("status").run()

        try await db.create(table: "product_tokens")
            .column("id", type: .text, .primaryKey(autoIncrement: false))
            .column("product_id", type: .text, .notNull, .references("products", "id", onDelete: .cascade))
            .column("prefix", type: .text, .notNull)
            .column("hash", type: .text, .notNull)
            .column("created_at", type: types.timestamp, .notNull)
            .column("revoked_at", type: types.timestamp)
            .column("last_used_at", type: types.timestamp)
            .run()
        try await db.create(index: "product_tokens_prefix_key").on("product_tokens").column("prefix").unique().run()
    }
}
