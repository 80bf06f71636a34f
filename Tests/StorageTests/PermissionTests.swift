import Directory
import Foundation
import RosterTestSupport
import Storage
import Testing

@Suite("Admin permissions through the domain, on each database")
struct PermissionTests {
    @Test("original experience: a site admin manages their site's users and nothing on another site", arguments: TestDatabaseKind.available)
    func originalSiteAdmin(kind: TestDatabaseKind) async throws {
        try await TestDatabase.with(kind) { database in
            let fixture = Fixture(database)
            let service = fixture.service
            let organization = try await fixture.organization(userManagement: .original)
            let siteA = try await service.addSite(organizationId: organization.id, name: "alpha", caller: .operatorCLI)
            let siteB = try await service.addSite(organizationId: organization.id, name: "bravo", caller: .operatorCLI)
            let jiraA = try await service.addProduct(siteId: siteA.id, product: .jiraSoftware, caller: .operatorCLI)
            let jiraB = try await service.addProduct(siteId: siteB.id, product: .jiraSoftware, caller: .operatorCLI)
            let adminA = try await service.createAdmin(
                organizationId: organization.id, email: "a@acme.com", roles: [AdminRole(kind: .siteAdmin, siteId: siteA.id)], caller: .operatorCLI
            ).admin
            let caller = Caller.admin(adminA)

            let onA = try await service.createSiteUser(siteId: siteA.id, draft: UserDraft(userName: "hal"), productIds: [jiraA.id], caller: caller)
            #expect(try await service.users(siteId: siteA.id, page: PageRequest(), caller: caller).items.map(\.id) == [onA.id])
            _ = try await service.user(id: onA.id, caller: caller)

            let onB = try await service.createSiteUser(siteId: siteB.id, draft: UserDraft(userName: "ivy"), productIds: [jiraB.id], caller: .operatorCLI)
            for attempt in [
                { _ = try await service.users(siteId: siteB.id, page: PageRequest(), caller: caller) },
                { _ = try await service.createSiteUser(siteId: siteB.id, draft: UserDraft(userName: "x"), productIds: [jiraB.id], caller: caller) },
                { _ = try await service.user(id: onB.id, caller: caller) },
                { try await service.deleteUser(id: onB.id, caller: caller) },
                { _ = try await service.grantAccess(principal: .user(onA.id), productId: jiraB.id, role: .user, caller: caller) },
                { _ = try await service.createDirectory(organizationId: organization.id, name: "Okta", identityProvider: .okta, caller: caller) },
                { _ = try await service.users(directoryId: onA.directoryId, page: PageRequest(), caller: caller) },
            ] as [@Sendable () async throws -> Void] {
                let error = await #expect(throws: DirectoryError.self) { try await attempt() }
                #expect(error?.code == .forbidden)
            }
        }
    }

    @Test("centralized experience: org admins manage the Directory; site admins do not", arguments: TestDatabaseKind.available)
    func centralized(kind: TestDatabaseKind) async throws {
        try await TestDatabase.with(kind) { database in
            let fixture = Fixture(database)
            let service = fixture.service
            let organization = try await fixture.organization(userManagement: .centralized)
            let local = try await fixture.localDirectory(organization)
            let site = try await service.addSite(organizationId: organization.id, name: "alpha", caller: .operatorCLI)
            let orgAdmin = Caller.admin(try await service.createAdmin(
                organizationId: organization.id, email: "o@acme.com", roles: [.orgAdmin], caller: .operatorCLI).admin)
            let siteAdmin = Caller.admin(try await service.createAdmin(
                organizationId: organization.id, email: "s@acme.com", roles: [AdminRole(kind: .siteAdmin, siteId: site.id)], caller: .operatorCLI).admin)
            let accessAdmin = Caller.admin(try await service.createAdmin(
                organizationId: organization.id, email: "u@acme.com", roles: [AdminRole(kind: .userAccessAdmin)], caller: .operatorCLI).admin)

            _ = try await service.createUser(directoryId: local.id, draft: UserDraft(userName: "jo"), caller: orgAdmin)
            _ = try await service.createUser(directoryId: local.id, draft: UserDraft(userName: "kim"), caller: accessAdmin)
            let error = await #expect(throws: DirectoryError.self) {
                try await service.createUser(directoryId: local.id, draft: UserDraft(userName: "lee"), caller: siteAdmin)
            }
            #expect(error?.code == .forbidden)
            // The site admin still manages their site's products.
            _ = try await service.addProduct(siteId: site.id, product: .confluence, caller: siteAdmin)
            // A user access admin cannot connect identity providers.
            await #expect(throws: DirectoryError.self) {
                try await service.createDirectory(organizationId: organization.id, name: "Okta", identityProvider: .okta, caller: accessAdmin)
            }
            _ = try await service.createDirectory(organizationId: organization.id, name: "Okta", identityProvider: .okta, caller: orgAdmin)

            // An admin of another organization learns nothing about this one.
            let other = try await fixture.organization()
            let stranger = Caller.admin(try await service.createAdmin(
                organizationId: other.id, email: "x@other.com", roles: [.orgAdmin], caller: .operatorCLI).admin)
            let hidden = await #expect(throws: DirectoryError.self) {
                try await service.users(directoryId: local.id, page: PageRequest(), caller: stranger)
            }
            #expect(hidden?.code == .notFound)
        }
    }
}

