import Logging
import NIOSSL
import PostgresKit
import PostgresNIO
import SQLKit

/// PostgreSQL through postgres-nio's connection pool; every write is a pool-lent transaction.
final class PostgresEngine: SQLEngine {
    let kind = DatabaseKind.postgres
    private let client: PostgresClient
    private let logger: Logger

    init(settings: DatabaseLocation.PostgresSettings, maximumConnections: Int = 20, logger: Logger) {
        var configuration = PostgresClient.Configuration(
            host: settings.host, port: settings.port, username: settings.username, password: settings.password,
            database: settings.database, tls: settings.useTLS ? .prefer(.makeClientConfiguration()) : .disable
        )
        configuration.options.maximumConnections = maximumConnections
        self.client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.logger = logger
    }

    func withReader<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            try await body(connection.sql(queryLogLevel: nil))
        }
    }

    func withWriter<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        // Not `PostgresClient.withTransaction`: it wraps the closure's error, and callers need the domain error itself.
        try await client.withConnection { connection in
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
        await client.run()
    }

    func close() async {}
}
