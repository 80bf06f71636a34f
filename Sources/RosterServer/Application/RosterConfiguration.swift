import Foundation
import Logging
import Storage

/// Server settings, from flags first and the environment second.
public struct RosterConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// `ROSTER_DATABASE_URL`: a `postgres://` URL or an SQLite path; default `roster.sqlite`.
    public var database: DatabaseLocation
    /// `ROSTER_BASE_URL`: how clients reach Roster; used in SCIM URLs, SAML entity IDs and links.
    public var baseURL: String
    public var logLevel: Logger.Level
    /// `ROSTER_PROVISIONING_LOG_DAYS`: how long provisioning requests stay in a directory's troubleshooting log.
    public var provisioningLogRetentionDays: Double
    /// Webhook delivery: first retry after `webhookBackoff` seconds (`ROSTER_WEBHOOK_BACKOFF_SECONDS`), doubling each
    /// time up to an hour; after `webhookMaxAttempts` (`ROSTER_WEBHOOK_MAX_ATTEMPTS`) the event is dead-lettered.
    public var webhookBackoff: Double = 5
    public var webhookMaxAttempts: Int = 10
    /// `ROSTER_WEBHOOK_ALLOW_PRIVATE=1`: webhooks may post to loopback and private addresses (tests, a receiver on
    /// the same host). Off by default, so an endpoint URL cannot reach internal services.
    public var webhookAllowPrivate = false
    /// `ROSTER_DNS_RESOLVER` (`IP[:port]`): the DNS server domain verification asks; default the first nameserver
    /// of /etc/resolv.conf.
    public var dnsResolver: String?
    /// `ROSTER_DOMAIN_VERIFICATION_BASE`: fetch well-known files from this base URL (with the domain as Host) instead
    /// of `https://DOMAIN`; for tests against a loopback server.
    public var domainVerificationBase: String?
    /// How often each node looks for events to deliver.
    public var webhookPollInterval: Double = 0.1

    public init(
        host: String = "127.0.0.1", port: Int = 8080, database: DatabaseLocation = .defaultSQLite,
        baseURL: String? = nil, logLevel: Logger.Level = .info, provisioningLogRetentionDays: Double = 30
    ) {
        self.host = host
        self.port = port
        self.database = database
        self.baseURL = baseURL ?? "http://\(host.contains(":") ? "[\(host)]" : host):\(port)"
        self.logLevel = logLevel
        self.provisioningLogRetentionDays = provisioningLogRetentionDays
    }

    /// Reads `ROSTER_HOST`, `ROSTER_PORT`, `ROSTER_DATABASE_URL`, `ROSTER_BASE_URL` and `ROSTER_LOG_LEVEL`;
    /// explicit arguments win over the environment.
    public static func resolve(
        host: String? = nil, port: Int? = nil, databaseURL: String? = nil, baseURL: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> RosterConfiguration {
        let host = host ?? environment["ROSTER_HOST"] ?? "127.0.0.1"
        let resolvedPort: Int
        if let port {
            guard (0...65535).contains(port) else {
                throw ConfigurationError(message: "--port must be between 0 and 65535, not \(port).")
            }
            resolvedPort = port
        } else if let raw = environment["ROSTER_PORT"] {
            guard let parsed = Int(raw), (0...65535).contains(parsed) else {
                throw ConfigurationError(message: "ROSTER_PORT must be a port number, not \"\(raw)\".")
            }
            resolvedPort = parsed
        } else {
            resolvedPort = 8080
        }
        let database = try DatabaseLocation(url: databaseURL ?? environment["ROSTER_DATABASE_URL"] ?? "roster.sqlite")
        let logLevel = environment["ROSTER_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        var retention = 30.0
        if let raw = environment["ROSTER_PROVISIONING_LOG_DAYS"] {
            guard let days = Double(raw), days > 0 else {
                throw ConfigurationError(message: "ROSTER_PROVISIONING_LOG_DAYS must be a positive number of days, not \"\(raw)\".")
            }
            retention = days
        }
        var configuration = RosterConfiguration(
            host: host, port: resolvedPort, database: database, baseURL: baseURL ?? environment["ROSTER_BASE_URL"],
            logLevel: logLevel, provisioningLogRetentionDays: retention
        )
        if let raw = environment["ROSTER_WEBHOOK_BACKOFF_SECONDS"] {
            guard let seconds = Double(raw), seconds > 0, seconds <= 3600 else {
                throw ConfigurationError(message: "ROSTER_WEBHOOK_BACKOFF_SECONDS must be between 0 and 3600, not \"\(raw)\".")
            }
            configuration.webhookBackoff = seconds
        }
        configuration.dnsResolver = environment["ROSTER_DNS_RESOLVER"].flatMap { $0.isEmpty ? nil : $0 }
        configuration.domainVerificationBase = environment["ROSTER_DOMAIN_VERIFICATION_BASE"].flatMap { $0.isEmpty ? nil : $0 }
        configuration.webhookAllowPrivate = ["1", "true", "yes"].contains(environment["ROSTER_WEBHOOK_ALLOW_PRIVATE"]?.lowercased() ?? "")
        if let raw = environment["ROSTER_WEBHOOK_MAX_ATTEMPTS"] {
            guard let attempts = Int(raw), (1...50).contains(attempts) else {
                throw ConfigurationError(message: "ROSTER_WEBHOOK_MAX_ATTEMPTS must be between 1 and 50, not \"\(raw)\".")
            }
            configuration.webhookMaxAttempts = attempts
        }
        return configuration
    }
}

/// A setting that cannot be used.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}
