import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import RosterServer
import ServiceLifecycle
import Storage

/// `roster serve`: migrates the database if needed and serves HTTP until SIGTERM or SIGINT.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start the Roster server (migrates the database on first start).",
        discussion: "Settings: flags first, then ROSTER_HOST, ROSTER_PORT, ROSTER_DATABASE_URL, ROSTER_BASE_URL, ROSTER_LOG_LEVEL."
    )

    @Option(name: .long, help: "Address to listen on. Default: ROSTER_HOST, else 127.0.0.1.")
    var host: String?

    @Option(name: .long, help: "Port to listen on. Default: ROSTER_PORT, else 8080.")
    var port: Int?

    @Option(name: .long, help: "Database URL or SQLite path. Default: ROSTER_DATABASE_URL, else roster.sqlite.")
    var database: String?

    @Option(name: .long, help: "The URL clients use to reach Roster. Default: ROSTER_BASE_URL, else http://HOST:PORT.")
    var baseURL: String?

    func run() async throws {
        let configuration: RosterConfiguration
        do {
            configuration = try RosterConfiguration.resolve(host: host, port: port, databaseURL: database, baseURL: baseURL)
        } catch {
            throw ValidationError("\(error)")
        }
        let level = configuration.logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardOutput(label: label)
            handler.logLevel = level
            return handler
        }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let logger = Logger(label: "roster")

        let database = try await RosterDatabase.open(configuration.database, logger: logger)
        let app = RosterApplication.build(
            configuration: configuration, database: database, migrateOnStart: true, registry: registry, logger: logger
        )
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }
}

/// `roster migrate`: applies pending migrations and exits.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let location = try database.location()
        let (applied, all) = try await RosterDatabase.withRunning(location, logger: CLI.logger()) { database in
            let applied = try await database.migrate()
            return (applied, try await database.appliedMigrations())
        }
        if output.json {
            try CLI.printJSON(["applied": .array(applied.map { .integer(Int64($0)) }),
                               "version": .integer(Int64(all.max() ?? 0))])
        } else if applied.isEmpty {
            print("Database \(location) is up to date (schema version \(all.max() ?? 0)).")
        } else {
            print("Applied migrations \(applied.map(String.init).joined(separator: ", ")) to \(location).")
        }
    }
}
