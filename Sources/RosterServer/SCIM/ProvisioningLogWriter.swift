import Directory
import Logging
import ServiceLifecycle

/// Appends provisioning log entries in batches, off the request path: a SCIM request then costs one write
/// transaction (its change) instead of two. Entries wait at most `interval` (or until `batchSize` are queued);
/// graceful shutdown and `flush()` write what is queued. A crash can lose the last interval's entries: this is
/// a troubleshooting log, not the audit log (which is written in the change's own transaction).
actor ProvisioningLogWriter: Service {
    private let service: DirectoryService
    private let logger: Logger
    private var pending: [ProvisioningLogEntry] = []
    private let interval: Duration
    private let batchSize: Int

    init(service: DirectoryService, logger: Logger, interval: Duration = .milliseconds(100), batchSize: Int = 500) {
        self.service = service
        self.logger = logger
        self.interval = interval
        self.batchSize = batchSize
    }

    /// Queues an entry.
    func record(_ entry: ProvisioningLogEntry) async {
        pending.append(entry)
        if pending.count >= batchSize { await flush() }
    }

    /// Writes every queued entry now. Flushes run one at a time: a caller that finds another flush under way waits
    /// for it, so "flushed" always means "committed" (the admin read relies on it).
    func flush() async {
        while let running = inFlight {
            await running.value
            // Whoever gets here first after it ends clears it; awaiting a finished task does not suspend.
            if inFlight == running { inFlight = nil }
        }
        guard !pending.isEmpty else { return }
        let batch = pending
        pending.removeAll(keepingCapacity: true)
        let task = Task { await write(batch) }
        inFlight = task
        await task.value
        if inFlight == task { inFlight = nil }
    }

    private var inFlight: Task<Void, Never>?

    private nonisolated func write(_ batch: [ProvisioningLogEntry]) async {
        do {
            try await service.recordProvisioningRequests(batch)
        } catch {
            // An entry whose directory is gone has nowhere to go; the others are written one by one.
            for entry in batch {
                do { try await service.recordProvisioningRequests([entry]) } catch {
                    logger.debug("provisioning log entry not written", metadata: ["error": "\(error)"])
                }
            }
        }
    }

    nonisolated func run() async throws {
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
            } catch {
                break
            }
            await flush()
        }
        await flush()
    }
}
