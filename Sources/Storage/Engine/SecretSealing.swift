import Directory
import SQLKit

/// The columns that hold secrets, with the column that names their row (sealed values are bound to it).
enum SecretColumn: CaseIterable {
    case spPrivateKey
    case webhookSecret

    var table: String {
        switch self {
        case .spPrivateKey: "saml_sp_credentials"
        case .webhookSecret: "webhook_endpoints"
        }
    }

    var column: String {
        switch self {
        case .spPrivateKey: "private_key_pem"
        case .webhookSecret: "secret"
        }
    }

    var rowKey: String {
        switch self {
        case .spPrivateKey: "directory_id"
        case .webhookSecret: "id"
        }
    }

    /// The authenticated data of the value of row `id`.
    func context(_ id: String) -> String { "\(table).\(column):\(id)" }
}

/// Keeps the database's secrets sealed under the keyring: on every start the key is checked against a value sealed
/// when the database was first started (a wrong key stops the start with a message, instead of failing later on the
/// first SAML request), and values written before sealing existed are sealed.
enum SecretSealing {
    static let checkContext = "roster.secret_key_check"

    static func prepare(_ db: any SQLDatabase, keyring: SecretKeyring) async throws {
        // The first start seals the check value; nodes starting together agree on one (the first to commit).
        try await db.insert(into: "secret_key_check").columns("id", "key_id", "sealed")
            .values(SQLBind(1), SQLBind(keyring.current.id), SQLBind(try keyring.seal("roster", context: checkContext)))
            .ignoringConflicts(with: ["id"]).run()
        if let row = try await db.select().columns("key_id", "sealed").from("secret_key_check").where("id", .equal, 1).first() {
            let sealedWith = try row.decode(column: "key_id", as: String.self)
            do {
                _ = try keyring.open(try row.decode(column: "sealed", as: String.self), context: checkContext)
            } catch {
                throw SecretKeyError(
                    "The secret key does not open this database's secrets: they are sealed with key \(sealedWith), and the key given is "
                        + "\(keyring.all.map(\.id).joined(separator: ", ")). Set ROSTER_SECRET_KEY (or the key file) to the key this database was made with."
                )
            }
        }
        for column in SecretColumn.allCases {
            let plain = try await db.select().columns(column.rowKey, column.column).from(column.table)
                .where(SQLIdentifier(column.column), .notLike, SQLBind(SecretKeyring.prefix + "%")).all()
            for row in plain {
                let id = try row.decode(column: column.rowKey, as: String.self)
                let value = try row.decode(column: column.column, as: String.self)
                try await db.update(column.table).set(column.column, to: try keyring.seal(value, context: column.context(id)))
                    .where(column.rowKey, .equal, id).where(SQLIdentifier(column.column), .notLike, SQLBind(SecretKeyring.prefix + "%")).run()
            }
        }
    }

    /// Seals every secret again under the keyring's current key (after a rotation) and returns how many values
    /// were resealed.
    static func reseal(_ db: any SQLDatabase, keyring: SecretKeyring) async throws -> Int {
        var count = 0
        for column in SecretColumn.allCases {
            for row in try await db.select().columns(column.rowKey, column.column).from(column.table).all() {
                let id = try row.decode(column: column.rowKey, as: String.self)
                let value = try keyring.open(try row.decode(column: column.column, as: String.self), context: column.context(id))
                try await db.update(column.table).set(column.column, to: try keyring.seal(value, context: column.context(id)))
                    .where(column.rowKey, .equal, id).run()
                count += 1
            }
        }
        try await db.update("secret_key_check").set("key_id", to: keyring.current.id)
            .set("sealed", to: try keyring.seal("roster", context: checkContext)).where("id", .equal, 1).run()
        return count
    }
}
