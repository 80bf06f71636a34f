import Directory
import Logging
import ServiceLifecycle
import SQLKit

/// Roster's database: SQLite or PostgreSQL behind one schema. Run it as a `Service` (the PostgreSQL pool needs
/// its background task); `withRunning` does that for short-lived callers such as the CLI and tests.
public final class RosterDatabase: Service, Sendable {
    let engine: any SQLEngine
    /// Where the data lives (password-free description).
    public let location: DatabaseLocation
    private let logger: Logger
    /// Seals the secrets kept at rest; checked against the database by `migrate()`.
    public let keyring: SecretKeyring

    private init(engine: any SQLEngine, location: DatabaseLocation, logger: Logger, keyring: SecretKeyring) {
        self.engine = engine
        self.location = location
        self.logger = logger
        self.keyring = keyring
    }

    /// Which database this is.
    public var kind: DatabaseKind { engine.kind }

    /// Opens (but does not migrate) the database at `location`, with `keyring` or else the keys `SecretKeySource`
    /// finds for it.
    public static func open(_ location: DatabaseLocation, logger: Logger, keyring: SecretKeyring? = nil) async throws -> RosterDatabase {
        let keyring = try keyring ?? SecretKeySource.load(for: location, logger: logger).keyring()
        let engine: any SQLEngine = switch location {
        case .sqlite(let path): try await SQLiteEngine.open(path: path, logger: logger)
        case .postgres(let settings): PostgresEngine(settings: settings, logger: logger)
        }
        return RosterDatabase(engine: engine, location: location, logger: logger, keyring: keyring)
    }

    /// Opens the database, keeps it running while `body` runs, and closes it afterwards.
    public static func withRunning<T: Sendable>(
        _ location: DatabaseLocation, logger: Logger, keyring: SecretKeyring? = nil, _ body: @Sendable (RosterDatabase) async throws -> T
    ) async throws -> T {
        let database = try await open(location, logger: logger, keyring: keyring)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await database.engine.run() }
            defer { group.cancelAll() }
            do {
                let result = try await body(database)
                await database.engine.close()
                return result
            } catch {
                await database.engine.close()
                throw error
            }
        }
    }

    /// `Service`: keeps the connection pool running until graceful shutdown, then closes it.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await self.engine.run()
        }
        await engine.close()
    }

    /// Applies pending migrations; returns the versions applied now.
    @discardableResult
    public func migrate() async throws -> [Int] {
        let applied = try await Migrator(engine: engine, logger: logger).migrate()
        try await engine.withWriter { [keyring] db in try await SecretSealing.prepare(db, keyring: keyring) }
        try await optimize()
        return applied
    }

    /// Seals every secret again under the keyring's current key, in one transaction (`roster secrets rotate`);
    /// returns how many values were resealed.
    public func rotateSecrets() async throws -> Int {
        try await engine.withWriter { [keyring] db in try await SecretSealing.reseal(db, keyring: keyring) }
    }

    /// Refreshes the query planner's statistics where they are stale (`PRAGMA optimize` on SQLite, which runs
    /// ANALYZE as needed; PostgreSQL's autovacuum does this by itself). Without them SQLite can pick a directory
    /// index over a primary key.
    public func optimize() async throws {
        guard kind == .sqlite else { return }
        try await engine.withWriter { db in try await db.raw("PRAGMA optimize=0x10002").run() }
    }

    /// The migration versions recorded as applied.
    public func appliedMigrations() async throws -> [Int] {
        try await Migrator(engine: engine, logger: logger).appliedVersions()
    }

    /// Every migration version Roster knows.
    public static var knownMigrations: [Int] { Migrations.all.map(\.version) }

    /// The domain's store over this database.
    public var store: SQLDirectoryStore { SQLDirectoryStore(engine: engine, keyring: keyring) }
}
