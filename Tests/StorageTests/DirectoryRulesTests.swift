import Directory
import Foundation
import RosterTestSupport
import Storage
import Testing

/// The domain's rules, run through the SQL store on every database.
@Suite("Directory rules on each database")
struct DirectoryRulesTests {
    @Test("userName is unique per directory, case-insensitively, with a clear error", arguments: TestDatabaseKind.available)
    func userNameUniqueness(kind: TestDatabaseKind) async throws {
        try await TestDatabase.with(kind) { database in
            let fixture = Fixture(database)
            let organization = try await fixture.organization()
            let local = try await fixture.localDirectory(organization)
            let alice = try await fixture.service.createUser(
                directoryId: local.id, draft: UserDraft(userName: "Alice@Acme.com"), caller: .operatorCLI
            )
            let error = await #expect(throws: DirectoryError.self) {
                try await fixture.service.createUser(directoryId: local.id, draft: UserDraft(userName: "alice@ACME.com"), caller: .operatorCLI)
            }
            #expect(error?.code == .userNameTaken)
            // Another directory may use the same userName.
            let okta = try await fixture.service.createDirectory(
                organizationId: organization.id, name: "Okta", identityProvider: .okta, caller: .operatorCLI
            )
            let other = try await fixture.service.createUser(
                directoryId: okta.directory.id, draft: UserDraft(userName: "alice@acme.com"), caller: .operatorCLI
            )
            #expect(other.id != alice.id)
            // Renaming onto a taken userName is refused too.
            let bob = try await fixture.service.createUser(directoryId: local.id, draft: UserDraft(userName: "bob"), caller: .operatorCLI)
            let renameError = await #expect(throws: DirectoryError.self) {
                try await fixture.service.replaceUser(id: bob.id, draft: UserDraft(userName: "ALICE@acme.com"), caller: .operatorCLI)
            }
            #expect(renameError?.code == .userNameTaken)
        }
    }

    @Test("concurrent creates of one userName make exactly one user", arguments: TestDatabaseKind.available)
    func concurrentCreates(kind: TestDatabaseKind) async throws {
        try await TestDatabase.with(kind) { database in
            let fixture = Fixture(database)
            let organization = try await fixture.organization()
            let local = try await fixture.localDirectory(organization)
            let outcomes = await withTaskGroup(of: Result<User, DirectoryError>.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        do {
                            return .success(try await fixture.service.createUser(
                                directoryId: local.id, draft: UserDraft(userName: index.isMultiple(of: 2) ? "carol" : "CAROL"),
                                caller: .operatorCLI
                            ))
                        } catch let error as DirectoryError {
                            return .failure(error)
                        } catch {
                            return .failure(DirectoryError(.invalidInput, "unexpected \(error)"))
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            let created = outcomes.compactMap { try? $0.get() }
            let failures = outcomes.compactMap { if case .failure(let error) = $0 { error } else { nil } }
            #expect(created.count == 1)
            #expect(failures.count == 7)
            #expect(failures.allSatisfy { $0.code == .userNameTaken })
            #expect(try await database.store.read { try await $0.users(directoryId: local.id, search: nil, page: PageRequest()) }.total == 1)
        }
    }

    @Test("only a Guard-plan organization may connect an identity provider for members", arguments: TestDatabaseKind.available)
    func guardPlanRule(kind: TestDatabaseKind) async throws {
        try await TestDatabase.with(kind) { database in
            let fixture = Fixture(database)
            let free = try await fixture.organization(plan: .free)
            let error = await #expect(throws: DirectoryError.self) {
                try await fixture.service.createDirectory(organizationId: free.id, name: "Okta", identityProvider: .okta, caller: .operatorCLI)
            }
            #expect(error?.code == .planRequired)
            #expect(try await fixture.service.directories(organizationId: free.id, caller: .operatorCLI).map(\.kind) == [.local])

            let paid = try await fixture.organization(plan: .guard)
            let okta = try await fixture.service.createDirectory(organizationId: paid.id, name: "Okta", identityProvider: .okta, caller: .operatorCLI)
            #expect(okta.directory.kind == .identityProvider)
            #expect(okta.scimBaseURL == "https://roster.test/scim/directory/\(okta.directory.id)")
            #expect(okta.apiKey?.hasPrefix("rsk_") == true)
            // SSO-only providers get no SCIM key.
            let adfs = try await fixture.service.createDirectory(organizationId: paid.id, name: "AD FS", identityProvider: .adfs, caller: .operatorCLI)
            #expect(adfs.apiKey == nil && adfs.scimBaseURL == nil)
            // Names are unique per organization, case-insensitively.
            let duplicate = await #expect(throws: DirectoryError.self) {
                try await fixture.service.createDirectory(organizationId: paid.id, name: "okta", identityProvider: .entraId, caller: .operatorCLI)
            }
            #expect(duplicate?.code == .alreadyExists)
        }
    }

    @Test("one portal-customer identity provider per Jira Service Management site", arguments: TestDatabaseKind.available)
    func portalDirectoryRule(kind: TestDatabaseKind) async throws {
        try await TestDatabase.with(kind) { database in
            let fixture = Fixture(database)
            let organization = try await fixture.organization(plan: .free)
            let site = try await fixture.service.addSite(organizationId: organization.id, name: "acme", caller: .operatorCLI)
            let noJSM = await #expect(throws: DirectoryError.self) {
                try await fixture.service.createDirectory(
                    organizationId: organization.id, name: "Customers", identityProvider: .okta, portalSiteId: site.id, caller: .operatorCLI
                )
            }
            #expect(noJSM?.code == .invalidInput)
            _ = try await fixture.service.addProduct(siteId: site.id, product: .jiraServiceManagement, caller: .operatorCLI)
            let portal = try await fixture.service.createDirectory(
                organizationId: organization.id, name: "Customers", identityProvider: .okta, portalSiteId: site.id, caller: .operatorCLI
            )
            #expect(portal.directory.kind == .portalCustomers)
            #expect(portal.directory.portalSiteId == site.id)
            let second = await #expect(throws: DirectoryError.self) {
                try await fixture.service.createDirectory(
                    organizationId: organization.id, name: "More customers", identityProvider: .auth0, portalSiteId: site.id, caller: .operatorCLI
                )
            }
            #expect(second?.code == .portalDirectoryExists)
        }
    }

    @Test("an email change keeps the identity, groups and access", arguments: TestDatabaseKind.available)
    func emailChangeKeepsIdentity(kind: TestDatabaseKind) async throws {
        try await TestDatabase.with(kind) { database in
            let fixture = Fixture(database)
            let service = fixture.service
            let organization = try await fixture.organization()
            let local = try await fixture.localDirectory(organization)
            let site = try await service.addSite(organizationId: organization.id, name: "acme", caller: .operatorCLI)
            let jira = try await service.addProduct(siteId: site.id, product: .jiraSoftware, caller: .operatorCLI)
            let user = try await service.createUser(
                directoryId: local.id,
                draft: UserDraft(userName: "dana", emails: [.init(value: "dana@old.example", primary: true)]),
                caller: .operatorCLI
            )
            let group = try await service.createGroup(directoryId: local.id, displayName: "Engineering", caller: .operatorCLI)
            try await service.addMember(groupId: group.id, member: .user, memberId: user.id, caller: .operatorCLI)
            _ = try await service.grantAccess(principal: .group(group.id), productId: jira.id, role: .user, caller: .operatorCLI)

            var draft = UserDraft(user)
            draft.emails = [.init(value: "dana@new.example", primary: true)]
            let changed = try await service.replaceUser(id: user.id, draft: draft, caller: .operatorCLI)
            #expect(changed.id == user.id)
            #expect(changed.version == user.version + 1)
            #expect(changed.primaryEmail == "dana@new.example")
            #expect(try await database.store.read { try await $0.groups(memberId: user.id) }.map(\.id) == [group.id])
            #expect(try await service.effectiveAccess(userId: user.id, caller: .operatorCLI).map(\.productId) == [jira.id])
            // The email index follows the change.
            #expect(try await database.store.read { try await $0.users(organizationId: organization.id, email: "DANA@new.example") }.map(\.id) == [user.id])
            #expect(try await database.store.read { try await $0.users(organizationId: organization.id, email: "dana@old.example") }.isEmpty)
        }
    }

    @Test("access flows through nested groups; cycles are refused; deactivation removes it", arguments: TestDatabaseKind.available)
    func nestedGroupAccess(kind: TestDatabaseKind) async throws {
        try await TestDatabase.with(kind) { database in
            let fixture = Fixture(database)
            let service = fixture.service
            let organization = try await fixture.organization()
            let local = try await fixture.localDirectory(organization)
            let site = try await service.addSite(organizationId: organization.id, name: "acme", caller: .operatorCLI)
            let confluence = try await service.addProduct(siteId: site.id, product: .confluence, caller: .operatorCLI)
            let user = try await service.createUser(directoryId: local.id, draft: UserDraft(userName: "erin"), caller: .operatorCLI)
            let outer = try await service.createGroup(directoryId: local.id, displayName: "Everyone", caller: .operatorCLI)
            let inner = try await service.createGroup(directoryId: local.id, displayName: "Writers", caller: .operatorCLI)
            try await service.addMember(groupId: outer.id, member: .group, memberId: inner.id, caller: .operatorCLI)
            try await service.addMember(groupId: inner.id, member: .user, memberId: user.id, caller: .operatorCLI)
            _ = try await service.grantAccess(principal: .group(outer.id), productId: confluence.id, role: .user, caller: .operatorCLI)
            _ = try await service.grantAccess(principal: .group(inner.id), productId: confluence.id, role: .admin, caller: .operatorCLI)

            let access = try await service.effectiveAccess(userId: user.id, caller: .operatorCLI)
            #expect(access == [EffectiveAccess(userId: user.id, siteId: site.id, productId: confluence.id, role: .admin)])
            #expect(try await service.users(siteId: site.id, page: PageRequest(), caller: .operatorCLI).items.map(\.id) == [user.id])

            let cycle = await #expect(throws: DirectoryError.self) {
                try await service.addMember(groupId: inner.id, member: .group, memberId: outer.id, caller: .operatorCLI)
            }
            #expect(cycle?.code == .invalidInput)
            let selfCycle = await #expect(throws: DirectoryError.self) {
                try await service.addMember(groupId: inner.id, member: .group, memberId: inner.id, caller: .operatorCLI)
            }
            #expect(selfCycle?.code == .invalidInput)

            var draft = UserDraft(user)
            draft.active = false
            _ = try await service.replaceUser(id: user.id, draft: draft, caller: .operatorCLI)
            #expect(try await service.effectiveAccess(userId: user.id, caller: .operatorCLI).isEmpty)
        }
    }
}
