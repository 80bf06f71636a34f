import Directory
import Foundation
import RosterTestSupport
import Storage
import Testing

@Suite("Audit entries and events on each database")
struct AuditTests {
    @Test("every write leaves one audit entry and one event", arguments: TestDatabaseKind.available)
    func everyWriteIsAudited(kind: TestDatabaseKind) async throws {
        try await TestDatabase.with(kind) { database in
            let fixture = Fixture(database)
            let service = fixture.service
            let organization = try await fixture.organization()
            let local = try await fixture.localDirectory(organization)
            var expected = 1
            func check(_ action: String) async throws {
                let counts = try await fixture.logCounts(organization)
                #expect(counts.audit == expected, "audit after \(action)")
                #expect(counts.events == expected, "events after \(action)")
                let newest = try await database.store.read {
                    try await $0.auditEntries(organizationId: organization.id, page: PageRequest(limit: 1))
                }.items.first
                #expect(newest?.action == action)
                let lastEvent = try await database.store.read {
                    try await $0.events(organizationId: organization.id, afterSequence: nil, limit: 1000)
                }.last
                #expect(lastEvent?.type == action)
            }
            try await check("organization.created")
            let site = try await service.addSite(organizationId: organization.id, name: "acme", caller: .operatorCLI)
            expected += 1; try await check("site.created")
            let product = try await service.addProduct(siteId: site.id, product: .jiraSoftware, caller: .operatorCLI)
            expected += 1; try await check("product.added")
            let user = try await service.createUser(directoryId: local.id, draft: UserDraft(userName: "fay"), caller: .operatorCLI)
            expected += 1; try await check("user.created")
            var draft = UserDraft(user)
            draft.active = false
            _ = try await service.replaceUser(id: user.id, draft: draft, caller: .operatorCLI)
            expected += 1; try await check("user.deactivated")
            let group = try await service.createGroup(directoryId: local.id, displayName: "Ops", caller: .operatorCLI)
            expected += 1; try await check("group.created")
            try await service.addMember(groupId: group.id, member: .user, memberId: user.id, caller: .operatorCLI)
            expected += 1; try await check("group.member_added")
            let grant = try await service.grantAccess(principal: .group(group.id), productId: product.id, role: .user, caller: .operatorCLI)
            expected += 1; try await check("access.granted")
            try await service.revokeAccess(grantId: grant.id, caller: .operatorCLI)
            expected += 1; try await check("access.revoked")
            try await service.removeMember(groupId: group.id, memberId: user.id, caller: .operatorCLI)
            expected += 1; try await check("group.member_removed")
            try await service.deleteUser(id: user.id, caller: .operatorCLI)
            expected += 1; try await check("user.deleted")
            _ = try await service.updateOrganization(id: organization.id, plan: .guard, userManagement: .original, caller: .operatorCLI)
            expected += 1; try await check("organization.updated")
            _ = try await service.createAdmin(organizationId: organization.id, email: "a@acme.com", roles: [.orgAdmin], caller: .operatorCLI)
            expected += 2; try await check("admin_token.created")
            let okta = try await service.createDirectory(organizationId: organization.id, name: "Okta", identityProvider: .okta, caller: .operatorCLI)
            expected += 2; try await check("api_key.created")
            _ = try await service.rotateApiKey(directoryId: okta.directory.id, caller: .operatorCLI)
            expected += 2; try await check("api_key.created")
            _ = try await service.claimDomain(organizationId: organization.id, name: "acme.com", caller: .operatorCLI)
            expected += 1; try await check("domain.claimed")

            // Events come back in outbox order with increasing sequence numbers.
            let events = try await database.store.read { try await $0.events(organizationId: organization.id, afterSequence: nil, limit: 1000) }
            let sequences = events.compactMap(\.sequence)
            #expect(sequences == sequences.sorted() && Set(sequences).count == sequences.count)
        }
    }

    @Test("a failed write leaves no audit entry, no event and no partial change", arguments: TestDatabaseKind.available)
    func failedWriteRollsBack(kind: TestDatabaseKind) async throws {
        try await TestDatabase.with(kind) { database in
            let fixture = Fixture(database)
            let organization = try await fixture.organization()
            let local = try await fixture.localDirectory(organization)
            _ = try await fixture.service.createUser(directoryId: local.id, draft: UserDraft(userName: "gil"), caller: .operatorCLI)
            let before = try await fixture.logCounts(organization)

            // A domain refusal.
            await #expect(throws: DirectoryError.self) {
                try await fixture.service.createUser(directoryId: local.id, draft: UserDraft(userName: "GIL"), caller: .operatorCLI)
            }
            // A write that fails after writing its row, audit entry and event: all three roll back together.
            struct Boom: Error {}
            await #expect(throws: Boom.self) {
                try await database.store.write { tx in
                    let now = fixture.clock.now
                    try await tx.insert(Site(id: "site-x", organizationId: organization.id, name: "rolled-back", created: now))
                    try await tx.append(AuditEntry(id: "audit-x", organizationId: organization.id, at: now, actor: "test",
                                                   action: "site.created", targetType: "site", targetId: "site-x"))
                    try await tx.append(Event(id: "event-x", organizationId: organization.id, type: "site.created",
                                              subjectType: "site", subjectId: "site-x", payload: [:], created: now))
                    throw Boom()
                }
            }
            // A write the database itself rejects (foreign key) rolls back what came before it.
            await #expect(throws: StoreError.self) {
                try await database.store.write { tx in
                    let now = fixture.clock.now
                    try await tx.append(AuditEntry(id: "audit-y", organizationId: organization.id, at: now, actor: "test",
                                                   action: "product.added", targetType: "product", targetId: "p"))
                    try await tx.insert(ProductInstance(id: "p", siteId: "no-such-site", product: .confluence, created: now))
                }
            }
            #expect(try await fixture.logCounts(organization) == before)
            #expect(try await database.store.read { try await $0.site(id: "site-x") } == nil)
            #expect(try await database.store.read { try await $0.site(named: "rolled-back") } == nil)
        }
    }
}
