import Directory
import Foundation
import SQLKit

extension SQLStoreSession {
    /// `SELECT` of a user row: the document read back as text on both databases.
    func selectUsers() -> SQLSelectBuilder {
        db.select().column(SQLAlias(SQLJSONText(column: "document"), as: SQLIdentifier("document"))).column("password_hash").from("users")
    }

    func user(id: String) async throws -> User? {
        try await selectUsers().where("id", .equal, id).first().map(user)
    }

    func user(directoryId: String, userName: String) async throws -> User? {
        try await selectUsers().where("directory_id", .equal, directoryId)
            .where("user_name_lower", .equal, userName.lowercased()).first().map(user)
    }

    func users(directoryId: String, search: String?, page: PageRequest) async throws -> Page<User> {
        var select = selectUsers().where("directory_id", .equal, directoryId)
        var counter = db.select().column(SQLAlias(SQLFunction("COUNT", args: SQLLiteral.all), as: SQLIdentifier("n")))
            .from("users").where("directory_id", .equal, directoryId)
        if let search = search?.trimmingCharacters(in: .whitespaces).lowercased(), !search.isEmpty {
            let matches: SQLQueryString = """
                (\(startsWith("user_name_lower", search)) OR \(startsWith("display_name_lower", search))
                 OR id IN (SELECT user_id FROM user_emails WHERE directory_id = \(bind: directoryId) AND \(startsWith("value_lower", search))))
                """
            select = select.where(matches)
            counter = counter.where(matches)
        }
        let items = try await select.orderBy("user_name_lower").orderBy("id").limit(page.limit).offset(page.offset).all().map(user)
        return Page(items: items, total: try await count(counter))
    }

    /// `column` starts with `prefix`, in a form each database answers from an index on the column: a range on SQLite
    /// (binary collation, so the range is exactly the prefix's strings), `LIKE 'prefix%'` on PostgreSQL (served by the
    /// `text_pattern_ops` indexes of migration 7 whatever the database's collation).
    func startsWith(_ column: String, _ prefix: String) -> SQLQueryString {
        // No stored name holds a NUL (PostgreSQL text cannot), and PostgreSQL refuses one in a bind.
        guard !prefix.unicodeScalars.contains("\u{0}") else { return "1 = 0" }
        switch kind {
        case .sqlite:
            return "(\(unsafeRaw: column) >= \(bind: prefix) AND \(unsafeRaw: column) < \(bind: prefix + "\u{10FFFF}"))"
        case .postgres:
            return "\(unsafeRaw: column) LIKE \(bind: Self.likeLiteral(prefix) + "%") ESCAPE '\\'"
        }
    }

    /// `text` matched literally inside a `LIKE … ESCAPE '\'` pattern: its wildcards and the escape character escaped.
    static func likeLiteral(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }

    func counts(directoryId: String) async throws -> (users: Int, groups: Int) {
        let row = try await db.raw("""
            SELECT (SELECT COUNT(*) FROM users WHERE directory_id = \(bind: directoryId)) AS users,
                   (SELECT COUNT(*) FROM groups WHERE directory_id = \(bind: directoryId)) AS groups
            """).first()
        return (try row?.decode(column: "users", as: Int.self) ?? 0, try row?.decode(column: "groups", as: Int.self) ?? 0)
    }

    func users(organizationId: String, email: String) async throws -> [User] {
        try await db.raw("""
            SELECT \(SQLAlias(SQLJSONText(column: "document"), as: SQLIdentifier("document"))), password_hash FROM users
            WHERE id IN (
                SELECT e.user_id FROM user_emails e JOIN directories d ON d.id = e.directory_id
                WHERE d.organization_id = \(bind: organizationId) AND e.value_lower = \(bind: email.lowercased())
            )
            ORDER BY created_at, id
            """).all().map(user)
    }

    func users(organizationId: String, emailDomain: String) async throws -> [User] {
        try await db.raw("""
            SELECT \(SQLAlias(SQLJSONText(column: "document"), as: SQLIdentifier("document"))), password_hash FROM users
            WHERE id IN (
                SELECT e.user_id FROM user_emails e JOIN directories d ON d.id = e.directory_id
                WHERE d.organization_id = \(bind: organizationId) AND e.value_lower LIKE \(bind: "%@" + emailDomain.lowercased())
            )
            ORDER BY created_at, id
            """).all().map(user)
    }

    func usersWithPassword(email: String) async throws -> [User] {
        try await db.raw("""
            SELECT \(SQLAlias(SQLJSONText(column: "document"), as: SQLIdentifier("document"))), password_hash FROM users
            WHERE password_hash IS NOT NULL AND id IN (SELECT user_id FROM user_emails WHERE value_lower = \(bind: email.lowercased()))
            ORDER BY created_at, id LIMIT 20
            """).all().map(user)
    }

