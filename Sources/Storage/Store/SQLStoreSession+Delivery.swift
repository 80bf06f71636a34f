import Directory
import Foundation
import SQLKit

extension SQLStoreSession {
    // MARK: Event publishing

    func publishEvents(limit: Int) async throws -> Int {
        // One publisher at a time; it sees only committed rows, so positions follow commit order and a cursor over
        // them never skips an event whose transaction committed late.
        try await lock("roster.event-publisher")
        let rows = try await db.raw("""
            UPDATE events SET published = m.base + r.rn
            FROM (SELECT sequence, ROW_NUMBER() OVER (ORDER BY sequence) AS rn FROM events
                  WHERE published IS NULL ORDER BY sequence LIMIT \(bind: limit)) AS r,
                 (SELECT COALESCE(MAX(published), 0) AS base FROM events) AS m
            WHERE events.sequence = r.sequence
            RETURNING events.sequence
            """).all()
        return rows.count
    }

    func hasUnpublishedEvents() async throws -> Bool {
        try await db.raw("SELECT 1 AS n FROM events WHERE published IS NULL LIMIT 1").first() != nil
    }

    func maxPublished() async throws -> Int64 {
        try await db.raw("SELECT COALESCE(MAX(published), 0) AS n FROM events").first()?.decode(column: "n", as: Int64.self) ?? 0
    }

    func publishedEvents(organizationId: String, after: Int64, limit: Int) async throws -> [Event] {
        try await db.select()
            .columns("published", "id", "organization_id", "type", "subject_type", "subject_id", "created_at")
            .column(SQLAlias(SQLJSONText(column: "payload"), as: SQLIdentifier("payload")))
            .from("events")
            .where("organization_id", .equal, organizationId)
            .where("published", .greaterThan, after)
            .orderBy("published").limit(min(max(limit, 0), PageRequest.maximumLimit)).all()
            .map { row in
                Event(
                    id: try row.string("id"), organizationId: try row.string("organization_id"), type: try row.string("type"),
                    subjectType: try row.string("subject_type"), subjectId: try row.string("subject_id"),
                    payload: try fromJSON([String: JSONValue].self, try row.string("payload")), created: try row.date("created_at"),
                    sequence: try row.decode(column: "published", as: Int64.self)
                )
            }
    }

    // MARK: Webhook endpoints

    func endpoint(_ row: any SQLRow) throws -> WebhookEndpoint {
        let id = try row.string("id")
        return WebhookEndpoint(
            id: id, organizationId: try row.string("organization_id"), url: try row.string("url"),
            secret: try keyring.open(try row.string("secret"), context: SecretColumn.webhookSecret.context(id)), description: try row.optionalString("description"), created: try row.date("created_at"),
            cursor: try row.decode(column: "cursor", as: Int64.self), attempts: Int(try row.decode(column: "attempts", as: Int64.self)),
            nextAttempt: try row.optionalDate("next_attempt_at"), lastError: try row.optionalString("last_error")
        )
    }

    func webhookEndpoint(id: String) async throws -> WebhookEndpoint? {
        try await db.select().column("*").from("webhook_endpoints").where("id", .equal, id).first().map(endpoint)
    }

    func webhookEndpoints(organizationId: String) async throws -> [WebhookEndpoint] {
        try await db.select().column("*").from("webhook_endpoints").where("organization_id", .equal, organizationId)
            .orderBy("created_at").all().map(endpoint)
    }

    func insert(_ endpoint: WebhookEndpoint) async throws {
        try await mapped {
            try await db.insert(into: "webhook_endpoints")
                .columns("id", "organization_id", "url", "secret", "description", "created_at", "cursor", "attempts")
                .values(SQLBind(endpoint.id), SQLBind(endpoint.organizationId), SQLBind(endpoint.url),
                        SQLBind(try keyring.seal(endpoint.secret, context: SecretColumn.webhookSecret.context(endpoint.id))),
                        SQLBind(endpoint.description), SQLBind(endpoint.created.millisecondsSince1970), SQLBind(endpoint.cursor),
                        SQLBind(Int64(endpoint.attempts)))
                .run()
        }
    }

    func deleteWebhookEndpoint(id: String) async throws {
        try await db.delete(from: "webhook_endpoints").where("id", .equal, id).run()
    }

    /// Endpoints that are free, due, and have events after their cursor.
    private func dueEndpoints(now: Int64, limit: Int) -> SQLQueryString {
        """
        SELECT w.id FROM webhook_endpoints w
        WHERE (w.lease_until IS NULL OR w.lease_until < \(bind: now))
          AND (w.next_attempt_at IS NULL OR w.next_attempt_at <= \(bind: now))
          AND EXISTS (SELECT 1 FROM events e WHERE e.organization_id = w.organization_id AND e.published > w.cursor)
        ORDER BY w.next_attempt_at, w.id LIMIT \(bind: limit)
        """
    }

