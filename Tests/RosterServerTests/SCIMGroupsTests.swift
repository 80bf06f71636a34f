import Directory
import Foundation
import HTTPTypes
import RosterTestSupport
import SCIM
import Testing

@Suite("SCIM Groups and Bulk over HTTP")
struct SCIMGroupsTests {
    @Test("groups hold users and groups; a user's groups are derived, nested ones as indirect", arguments: TestDatabaseKind.available)
    func membership(kind: TestDatabaseKind) async throws {
        try await SCIMFixture.with(kind) { scim in
            let alice = try await scim.createUser("alice@example.com")
            let bob = try await scim.createUser("bob@example.com")
            let inner = try await scim.createGroup("Writers", members: [alice])
            let outer = try await scim.send(.post, "/Groups", json: #"""
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Everyone","externalId":"ext-1",
                 "members":[{"value":"\#(inner)","type":"Group"},{"value":"\#(bob)"}]}
                """#)
            #expect(outer.status == .created, "\(outer.text)")
            let outerId = try #require(outer.json["id"] as? String)
            let members = (outer.json["members"] as? [[String: Any]] ?? []).map { "\($0["value"]!)/\($0["type"]!)" }
            #expect(Set(members) == ["\(inner)/Group", "\(bob)/User"])

            let groups = try await scim.send(.get, "/Users/\(alice)").json["groups"] as? [[String: Any]] ?? []
            #expect(Set(groups.map { "\($0["display"]!)/\($0["type"]!)" }) == ["Writers/direct", "Everyone/indirect"])
            // groups is read-only.
            let refused = try await scim.patch("/Users/\(alice)", #"[{"op":"add","path":"groups","value":[{"value":"\#(outerId)"}]}]"#)
            #expect(refused.status == .badRequest && refused.scimType == "mutability")

            // A cycle is refused.
            let cycle = try await scim.patch("/Groups/\(inner)", #"[{"op":"add","path":"members","value":[{"value":"\#(outerId)"}]}]"#)
            #expect(cycle.status == .badRequest)
            // Unknown members are refused and nothing changes.
            let unknown = try await scim.patch("/Groups/\(inner)", #"[{"op":"add","path":"members","value":[{"value":"\#(bob)"},{"value":"ghost"}]}]"#)
            #expect(unknown.status == .badRequest)
            #expect((try await scim.send(.get, "/Groups/\(inner)").json["members"] as? [[String: Any]])?.count == 1)

            #expect(try await scim.send(.get, "/Groups?filter=displayName%20eq%20%22writers%22&excludedAttributes=members").ids == [inner])
            #expect(try await scim.send(.get, "/Groups?filter=members%20eq%20%22\(bob)%22").ids == [outerId])
            #expect(try await scim.send(.get, "/Groups?filter=externalId%20eq%20%22ext-1%22").ids == [outerId])
            let excluded = try await scim.send(.get, "/Groups/\(outerId)?excludedAttributes=members")
            #expect(excluded.json["members"] == nil && excluded.json["displayName"] as? String == "Everyone")

            // Group names are not unique in SCIM (Entra ID has groups of one name).
            let sameName = try await scim.send(.post, "/Groups", json: #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"WRITERS"}"#)
            #expect(sameName.status == .created)

            #expect(try await scim.send(.delete, "/Groups/\(inner)").status == .noContent)
            let after = try await scim.send(.get, "/Users/\(alice)").json["groups"]
            #expect(after == nil)
        }
    }

    @Test("Okta: PUT replaces the member list by difference; PATCH pushes 256 members and renames", arguments: TestDatabaseKind.available)
    func oktaGroupPush(kind: TestDatabaseKind) async throws {
        try await SCIMFixture.with(kind) { scim in
            var users: [String] = []
            for index in 0..<300 { users.append(try await scim.createUser("u\(index)@example.com")) }
            let group = try await scim.createGroup("Push", members: Array(users[0..<10]))
            let batch = users[10..<266].map { #"{"value":"\#($0)","display":"x"}"# }.joined(separator: ",")
            let patched = try await scim.patch("/Groups/\(group)", #"""
                [{"op":"replace","value":{"id":"\#(group)","displayName":"Pushed"}},{"op":"add","path":"members","value":[\#(batch)]}]
                """#)
            #expect(patched.status == .ok, "\(patched.text)")
            #expect(patched.json["displayName"] as? String == "Pushed")
            let total = try await scim.service.store.read { try await $0.members(groupId: group, page: PageRequest(limit: 1)) }.total
            #expect(total == 266)

            let replacement = (users[200..<300]).map { #"{"value":"\#($0)"}"# }.joined(separator: ",")
            let put = try await scim.send(.put, "/Groups/\(group)", json: #"""
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Pushed","members":[\#(replacement)]}
                """#)
            #expect(put.status == .ok, "\(put.text)")
            let members = try await scim.service.store.read { try await $0.members(groupId: group, page: PageRequest(limit: 1000)) }
            #expect(Set(members.items.map(\.memberId)) == Set(users[200..<300]))

            // Entra ID removes with a value array and with a filter.
            let removed = try await scim.patch("/Groups/\(group)", #"""
                [{"op":"Remove","path":"members","value":[{"value":"\#(users[200])"},{"value":"\#(users[201])"}]},
                 {"op":"remove","path":"members[value eq \"\#(users[202])\"]"}]
                """#)
            #expect(removed.status == .ok)
            #expect(try await scim.service.store.read { try await $0.members(groupId: group, page: PageRequest(limit: 1)) }.total == 97)
            // Events: one per member added or removed.
            let events = try await scim.service.store.read {
                try await $0.events(organizationId: scim.organization.id, afterSequence: nil, limit: 1000)
            }
            #expect(events.filter { $0.type == "group.member_removed" }.count >= 3)
        }
    }

    @Test("Bulk: bulkId references in any order, failOnErrors, and the advertised limits", arguments: TestDatabaseKind.available)
    func bulk(kind: TestDatabaseKind) async throws {
        try await SCIMFixture.with(kind) { scim in
            let response = try await scim.send(.post, "/Bulk", json: #"""
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[
                  {"method":"POST","path":"/Groups","bulkId":"g","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],
                    "displayName":"Bulk","members":[{"value":"bulkId:u1","type":"User"}]}},
                  {"method":"POST","path":"/Users","bulkId":"u1","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bulk1@example.com"}},
                  {"method":"PATCH","path":"/Users/bulkId:u1","data":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                    "Operations":[{"op":"replace","path":"title","value":"Bulked"}]}},
                  {"method":"POST","path":"/Users","bulkId":"dup","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bulk1@example.com"}}
                ]}
                """#)
            #expect(response.status == .ok, "\(response.text)")
            let operations = response.json["Operations"] as? [[String: Any]] ?? []
            #expect(operations.map { $0["status"] as? String } == ["201", "201", "200", "409"])
            #expect((operations[3]["response"] as? [String: Any])?["scimType"] as? String == "uniqueness")
            let groupId = try #require((operations[0]["location"] as? String)?.split(separator: "/").last.map(String.init))
            let userId = try #require((operations[1]["location"] as? String)?.split(separator: "/").last.map(String.init))
            let group = try await scim.send(.get, "/Groups/\(groupId)")
            #expect((group.json["members"] as? [[String: Any]])?.first?["value"] as? String == userId)
            #expect(try await scim.send(.get, "/Users/\(userId)").json["title"] as? String == "Bulked")

            let stopping = try await scim.send(.post, "/Bulk", json: #"""
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"failOnErrors":1,"Operations":[
                  {"method":"DELETE","path":"/Users/ghost"},
                  {"method":"POST","path":"/Users","bulkId":"never","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"never@example.com"}}
                ]}
                """#)
            #expect((stopping.json["Operations"] as? [[String: Any]])?.map { $0["status"] as? String } == ["404"])
            #expect(try await scim.send(.get, "/Users?filter=userName%20eq%20%22never%40example.com%22").json["totalResults"] as? Int == 0)

            let tooMany = (0...SCIMBulkLimits.maximumOperations).map { _ in #"{"method":"DELETE","path":"/Users/x"}"# }.joined(separator: ",")
            let refused = try await scim.send(.post, "/Bulk", json: #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[\#(tooMany)]}"#)
            #expect(refused.status == .contentTooLarge)
            let config = try await scim.send(.get, "/ServiceProviderConfig")
            #expect((config.json["bulk"] as? [String: Any])?["maxOperations"] as? Int == SCIMBulkLimits.maximumOperations)
        }
    }

    @Test("discovery endpoints describe the schemas", arguments: [TestDatabaseKind.sqlite])
    func discovery(kind: TestDatabaseKind) async throws {
        try await SCIMFixture.with(kind) { scim in
            let schemas = try await scim.send(.get, "/Schemas")
            #expect(Set(schemas.ids) == Set(CoreSchemas.all.map(\.id)))
            let user = try await scim.send(.get, "/Schemas/\(SCIMSchemaURN.user)")
            let attributes = user.json["attributes"] as? [[String: Any]] ?? []
            #expect(attributes.first { $0["name"] as? String == "password" }?["returned"] as? String == "never")
            let types = try await scim.send(.get, "/ResourceTypes")
            #expect(Set(types.ids) == ["User", "Group"])
            #expect(try await scim.send(.get, "/ResourceTypes/User").json["endpoint"] as? String == "/Users")
            #expect(try await scim.send(.get, "/Schemas/urn:nope").status == .notFound)
        }
    }

    @Test("every request lands in the troubleshooting log, without the token", arguments: TestDatabaseKind.available)
    func troubleshootingLog(kind: TestDatabaseKind) async throws {
        try await SCIMFixture.with(kind) { scim in
            let id = try await scim.createUser("logged@example.com")
            _ = try await scim.send(.post, "/Users", json: #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"logged@example.com"}"#)
            _ = try await scim.send(.get, "/Users", token: "rsk_000000000000_wrongwrongwrongwrongwrongwrongwrongwrong")
            let log = try await scim.api.send(.get, "/api/v1/directories/\(scim.directoryId)/provisioning-log", token: scim.adminToken)
            #expect(log.status == .ok)
            let items = log.json["items"] as? [[String: Any]] ?? []
            #expect(items.count == 3)
            #expect(items.map { $0["status"] as? Int } == [401, 409, 201])
            #expect(items[1]["scimType"] as? String == "uniqueness")
            #expect(items[2]["resourceId"] as? String == id && items[2]["resourceType"] as? String == "User")
            #expect(items.allSatisfy { ($0["durationMilliseconds"] as? Int ?? -1) >= 0 })
            #expect(!log.text.contains(scim.key) && !log.text.contains("wrongwrong"))
            let failures = try await scim.api.send(.get, "/api/v1/directories/\(scim.directoryId)/provisioning-log?failures=true", token: scim.adminToken)
            #expect((failures.json["items"] as? [[String: Any]])?.count == 2)
            // Pruning by age.
            #expect(try await scim.service.pruneProvisioningLog(olderThan: -60) == 3)
        }
    }
}

enum SCIMBulkLimits {
    static let maximumOperations = 1_000
}

@Suite("SCIM .search over HTTP")
struct SCIMSearchTests {
    @Test("POST .search per type and across types, with attributes", arguments: [TestDatabaseKind.sqlite])
    func search(kind: TestDatabaseKind) async throws {
        try await SCIMFixture.with(kind) { scim in
            let alice = try await scim.createUser("alice@example.com", extra: #","displayName":"Alice""#)
            _ = try await scim.createUser("bob@example.com")
            let group = try await scim.createGroup("Alpha", members: [alice])
            let users = try await scim.send(.post, "/Users/.search", json: #"""
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"userName sw \"ali\"","attributes":["userName"]}
                """#)
            #expect(users.status == .ok)
            #expect(users.ids == [alice])
            #expect(Set(users.resources.first?.keys.map { $0 } ?? []) == ["schemas", "id", "userName"])
            let all = try await scim.send(.post, "/.search", json: #"""
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"attributes":["displayName"],"count":10}
                """#)
            #expect(all.status == .ok)
            #expect(all.json["totalResults"] as? Int == 3)
            #expect(all.ids.count == 3 && Set(all.ids).isSuperset(of: [alice, group]))
            #expect(all.resources.first { $0["id"] as? String == group }?["displayName"] as? String == "Alpha")
            let paged = try await scim.send(.post, "/.search", json: #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"startIndex":3,"count":5}"#)
            #expect(paged.ids == [group])
            let bad = try await scim.send(.post, "/Users/.search", json: #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"userName eq"}"#)
            #expect(bad.status == .badRequest && bad.scimType == "invalidFilter")
            let noSchema = try await scim.send(.post, "/Users/.search", json: #"{"filter":"userName pr"}"#)
            #expect(noSchema.status == .badRequest)
            let unknownEndpoint = try await scim.send(.get, "/Widgets")
            #expect(unknownEndpoint.status == .notFound && unknownEndpoint.json["schemas"] as? [String] == [SCIMSchemaURN.error])
            #expect(try await scim.send(.delete, "/Schemas").status == .methodNotAllowed)
        }
    }
}

@Suite("SCIM at size: review regressions")
struct SCIMSizeTests {
    @Test("large groups: write responses leave members out instead of cutting them; PUT takes any size; clearing writes one event per member", arguments: TestDatabaseKind.available)
    func largeGroups(kind: TestDatabaseKind) async throws {
        try await SCIMFixture.with(kind) { scim in
            // Users seeded straight into the store in one transaction, so the test stays quick.
            let directoryId = scim.directoryId
            let ids = try await scim.service.store.write { tx in
                var ids: [String] = []
                for index in 0..<12_050 {
                    let now = Date()
                    let user = User(id: UUID().uuidString.lowercased(), directoryId: directoryId, userName: "m\(index)@example.com",
                                    created: now, lastModified: now)
                    try await tx.insert(user)
                    ids.append(user.id)
                }
                return ids
            }
            let group = try await scim.createGroup("Big")
            // PUT with 12,050 members: more than a PATCH may carry, accepted whole.
            let list = ids.map { #"{"value":"\#($0)"}"# }.joined(separator: ",")
            let put = try await scim.send(.put, "/Groups/\(group)", json: #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Big","members":[\#(list)]}"#)
            #expect(put.status == .ok, "\(put.text.prefix(300))")
            #expect(put.json["members"] == nil, "over 1,000 members are left out of a write response, not cut")
            let count = { try await scim.service.store.read { try await $0.members(groupId: group, page: PageRequest(limit: 1)) }.total }
            #expect(try await count() == 12_050)
            // A GET streams every member.
            let full = try await scim.send(.get, "/Groups/\(group)")
            #expect((full.json["members"] as? [[String: Any]])?.count == 12_050)
            // Deleting a member moves the group's version: no stale 304.
            let etag = try #require(full.headers[.eTag])
            #expect(try await scim.send(.delete, "/Users/\(ids[0])").status == .noContent)
            #expect(try await scim.send(.get, "/Groups/\(group)?excludedAttributes=members", headers: [.ifNoneMatch: etag]).status == .ok)
            // Clearing the group writes one event per member, in SQL.
            let before = try await scim.service.store.read {
                try await $0.events(organizationId: scim.organization.id, afterSequence: nil, limit: 1)
            }.count
            _ = before
            let cleared = try await scim.patch("/Groups/\(group)", #"[{"op":"remove","path":"members"}]"#)
            #expect(cleared.status == .ok)
            #expect(try await count() == 0)
            let removedEvents = try await scim.service.store.read { reader in
                var total = 0
                var after: Int64?
                while true {
                    let page = try await reader.events(organizationId: scim.organization.id, afterSequence: after, limit: 1000)
                    total += page.filter { $0.type == "group.member_removed" && $0.subjectId == group }.count
                    guard let last = page.last?.sequence, page.count == 1000 else { break }
                    after = last
                }
                return total
            }
            // 12,049 from the clear, and one when the deleted user left the group.
            #expect(removedEvents == 12_050)
        }
    }

    @Test("writes Roster cannot keep are errors, not ignored", arguments: [TestDatabaseKind.sqlite])
    func refusedWrites(kind: TestDatabaseKind) async throws {
        try await SCIMFixture.with(kind) { scim in
            let id = try await scim.createUser("pw@example.com", extra: #","emails":[{"value":"pw@example.com","type":"work","primary":true}]"#)
            // A password is kept as an scrypt hash and never returned.
            let password = try await scim.patch("/Users/\(id)", #"[{"op":"replace","path":"password","value":"hunter2!"}]"#)
            #expect(password.status == .ok && !password.text.contains("hunter2") && password.json["password"] == nil)
            let stored = try #require(try await scim.service.store.read { try await $0.user(id: id) }?.passwordHash)
            #expect(stored.hasPrefix("scrypt$") && PasswordHash.verify("hunter2!", against: stored) && !PasswordHash.verify("hunter2", against: stored))
            let valueless = try await scim.patch("/Users/\(id)", #"[{"op":"add","path":"emails","value":[{"type":"home","display":"x"}]}]"#)
            #expect(valueless.status == .badRequest && valueless.scimType == "invalidValue")
            let upsertWithoutValue = try await scim.patch("/Users/\(id)", #"[{"op":"add","path":"emails[type eq \"home\"].primary","value":true}]"#)
            #expect(upsertWithoutValue.status == .badRequest)
            let after = try await scim.send(.get, "/Users/\(id)")
            #expect((after.json["emails"] as? [[String: Any]])?.first?["primary"] as? Bool == true)
            #expect(after.headers[.eTag] == #"W/"2""#)
        }
    }
}
