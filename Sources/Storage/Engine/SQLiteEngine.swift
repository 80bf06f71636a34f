import Foundation
import Logging
import NIOPosix
import SQLKit
import SQLiteKit
import SQLiteNIO

/// SQLite in WAL mode: one writer connection whose transactions are serialized (`BEGIN IMMEDIATE`), and a few
/// reader connections that read concurrently with it.
final class SQLiteEngine: SQLEngine {
    let kind = DatabaseKind.sqlite
    private let writer: SQLiteConnection
    private let writeLock = AsyncLock()
    private let readers: ConnectionPool<SQLiteConnection>
    private let readerConnections: [SQLiteConnection]
    private let logger: Logger

    /// How long a connection waits on a lock held by another process before failing.
    static let busyTimeoutMilliseconds = 5_000

    private init(writer: SQLiteConnection, readers: [SQLiteConnection], logger: Logger) {
        self.writer = writer
        self.readerConnections = readers
        self.readers = ConnectionPool(readers)
        self.logger = logger
    }

    static func open(path: String, readerCount: Int = 4, logger: Logger) async throws -> SQLiteEngine {
        let writer = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        do {
            try await configure(writer, logger: logger)
            _ = try await writer.query("PRAGMA journal_mode=WAL")
            var readers: [SQLiteConnection] = []
            for _ in 0..<max(1, readerCount) {
                let reader = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
                try await configure(reader, logger: logger)
                readers.append(reader)
            }
            return SQLiteEngine(writer: writer, readers: readers, logger: logger)
        } catch {
            try? await writer.close()
            throw error
        }
    }

    private static func configure(_ connection: SQLiteConnection, logger: Logger) async throws {
        _ = try await connection.query("PRAGMA busy_timeout=\(busyTimeoutMilliseconds)")
        _ = try await connection.query("PRAGMA foreign_keys=ON")
        _ = try await connection.query("PRAGMA synchronous=NORMAL")
    }

    func withReader<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let connection = await readers.acquire()
        do {
            let result = try await body(connection.sql(queryLogLevel: nil))
            await readers.release(connection)
            return result
        } catch {
            await readers.release(connection)
            throw error
        }
    }

    func withWriter<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        await writeLock.lock()
        let database = writer.sql(queryLogLevel: nil)
        do {
            try await database.raw("BEGIN IMMEDIATE").run()
        } catch {
            await writeLock.unlock()
            throw error
        }
        do {
            let result = try await body(database)
            try await database.raw("COMMIT").run()
            await writeLock.unlock()
            return result
        } catch {
            do {
                try await database.raw("ROLLBACK").run()
            } catch let rollbackError {
                logger.error("SQLite rollback failed", metadata: ["error": "\(String(reflecting: rollbackError))"])
            }
            await writeLock.unlock()
            throw error
        }
    }

    func run() async {
        // Nothing runs in the background for SQLite; wait until cancelled.
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(3600))
        }
    }

    func close() async {
        for connection in readerConnections { try? await connection.close() }
        try? await writer.close()
    }
}
