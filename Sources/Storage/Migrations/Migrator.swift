import Foundation
import Logging
import SQLKit

/// Applies pending migrations, each in its own transaction with its `schema_migrations` row.
struct Migrator: Sendable {
    let engine: any SQLEngine
    let logger: Logger

    /// An arbitrary constant naming Roster's migration lock on PostgreSQL.
    static let advisoryLockKey: Int64 = 0x526F_7374_6572

    /// Applies every migration not yet applied; returns the versions it applied.
    func migrate(_ migrations: [Migration] = Migrations.all) async throws -> [Int] {
        let types = SQLDialectTypes(kind: engine.kind)
        try await engine.withWriter { db in
            try await lock(db)
            try await db.create(table: "schema_migrations")
                .ifNotExists()
                .column("version", type: .bigint, .primaryKey(autoIncrement: false))
                .column("name", type: .text, .notNull)
                .column("applied_at", type: types.timestamp, .notNull)
                .run()
        }
        var applied: [Int] = []
        for migration in migrations.sorted(by: { $0.version < $1.version }) {
            let didApply = try await engine.withWriter { db in
                try await lock(db)
                let done = try await db.select().column("version").from("schema_migrations")
                    .where("version", .equal, migration.version).first()
                guard done == nil else { return false }
                try await migration.apply(db, types)
                try await db.insert(into: "schema_migrations")
                    .columns("version", "name", "applied_at")
                    .values(SQLBind(migration.version), SQLBind(migration.name), SQLBind(Date().millisecondsSince1970))
                    .run()
                return true
            }
            if didApply {
                logger.info("applied migration", metadata: ["migration.version": "\(migration.version)", "migration.name": "\(migration.name)"])
                applied.append(migration.version)
            }
        }
        return applied
    }

    /// Two servers starting together must not both migrate: on PostgreSQL each migration transaction first takes
    /// a transaction-scoped advisory lock. (SQLite's `BEGIN IMMEDIATE` already serializes writers.)
    private func lock(_ db: any SQLDatabase) async throws {
        guard engine.kind == .postgres else { return }
        try await db.raw("SELECT pg_advisory_xact_lock(\(bind: Self.advisoryLockKey))").run()
    }

    /// The versions recorded as applied.
    func appliedVersions() async throws -> [Int] {
        try await engine.withReader { db in
            try await db.select().column("version").from("schema_migrations").orderBy("version").all()
                .map { try $0.decode(column: "version", as: Int.self) }
        }
    }
}

extension Date {
    /// Milliseconds since 1970, the storage form of every timestamp.
    var millisecondsSince1970: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }

    init(millisecondsSince1970 value: Int64) {
        self.init(timeIntervalSince1970: Double(value) / 1000)
    }
}
