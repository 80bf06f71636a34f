import ArgumentParser
import Directory
import Foundation
import Logging
import RosterServer
import Storage

/// `--database` and `--json`, shared by the admin commands.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: "Database URL: postgres://user:pass@host:port/db or an SQLite file path. Default: ROSTER_DATABASE_URL, else roster.sqlite.")
    var database: String?

    func location() throws -> DatabaseLocation {
        do {
            return try DatabaseLocation(url: database ?? ProcessInfo.processInfo.environment["ROSTER_DATABASE_URL"] ?? "roster.sqlite")
        } catch {
            throw ValidationError("\(error)")
        }
    }
}

struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print exactly one JSON object instead of text.")
    var json = false
}

enum CLI {
    static func logger() -> Logger {
        var logger = Logger(label: "roster.cli") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = ProcessInfo.processInfo.environment["ROSTER_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .error
        return logger
    }

    /// Opens and migrates the database, runs `body` with the domain service, and turns domain errors into a
    /// one-line message and exit code 1.
    static func withService<T: Sendable>(
        _ options: DatabaseOptions, baseURL: String? = nil, _ body: @Sendable (DirectoryService) async throws -> T
    ) async throws -> T {
        let location = try options.location()
        let base = baseURL ?? ProcessInfo.processInfo.environment["ROSTER_BASE_URL"]
            ?? RosterConfiguration().baseURL
        do {
            return try await RosterDatabase.withRunning(location, logger: logger()) { database in
                try await database.migrate()
                let service = DirectoryService(store: database.store, configuration: .init(baseURL: base))
                return try await body(service)
            }
        } catch let error as DirectoryError {
            printError(error.message)
            throw ExitCode(error.code == .notFound ? 3 : 1)
        } catch let error as DatabaseLocationError {
            throw ValidationError(error.message)
        }
    }

    static func printError(_ message: String) {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    }

    /// Prints one JSON object, keys sorted, on one line.
    static func printJSON(_ object: [String: JSONValue]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(object), as: UTF8.self))
    }
}

extension Organization.Plan: ExpressibleByArgument {}
extension Organization.UserManagement: ExpressibleByArgument {}
extension ProductKind: ExpressibleByArgument {}
extension IdentityProviderType: ExpressibleByArgument {}
extension AdminRole.Kind: ExpressibleByArgument {}
extension ProductRole: ExpressibleByArgument {}
