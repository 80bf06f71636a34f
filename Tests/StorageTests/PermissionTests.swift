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
