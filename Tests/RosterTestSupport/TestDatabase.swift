import Directory
import Foundation
import Logging
import PostgresNIO
import Storage
import Synchronization

/// The databases a conformance test runs on: SQLite always, PostgreSQL when `ROSTER_TEST_POSTGRES_URL` is set.
public enum TestDatabaseKind: String, Sendable, CustomStringConvertible, CaseIterable {
    case sqlite
    case postgres

    public var description: String { rawValue }

    /// The kinds available in this run. Under CI PostgreSQL is always included, so a missing
    /// `ROSTER_TEST_POSTGRES_URL` fails those tests instead of skipping them.
    public static var available: [TestDatabaseKind] {
        let ci = ProcessInfo.processInfo.environment["CI"].map { !$0.isEmpty && $0 != "false" && $0 != "0" } ?? false
        return TestDatabase.postgresURL == nil && !ci ? [.sqlite] : [.sqlite, .postgres]
    }
}

/// A fresh, migrated database per test: a new SQLite file in a temporary folder, or a new PostgreSQL database
/// created on the server named by `ROSTER_TEST_POSTGRES_URL` and dropped afterwards.
public enum TestDatabase {
    public static var postgresURL: String? {
        ProcessInfo.processInfo.environment["ROSTER_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The key that seals the test databases' secrets (one per test process).
    public static let keyring: SecretKeyring = try! SecretKeyring(keys: [SecretKeyring.generateKey()])

    public static let logger: Logger = {
        var logger = Logger(label: "roster.test")
        logger.logLevel = .error
        return logger
    }()

    /// Runs `body` with a fresh database of `kind` that is migrated when `migrate` is true.
    public static func with<T: Sendable>(
        _ kind: TestDatabaseKind, migrate: Bool = true, _ body: @Sendable (RosterDatabase) async throws -> T
    ) async throws -> T {
        let location = try await makeLocation(kind)
        do {
            let result = try await RosterDatabase.withRunning(location.location, logger: logger, keyring: keyring) { database in
                if migrate { try await database.migrate() }
                return try await body(database)
            }
            try? await dispose(location)
            return result
        } catch {
            try? await dispose(location)
            throw error
        }
    }

    /// A fresh location without opening it (for tests that start a server process on it).
    public static func makeLocation(_ kind: TestDatabaseKind) async throws -> TestLocation {
        switch kind {
        case .sqlite:
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("roster-test-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            return TestLocation(location: .sqlite(path: folder.appendingPathComponent("roster.sqlite").path), folder: folder, postgresDatabase: nil)
        case .postgres:
            guard let url = postgresURL, case .postgres(var settings) = try DatabaseLocation(url: url) else {
                throw TestDatabaseError(message: "ROSTER_TEST_POSTGRES_URL is missing or not a postgres:// URL")
            }
            let name = "roster_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
            try await administer(settings, "CREATE DATABASE \(name)")
            settings.database = String(name)
            return TestLocation(location: .postgres(settings), folder: nil, postgresDatabase: String(name))
        }
    }

    static func dispose(_ location: TestLocation) async throws {
        if let folder = location.folder { try? FileManager.default.removeItem(at: folder) }
        if let name = location.postgresDatabase, let url = postgresURL, case .postgres(let settings) = try DatabaseLocation(url: url) {
            try await administer(settings, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        }
    }

    /// Runs one administrative statement on the server's configured database.
    static func administer(_ settings: DatabaseLocation.PostgresSettings, _ sql: String) async throws {
        let configuration = PostgresConnection.Configuration(
            host: settings.host, port: settings.port, username: settings.username, password: settings.password,
            database: settings.database, tls: .disable
        )
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        do {
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
            try await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }
}

/// A test database's location and what to clean up.
public struct TestLocation: Sendable {
    public let location: DatabaseLocation
    let folder: URL?
    let postgresDatabase: String?

    /// The URL form for `ROSTER_DATABASE_URL` or `--database`.
    public var url: String {
        switch location {
        case .sqlite(let path): return path
        case .postgres(let settings):
            return "postgres://\(settings.username)@\(settings.host):\(settings.port)/\(settings.database ?? "")?sslmode=disable"
        }
    }

    public func dispose() async throws { try await TestDatabase.dispose(self) }
}

public struct TestDatabaseError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// A clock tests move by hand.
public final class TestClock: Sendable {
    private let current: Mutex<Date>

    public init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        current = Mutex(start)
    }

    public var now: Date { current.withLock { $0 } }

    public func advance(by seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }

    /// An environment on this clock with real randomness.
    public var environment: RosterEnvironment {
        RosterEnvironment(now: { self.now }, randomBytes: RosterEnvironment.live.randomBytes)
    }
}
