import Directory
import Foundation
import SCIM
import SQLKit

extension SQLStoreSession {
    /// Rows per multi-row statement: well under SQLite's 32,766 bound parameters at five columns a row.
    static let chunkSize = 1_000

    var kind: DatabaseKind { db.dialect.name == "postgresql" ? .postgres : .sqlite }

    // MARK: SCIM lists

    func users(directoryId: String, query: ListQuery) async throws -> Page<User> {
        let translator = SCIMFilterTranslator(kind: kind, resource: .user, directoryId: directoryId)
        let condition = try query.filter.map { filter throws(SCIMError) in try translator.translate(filter) }
        // Accounts whose provisioning record the IdP deleted are not SCIM resources any more.
        var select = selectUsers().where("directory_id", .equal, directoryId).where("deprovisioned_at", .is, SQLLiteral.null)
        var counter = db.select().column(SQLAlias(SQLFunction("COUNT", args: SQLLiteral.all), as: SQLIdentifier("n")))
            .from("users").where("directory_id", .equal, directoryId).where("deprovisioned_at", .is, SQLLiteral.null)
        if let condition {
            select = select.where(condition)
            counter = counter.where(condition)
        }
        let order = try userSortExpression(query.sortBy)
        select = select.orderBy(order, query.sortOrder == .descending ? SQLDirection.descending : SQLDirection.ascending).orderBy("id")
        let items = try await select.limit(query.count).offset(query.startIndex - 1).all().map(user)
        return Page(items: items, total: try await count(counter))
    }

    func groups(directoryId: String, query: ListQuery) async throws -> Page<Group> {
        let translator = SCIMFilterTranslator(kind: kind, resource: .group, directoryId: directoryId)
        let condition = try query.filter.map { filter throws(SCIMError) in try translator.translate(filter) }
        var select = db.select().column("*").from("groups").where("directory_id", .equal, directoryId)
        var counter = db.select().column(SQLAlias(SQLFunction("COUNT", args: SQLLiteral.all), as: SQLIdentifier("n")))
            .from("groups").where("directory_id", .equal, directoryId)
        if let condition {
            select = select.where(condition)
            counter = counter.where(condition)
        }
        let order: any SQLExpression = switch query.sortBy.map({ SCIMAttributeMap.group($0) }) {
        case .column(let name, .text(let lower))??: SQLColumn(query.sortBy == nil ? name : lower)
        case .column(let name, _)??: SQLColumn(name)
        case nil: SQLColumn("display_name_lower")
        default: throw SCIMError(status: 400, scimType: .invalidValue, detail: "Groups cannot be sorted by \(query.sortBy!).")
        }
        select = select.orderBy(order, query.sortOrder == .descending ? SQLDirection.descending : SQLDirection.ascending).orderBy("id")
        let items = try await select.limit(query.count).offset(query.startIndex - 1).all().map(Self.group)
        return Page(items: items, total: try await count(counter))
    }

    /// The expression a `sortBy` orders users by: a column, a document scalar, or the primary email.
    private func userSortExpression(_ path: AttributePath?) throws -> any SQLExpression {
        guard let path else { return SQLColumn("user_name_lower") }
        switch SCIMAttributeMap.user(path) {
        case .column(_, .text(let lower)): return SQLColumn(lower)
        case .column(let name, _): return SQLColumn(name)
        case .emails:
            return SQLQueryString("(SELECT MIN(e.value_lower) FROM user_emails e WHERE e.user_id = users.id AND (e.is_primary = \(true) OR e.position = 0))")
        case .json(let jsonPath, _, _):
            return kind == .sqlite
                ? SQLQueryString("lower(json_extract(users.document, \(bind: SCIMFilterTranslator.sqlitePath(jsonPath))))")
                : SQLQueryString("lower(jsonb_extract_path_text(users.document, \(binds: jsonPath.map { $0 as any Encodable & Sendable })))")
        default:
            throw SCIMError(status: 400, scimType: .invalidValue, detail: "Users cannot be sorted by \(path).")
        }
    }

