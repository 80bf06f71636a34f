import Directory
import Logging
import ServiceLifecycle

/// Deletes provisioning log entries older than the configured age, once at start and then every `interval`.
struct ProvisioningLogPruner: Service {
    let service: DirectoryService
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
            // Sleep until the next round, or return at once on graceful shutdown.
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
        }
    }
}
