import Directory
import Foundation
import SQLKit

extension SQLStoreSession {
    func group(id: String) async throws -> Group? {
        try await db.select().column("*").from("groups").where("id", .equal, id).first().map(Self.group)
    }

    func groups(directoryId: String, search: String?, grantingOnSites sites: [String]?, page: PageRequest) async throws -> Page<Group> {
        var select = db.select().column("*").from("groups").where("directory_id", .equal, directoryId)
        var counter = db.select().column(SQLAlias(SQLFunction("COUNT", args: SQLLiteral.all), as: SQLIdentifier("n")))
            .from("groups").where("directory_id", .equal, directoryId)
        if let sites {
            let granting = SQLSubquery.select { sub in
                sub.column("principal_id").from("access_grants").where("principal_kind", .equal, "group")
                    .where("site_id", .in, sites.isEmpty ? [""] : sites)
            }
            select = select.where("id", .in, granting)
            counter = counter.where("id", .in, granting)
        }
        if let search = search?.trimmingCharacters(in: .whitespaces).lowercased(), !search.isEmpty {
            select = select.where(startsWith("display_name_lower", search))
            counter = counter.where(startsWith("display_name_lower", search))
        }
        let items = try await select.orderBy("display_name_lower").orderBy("id").limit(page.limit).offset(page.offset).all().map(Self.group)
        return Page(items: items, total: try await count(counter))
    }

    func groupGrants(groupId: String, onSites sites: [String]) async throws -> Bool {
        guard !sites.isEmpty else { return false }
        return try await db.select().column("id").from("access_grants").where("principal_kind", .equal, "group")
            .where("principal_id", .equal, groupId).where("site_id", .in, sites).limit(1).first() != nil
    }

    func groups(memberId: String) async throws -> [Group] {
        try await db.select().column(SQLColumn(SQLLiteral.all, table: SQLIdentifier("g")))
            .from(SQLAlias(SQLIdentifier("groups"), as: SQLIdentifier("g")))
            .join(SQLAlias(SQLIdentifier("memberships"), as: SQLIdentifier("m")), on: SQLColumn("group_id", table: "m"), .equal, SQLColumn("id", table: "g"))
            .where(SQLColumn("member_id", table: "m"), .equal, SQLBind(memberId))
            .orderBy(SQLColumn("display_name_lower", table: "g"))
            .all().map(Self.group)
    }

    func members(groupId: String, page: PageRequest) async throws -> Page<Membership> {
        let items = try await db.select().columns("group_id", "member_id", "member_kind").from("memberships")
            .where("group_id", .equal, groupId).orderBy("member_id").limit(page.limit).offset(page.offset).all()
            .map { row in
                Membership(groupId: try row.string("group_id"), memberId: try row.string("member_id"),
                           memberKind: try row.enumValue("member_kind", as: Membership.MemberKind.self))
            }
        let total = try await count(db.select().column(SQLAlias(SQLFunction("COUNT", args: SQLLiteral.all), as: SQLIdentifier("n")))
            .from("memberships").where("group_id", .equal, groupId))
        return Page(items: items, total: total)
    }

    func members(groupId: String, after: String?, limit: Int) async throws -> [Membership] {
        var select = db.select().columns("group_id", "member_id", "member_kind").from("memberships").where("group_id", .equal, groupId)
        if let after { select = select.where("member_id", .greaterThan, after) }
        return try await select.orderBy("member_id").limit(min(max(limit, 1), PageRequest.maximumLimit)).all().map { row in
            Membership(groupId: try row.string("group_id"), memberId: try row.string("member_id"),
                       memberKind: try row.enumValue("member_kind", as: Membership.MemberKind.self))
        }
    }

    func isMember(groupId: String, memberId: String) async throws -> Bool {
        try await db.select().column("group_id").from("memberships").where("group_id", .equal, groupId)
            .where("member_id", .equal, memberId).first() != nil
    }

    func insert(_ group: Group) async throws {
        try await mapped {
            try await db.insert(into: "groups")
                .columns("id", "directory_id", "display_name", "display_name_lower", "external_id", "synced", "version",
                         "created_at", "last_modified_at")
                .values(SQLBind(group.id), SQLBind(group.directoryId), SQLBind(group.displayName),
                        SQLBind(group.displayName.lowercased()), SQLBind(group.externalId), SQLBind(group.synced),
                        SQLBind(group.version), SQLBind(group.created.millisecondsSince1970),
                        SQLBind(group.lastModified.millisecondsSince1970))
                .run()
        }
    }

    func update(_ group: Group) async throws {
        try await mapped {
            try await db.update("groups")
                .set("display_name", to: group.displayName)
                .set("display_name_lower", to: group.displayName.lowercased())
                .set("external_id", to: group.externalId)
                .set("synced", to: group.synced)
                .set("version", to: group.version)
                .set("last_modified_at", to: group.lastModified.millisecondsSince1970)
                .where("id", .equal, group.id)
                .run()
        }
    }

    /// Moves the version of every group that directly contains `memberId`.
    func bumpGroupsContaining(memberId: String) async throws {
        try await db.raw("""
            UPDATE groups SET version = version + 1, last_modified_at = \(bind: Date().millisecondsSince1970)
            WHERE id IN (SELECT group_id FROM memberships WHERE member_id = \(bind: memberId))
            """).run()
    }

    func deleteGroup(id: String) async throws {
        try await mapped {
            try await bumpGroupsContaining(memberId: id)
            try await db.delete(from: "memberships").where("member_id", .equal, id).where("member_kind", .equal, "group").run()
            try await db.delete(from: "access_grants").where("principal_id", .equal, id).where("principal_kind", .equal, "group").run()
            try await db.delete(from: "groups").where("id", .equal, id).run()
        }
    }

    /// Inserts a membership unless it exists: one indexed statement, whatever the group's size.
    func insert(_ membership: Membership) async throws -> Bool {
        try await mapped {
            let rows = try await db.insert(into: "memberships")
                .columns("group_id", "member_id", "member_kind", "created_at")
                .values(SQLBind(membership.groupId), SQLBind(membership.memberId), SQLBind(membership.memberKind.rawValue),
                        SQLBind(Date().millisecondsSince1970))
                .ignoringConflicts(with: ["group_id", "member_id"])
                .returning("member_id")
                .all()
            return !rows.isEmpty
        }
    }

    func deleteMembership(groupId: String, memberId: String) async throws -> Bool {
        try await mapped {
            let rows = try await db.delete(from: "memberships").where("group_id", .equal, groupId)
                .where("member_id", .equal, memberId).returning("member_id").all()
            return !rows.isEmpty
        }
    }

    static func group(_ row: any SQLRow) throws -> Group {
        Group(
            id: try row.string("id"), directoryId: try row.string("directory_id"), displayName: try row.string("display_name"),
            externalId: try row.optionalString("external_id"), synced: try row.bool("synced"),
            version: try row.decode(column: "version", as: Int.self), created: try row.date("created_at"),
            lastModified: try row.date("last_modified_at")
        )
    }
}