    func hasDueWebhookEndpoints(now: Date) async throws -> Bool {
        try await db.raw(dueEndpoints(now: now.millisecondsSince1970, limit: 1)).first() != nil
    }

    func claimWebhookEndpoints(owner: String, now: Date, leaseUntil: Date, limit: Int) async throws -> [WebhookEndpoint] {
        let now = now.millisecondsSince1970
        // The lease conditions are repeated outside the subquery: on PostgreSQL a concurrent claim re-checks them
        // on the row it waited for, so two nodes never hold one endpoint.
        return try await db.raw("""
            UPDATE webhook_endpoints SET lease_owner = \(bind: owner), lease_until = \(bind: leaseUntil.millisecondsSince1970)
            WHERE id IN (\(dueEndpoints(now: now, limit: limit)))
            AND (lease_until IS NULL OR lease_until < \(bind: now))
            AND (next_attempt_at IS NULL OR next_attempt_at <= \(bind: now))
            RETURNING *
            """).all().map(endpoint)
    }

    func finishWebhookEvents(_ deliveries: [WebhookDelivery], owner: String, leaseUntil: Date) async throws -> Bool {
        guard let last = deliveries.last, let first = deliveries.first else { return true }
        let moved = try await db.raw("""
            UPDATE webhook_endpoints SET cursor = \(bind: last.published), attempts = 0, next_attempt_at = NULL,
                last_error = \(bind: last.status == .dead ? last.lastError : nil), lease_until = \(bind: leaseUntil.millisecondsSince1970)
            WHERE id = \(bind: last.endpointId) AND lease_owner = \(bind: owner) AND cursor < \(bind: first.published)
            RETURNING id
            """).all()
        guard !moved.isEmpty else { return false }
        try await mapped {
            let insert = db.insert(into: "webhook_deliveries")
                .columns("id", "endpoint_id", "event_id", "published", "status", "attempts", "last_status", "last_error", "completed_at")
            for delivery in deliveries {
                insert.values(SQLBind(delivery.id), SQLBind(delivery.endpointId), SQLBind(delivery.eventId), SQLBind(delivery.published),
                              SQLBind(delivery.status.rawValue), SQLBind(Int64(delivery.attempts)), SQLBind(delivery.lastStatus.map(Int64.init)),
                              SQLBind(delivery.lastError), SQLBind(delivery.completed.millisecondsSince1970))
            }
            try await insert.run()
        }
        return true
    }

    func deferWebhook(endpointId: String, owner: String, attempts: Int, nextAttempt: Date, error: String) async throws {
        try await db.update("webhook_endpoints")
            .set("attempts", to: Int64(attempts)).set("next_attempt_at", to: nextAttempt.millisecondsSince1970)
            .set("last_error", to: error).set("lease_owner", to: SQLLiteral.null).set("lease_until", to: SQLLiteral.null)
            .where("id", .equal, endpointId).where("lease_owner", .equal, owner)
            .run()
    }

    func releaseWebhook(endpointId: String, owner: String) async throws {
        try await db.update("webhook_endpoints")
            .set("lease_owner", to: SQLLiteral.null).set("lease_until", to: SQLLiteral.null)
            .where("id", .equal, endpointId).where("lease_owner", .equal, owner)
            .run()
    }

    func webhookDeliveries(endpointId: String, status: WebhookDelivery.Status?, page: PageRequest) async throws -> Page<WebhookDelivery> {
        var query = db.select().column("*").from("webhook_deliveries").where("endpoint_id", .equal, endpointId)
        var count = db.select().column(SQLAlias(SQLFunction("COUNT", args: SQLLiteral.all), as: SQLIdentifier("n")))
            .from("webhook_deliveries").where("endpoint_id", .equal, endpointId)
        if let status {
            query = query.where("status", .equal, status.rawValue)
            count = count.where("status", .equal, status.rawValue)
        }
        let items = try await query.orderBy("published", .descending).limit(page.limit).offset(page.offset).all().map { row in
            WebhookDelivery(
                id: try row.string("id"), endpointId: try row.string("endpoint_id"), eventId: try row.string("event_id"),
                published: try row.decode(column: "published", as: Int64.self),
                status: try row.enumValue("status", as: WebhookDelivery.Status.self),
                attempts: Int(try row.decode(column: "attempts", as: Int64.self)),
                lastStatus: try row.decode(column: "last_status", as: Int64?.self).map(Int.init),
                lastError: try row.optionalString("last_error"), completed: try row.date("completed_at")
            )
        }
        return Page(items: items, total: try await self.count(count))
    }

