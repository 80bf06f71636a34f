import Directory
import Foundation
import SQLKit

extension SQLStoreSession {
    // MARK: Console sessions

    func consoleSession(tokenHash: String) async throws -> ConsoleSession? {
        try await db.select().column("*").from("console_sessions").where("token_hash", .equal, tokenHash).first().map { row in
            ConsoleSession(
                id: try row.string("id"), organizationId: try row.string("organization_id"), tokenHash: try row.string("token_hash"),
                adminId: try row.optionalString("admin_id"), userId: try row.optionalString("user_id"),
                setupLinkId: try row.optionalString("setup_link_id"),
                created: try row.date("created_at"), expires: try row.date("expires_at"), revoked: try row.optionalDate("revoked_at")
            )
        }
    }

    func insert(_ session: ConsoleSession) async throws {
        try await mapped {
            try await db.insert(into: "console_sessions")
                .columns("id", "organization_id", "token_hash", "admin_id", "user_id", "setup_link_id", "created_at", "expires_at", "revoked_at")
                .values(SQLBind(session.id), SQLBind(session.organizationId), SQLBind(session.tokenHash), SQLBind(session.adminId),
                        SQLBind(session.userId),
                        SQLBind(session.setupLinkId), SQLBind(session.created.millisecondsSince1970),
                        SQLBind(session.expires.millisecondsSince1970), SQLBind(session.revoked.millis))
                .run()
        }
    }

    func revokeConsoleSession(id: String, at date: Date) async throws {
        try await db.update("console_sessions").set("revoked_at", to: date.millisecondsSince1970)
            .where("id", .equal, id).where("revoked_at", .is, SQLLiteral.null).run()
    }

    func revokeConsoleSessions(adminId: String?, setupLinkId: String?, at date: Date) async throws -> Int {
        var update = db.update("console_sessions").set("revoked_at", to: date.millisecondsSince1970)
            .where("revoked_at", .is, SQLLiteral.null)
        if let adminId { update = update.where("admin_id", .equal, adminId) }
        if let setupLinkId { update = update.where("setup_link_id", .equal, setupLinkId) }
        guard adminId != nil || setupLinkId != nil else { return 0 }
        return try await update.returning("id").all().count
    }

    // MARK: Setup links

    private func setupLink(_ row: any SQLRow) throws -> SetupLink {
        SetupLink(
            id: try row.string("id"), organizationId: try row.string("organization_id"), directoryId: try row.string("directory_id"),
            tokenHash: try row.string("token_hash"), createdBy: try row.string("created_by"), created: try row.date("created_at"),
            expires: try row.date("expires_at"), redeemed: try row.optionalDate("redeemed_at"), revoked: try row.optionalDate("revoked_at")
        )
    }

    func setupLink(id: String) async throws -> SetupLink? {
        try await db.select().column("*").from("setup_links").where("id", .equal, id).first().map(setupLink)
    }

    func setupLink(tokenHash: String) async throws -> SetupLink? {
        try await db.select().column("*").from("setup_links").where("token_hash", .equal, tokenHash).first().map(setupLink)
    }

    func setupLinks(directoryId: String) async throws -> [SetupLink] {
        try await db.select().column("*").from("setup_links").where("directory_id", .equal, directoryId)
            .orderBy("created_at", .descending).orderBy("id").all().map(setupLink)
    }

    func insert(_ link: SetupLink) async throws {
        try await mapped {
            try await db.insert(into: "setup_links")
                .columns("id", "organization_id", "directory_id", "token_hash", "created_by", "created_at", "expires_at", "redeemed_at", "revoked_at")
                .values(SQLBind(link.id), SQLBind(link.organizationId), SQLBind(link.directoryId), SQLBind(link.tokenHash),
                        SQLBind(link.createdBy), SQLBind(link.created.millisecondsSince1970), SQLBind(link.expires.millisecondsSince1970),
                        SQLBind(link.redeemed.millis), SQLBind(link.revoked.millis))
                .run()
        }
    }

    func redeem(setupLinkId: String, at date: Date) async throws -> Bool {
        // One statement decides: of two browsers opening the link at once, one wins.
        try await db.update("setup_links").set("redeemed_at", to: date.millisecondsSince1970)
            .where("id", .equal, setupLinkId).where("redeemed_at", .is, SQLLiteral.null)
            .returning("id").all().count == 1
    }

    func revokeSetupLink(id: String, at date: Date) async throws {
        try await db.update("setup_links").set("revoked_at", to: date.millisecondsSince1970)
            .where("id", .equal, id).where("revoked_at", .is, SQLLiteral.null).run()
    }

    // MARK: Sign-in throttle

    func recordSignInAttempt(id: String, key: String, at date: Date, forgetBefore: Date) async throws {
        try await db.delete(from: "sign_in_failures").where("failed_at", .lessThan, forgetBefore.millisecondsSince1970).run()
        try await db.insert(into: "sign_in_failures").columns("attempt_id", "throttle_key", "failed_at")
            .values(SQLBind(id), SQLBind(key), SQLBind(date.millisecondsSince1970)).run()
    }

    func signInAttempts(key: String, since: Date) async throws -> Int {
        let row = try await db.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "attempts")
            .from("sign_in_failures").where("throttle_key", .equal, key)
            .where("failed_at", .greaterThanOrEqual, since.millisecondsSince1970).first()
        return Int(try row?.decode(column: "attempts", as: Int64.self) ?? 0)
    }

    func forgetSignInAttempt(id: String) async throws {
        try await db.delete(from: "sign_in_failures").where("attempt_id", .equal, id).run()
    }
}