    func users(siteId: String, search: String?, page: PageRequest) async throws -> Page<User> {
        // Everyone a grant on the site reaches: direct user grants, and members of granted groups, nested included.
        let reach: SQLQueryString = """
            WITH RECURSIVE granted(group_id) AS (
                SELECT principal_id FROM access_grants WHERE site_id = \(bind: siteId) AND principal_kind = 'group'
                UNION
                SELECT m.member_id FROM memberships m JOIN granted g ON m.group_id = g.group_id WHERE m.member_kind = 'group'
            ), reached(user_id) AS (
                SELECT principal_id FROM access_grants WHERE site_id = \(bind: siteId) AND principal_kind = 'user'
                UNION
                SELECT m.member_id FROM memberships m JOIN granted g ON m.group_id = g.group_id WHERE m.member_kind = 'user'
            )
            """
        var matches: SQLQueryString = ""
        if let search = search?.trimmingCharacters(in: .whitespaces).lowercased(), !search.isEmpty {
            matches = """
                WHERE (\(startsWith("u.user_name_lower", search)) OR \(startsWith("u.display_name_lower", search))
                 OR u.id IN (SELECT user_id FROM user_emails WHERE \(startsWith("value_lower", search))))
                """
        }
        let rows = try await db.raw("""
            \(reach) SELECT \(SQLAlias(SQLJSONText(column: "document"), as: SQLIdentifier("document"))), u.password_hash FROM users u
            JOIN reached r ON r.user_id = u.id \(matches)
            ORDER BY u.user_name_lower, u.id LIMIT \(bind: page.limit) OFFSET \(bind: page.offset)
            """).all()
        let total = try await db.raw("\(reach) SELECT COUNT(*) AS n FROM users u JOIN reached r ON r.user_id = u.id \(matches)").first()
        return Page(items: try rows.map(user), total: try total?.decode(column: "n", as: Int.self) ?? 0)
    }

    func insert(_ user: User) async throws {
        try await mapped {
            try await db.insert(into: "users")
                .columns("id", "directory_id", "user_name", "user_name_lower", "external_id", "display_name", "display_name_lower",
                         "active", "managed", "version", "created_at", "last_modified_at", "document", "password_hash", "deprovisioned_at")
                .values(SQLBind(user.id), SQLBind(user.directoryId), SQLBind(user.userName), SQLBind(user.userName.lowercased()),
                        SQLBind(user.externalId), SQLBind(user.displayName), SQLBind(user.displayName?.lowercased()),
                        SQLBind(user.active), SQLBind(user.managed),
                        SQLBind(user.version), SQLBind(user.created.millisecondsSince1970),
                        SQLBind(user.lastModified.millisecondsSince1970), try json(user), SQLBind(user.passwordHash),
                        SQLBind(user.deprovisioned.millis))
                .run()
            try await insertEmails(of: user)
        }
    }

    func update(_ user: User) async throws {
        try await mapped {
            try await db.update("users")
                .set("user_name", to: user.userName)
                .set("user_name_lower", to: user.userName.lowercased())
                .set("external_id", to: user.externalId)
                .set("display_name", to: user.displayName)
                .set("display_name_lower", to: user.displayName?.lowercased())
                .set("active", to: user.active)
                .set("managed", to: user.managed)
                .set("version", to: user.version)
                .set("last_modified_at", to: user.lastModified.millisecondsSince1970)
                .set(SQLColumn("document"), to: try json(user))
                .set("password_hash", to: user.passwordHash)
                .set("deprovisioned_at", to: user.deprovisioned.millis)
                .where("id", .equal, user.id)
                .run()
            try await db.delete(from: "user_emails").where("user_id", .equal, user.id).run()
            try await insertEmails(of: user)
        }
    }

    private func insertEmails(of user: User) async throws {
        guard !user.emails.isEmpty else { return }
        let insert = db.insert(into: "user_emails")
            .columns("user_id", "directory_id", "position", "value", "value_lower", "type", "is_primary")
        for (position, email) in user.emails.enumerated() {
            _ = insert.values(SQLBind(user.id), SQLBind(user.directoryId), SQLBind(position), SQLBind(email.value),
                              SQLBind(email.value.lowercased()), SQLBind(email.type), SQLBind(email.primary))
        }
        try await insert.run()
    }

    func deleteUser(id: String) async throws {
        try await mapped {
            // Groups that lose this member change: their version moves so ETags do not go stale.
            try await bumpGroupsContaining(memberId: id)
            // Polymorphic rows first; emails and sessions go by foreign-key cascade.
            try await db.delete(from: "memberships").where("member_id", .equal, id).where("member_kind", .equal, "user").run()
            try await db.delete(from: "access_grants").where("principal_id", .equal, id).where("principal_kind", .equal, "user").run()
            try await db.update("admin_accounts").set("user_id", to: SQLLiteral.null).where("user_id", .equal, id).run()
            try await db.delete(from: "users").where("id", .equal, id).run()
        }
    }

    func user(_ row: any SQLRow) throws -> User {
        var user = try fromJSON(User.self, try row.string("document"))
        if row.allColumns.contains("password_hash") { user.passwordHash = try row.optionalString("password_hash") }
        return user
    }

    func user(directoryId: String, externalId: String) async throws -> User? {
        try await selectUsers().where("directory_id", .equal, directoryId).where("external_id", .equal, externalId)
            .orderBy("deprovisioned_at", .descending).first().map(user)
    }
}
