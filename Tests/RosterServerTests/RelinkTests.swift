import Directory
import Foundation
import HTTPTypes
import RosterTestSupport
import Testing

@Suite("Unlinked provisioning records: list and relink")
struct RelinkTests {
    @Test("an account an admin deletes leaves the IdP's record unlinked; relinking gives another account that SCIM id, with its groups and access", arguments: TestDatabaseKind.available)
    func deleteThenRelink(kind: TestDatabaseKind) async throws {
        try await SCIMFixture.with(kind) { scim in
            let org = scim.organization.id
            let scimId = try await scim.createUser("ada@acme.com", extra: #","externalId":"okta-ada""#)
            let local = try #require(try await scim.service.directories(organizationId: org, caller: .operatorCLI).first { $0.kind == .local })
            // The person's older local account, with a group and product access of its own.
            let existing = try await scim.service.createUser(
                directoryId: local.id, draft: UserDraft(userName: "ada.lovelace", emails: [User.Email(value: "ada@acme.com", primary: true)]),
                caller: .operatorCLI
            )
            let site = try await scim.service.addSite(organizationId: org, name: "acme", caller: .operatorCLI)
            let product = try await scim.service.addProduct(siteId: site.id, product: .confluence, caller: .operatorCLI)
            let group = try await scim.service.createGroup(directoryId: local.id, displayName: "Writers", caller: .operatorCLI)
            try await scim.service.addMember(groupId: group.id, member: .user, memberId: existing.id, caller: .operatorCLI)
            _ = try await scim.service.grantAccess(principal: .group(group.id), productId: product.id, role: .user, caller: .operatorCLI)

            // An admin deletes the provisioned account: the IdP's record now reaches nothing.
            #expect(try await scim.api.send(.delete, "/api/v1/users/\(scimId)", token: scim.adminToken).status == .noContent)
            #expect(try await scim.send(.get, "/Users/\(scimId)").status == .notFound)
            let listed = try await scim.api.send(.get, "/api/v1/directories/\(scim.directoryId)/unlinked-records", token: scim.adminToken)
            let items = try #require(listed.json["items"] as? [[String: Any]])
            #expect(items.count == 1)
            #expect(items.first?["scimId"] as? String == scimId)
            #expect(items.first?["externalId"] as? String == "okta-ada")
            #expect(items.first?["reason"] as? String == "account deleted by an admin")

            // Refusals change nothing.
            #expect(try await scim.api.send(.post, "/api/v1/directories/\(scim.directoryId)/unlinked-records/nope/relink", token: scim.adminToken,
                                            json: #"{"userId":"\#(existing.id)"}"#).status == .notFound)
            #expect(try await scim.api.send(.post, "/api/v1/directories/\(scim.directoryId)/unlinked-records/\(scimId)/relink", token: scim.adminToken,
                                            json: #"{"userId":"nobody"}"#).status == .notFound)

            let relinked = try await scim.api.send(.post, "/api/v1/directories/\(scim.directoryId)/unlinked-records/\(scimId)/relink",
                                                   token: scim.adminToken, json: #"{"userId":"\#(existing.id)"}"#)
            #expect(relinked.status == .ok, "\(relinked.text)")
            #expect(relinked.string("id") == scimId)
            #expect(relinked.string("directoryId") == scim.directoryId)
            // The IdP's next request reaches the account, which kept its group and access.
            let fetched = try await scim.send(.get, "/Users/\(scimId)")
            #expect(fetched.status == .ok)
            #expect(fetched.json["userName"] as? String == "ada@acme.com")
            #expect(fetched.json["externalId"] as? String == "okta-ada")
            let members = try await scim.service.members(groupId: group.id, page: PageRequest(), caller: .operatorCLI)
            #expect(members.items.map(\.memberId) == [scimId])
            #expect(try await scim.service.effectiveAccess(userId: scimId, caller: .operatorCLI).map(\.productId) == [product.id])
            #expect(try await scim.service.store.read { try await $0.user(id: existing.id) } == nil)
            #expect(try await scim.api.send(.get, "/api/v1/directories/\(scim.directoryId)/unlinked-records", token: scim.adminToken)
                .json["total"] as? Int == 0)
            let patched = try await scim.patch("/Users/\(scimId)", #"[{"op":"replace","path":"displayName","value":"Ada Lovelace"}]"#)
            #expect(patched.status == .ok)
            // Products learn the new id from the event.
            let events = try await scim.service.store.read { try await $0.events(organizationId: org, afterSequence: nil, limit: 500) }
            let event = try #require(events.last { $0.type == "user.relinked" })
            #expect(event.subjectId == scimId)
            #expect(event.payload["previousId"] == .string(existing.id))
        }
    }

    @Test("unlinking keeps the account (new id, local directory); relinking it back restores the IdP's hold; other IdPs' accounts are refused", arguments: TestDatabaseKind.available)
    func unlinkThenRelink(kind: TestDatabaseKind) async throws {
        try await SCIMFixture.with(kind) { scim in
            let org = scim.organization.id
            let scimId = try await scim.createUser("grace@acme.com", extra: #","externalId":"okta-grace""#)
            let unlinked = try await scim.api.send(.post, "/api/v1/users/\(scimId)/unlink", token: scim.adminToken)
            #expect(unlinked.status == .ok, "\(unlinked.text)")
            let newId = try #require(unlinked.string("id"))
            #expect(newId != scimId)
            let local = try #require(try await scim.service.directories(organizationId: org, caller: .operatorCLI).first { $0.kind == .local })
            #expect(unlinked.string("directoryId") == local.id)
            #expect(try await scim.send(.get, "/Users/\(scimId)").status == .notFound)
            let listed = try await scim.api.send(.get, "/api/v1/directories/\(scim.directoryId)/unlinked-records", token: scim.adminToken)
            let record = try #require((listed.json["items"] as? [[String: Any]])?.first)
            #expect(record["formerAccountId"] as? String == newId)
            #expect(record["reason"] as? String == "unlinked by an admin")

            // An account another IdP provisions is not relinked here.
            let other = try await scim.service.createDirectory(organizationId: org, name: "Entra", identityProvider: .entraId, caller: .operatorCLI)
            let otherKey = try #require(other.apiKey)
            let foreign = try await scim.api.send(.post, "/scim/directory/\(other.directory.id)/Users", token: otherKey,
                                                  json: #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"linus@acme.com"}"#)
            let foreignId = try #require(foreign.string("id"))
            #expect(try await scim.api.send(.post, "/api/v1/directories/\(scim.directoryId)/unlinked-records/\(scimId)/relink", token: scim.adminToken,
                                            json: #"{"userId":"\#(foreignId)"}"#).status == .conflict)

            let back = try await scim.api.send(.post, "/api/v1/directories/\(scim.directoryId)/unlinked-records/\(scimId)/relink", token: scim.adminToken,
                                               json: #"{"userId":"\#(newId)"}"#)
            #expect(back.status == .ok, "\(back.text)")
            #expect(try await scim.send(.get, "/Users/\(scimId)").json["externalId"] as? String == "okta-grace")
        }
    }

    @Test("the IdP creating the person again retires the unlinked record", arguments: TestDatabaseKind.available)
    func recreationRetiresRecord(kind: TestDatabaseKind) async throws {
        try await SCIMFixture.with(kind) { scim in
            let scimId = try await scim.createUser("hedy@acme.com", extra: #","externalId":"okta-hedy""#)
            #expect(try await scim.api.send(.delete, "/api/v1/users/\(scimId)", token: scim.adminToken).status == .noContent)
            #expect(try await scim.api.send(.get, "/api/v1/directories/\(scim.directoryId)/unlinked-records", token: scim.adminToken).json["total"] as? Int == 1)
            let again = try await scim.createUser("hedy@acme.com", extra: #","externalId":"okta-hedy""#)
            #expect(again != scimId)
            #expect(try await scim.api.send(.get, "/api/v1/directories/\(scim.directoryId)/unlinked-records", token: scim.adminToken).json["total"] as? Int == 0)
        }
    }
}

@Suite("Unlinked provisioning records: the IdP's groups, active state, refusals")
struct RelinkRulesTests {
    func relink(_ scim: SCIMFixture, _ record: String, to userId: String, token: String? = nil) async throws -> APIResponse {
        try await scim.api.send(.post, "/api/v1/directories/\(scim.directoryId)/unlinked-records/\(record)/relink", token: token ?? scim.adminToken,
                                json: #"{"userId":"\#(userId)"}"#)
    }

    @Test("unlinking takes the account out of the IdP's groups (and their access); the IdP creating the person again makes a separate account; relinking restores the groups", arguments: TestDatabaseKind.available)
    func unlinkLeavesSyncedGroups(kind: TestDatabaseKind) async throws {
        try await SCIMFixture.with(kind) { scim in
            let org = scim.organization.id
            let service = scim.service
            let local = try #require(try await service.directories(organizationId: org, caller: .operatorCLI).first { $0.kind == .local })
            // A local account that linking by email (verified domain) turns into the IdP's kim.
            let domain = try await service.claimDomain(organizationId: org, name: "acme.com", caller: .operatorCLI)
            try await service.store.write { tx in
                var verified = domain
                verified.verifiedAt = Date()
                try await tx.update(verified)
            }
            let wrong = try await service.createUser(
                directoryId: local.id, draft: UserDraft(userName: "kim.other", emails: [User.Email(value: "kim@acme.com", primary: true)]), caller: .operatorCLI
            )
            let kim = try await scim.createUser("kim@acme.com", extra: #","externalId":"okta-kim","emails":[{"value":"kim@acme.com","primary":true}]"#)
            #expect(kim == wrong.id)
            let site = try await service.addSite(organizationId: org, name: "acme", caller: .operatorCLI)
            let product = try await service.addProduct(siteId: site.id, product: .confluence, caller: .operatorCLI)
            let group = try await scim.createGroup("Writers", members: [kim])
            _ = try await service.grantAccess(principal: .group(group), productId: product.id, role: .user, caller: .operatorCLI)
            #expect(try await service.effectiveAccess(userId: kim, caller: .operatorCLI).count == 1)

            let unlinked = try await scim.api.send(.post, "/api/v1/users/\(kim)/unlink", token: scim.adminToken)
            let movedId = try #require(unlinked.string("id"))
            #expect(try await service.effectiveAccess(userId: movedId, caller: .operatorCLI).isEmpty)
            #expect(try await service.members(groupId: group, page: PageRequest(), caller: .operatorCLI).items.isEmpty)

            // The IdP gets 404 and creates kim again: a new account, not the unlinked one found again by email.
            let again = try await scim.createUser("kim@acme.com", extra: #","externalId":"okta-kim","emails":[{"value":"kim@acme.com","primary":true}]"#)
            #expect(again != movedId)
            #expect(try await service.user(id: movedId, caller: .operatorCLI).directoryId == local.id)
            #expect(try await scim.api.send(.get, "/api/v1/directories/\(scim.directoryId)/unlinked-records", token: scim.adminToken).json["total"] as? Int == 0)
        }
    }

    @Test("relinking keeps the IdP's active state and puts the account back in the IdP's groups", arguments: TestDatabaseKind.available)
    func relinkKeepsStateAndGroups(kind: TestDatabaseKind) async throws {
        try await SCIMFixture.with(kind) { scim in
            let org = scim.organization.id
            let service = scim.service
            let local = try #require(try await service.directories(organizationId: org, caller: .operatorCLI).first { $0.kind == .local })
            let jack = try await scim.createUser("jack@acme.com", extra: #","externalId":"okta-jack""#)
            let carol = try await scim.createUser("carol@acme.com", extra: #","externalId":"okta-carol""#)
            let group = try await scim.createGroup("Engineers", members: [jack])
            #expect(try await scim.patch("/Users/\(carol)", #"[{"op":"replace","path":"active","value":false}]"#).status == .ok)
            for id in [jack, carol] { #expect(try await scim.api.send(.delete, "/api/v1/users/\(id)", token: scim.adminToken).status == .noContent) }
            let jackLocal = try await service.createUser(directoryId: local.id, draft: UserDraft(userName: "jack"), caller: .operatorCLI)
            let carolLocal = try await service.createUser(directoryId: local.id, draft: UserDraft(userName: "carol"), caller: .operatorCLI)
            #expect(try await relink(scim, jack, to: jackLocal.id).status == .ok)
            #expect(try await service.members(groupId: group, page: PageRequest(), caller: .operatorCLI).items.map(\.memberId) == [jack])
            let relinkedCarol = try await relink(scim, carol, to: carolLocal.id)
            #expect(relinkedCarol.status == .ok)
            #expect(relinkedCarol.json["active"] as? Bool == false)
            #expect(try await scim.send(.get, "/Users/\(carol)").json["active"] as? Bool == false)
        }
    }

    @Test("relinking refuses: twice, another IdP's account (even deprovisioned), a portal customer, another organization's account, a taken userName, a site admin", arguments: TestDatabaseKind.available)
    func refusals(kind: TestDatabaseKind) async throws {
        try await SCIMFixture.with(kind) { scim in
            let org = scim.organization.id
            let service = scim.service
            let local = try #require(try await service.directories(organizationId: org, caller: .operatorCLI).first { $0.kind == .local })
            let record = try await scim.createUser("ann@acme.com")
            #expect(try await scim.api.send(.delete, "/api/v1/users/\(record)", token: scim.adminToken).status == .noContent)
            let target = try await service.createUser(directoryId: local.id, draft: UserDraft(userName: "ann"), caller: .operatorCLI)

            // Another IdP's account, live or deprovisioned.
            let entra = try await service.createDirectory(organizationId: org, name: "Entra", identityProvider: .entraId, caller: .operatorCLI)
            let entraKey = try #require(entra.apiKey)
            let foreign = try #require(try await scim.api.send(.post, "/scim/directory/\(entra.directory.id)/Users", token: entraKey,
                json: #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bo@acme.com"}"#).string("id"))
            #expect(try await relink(scim, record, to: foreign).status == .conflict)
            #expect(try await scim.api.send(.delete, "/scim/directory/\(entra.directory.id)/Users/\(foreign)", token: entraKey).status == .noContent)
            #expect(try await relink(scim, record, to: foreign).status == .conflict)
            // A live account of this directory has a record of its own.
            let sibling = try await scim.createUser("sib@acme.com")
            #expect(try await relink(scim, record, to: sibling).status == .conflict)
            // A portal customer.
            let site = try await service.addSite(organizationId: org, name: "help", caller: .operatorCLI)
            _ = try await service.addProduct(siteId: site.id, product: .jiraServiceManagement, caller: .operatorCLI)
            let portal = try await service.createDirectory(organizationId: org, name: "Customers", identityProvider: .okta, portalSiteId: site.id, caller: .operatorCLI)
            let customer = try await service.createUser(directoryId: portal.directory.id, draft: UserDraft(userName: "cust@example.com"), caller: .operatorCLI)
            #expect(try await relink(scim, record, to: customer.id).status == .unprocessableContent)
            // Another organization's account.
            let other = try await service.createOrganization(name: "Other", plan: .guard, caller: .operatorCLI)
            let otherLocal = try #require(try await service.directories(organizationId: other.id, caller: .operatorCLI).first { $0.kind == .local })
            let stranger = try await service.createUser(directoryId: otherLocal.id, draft: UserDraft(userName: "x"), caller: .operatorCLI)
            #expect(try await relink(scim, record, to: stranger.id).status == .notFound)
            // A site admin may not.
            let siteAdmin = try await service.createAdmin(organizationId: org, email: "site@acme.com", roles: [AdminRole(kind: .siteAdmin, siteId: site.id)], caller: .operatorCLI)
            #expect(try await relink(scim, record, to: target.id, token: siteAdmin.value).status == .forbidden)
            // The record's userName taken in the directory by someone else.
            let record2 = try await scim.createUser("zed@acme.com", extra: #","externalId":"okta-zed""#)
            #expect(try await scim.api.send(.delete, "/api/v1/users/\(record2)", token: scim.adminToken).status == .noContent)
            _ = try await scim.createUser("zed@acme.com", extra: #","externalId":"okta-zed-2""#)
            #expect(try await relink(scim, record2, to: target.id).status == .conflict)
            // Nothing of that changed anything: the record relinks once, then is gone.
            #expect(try await relink(scim, record, to: target.id).status == .ok)
            #expect(try await relink(scim, record, to: target.id).status == .notFound)
        }
    }
}
