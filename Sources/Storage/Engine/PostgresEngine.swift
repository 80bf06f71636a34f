import Logging
import NIOSSL
import PostgresKit
import PostgresNIO
import SQLKit
import Synchronization

/// PostgreSQL through postgres-nio's connection pool; every write is a pool-lent transaction.
final class PostgresEngine: SQLEngine {
    let kind = DatabaseKind.postgres
    private let client: PostgresClient
    private let logger: Logger
    /// Set once `run()` has started the pool; work that arrives earlier waits for it briefly.
    private let running = Mutex(false)

    init(settings: DatabaseLocation.PostgresSettings, maximumConnections: Int = 20, logger: Logger) {
        let tls: PostgresClient.Configuration.TLS
        switch settings.tls {
        case .disable: tls = .disable
        case .prefer: tls = .prefer(.makeClientConfiguration())
        case .require:
            var unverified = TLSConfiguration.makeClientConfiguration()
            unverified.certificateVerification = .none
            tls = .require(unverified)
        case .verifyFull: tls = .require(.makeClientConfiguration())
        }
        var configuration = PostgresClient.Configuration(
            host: settings.host, port: settings.port, username: settings.username, password: settings.password,
            database: settings.database, tls: tls
        )
        configuration.options.maximumConnections = maximumConnections
        configuration.options.connectTimeout = .seconds(5)
        self.client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.logger = logger
    }

    /// Services start together; a caller that beats the pool's `run()` waits for it (up to 5 s) rather than
    /// queueing work the pool does not serve yet.
    private func awaitRunning() async {
        for _ in 0..<500 where !running.withLock({ $0 }) {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    func withReader<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        await awaitRunning()
        return try await client.withConnection { connection in
            try await body(connection.sql(queryLogLevel: nil))
        }
    }

    func withWriter<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        // Not `PostgresClient.withTransaction`: it wraps the closure's error, and callers need the domain error itself.
        await awaitRunning()
        return try await client.withConnection { connection in
            let database = connection.sql(queryLogLevel: nil)
            try await database.raw("BEGIN").run()
            let result: T
            do {
                result = try await body(database)
            } catch {
                do {
                    try await database.raw("ROLLBACK").run()
                } catch let rollbackError {
                    logger.error("PostgreSQL rollback failed", metadata: ["error": "\(String(reflecting: rollbackError))"])
                }
                throw error
            }
            try await database.raw("COMMIT").run()
            return result
        }
    }

    func run() async {
        running.withLock { $0 = true }
        await client.run()
    }

    func close() async {}
}
