import Foundation

extension DirectoryService {
    /// Appends provisioning requests to their directories' troubleshooting logs, in one transaction. The log is
    /// bookkeeping about requests, not a change to the directory, so it has no audit entry or event of its own.
    public func recordProvisioningRequests(_ entries: [ProvisioningLogEntry]) async throws {
        guard !entries.isEmpty else { return }
        try await store.write { tx in try await tx.append(entries) }
    }

    /// A directory's troubleshooting log for admins, newest first.
    public func provisioningLog(
        directoryId: String, filter: ProvisioningLogFilter, page: PageRequest, caller: Caller
    ) async throws -> Page<ProvisioningLogEntry> {
        try await store.read { reader in
            let directory = try await requireDirectory(reader, directoryId)
            let organization = try await requireOrganization(reader, directory.organizationId)
            try caller.requireManaging(directory, in: organization)
            return try await reader.provisioningLog(directoryId: directoryId, filter: filter, page: page)
        }
    }

    /// Deletes log entries older than `age` seconds; returns how many.
    public func pruneProvisioningLog(olderThan age: TimeInterval) async throws -> Int {
        let cutoff = environment.now().addingTimeInterval(-age)
        return try await store.write { tx in try await tx.pruneProvisioningLog(before: cutoff) }
    }

    /// Deletes AuthnRequests a day after they expired and sessions a day after they ended (expired or revoked);
    /// returns how many of each.
    public func pruneSignInState() async throws -> (authnRequests: Int, sessions: Int) {
        let cutoff = environment.now().addingTimeInterval(-86400)
        return try await store.write { tx in try await tx.pruneSignInState(before: cutoff) }
    }
}
