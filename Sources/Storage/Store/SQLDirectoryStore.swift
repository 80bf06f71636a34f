import Directory
import Foundation
import PostgresNIO
import SQLKit
import SQLiteNIO

/// The domain's `DirectoryStore` over sql-kit, the same code on SQLite and PostgreSQL.
public struct SQLDirectoryStore: DirectoryStore {
    let engine: any SQLEngine
    /// Seals and opens the secrets kept at rest (SP private keys, webhook signing secrets).
    let keyring: SecretKeyring

    public func read<T: Sendable>(_ body: @Sendable (any DirectoryReading) async throws -> T) async throws -> T {
        try await engine.withReader { db in
            try await body(SQLStoreSession(db: db, keyring: keyring))
        }
    }

    public func write<T: Sendable>(_ body: @Sendable (any DirectoryWriting) async throws -> T) async throws -> T {
        try await engine.withWriter { db in
            try await body(SQLStoreSession(db: db, keyring: keyring))
        }
    }

    public func ping() async throws {
        try await engine.withReader { db in
            _ = try await db.raw("SELECT 1 AS ok").first()
        }
    }
}

/// Reads and writes through one connection; inside `write` that connection is in a transaction.
struct SQLStoreSession: DirectoryWriting {
    let db: any SQLDatabase
    let keyring: SecretKeyring

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .millisecondsSince1970
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return decoder
    }()

    func json<T: Encodable>(_ value: T) throws -> SQLJSONBind {
        SQLJSONBind(json: String(decoding: try Self.encoder.encode(value), as: UTF8.self))
    }

    func fromJSON<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        do {
            return try Self.decoder.decode(type, from: Data(text.utf8))
        } catch {
            throw StoreError(.corruptRow, constraint: "\(T.self)", cause: DecodingFailure(description: "\(error)"))
        }
    }

    /// Runs a write and translates constraint violations into `StoreError`.
    func mapped<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as SQLiteError {
            let text = error.message
            if error.reason == .constraintUniqueFailed || error.reason == .constraintPrimaryKeyFailed
                || (error.reason == .constraint && text.contains("UNIQUE")) {
                throw StoreError(.uniqueViolation, constraint: text.components(separatedBy: "failed: ").last, cause: error)
            }
            if error.reason == .constraintForeignKeyFailed || (error.reason == .constraint && text.contains("FOREIGN KEY")) {
                throw StoreError(.foreignKeyViolation, cause: error)
            }
            throw error
        } catch let error as PSQLError {
            switch error.serverInfo?[.sqlState] {
            case "23505": throw StoreError(.uniqueViolation, constraint: error.serverInfo?[.constraintName], cause: error)
            case "23503": throw StoreError(.foreignKeyViolation, constraint: error.serverInfo?[.constraintName], cause: error)
            default: throw error
            }
        }
    }

    func lock(_ name: String) async throws {
        guard kind == .postgres else { return }
        try await db.raw("SELECT pg_advisory_xact_lock(hashtext(\(bind: name)))").run()
    }

    func count(_ query: SQLSelectBuilder) async throws -> Int {
        guard let row = try await query.first() else { return 0 }
        return try row.decode(column: "n", as: Int.self)
    }
}

/// A stored JSON document that no longer decodes.
struct DecodingFailure: Error, Sendable, CustomStringConvertible {
    let description: String
}

extension SQLRow {
    func date(_ column: String) throws -> Date {
        Date(millisecondsSince1970: try decode(column: column, as: Int64.self))
    }

    func optionalDate(_ column: String) throws -> Date? {
        try decode(column: column, as: Int64?.self).map(Date.init(millisecondsSince1970:))
    }

    func string(_ column: String) throws -> String {
        try decode(column: column, as: String.self)
    }

    func optionalString(_ column: String) throws -> String? {
        try decode(column: column, as: String?.self)
    }

    func bool(_ column: String) throws -> Bool {
        try decode(column: column, as: Bool.self)
    }

    func enumValue<E: RawRepresentable>(_ column: String, as type: E.Type) throws -> E where E.RawValue == String {
        let raw = try string(column)
        guard let value = E(rawValue: raw) else {
            throw StoreError(.corruptRow, constraint: "\(column)=\(raw)")
        }
        return value
    }
}

extension Optional where Wrapped == Date {
    var millis: Int64? { self?.millisecondsSince1970 }
}