    func pruneWebhookDeliveries(before date: Date) async throws -> Int {
        try await db.delete(from: "webhook_deliveries").where("completed_at", .lessThan, date.millisecondsSince1970)
            .returning("id").all().count
    }

    // MARK: Product tokens and product access

    static func productToken(_ row: any SQLRow) throws -> ProductToken {
        ProductToken(
            id: try row.string("id"), productId: try row.string("product_id"), prefix: try row.string("prefix"),
            hash: try row.string("hash"), created: try row.date("created_at"), revoked: try row.optionalDate("revoked_at"),
            lastUsed: try row.optionalDate("last_used_at")
        )
    }

    func productToken(prefix: String) async throws -> ProductToken? {
        try await db.select().column("*").from("product_tokens").where("prefix", .equal, prefix).first().map(Self.productToken)
    }

    func productToken(id: String) async throws -> ProductToken? {
        try await db.select().column("*").from("product_tokens").where("id", .equal, id).first().map(Self.productToken)
    }

    func productTokens(productId: String) async throws -> [ProductToken] {
        try await db.select().column("*").from("product_tokens").where("product_id", .equal, productId).orderBy("created_at").all()
            .map(Self.productToken)
    }

    func insert(_ token: ProductToken) async throws {
        try await mapped {
            try await db.insert(into: "product_tokens")
                .columns("id", "product_id", "prefix", "hash", "created_at", "revoked_at", "last_used_at")
                .values(SQLBind(token.id), SQLBind(token.productId), SQLBind(token.prefix), SQLBind(token.hash),
                        SQLBind(token.created.millisecondsSince1970), SQLBind(token.revoked.millis), SQLBind(token.lastUsed.millis))
                .run()
        }
    }

    func update(_ token: ProductToken) async throws {
        try await db.update("product_tokens").set("revoked_at", to: token.revoked.millis).set("last_used_at", to: token.lastUsed.millis)
            .where("id", .equal, token.id).run()
    }

    /// Everyone a product's grants reach, with the role each grant gives: direct user grants and members of granted
    /// groups, nested included (UNION ends cycles).
    private func productReach(_ productId: String) -> SQLQueryString {
        """
        WITH RECURSIVE granted(group_id, role) AS (
            SELECT principal_id, role FROM access_grants WHERE product_id = \(bind: productId) AND principal_kind = 'group'
            UNION
            SELECT m.member_id, g.role FROM memberships m JOIN granted g ON m.group_id = g.group_id WHERE m.member_kind = 'group'
        ), reached(user_id, role) AS (
            SELECT principal_id, role FROM access_grants WHERE product_id = \(bind: productId) AND principal_kind = 'user'
            UNION
            SELECT m.member_id, g.role FROM memberships m JOIN granted g ON m.group_id = g.group_id WHERE m.member_kind = 'user'
        ), best(user_id, is_admin) AS (
            SELECT user_id, MAX(CASE WHEN role = 'admin' THEN 1 ELSE 0 END) FROM reached GROUP BY user_id
        )
        """
    }

    func productUsers(productId: String, role: ProductRole?, after: String?, limit: Int) async throws -> [ProductUser] {
        var roleFilter: SQLQueryString = ""
        if let role { roleFilter = " AND b.is_admin = \(bind: role == .admin ? 1 : 0)" }
        let rows = try await db.raw("""
            \(productReach(productId)) SELECT u.id, u.user_name, b.is_admin,
                (SELECT e.value FROM user_emails e WHERE e.user_id = u.id ORDER BY e.is_primary DESC, e.position LIMIT 1) AS email
            FROM best b JOIN users u ON u.id = b.user_id
            WHERE u.active = \(bind: true) AND u.id > \(bind: after ?? "")\(roleFilter)
            ORDER BY u.id LIMIT \(bind: limit)
            """).all()
        return try rows.map { row in
            ProductUser(
                id: try row.string("id"), userName: try row.string("user_name"), email: try row.optionalString("email"),
                role: try row.decode(column: "is_admin", as: Int64.self) == 1 ? .admin : .user
            )
        }
    }

    func productRole(productId: String, userId: String) async throws -> ProductRole? {
        guard try await user(id: userId)?.active == true else { return nil }
        return try await grantsReaching(userId: userId).filter { $0.productId == productId }.map(\.role).max()
    }

    // MARK: Deprovisioned accounts and directory removal

    func deprovisionedUsers(directoryId: String, before date: Date, limit: Int) async throws -> [User] {
        try await selectUsers().where("directory_id", .equal, directoryId).where("active", .equal, false)
            .where("deprovisioned_at", .lessThan, date.millisecondsSince1970).orderBy("deprovisioned_at").limit(limit).all().map(user)
    }

