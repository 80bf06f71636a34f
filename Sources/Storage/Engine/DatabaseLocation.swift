import Foundation

/// Where the data lives: an SQLite file (the default) or a PostgreSQL server, parsed from a URL.
public enum DatabaseLocation: Sendable, Hashable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(PostgresSettings)

    /// Connection settings for PostgreSQL.
    public struct PostgresSettings: Sendable, Hashable {
        public var host: String
        public var port: Int
        public var username: String
        public var password: String?
        public var database: String?
        public var tls: TLSMode
    }

    /// libpq's `sslmode`: `disable`; `allow` and `prefer` (TLS when offered); `require` (TLS always, certificate
    /// not checked, as libpq does); `verify-ca` and `verify-full` (TLS always, certificate and host name checked).
    public enum TLSMode: String, Sendable, Hashable {
        case disable, prefer, require, verifyFull
    }

    /// The default: `roster.sqlite` in the working directory.
    public static let defaultSQLite = DatabaseLocation.sqlite(path: "roster.sqlite")

    /// Parses `postgres://user:pass@host:5432/db?sslmode=disable`, `sqlite:///abs/path`, `sqlite:relative/path`
    /// or a plain file path.
    public init(url raw: String) throws {
        let text = raw.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { self = .defaultSQLite; return }
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            guard let components = URLComponents(string: text), let host = components.host, !host.isEmpty else {
                throw DatabaseLocationError(message: "The PostgreSQL URL has no host.")
            }
            guard let user = components.user, !user.isEmpty else {
                throw DatabaseLocationError(message: "The PostgreSQL URL has no user name.")
            }
            var database = components.path
            if database.hasPrefix("/") { database.removeFirst() }
            let sslmode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
            let tls: TLSMode
            switch sslmode {
            case "disable": tls = .disable
            case "allow", "prefer": tls = .prefer
            case "require": tls = .require
            case "verify-ca", "verify-full": tls = .verifyFull
            default: throw DatabaseLocationError(message: "Unknown sslmode \"\(sslmode.prefix(40))\"; use disable, prefer, require or verify-full.")
            }
            self = .postgres(PostgresSettings(
                host: host, port: components.port ?? 5432, username: user.removingPercentEncoding ?? user,
                password: components.password.map { $0.removingPercentEncoding ?? $0 },
                database: database.isEmpty ? nil : database, tls: tls
            ))
            return
        }
        if text.hasPrefix("sqlite://") {
            let path = String(text.dropFirst("sqlite://".count))
            guard !path.isEmpty else { throw DatabaseLocationError(message: "The SQLite URL has no path.") }
            self = .sqlite(path: path)
        } else if text.hasPrefix("sqlite:") {
            let path = String(text.dropFirst("sqlite:".count))
            guard !path.isEmpty else { throw DatabaseLocationError(message: "The SQLite URL has no path.") }
            self = .sqlite(path: path)
        } else if text.contains("://") {
            throw DatabaseLocationError(message: "Unsupported database URL scheme; use postgres:// or sqlite:.")
        } else {
            self = .sqlite(path: text)
        }
    }

    /// A description without the password.
    public var description: String {
        switch self {
        case .sqlite(let path): "sqlite:\(path)"
        case .postgres(let settings):
            "postgres://\(settings.username)@\(settings.host):\(settings.port)/\(settings.database ?? "")"
        }
    }
}

/// A database URL that cannot be used.
public struct DatabaseLocationError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
