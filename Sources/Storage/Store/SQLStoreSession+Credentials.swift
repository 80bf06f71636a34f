import Directory
import Foundation
import SQLKit

extension SQLStoreSession {
    // MARK: SCIM API keys

    func apiKey(prefix: String) async throws -> ApiKey? {
        try await db.select().column("*").from("api_keys").where("prefix", .equal, prefix).first().map(Self.apiKey)
    }

    func apiKeys(directoryId: String) async throws -> [ApiKey] {
        try await db.select().column("*").from("api_keys").where("directory_id", .equal, directoryId)
            .orderBy("created_at").orderBy("id").all().map(Self.apiKey)
    }

    func insert(_ key: ApiKey) async throws {
        try await mapped {
            try await db.insert(into: "api_keys")
                .columns("id", "directory_id", "prefix", "hash", "created_at", "expires_at", "revoked_at", "last_used_at", "pending")
                .values(SQLBind(key.id), SQLBind(key.directoryId), SQLBind(key.prefix), SQLBind(key.hash),
                        SQLBind(key.created.millisecondsSince1970), SQLBind(key.expires.millis), SQLBind(key.revoked.millis),
                        SQLBind(key.lastUsed.millis), SQLBind(key.pendingConfirmation))
                .run()
        }
    }

    func update(_ key: ApiKey) async throws {
        try await mapped {
            try await db.update("api_keys")
                .set("expires_at", to: key.expires.millis)
                .set("revoked_at", to: key.revoked.millis)
                .set("last_used_at", to: key.lastUsed.millis)
                .set("pending", to: key.pendingConfirmation)
                .where("id", .equal, key.id)
                .run()
        }
    }

    static func apiKey(_ row: any SQLRow) throws -> ApiKey {
        ApiKey(
            id: try row.string("id"), directoryId: try row.string("directory_id"), prefix: try row.string("prefix"),
            hash: try row.string("hash"), created: try row.date("created_at"), expires: try row.optionalDate("expires_at"),
            revoked: try row.optionalDate("revoked_at"), lastUsed: try row.optionalDate("last_used_at"),
            pendingConfirmation: try row.bool("pending")
        )
    }

    // MARK: Admins

    func admin(id: String) async throws -> AdminAccount? {
        guard let row = try await db.select().column("*").from("admin_accounts").where("id", .equal, id).first() else { return nil }
        return try await admin(row)
    }

    func admin(userId: String) async throws -> AdminAccount? {
        guard let row = try await db.select().column("*").from("admin_accounts").where("user_id", .equal, userId).first() else { return nil }
        return try await admin(row)
    }

    func bindAdmin(id: String, userId: String?) async throws {
        try await mapped {
            try await db.update("admin_accounts").set("user_id", to: userId).where("id", .equal, id).run()
        }
    }

    func admin(organizationId: String, email: String) async throws -> AdminAccount? {
        guard let row = try await db.select().column("*").from("admin_accounts")
            .where("organization_id", .equal, organizationId).where("email_lower", .equal, email.lowercased()).first()
        else { return nil }
        return try await admin(row)
    }

    private func admin(_ row: any SQLRow) async throws -> AdminAccount {
        let id = try row.string("id")
        let roles = try await db.select().columns("role", "site_id").from("admin_roles").where("admin_id", .equal, id)
            .orderBy("role").all().map { role in
                AdminRole(kind: try role.enumValue("role", as: AdminRole.Kind.self), siteId: try role.optionalString("site_id"))
            }
        return AdminAccount(
            id: id, organizationId: try row.string("organization_id"), email: try row.string("email"), roles: roles,
            created: try row.date("created_at"), backupAdmin: try row.bool("backup_admin"), userId: try row.optionalString("user_id")
        )
    }

    func insert(_ admin: AdminAccount) async throws {
        try await mapped {
            try await db.insert(into: "admin_accounts")
                .columns("id", "organization_id", "email", "email_lower", "created_at")
                .values(SQLBind(admin.id), SQLBind(admin.organizationId), SQLBind(admin.email), SQLBind(admin.email.lowercased()),
                        SQLBind(admin.created.millisecondsSince1970))
                .run()
            for role in admin.roles {
                try await db.insert(into: "admin_roles").columns("admin_id", "role", "site_id")
                    .values(SQLBind(admin.id), SQLBind(role.kind.rawValue), SQLBind(role.siteId)).run()
            }
        }
    }

    func adminToken(prefix: String) async throws -> AdminToken? {
        try await db.select().column("*").from("admin_tokens").where("prefix", .equal, prefix).first().map(Self.adminToken)
    }

    func insert(_ token: AdminToken) async throws {
        try await mapped {
            try await db.insert(into: "admin_tokens")
                .columns("id", "admin_id", "prefix", "hash", "created_at", "expires_at", "revoked_at", "last_used_at")
                .values(SQLBind(token.id), SQLBind(token.adminId), SQLBind(token.prefix), SQLBind(token.hash),
                        SQLBind(token.created.millisecondsSince1970), SQLBind(token.expires.millis),
                        SQLBind(token.revoked.millis), SQLBind(token.lastUsed.millis))
                .run()
        }
    }