    func directoriesPurgingDeprovisioned() async throws -> [Directory] {
        try await db.select().column("*").from("directories").where("purge_after_days", .isNot, SQLLiteral.null).all().map(Self.directory)
    }

    func move(_ user: User, toDirectory directoryId: String) async throws {
        var moved = user
        moved.directoryId = directoryId
        try await mapped {
            try await db.update("users").set("directory_id", to: directoryId).set(SQLColumn("document"), to: try json(moved))
                .where("id", .equal, user.id).run()
            try await db.update("user_emails").set("directory_id", to: directoryId).where("user_id", .equal, user.id).run()
        }
    }

    func move(_ group: Group, toDirectory directoryId: String, displayName: String) async throws {
        try await mapped {
            try await db.update("groups").set("directory_id", to: directoryId).set("synced", to: false)
                .set("display_name", to: displayName).set("display_name_lower", to: displayName.lowercased())
                .set("external_id", to: SQLLiteral.null).set("version", to: SQLRaw("version + 1"))
                .where("id", .equal, group.id).run()
        }
    }

    func deleteDirectory(id: String) async throws {
        try await mapped { try await db.delete(from: "directories").where("id", .equal, id).run() }
    }

    // MARK: Expiry notices

    func apiKeysExpiring(before date: Date) async throws -> [ApiKey] {
        try await db.select().column("*").from("api_keys").where("revoked_at", .is, SQLLiteral.null)
            .where("expires_at", .lessThan, date.millisecondsSince1970).all().map(Self.apiKey)
    }

    func allSAMLConnections() async throws -> [SAMLConnection] {
        try await selectConnections().all().map(connection)
    }

    func serviceProviderCredentialsExpiring(before date: Date) async throws -> [ServiceProviderCredential] {
        try await db.select().column("*").from("saml_sp_credentials").where("not_after", .lessThan, date.millisecondsSince1970)
            .all().map(credential)
    }

    func recordExpiryNotice(subjectType: String, subjectId: String, thresholdDays: Int, at date: Date) async throws -> Bool {
        let rows = try await db.insert(into: "expiry_notices").columns("subject_type", "subject_id", "threshold_days", "sent_at")
            .values(SQLBind(subjectType), SQLBind(subjectId), SQLBind(Int64(thresholdDays)), SQLBind(date.millisecondsSince1970))
            .ignoringConflicts(with: ["subject_type", "subject_id", "threshold_days"]).returning("subject_id").all()
        return !rows.isEmpty
    }

    // MARK: Grant previews and group conflicts

    func reachedUserIds(groupId: String) async throws -> [String] {
        try await db.raw("""
            WITH RECURSIVE reach(group_id) AS (
                SELECT \(bind: groupId)
                UNION
                SELECT m.member_id FROM memberships m JOIN reach r ON m.group_id = r.group_id WHERE m.member_kind = 'group'
            )
            SELECT DISTINCT m.member_id AS id FROM memberships m JOIN reach r ON m.group_id = r.group_id WHERE m.member_kind = 'user'
            """).all().map { try $0.string("id") }
    }

    static func conflict(_ row: any SQLRow) throws -> GroupConflict {
        GroupConflict(
            id: try row.string("id"), organizationId: try row.string("organization_id"), syncedGroupId: try row.string("synced_group_id"),
            localGroupId: try row.string("local_group_id"), status: try row.enumValue("status", as: GroupConflict.Status.self),
            created: try row.date("created_at"), resolved: try row.optionalDate("resolved_at")
        )
    }

    func groupConflict(id: String) async throws -> GroupConflict? {
        try await db.select().column("*").from("group_conflicts").where("id", .equal, id).first().map(Self.conflict)
    }

    func groupConflicts(organizationId: String, status: GroupConflict.Status?) async throws -> [GroupConflict] {
        var query = db.select().column("*").from("group_conflicts").where("organization_id", .equal, organizationId)
        if let status { query = query.where("status", .equal, status.rawValue) }
        return try await query.orderBy("created_at").all().map(Self.conflict)
    }

    func insert(_ conflict: GroupConflict) async throws {
        try await mapped {
            try await db.insert(into: "group_conflicts")
                .columns("id", "organization_id", "synced_group_id", "local_group_id", "status", "created_at", "resolved_at")
                .values(SQLBind(conflict.id), SQLBind(conflict.organizationId), SQLBind(conflict.syncedGroupId), SQLBind(conflict.localGroupId),
                        SQLBind(conflict.status.rawValue), SQLBind(conflict.created.millisecondsSince1970), SQLBind(conflict.resolved.millis))
                .run()
        }
    }

    func update(_ conflict: GroupConflict) async throws {
        try await db.update("group_conflicts").set("status", to: conflict.status.rawValue).set("resolved_at", to: conflict.resolved.millis)
            .where("id", .equal, conflict.id).run()
    }
}
