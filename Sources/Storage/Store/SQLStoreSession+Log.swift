import Directory
import Foundation
import SQLKit

extension SQLStoreSession {
    func append(_ entry: AuditEntry) async throws {
        try await mapped {
            try await db.insert(into: "audit_log")
                .columns("id", "organization_id", "at", "actor", "action", "target_type", "target_id", "outcome", "detail")
                .values(SQLBind(entry.id), SQLBind(entry.organizationId), SQLBind(entry.at.millisecondsSince1970),
                        SQLBind(entry.actor), SQLBind(entry.action), SQLBind(entry.targetType), SQLBind(entry.targetId),
                        SQLBind(entry.outcome), SQLBind(entry.detail))
                .run()
        }
    }

    func append(_ event: Event) async throws {
        try await mapped {
            try await db.insert(into: "events")
                .columns("id", "organization_id", "type", "subject_type", "subject_id", "payload", "created_at")
                .values(SQLBind(event.id), SQLBind(event.organizationId), SQLBind(event.type), SQLBind(event.subjectType),
                        SQLBind(event.subjectId), try json(event.payload), SQLBind(event.created.millisecondsSince1970))
                .run()
        }
    }

    func auditEntries(organizationId: String, page: PageRequest) async throws -> Page<AuditEntry> {
        let items = try await db.select().column("*").from("audit_log").where("organization_id", .equal, organizationId)
            .orderBy("sequence", .descending).limit(page.limit).offset(page.offset).all()
            .map { row in
                AuditEntry(
                    id: try row.string("id"), organizationId: try row.string("organization_id"), at: try row.date("at"),
                    actor: try row.string("actor"), action: try row.string("action"), targetType: try row.string("target_type"),
                    targetId: try row.string("target_id"), outcome: try row.string("outcome"), detail: try row.optionalString("detail")
                )
            }
        let total = try await count(db.select().column(SQLAlias(SQLFunction("COUNT", args: SQLLiteral.all), as: SQLIdentifier("n")))
            .from("audit_log").where("organization_id", .equal, organizationId))
        return Page(items: items, total: total)
    }

    func events(organizationId: String, afterSequence: Int64?, limit: Int) async throws -> [Event] {
        try await db.select()
            .columns("sequence", "id", "organization_id", "type", "subject_type", "subject_id", "created_at")
            .column(SQLAlias(SQLJSONText(column: "payload"), as: SQLIdentifier("payload")))
            .from("events")
            .where("organization_id", .equal, organizationId)
            .where("sequence", .greaterThan, afterSequence ?? 0)
            .orderBy("sequence").limit(min(max(limit, 0), PageRequest.maximumLimit)).all()
            .map { row in
                Event(
                    id: try row.string("id"), organizationId: try row.string("organization_id"), type: try row.string("type"),
                    subjectType: try row.string("subject_type"), subjectId: try row.string("subject_id"),
                    payload: try fromJSON([String: JSONValue].self, try row.string("payload")), created: try row.date("created_at"),
                    sequence: try row.decode(column: "sequence", as: Int64.self)
                )
            }
    }
}

extension SQLStoreSession {
    func append(_ entries: [ProvisioningLogEntry]) async throws {
        for chunk in entries.chunked(Self.chunkSize / 2) {
            let insert = db.insert(into: "provisioning_log")
                .columns("directory_id", "at", "method", "path", "status", "scim_type", "detail", "duration_ms",
                         "resource_type", "resource_id", "api_key_id")
            for entry in chunk {
                _ = insert.values(
                    SQLBind(entry.directoryId), SQLBind(entry.at.millisecondsSince1970), SQLBind(entry.method),
                    SQLBind(String(entry.path.prefix(2_000))), SQLBind(entry.status), SQLBind(entry.scimType),
                    SQLBind(entry.detail.map { String($0.prefix(2_000)) }), SQLBind(entry.durationMilliseconds),
                    SQLBind(entry.resourceType), SQLBind(entry.resourceId), SQLBind(entry.apiKeyId)
                )
            }
            try await mapped { try await insert.run() }
        }
    }

    func provisioningLog(directoryId: String, filter: ProvisioningLogFilter, page: PageRequest) async throws -> Page<ProvisioningLogEntry> {
        var select = db.select().column("*").from("provisioning_log").where("directory_id", .equal, directoryId)
        var counter = db.select().column(SQLAlias(SQLFunction("COUNT", args: SQLLiteral.all), as: SQLIdentifier("n")))
            .from("provisioning_log").where("directory_id", .equal, directoryId)
        func narrow(_ body: (SQLSelectBuilder) -> SQLSelectBuilder) {
            select = body(select)
            counter = body(counter)
        }
        if filter.failuresOnly { narrow { $0.where("status", .greaterThanOrEqual, 400) } }
        if let method = filter.method { narrow { $0.where("method", .equal, method) } }
        if let resourceType = filter.resourceType { narrow { $0.where("resource_type", .equal, resourceType) } }
        if let search = filter.search {
            let pattern = "%\(Self.likeLiteral(search))%"
            narrow { $0.where(SQLQueryString("(path LIKE \(bind: pattern) ESCAPE '\\' OR resource_id LIKE \(bind: pattern) ESCAPE '\\')")) }
        }
        let items = try await select.orderBy("sequence", .descending).limit(page.limit).offset(page.offset).all().map { row in
            ProvisioningLogEntry(
                sequence: try row.decode(column: "sequence", as: Int64.self), directoryId: try row.string("directory_id"),
                at: try row.date("at"), method: try row.string("method"), path: try row.string("path"),
                status: try row.decode(column: "status", as: Int.self), scimType: try row.optionalString("scim_type"),
                detail: try row.optionalString("detail"), durationMilliseconds: try row.decode(column: "duration_ms", as: Int.self),
                resourceType: try row.optionalString("resource_type"), resourceId: try row.optionalString("resource_id"),
                apiKeyId: try row.optionalString("api_key_id")
            )
        }
        return Page(items: items, total: try await count(counter))
    }

    func lastProvisioningRequest(directoryId: String) async throws -> Date? {
        try await db.select().column("at").from("provisioning_log").where("directory_id", .equal, directoryId)
            .orderBy("sequence", .descending).limit(1).first()?.date("at")
    }

    func pruneProvisioningLog(before date: Date) async throws -> Int {
        try await db.delete(from: "provisioning_log").where("at", .lessThan, date.millisecondsSince1970).returning("sequence").all().count
    }
}
