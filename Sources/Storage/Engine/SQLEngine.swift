import Logging
import SQLKit

/// Which SQL database a connection speaks to: the one place dialect branches are decided.
public enum DatabaseKind: String, Sendable {
    case sqlite
    case postgres
}

/// Lends `SQLDatabase` handles for reads and for write transactions.
protocol SQLEngine: Sendable {
    var kind: DatabaseKind { get }
    /// Runs `body` on a connection for reads.
    func withReader<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T
    /// Runs `body` in a transaction; commits on return, rolls back on throw.
    func withWriter<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T
    /// Keeps the engine's background work going until cancelled (the PostgreSQL pool needs this).
    func run() async
    /// Closes every connection.
    func close() async
}