    func update(_ token: AdminToken) async throws {
        try await mapped {
            try await db.update("admin_tokens")
                .set("expires_at", to: token.expires.millis)
                .set("revoked_at", to: token.revoked.millis)
                .set("last_used_at", to: token.lastUsed.millis)
                .where("id", .equal, token.id)
                .run()
        }
    }

    static func adminToken(_ row: any SQLRow) throws -> AdminToken {
        AdminToken(
            id: try row.string("id"), adminId: try row.string("admin_id"), prefix: try row.string("prefix"),
            hash: try row.string("hash"), created: try row.date("created_at"), expires: try row.optionalDate("expires_at"),
            revoked: try row.optionalDate("revoked_at"), lastUsed: try row.optionalDate("last_used_at")
        )
    }

    // MARK: Sessions

    func session(tokenHash: String) async throws -> Session? {
        try await db.select().column("*").from("sessions").where("token_hash", .equal, tokenHash).first().map { row in
            Session(
                id: try row.string("id"), userId: try row.string("user_id"), tokenHash: try row.string("token_hash"),
                created: try row.date("created_at"), expires: try row.date("expires_at"), revoked: try row.optionalDate("revoked_at"),
                lastSeen: try row.optionalDate("last_seen_at"),
                idleTimeout: try row.decode(column: "idle_timeout_seconds", as: Int64?.self).map(TimeInterval.init),
                directoryId: try row.optionalString("directory_id"), nameID: try row.optionalString("name_id"),
                sessionIndex: try row.optionalString("session_index")
            )
        }
    }

    func insert(_ session: Session) async throws {
        try await mapped {
            try await db.insert(into: "sessions")
                .columns("id", "user_id", "token_hash", "created_at", "expires_at", "revoked_at", "last_seen_at",
                         "idle_timeout_seconds", "directory_id", "name_id", "session_index")
                .values(SQLBind(session.id), SQLBind(session.userId), SQLBind(session.tokenHash),
                        SQLBind(session.created.millisecondsSince1970), SQLBind(session.expires.millisecondsSince1970),
                        SQLBind(session.revoked.millis), SQLBind(session.lastSeen.millis), SQLBind(session.idleTimeout.map { Int64($0) }),
                        SQLBind(session.directoryId), SQLBind(session.nameID), SQLBind(session.sessionIndex))
                .run()
        }
    }

    func update(_ session: Session) async throws {
        try await mapped {
            try await db.update("sessions")
                .set("expires_at", to: session.expires.millisecondsSince1970)
                .set("revoked_at", to: session.revoked.millis)
                .set("last_seen_at", to: session.lastSeen.millis)
                .where("id", .equal, session.id)
                .run()
        }
    }

    func setBackupAdmin(adminId: String, _ backup: Bool) async throws {
        try await db.update("admin_accounts").set("backup_admin", to: backup).where("id", .equal, adminId).run()
    }

    func revokeSessions(userId: String, at date: Date) async throws -> Int {
        let rows = try await db.update("sessions").set("revoked_at", to: date.millisecondsSince1970)
            .where("user_id", .equal, userId).where("revoked_at", .is, SQLLiteral.null)
            .returning("id").all()
        // The admin console's sessions signed in with this account end with them, for good (reactivating the account
        // does not bring them back).
        try await db.update("console_sessions").set("revoked_at", to: date.millisecondsSince1970)
            .where("user_id", .equal, userId).where("revoked_at", .is, SQLLiteral.null).run()
        return rows.count
    }

    func revokeSessions(directoryId: String, nameID: String, sessionIndexes: [String], at date: Date) async throws -> [String] {
        var update = db.update("sessions").set("revoked_at", to: date.millisecondsSince1970)
            .where("directory_id", .equal, directoryId).where("name_id", .equal, nameID).where("revoked_at", .is, SQLLiteral.null)
        if !sessionIndexes.isEmpty { update = update.where("session_index", .in, sessionIndexes) }
        let users = Array(Set(try await update.returning("user_id").all().map { try $0.decode(column: "user_id", as: String.self) })).sorted()
        if !users.isEmpty {
            try await db.update("console_sessions").set("revoked_at", to: date.millisecondsSince1970)
                .where("user_id", .in, users).where("revoked_at", .is, SQLLiteral.null).run()
        }
        return users
    }

    // MARK: Logout requests Roster sent

    func insertLogoutRequest(id: String, directoryId: String, created: Date, expires: Date) async throws {
        try await mapped {
            try await db.insert(into: "logout_requests").columns("id", "directory_id", "created_at", "expires_at")
                .values(SQLBind(id), SQLBind(directoryId), SQLBind(created.millisecondsSince1970), SQLBind(expires.millisecondsSince1970)).run()
        }
    }

    func useLogoutRequest(id: String, directoryId: String, at date: Date) async throws -> Bool {
        try await db.delete(from: "logout_requests").where("expires_at", .lessThan, date.millisecondsSince1970 - 86_400_000).run()
        return try await db.update("logout_requests").set("used_at", to: date.millisecondsSince1970)
            .where("id", .equal, id).where("directory_id", .equal, directoryId).where("used_at", .is, SQLLiteral.null)
            .where("expires_at", .greaterThan, date.millisecondsSince1970).returning("id").first() != nil
    }
}