@Suite("Cross-site and plan rules, on each database")
struct CrossSiteTests {
    @Test("original: a site admin cannot change, grant or delete a user who is also on another site", arguments: TestDatabaseKind.available)
    func sharedUser(kind: TestDatabaseKind) async throws {
        try await TestDatabase.with(kind) { database in
            let fixture = Fixture(database)
            let service = fixture.service
            let organization = try await fixture.organization(userManagement: .original)
            let siteA = try await service.addSite(organizationId: organization.id, name: "alpha", caller: .operatorCLI)
            let siteB = try await service.addSite(organizationId: organization.id, name: "bravo", caller: .operatorCLI)
            let jiraA = try await service.addProduct(siteId: siteA.id, product: .jiraSoftware, caller: .operatorCLI)
            let confluenceA = try await service.addProduct(siteId: siteA.id, product: .confluence, caller: .operatorCLI)
            let jiraB = try await service.addProduct(siteId: siteB.id, product: .jiraSoftware, caller: .operatorCLI)
            let adminA = Caller.admin(try await service.createAdmin(
                organizationId: organization.id, email: "a@acme.com", roles: [AdminRole(kind: .siteAdmin, siteId: siteA.id)], caller: .operatorCLI).admin)

            let onlyB = try await service.createSiteUser(siteId: siteB.id, draft: UserDraft(userName: "ned"), productIds: [jiraB.id], caller: .operatorCLI)
            let both = try await service.createSiteUser(siteId: siteB.id, draft: UserDraft(userName: "sam"), productIds: [jiraB.id], caller: .operatorCLI)
            _ = try await service.grantAccess(principal: .user(both.id), productId: jiraA.id, role: .user, caller: .operatorCLI)
            let onlyA = try await service.createSiteUser(siteId: siteA.id, draft: UserDraft(userName: "ann"), productIds: [jiraA.id], caller: adminA)

            // A user only on B cannot be pulled onto A by A's admin.
            let pull = await #expect(throws: DirectoryError.self) {
                try await service.grantAccess(principal: .user(onlyB.id), productId: jiraA.id, role: .user, caller: adminA)
            }
            #expect(pull?.code == .forbidden)
            // A user on both sites is visible to A's admin but not theirs to change.
            _ = try await service.user(id: both.id, caller: adminA)
            var deactivated = UserDraft(both)
            deactivated.active = false
            let draft = deactivated
            for attempt in [
                { _ = try await service.replaceUser(id: both.id, draft: draft, caller: adminA) },
                { try await service.deleteUser(id: both.id, caller: adminA) },
                { _ = try await service.grantAccess(principal: .user(both.id), productId: confluenceA.id, role: .user, caller: adminA) },
            ] as [@Sendable () async throws -> Void] {
                let error = await #expect(throws: DirectoryError.self) { try await attempt() }
                #expect(error?.code == .forbidden)
            }
            #expect(try await service.user(id: both.id, caller: .operatorCLI).active)
            // A user only on A is theirs.
            _ = try await service.grantAccess(principal: .user(onlyA.id), productId: confluenceA.id, role: .user, caller: adminA)
            try await service.deleteUser(id: onlyA.id, caller: adminA)
        }
    }

    @Test("an organization cannot leave the Guard plan while identity providers are connected", arguments: TestDatabaseKind.available)
    func planDowngrade(kind: TestDatabaseKind) async throws {
        try await TestDatabase.with(kind) { database in
            let fixture = Fixture(database)
            let organization = try await fixture.organization(plan: .guard)
            _ = try await fixture.service.createDirectory(organizationId: organization.id, name: "Okta", identityProvider: .okta, caller: .operatorCLI)
            let error = await #expect(throws: DirectoryError.self) {
                try await fixture.service.updateOrganization(id: organization.id, plan: .free, userManagement: nil, caller: .operatorCLI)
            }
            #expect(error?.code == .invalidInput)
            #expect(try await fixture.service.organization(id: organization.id, caller: .operatorCLI).plan == .guard)
        }
    }

    @Test("concurrent nestings cannot make a cycle; concurrent rotations leave one live key", arguments: TestDatabaseKind.available)
    func writeSkew(kind: TestDatabaseKind) async throws {
        try await TestDatabase.with(kind) { database in
            let fixture = Fixture(database)
            let service = fixture.service
            let organization = try await fixture.organization()
            let local = try await fixture.localDirectory(organization)
            for round in 0..<5 {
                let a = try await service.createGroup(directoryId: local.id, displayName: "A\(round)", caller: .operatorCLI)
                let b = try await service.createGroup(directoryId: local.id, displayName: "B\(round)", caller: .operatorCLI)
                let successes = await withTaskGroup(of: Bool.self) { group in
                    group.addTask { (try? await service.addMember(groupId: a.id, member: .group, memberId: b.id, caller: .operatorCLI)) != nil }
                    group.addTask { (try? await service.addMember(groupId: b.id, member: .group, memberId: a.id, caller: .operatorCLI)) != nil }
                    return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
                }
                #expect(successes == 1)
            }
            let okta = try await service.createDirectory(organizationId: organization.id, name: "Okta", identityProvider: .okta, caller: .operatorCLI)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 {
                    group.addTask { _ = try await service.rotateApiKey(directoryId: okta.directory.id, caller: .operatorCLI) }
                }
                try await group.waitForAll()
            }
            let live = try await service.apiKeys(directoryId: okta.directory.id, caller: .operatorCLI).filter { $0.isUsable(at: fixture.clock.now) }
            #expect(live.count == 1)
        }
    }
}

