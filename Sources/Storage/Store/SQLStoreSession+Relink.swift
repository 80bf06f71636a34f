import Directory
import Foundation
import SQLKit

extension SQLStoreSession {
    private func unlinkedRecord(_ row: any SQLRow) throws -> UnlinkedRecord {
        UnlinkedRecord(
            directoryId: try row.string("directory_id"), scimId: try row.string("scim_id"), externalId: try row.optionalString("external_id"),
            userName: try row.string("user_name"), unlinked: try row.date("unlinked_at"), reason: try row.string("reason"),
            formerAccountId: try row.optionalString("former_account_id")
        )
    }

    func unlinkedRecords(directoryId: String) async throws -> [UnlinkedRecord] {
        try await db.select().column("*").from("unlinked_records").where("directory_id", .equal, directoryId)
            .orderBy("unlinked_at", .descending).orderBy("scim_id").limit(1000).all().map(unlinkedRecord)
    }

    func unlinkedRecord(directoryId: String, scimId: String) async throws -> UnlinkedRecord? {
        try await db.select().column("*").from("unlinked_records").where("directory_id", .equal, directoryId)
            .where("scim_id", .equal, scimId).first().map(unlinkedRecord)
    }

    func insert(_ record: UnlinkedRecord) async throws {
        try await mapped {
            try await db.insert(into: "unlinked_records")
                .columns("directory_id", "scim_id", "external_id", "user_name", "unlinked_at", "reason", "former_account_id")
                .values(SQLBind(record.directoryId), SQLBind(record.scimId), SQLBind(record.externalId), SQLBind(record.userName),
                        SQLBind(record.unlinked.millisecondsSince1970), SQLBind(record.reason), SQLBind(record.formerAccountId))
                .run()
        }
    }

    func deleteUnlinkedRecord(directoryId: String, scimId: String) async throws {
        try await db.delete(from: "unlinked_records").where("directory_id", .equal, directoryId).where("scim_id", .equal, scimId).run()
    }

    func deleteUnlinkedRecords(directoryId: String, externalId: String) async throws -> Int {
        try await db.delete(from: "unlinked_records").where("directory_id", .equal, directoryId)
            .where("external_id", .equal, externalId).returning("scim_id").all().count
    }

    func rekey(_ user: User, to newId: String) async throws -> User {
        var rekeyed = user
        rekeyed.id = newId
        try await mapped {
            // The old row gives up its userName and externalId first, so the new row may take them in the same directory.
            // (Not a NUL: PostgreSQL text cannot hold one.)
            try await db.update("users").set("user_name_lower", to: "\u{1}rekeyed:\(user.id)").set("external_id", to: SQLLiteral.null)
                .where("id", .equal, user.id).run()
            try await insert(rekeyed)
            try await db.update("memberships").set("member_id", to: newId)
                .where("member_id", .equal, user.id).where("member_kind", .equal, "user").run()
            try await db.update("access_grants").set("principal_id", to: newId)
                .where("principal_id", .equal, user.id).where("principal_kind", .equal, "user").run()
            // Emails and sessions of the old id go with its row (foreign-key cascade): the person signs in again.
            try await db.delete(from: "users").where("id", .equal, user.id).run()
            try await bumpGroupsContaining(memberId: newId)
        }
        return rekeyed
    }
}
