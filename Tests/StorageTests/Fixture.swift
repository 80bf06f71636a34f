import Directory
import Foundation
import RosterTestSupport
import Storage

/// A database with an organization, a site with products, and the domain service on a hand-moved clock.
struct Fixture: Sendable {
    let database: RosterDatabase
    let clock: TestClock
    let service: DirectoryService

    init(_ database: RosterDatabase, clock: TestClock = TestClock()) {
        self.database = database
        self.clock = clock
        self.service = DirectoryService(
            store: database.store, environment: clock.environment,
            configuration: .init(baseURL: "https://roster.test/")
        )
    }

    func organization(
        plan: Organization.Plan = .guard, userManagement: Organization.UserManagement = .centralized
    ) async throws -> Organization {
        try await service.createOrganization(name: "Acme", plan: plan, userManagement: userManagement, caller: .operatorCLI)
    }

    func localDirectory(_ organization: Organization) async throws -> Directory {
        try await service.directories(organizationId: organization.id, caller: .operatorCLI).first { $0.kind == .local }!
    }

    /// Counts of audit entries and events of an organization.
    func logCounts(_ organization: Organization) async throws -> (audit: Int, events: Int) {
        try await database.store.read { reader in
            let audit = try await reader.auditEntries(organizationId: organization.id, page: PageRequest(limit: 1)).total
            let events = try await reader.events(organizationId: organization.id, afterSequence: nil, limit: 1000).count
            return (audit, events)
        }
    }
}
