import Directory
import Logging
import ServiceLifecycle
import Storage

/// Upkeep, once at start and then every `interval`: prunes the provisioning log, purges deprovisioned accounts past
/// their directory's period, sends expiry notices, prunes old webhook deliveries, AuthnRequests and ended sessions,
/// and refreshes the query planner's statistics (SQLite plans without them after bulk loads).
struct MaintenanceService: Service {
    let service: DirectoryService
    let database: RosterDatabase
    /// Entries older than this many seconds go.
    let retention: Double
    let interval: Duration
    let logger: Logger

    func run() async throws {
        // Each chore runs on its own: one that fails is logged and does not hold back the others.
        let chores: [(String, @Sendable () async throws -> Int)] = [
            ("pruned provisioning log entries", { try await service.pruneProvisioningLog(olderThan: retention) }),
            ("purged deprovisioned accounts", { try await service.purgeDeprovisioned() }),
            ("sent expiry notices", { try await service.noticeExpiries() }),
            ("pruned webhook deliveries", { try await service.pruneWebhookDeliveries(olderThan: 30 * 86400) }),
            ("pruned AuthnRequests and ended sessions", { let pruned = try await service.pruneSignInState(); return pruned.0 + pruned.1 }),
            ("refreshed planner statistics", { try await database.optimize(); return 0 }),
        ]
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            for (name, chore) in chores {
                do {
                    let count = try await chore()
                    if count > 0 { logger.info("maintenance: \(name)", metadata: ["count": "\(count)"]) }
                } catch {
                    logger.warning("maintenance failed: \(name)", metadata: ["error": "\(error)"])
                }
            }
            // Sleep until the next round, or return at once on graceful shutdown.
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
        }
    }
}
