import Directory
import Foundation
import SQLKit

extension SQLStoreSession {
    private func unlinkedRecord(_ row: any SQLRow) throws -> UnlinkedRecord {
        UnlinkedRecord(
            directoryId: try row.string("directory_id"), scimId: try row.string("scim_id"), externalId: try row.optionalString("external_id"),
            userName: try row.string("user_name"), unlinked: try row.date("unlinked_at"), reason: try row.string("reason"),
            formerAccountId: try row.optionalString("former_account_id"), active: try row.decode(column: "active", as: Bool.self),
            groupIds: try fromJSON([String].self, try row.string("group_ids"))
        )
    }

    func unlinkedRecords(directoryId: String) async throws -> [UnlinkedRecord] {
        try await db.select().column("*").from("unlinked_records").where("directory_id", .equal, directoryId)
            .where("retired_at", .is, SQLLiteral.null)
            .orderBy("unlinked_at", .descending).orderBy("scim_id").limit(1000).all().map(unlinkedRecord)
    }

    func unlinkedRecord(directoryId: String, scimId: String) async throws -> UnlinkedRecord? {
        try await db.select().column("*").from("unlinked_records").where("directory_id", .equal, directoryId)
            .where("scim_id", .equal, scimId).where("retired_at", .is, SQLLiteral.null).first().map(unlinkedRecord)
    }

    func wasUnlinked(accountId: String, directoryId: String) async throws -> Bool {
        try await db.select().column("scim_id").from("unlinked_records").where("directory_id", .equal, directoryId)
            .where("former_account_id", .equal, accountId).limit(1).first() != nil
    }

    func insert(_ record: UnlinkedRecord) async throws {
        try await mapped {
            try await db.insert(into: "unlinked_records")
                .columns("directory_id", "scim_id", "external_id", "user_name", "unlinked_at", "reason", "former_account_id", "active", "group_ids")
                .values(SQLBind(record.directoryId), SQLBind(record.scimId), SQLBind(record.externalId), SQLBind(record.userName),
                        SQLBind(record.unlinked.millisecondsSince1970), SQLBind(record.reason), SQLBind(record.formerAccountId),
                        SQLBind(record.active), SQLBind(String(decoding: try Self.encoder.encode(record.groupIds), as: UTF8.self)))
                .run()
        }
    }

    func deleteUnlinkedRecord(directoryId: String, scimId: String) async throws -> Bool {
        try await db.delete(from: "unlinked_records").where("directory_id", .equal, directoryId).where("scim_id", .equal, scimId)
            .where("retired_at", .is, SQLLiteral.null).returning("scim_id").all().count == 1
    }

    func retireUnlinkedRecords(directoryId: String, externalId: String?, userName: String, at date: Date) async throws -> [UnlinkedRecord] {
        // The same person: the same externalId, or, for a record without one, the same userName. Retired, not deleted:
        // the account an admin unlinked stays known as not this person's.
        let rows = try await db.update("unlinked_records").set("retired_at", to: date.millisecondsSince1970)
            .where("directory_id", .equal, directoryId).where("retired_at", .is, SQLLiteral.null)
            .where { group in
                var group = group.where(SQLQueryString("(external_id IS NULL AND LOWER(user_name) = \(bind: userName.lowercased()))"))
                if let externalId { group = group.orWhere("external_id", .equal, externalId) }
                return group
            }
            .returning(SQLLiteral.all).all()
        return try rows.map(unlinkedRecord)
    }

    func rekey(_ user: User, to newId: String) async throws -> User {
        var rekeyed = user
        rekeyed.id = newId
        try await mapped {
            // The old row gives up its userName and externalId first, so the new row may take them in the same directory.
            // (Not a NUL: PostgreSQL text cannot hold one.) Exactly one row: another transaction that rekeyed it first wins.
            let parked = try await db.update("users").set("user_name_lower", to: "\u{1}rekeyed:\(user.id)").set("external_id", to: SQLLiteral.null)
                .where("id", .equal, user.id).where("version", .equal, user.version - 1).returning("id").all()
            guard parked.count == 1 else { throw StoreError(.uniqueViolation, constraint: "users_rekey") }
            try await insert(rekeyed)
            try await db.update("memberships").set("member_id", to: newId)
                .where("member_id", .equal, user.id).where("member_kind", .equal, "user").run()
            try await db.update("access_grants").set("principal_id", to: newId)
                .where("principal_id", .equal, user.id).where("principal_kind", .equal, "user").run()
            try await db.update("admin_accounts").set("user_id", to: newId).where("user_id", .equal, user.id).run()
            // Emails and sessions of the old id go with its row (foreign-key cascade): the person signs in again.
            try await db.delete(from: "users").where("id", .equal, user.id).run()
            try await bumpGroupsContaining(memberId: newId)
        }
        return rekeyed
    }
}