    func existingUserIds(directoryId: String, ids: [String]) async throws -> Set<String> {
        try await existingIds(table: "users", directoryId: directoryId, ids: ids)
    }

    func existingGroupIds(directoryId: String, ids: [String]) async throws -> Set<String> {
        try await existingIds(table: "groups", directoryId: directoryId, ids: ids)
    }

    private func existingIds(table: String, directoryId: String, ids: [String]) async throws -> Set<String> {
        // By primary key only, checking the directory here: with `directory_id = ?` in the query, SQLite may walk a
        // directory index over every user instead. Accounts the IdP deleted are not members it can name.
        var found = Set<String>()
        for chunk in Array(Set(ids)).chunked(Self.chunkSize) {
            var query = db.select().columns("id", "directory_id").from(table).where("id", .in, Array(chunk))
            if table == "users" { query = query.where("deprovisioned_at", .is, SQLLiteral.null) }
            for row in try await query.all() where try row.string("directory_id") == directoryId { found.insert(try row.string("id")) }
        }
        return found
    }

    func group(directoryId: String, displayName: String) async throws -> Group? {
        try await db.select().column("*").from("groups").where("directory_id", .equal, directoryId)
            .where("display_name_lower", .equal, displayName.lowercased()).first().map(Self.group)
    }

    func groupsOf(userIds: [String]) async throws -> [String: [UserGroup]] {
        var result: [String: [UserGroup]] = [:]
        for chunk in Array(Set(userIds)).chunked(Self.chunkSize) {
            let rows = try await db.raw("""
                WITH RECURSIVE up(member_id, group_id, direct) AS (
                    SELECT member_id, group_id, 1 FROM memberships
                    WHERE member_kind = 'user' AND member_id IN (\(binds: chunk.map { $0 as any Encodable & Sendable }))
                    UNION
                    SELECT up.member_id, m.group_id, 0 FROM memberships m JOIN up ON m.member_id = up.group_id
                    WHERE m.member_kind = 'group'
                )
                SELECT up.member_id, up.direct, g.id, g.display_name FROM up JOIN groups g ON g.id = up.group_id
                """).all()
            for row in rows {
                let user = try row.string("member_id")
                let group = UserGroup(groupId: try row.string("id"), displayName: try row.string("display_name"),
                                      direct: try row.decode(column: "direct", as: Int.self) == 1)
                var groups = result[user, default: []]
                if let index = groups.firstIndex(where: { $0.groupId == group.groupId }) {
                    if group.direct { groups[index].direct = true }
                } else {
                    groups.append(group)
                }
                result[user] = groups
            }
        }
        return result.mapValues { $0.sorted { ($0.displayName.lowercased(), $0.groupId) < ($1.displayName.lowercased(), $1.groupId) } }
    }

    // MARK: Memberships in bulk

    func insertMemberships(_ memberships: [Membership]) async throws -> [String] {
        var added: [String] = []
        let now = Date().millisecondsSince1970
        for chunk in memberships.chunked(Self.chunkSize) {
            let insert = db.insert(into: "memberships").columns("group_id", "member_id", "member_kind", "created_at")
            for membership in chunk {
                _ = insert.values(SQLBind(membership.groupId), SQLBind(membership.memberId), SQLBind(membership.memberKind.rawValue), SQLBind(now))
            }
            let rows = try await mapped { try await insert.ignoringConflicts(with: ["group_id", "member_id"]).returning("member_id").all() }
            for row in rows { added.append(try row.string("member_id")) }
        }
        return added
    }

    func deleteMemberships(groupId: String, memberIds: [String]) async throws -> [String] {
        var removed: [String] = []
        for chunk in memberIds.chunked(Self.chunkSize) {
            let rows = try await mapped {
                try await db.delete(from: "memberships").where("group_id", .equal, groupId).where("member_id", .in, Array(chunk))
                    .returning("member_id").all()
            }
            for row in rows { removed.append(try row.string("member_id")) }
        }
        return removed
    }

