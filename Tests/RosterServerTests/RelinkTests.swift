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
