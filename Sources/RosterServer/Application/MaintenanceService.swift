import Directory
import Logging
import ServiceLifecycle
import Storage

/// Hourly upkeep: deletes provisioning log entries older than the configured age and refreshes the query
/// planner's statistics (SQLite plans without them after bulk loads), once at start and then every `interval`.
struct MaintenanceService: Service {
    let service: DirectoryService
    let database: RosterDatabase
    /// Entries older than this many seconds go.
    let retention: Double
    let interval: Duration
    let logger: Logger

    func run() async throws {
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            do {
                let pruned = try await service.pruneProvisioningLog(olderThan: retention)
                if pruned > 0 { logger.info("pruned provisioning log", metadata: ["entries": "\(pruned)"]) }
            } catch {
                logger.warning("could not prune the provisioning log", metadata: ["error": "\(error)"])
            }
            do {
                let purged = try await service.purgeDeprovisioned()
                if purged > 0 { logger.info("purged deprovisioned accounts", metadata: ["accounts": "\(purged)"]) }
                let notices = try await service.noticeExpiries()
                if notices > 0 { logger.info("expiry notices sent", metadata: ["events": "\(notices)"]) }
                let deliveries = try await service.pruneWebhookDeliveries(olderThan: 30 * 86400)
                if deliveries > 0 { logger.info("pruned webhook deliveries", metadata: ["deliveries": "\(deliveries)"]) }
            } catch {
                logger.warning("could not purge deprovisioned accounts or old deliveries", metadata: ["error": "\(error)"])
            }
            do {
                let (requests, sessions) = try await service.pruneSignInState()
                if requests + sessions > 0 {
                    logger.info("pruned sign-in state", metadata: ["authnRequests": "\(requests)", "sessions": "\(sessions)"])
                }
            } catch {
                logger.warning("could not prune sign-in state", metadata: ["error": "\(error)"])
            }
            do {
                try await database.optimize()
            } catch {
                logger.warning("could not refresh planner statistics", metadata: ["error": "\(error)"])
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