    func replaceMemberships(
        groupId: String, with memberships: [Membership], events: MemberEventTemplate
    ) async throws -> (added: Int, removed: Int) {
        // The new list goes to a temporary table; set statements apply the difference and write the events, so
        // neither the old nor the new member list is ever read back into memory.
        try await db.raw("CREATE TEMP TABLE IF NOT EXISTS roster_pending_members (member_id TEXT PRIMARY KEY, member_kind TEXT NOT NULL)").run()
        try await db.raw("DELETE FROM roster_pending_members").run()
        for chunk in memberships.chunked(Self.chunkSize) {
            let insert = db.insert(into: "roster_pending_members").columns("member_id", "member_kind")
            for membership in chunk { _ = insert.values(SQLBind(membership.memberId), SQLBind(membership.memberKind.rawValue)) }
            try await insert.ignoringConflicts(with: ["member_id"]).run()
        }
        let leaving: SQLQueryString = "FROM memberships WHERE group_id = \(bind: groupId) AND member_id NOT IN (SELECT member_id FROM roster_pending_members)"
        let joining: SQLQueryString = """
            FROM roster_pending_members p WHERE NOT EXISTS (SELECT 1 FROM memberships m WHERE m.group_id = \(bind: groupId) AND m.member_id = p.member_id)
            """
        let removed = try await db.raw("SELECT COUNT(*) AS n \(leaving)").first()?.decode(column: "n", as: Int.self) ?? 0
        let added = try await db.raw("SELECT COUNT(*) AS n \(joining)").first()?.decode(column: "n", as: Int.self) ?? 0
        if removed > 0 {
            try await mapped { try await db.raw("\(memberEventInsert("group.member_removed", groupId: groupId, events, column: "member_id")) \(leaving)").run() }
            try await db.raw("DELETE \(leaving)").run()
        }
        if added > 0 {
            try await mapped { try await db.raw("\(memberEventInsert("group.member_added", groupId: groupId, events, column: "p.member_id")) \(joining)").run() }
            try await mapped {
                try await db.raw("""
                    INSERT INTO memberships (group_id, member_id, member_kind, created_at)
                    SELECT \(bind: groupId), member_id, member_kind, \(bind: events.created.millisecondsSince1970) FROM roster_pending_members WHERE 1 = 1
                    ON CONFLICT (group_id, member_id) DO NOTHING
                    """).run()
            }
        }
        try await db.raw("DELETE FROM roster_pending_members").run()
        return (added, removed)
    }

    /// `INSERT INTO events ... SELECT` with one event per selected member: ids and JSON payloads made by the database.
    private func memberEventInsert(_ type: String, groupId: String, _ events: MemberEventTemplate, column: String) -> SQLQueryString {
        let id: SQLQueryString = kind == .sqlite ? "lower(hex(randomblob(16)))" : "CAST(gen_random_uuid() AS TEXT)"
        let payload: SQLQueryString = kind == .sqlite
            ? "json_object('memberId', \(unsafeRaw: column), 'actor', \(bind: events.actor))"
            : "jsonb_build_object('memberId', \(unsafeRaw: column), 'actor', CAST(\(bind: events.actor) AS TEXT))"
        return """
            INSERT INTO events (id, organization_id, type, subject_type, subject_id, payload, created_at)
            SELECT \(id), \(bind: events.organizationId), \(bind: type), 'group', \(bind: groupId), \(payload), \(bind: events.created.millisecondsSince1970)
            """
    }

    func append(events: [Event]) async throws {
        for chunk in events.chunked(Self.chunkSize / 2) {
            let insert = db.insert(into: "events")
                .columns("id", "organization_id", "type", "subject_type", "subject_id", "payload", "created_at")
            for event in chunk {
                _ = insert.values(SQLBind(event.id), SQLBind(event.organizationId), SQLBind(event.type), SQLBind(event.subjectType),
                                  SQLBind(event.subjectId), try json(event.payload), SQLBind(event.created.millisecondsSince1970))
            }
            try await mapped { try await insert.run() }
        }
    }
}

extension Array {
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
