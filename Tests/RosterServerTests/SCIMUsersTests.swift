import Directory
import Foundation
import HTTPTypes
import RosterTestSupport
import SCIM
import Testing

@Suite("SCIM Users over HTTP")
struct SCIMUsersTests {
    @Test("only this directory's valid key gets in; its last use is recorded", arguments: TestDatabaseKind.available)
    func authentication(kind: TestDatabaseKind) async throws {
        try await SCIMFixture.with(kind) { scim in
            let other = try await scim.service.createDirectory(organizationId: scim.organization.id, name: "Entra", identityProvider: .entraId, caller: .operatorCLI)
            let rotatedAway = try await scim.service.createDirectory(organizationId: scim.organization.id, name: "Rotated", identityProvider: .onelogin, caller: .operatorCLI)
            _ = try await scim.service.rotateApiKey(directoryId: rotatedAway.directory.id, caller: .operatorCLI)
            for token in ["", "nonsense", try #require(other.apiKey), scim.adminToken, scim.key + "x"] {
                let response = try await scim.send(.get, "/Users", token: token)
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
                #expect(response.headers[.contentType] == "application/scim+json")
                #expect(response.json["schemas"] as? [String] == [SCIMSchemaURN.error])
            }
            // A revoked key of another directory, presented at its own directory, fails too.
            let revoked = try await scim.api.client.execute(
                uri: "/scim/directory/\(rotatedAway.directory.id)/Users", method: .get,
                headers: [.authorization: "Bearer \(try #require(rotatedAway.apiKey))"], body: nil
            )
            #expect(revoked.status == .unauthorized)

            #expect(try await scim.send(.get, "/Users").status == .ok)
            let keys = try await scim.service.apiKeys(directoryId: scim.directoryId, caller: .operatorCLI)
            #expect(keys.first?.lastUsed != nil)
        }
    }

    @Test("create, read, replace, deactivate by PUT (Okta), delete", arguments: TestDatabaseKind.available)
    func lifecycle(kind: TestDatabaseKind) async throws {
        try await SCIMFixture.with(kind) { scim in
            let created = try await scim.send(.post, "/Users", json: #"""
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
                 "userName":"bjensen@example.com","externalId":"00u1","name":{"givenName":"Barbara","familyName":"Jensen"},
                 "emails":[{"value":"bjensen@example.com","type":"work","primary":true}],"password":"never-stored",
                 "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Tour","manager":{"value":"m1"}}}
                """#)
            #expect(created.status == .created)
            #expect(created.headers[.contentType] == "application/scim+json")
            let id = try #require(created.json["id"] as? String)
            #expect(created.headers[.location]?.hasSuffix("/Users/\(id)") == true)
            #expect(created.headers[.eTag] == #"W/"1""#)
            #expect(created.json["password"] == nil)
            #expect(!created.text.contains("never-stored"))

            let read = try await scim.send(.get, "/Users/\(id)")
            #expect(read.status == .ok)
            #expect((read.json[SCIMSchemaURN.enterpriseUser] as? [String: Any])?["department"] as? String == "Tour")
            #expect(((read.json[SCIMSchemaURN.enterpriseUser] as? [String: Any])?["manager"] as? [String: Any])?["value"] as? String == "m1")

            // Okta deactivates with PUT active:false, never DELETE.
            let put = try await scim.send(.put, "/Users/\(id)", json: #"""
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen@example.com","active":false,
                 "name":{"givenName":"Barbara","familyName":"Jensen-Smith"},"emails":[{"value":"barbara@example.com","primary":true}]}
                """#)
            #expect(put.status == .ok)
            #expect(put.json["active"] as? Bool == false)
            #expect(put.json["id"] as? String == id)
            #expect(put.headers[.eTag] == #"W/"2""#)
            #expect(put.json[SCIMSchemaURN.enterpriseUser] == nil)

            #expect(try await scim.send(.delete, "/Users/\(id)").status == .noContent)
            #expect(try await scim.send(.get, "/Users/\(id)").status == .notFound)
            #expect(try await scim.send(.delete, "/Users/\(id)").status == .notFound)
        }
    }

    @Test("a second userName is 409 uniqueness; concurrent POSTs make exactly one user", arguments: TestDatabaseKind.available)
    func uniqueness(kind: TestDatabaseKind) async throws {
        try await SCIMFixture.with(kind) { scim in
            _ = try await scim.createUser("dup@example.com")
            let again = try await scim.send(.post, "/Users", json: #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"DUP@example.com"}"#)
            #expect(again.status == .conflict)
            #expect(again.scimType == "uniqueness")
            // Ten creates at once, through the service (the test client has one connection, which would queue them):
            // one wins, nine get the uniqueness error.
            let key = try await scim.service.authenticateApiKey(directoryId: scim.directoryId, bearer: scim.key)
            let outcomes = await withTaskGroup(of: DirectoryError.Code?.self) { group in
                for _ in 0..<10 {
                    group.addTask {
                        do {
                            _ = try await scim.service.provisionUser(directoryId: scim.directoryId, draft: UserDraft(userName: "race@example.com"), key: key)
                            return nil
                        } catch let error as DirectoryError { return error.code } catch { return .invalidInput }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == nil }.count == 1, "\(outcomes)")
            #expect(outcomes.filter { $0 == .userNameTaken }.count == 9, "\(outcomes)")
            #expect(try await scim.counts().users == 2)
        }
    }

    @Test("filters, sorting, paging and totalResults", arguments: TestDatabaseKind.available)
    func listing(kind: TestDatabaseKind) async throws {
        try await SCIMFixture.with(kind) { scim in
            for index in 0..<25 {
                let active = index % 5 != 0
                _ = try await scim.createUser(String(format: "user%02d@example.com", index), extra: #"""
                    ,"active":\#(active),"displayName":"User \#(index)","title":"\#(index % 2 == 0 ? "Engineer" : "Manager")",
                    "emails":[{"value":"u\#(index)@\#(index < 10 ? "corp" : "example").com","type":"work","primary":true}]
                    """#)
            }
            func list(_ query: String) async throws -> SCIMResponse {
                try await scim.send(.get, "/Users?" + query.addingPercentEncoding(withAllowedCharacters: CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~=&")))!)
            }
            #expect(try await list(#"filter=userName eq "USER07@example.com""#).json["totalResults"] as? Int == 1)
            #expect(try await list(#"filter=active eq false"#).json["totalResults"] as? Int == 5)
            #expect(try await list(#"filter=emails co "@corp.com""#).json["totalResults"] as? Int == 10)
            #expect(try await list(#"filter=emails[type eq "work" and value sw "u1"] and title eq "engineer""#).json["totalResults"] as? Int == 5)
            #expect(try await list(#"filter=not (title pr) or displayName ew "4""#).json["totalResults"] as? Int == 3)
            #expect(try await list(#"filter=meta.lastModified gt "2000-01-01T00:00:00Z""#).json["totalResults"] as? Int == 25)

            let page = try await list("startIndex=11&count=5&sortBy=userName&sortOrder=descending")
            #expect(page.json["totalResults"] as? Int == 25)
            #expect(page.json["startIndex"] as? Int == 11)
            #expect(page.json["itemsPerPage"] as? Int == 5)
            #expect(page.resources.compactMap { $0["userName"] as? String } == (10...14).map { String(format: "user%02d@example.com", 24 - $0) })
            let beyond = try await list("startIndex=1000")
            #expect(beyond.json["totalResults"] as? Int == 25 && beyond.resources.isEmpty)
            #expect(try await list("count=0").resources.isEmpty)
            #expect(try await list("startIndex=-5&count=2").json["startIndex"] as? Int == 1)
            let huge = try await list("count=100000")
            #expect(huge.resources.count == 25)

            for bad in ["startIndex=abc", "count=1e9", "sortOrder=sideways", "sortBy=nope", "filter=userName eq", "filter=' OR '1'='1", "attributes=shoeSize"] {
                let response = try await list(bad)
                #expect(response.status == .badRequest, "\(bad): \(response.text)")
                #expect(response.json["scimType"] != nil, "\(bad)")
            }
        }
    }

    @Test("attributes and excludedAttributes", arguments: [TestDatabaseKind.sqlite])
    func projection(kind: TestDatabaseKind) async throws {
        try await SCIMFixture.with(kind) { scim in
            let id = try await scim.createUser("p@example.com", extra: #","displayName":"P","name":{"givenName":"Pat","familyName":"Q"}"#)
            let only = try await scim.send(.get, "/Users/\(id)?attributes=name.givenName")
            #expect(Set(only.json.keys) == ["schemas", "id", "name"])
            #expect(only.json["name"] as? [String: String] == ["givenName": "Pat"])
            let without = try await scim.send(.get, "/Users/\(id)?excludedAttributes=name,meta,displayName")
            #expect(without.json["name"] == nil && without.json["displayName"] == nil && without.json["id"] as? String == id)
            #expect(without.json["userName"] as? String == "p@example.com")
        }
    }

    @Test("ETags: If-None-Match gives 304; a stale If-Match gives 412 and writes nothing", arguments: TestDatabaseKind.available)
    func etags(kind: TestDatabaseKind) async throws {
        try await SCIMFixture.with(kind) { scim in
            let id = try await scim.createUser("e@example.com")
            #expect(try await scim.send(.get, "/Users/\(id)", headers: [.ifNoneMatch: #"W/"1""#]).status == .notModified)
            #expect(try await scim.send(.get, "/Users/\(id)", headers: [.ifNoneMatch: #"W/"0""#]).status == .ok)
            let ok = try await scim.patch("/Users/\(id)", #"[{"op":"replace","path":"title","value":"A"}]"#, headers: [.ifMatch: #"W/"1""#])
            #expect(ok.status == .ok && ok.headers[.eTag] == #"W/"2""#)
            let stale = try await scim.patch("/Users/\(id)", #"[{"op":"replace","path":"title","value":"B"}]"#, headers: [.ifMatch: #"W/"1""#])
            #expect(stale.status == .preconditionFailed)
            #expect(try await scim.send(.put, "/Users/\(id)", json: #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"e@example.com"}"#,
                                        headers: [.ifMatch: #"W/"7""#]).status == .preconditionFailed)
            #expect(try await scim.send(.delete, "/Users/\(id)", headers: [.ifMatch: #"W/"1""#]).status == .preconditionFailed)
            #expect(try await scim.send(.get, "/Users/\(id)").json["title"] as? String == "A")
        }
    }

    @Test("bad input is a 4xx SCIM error that names the problem, and writes nothing", arguments: TestDatabaseKind.available)
    func badInput(kind: TestDatabaseKind) async throws {
        try await SCIMFixture.with(kind) { scim in
            let id = try await scim.createUser("keep@example.com")
            let core = #""schemas":["urn:ietf:params:scim:schemas:core:2.0:User"]"#
            let cases: [(String, String?, String)] = [
                (#"{"userName":"x""#, "invalidSyntax", "not valid JSON"),
                ("", "invalidSyntax", "empty"),
                ("[1,2]", "invalidSyntax", "must be a JSON object"),
                (#"{\#(core),"userName":42}"#, "invalidValue", "userName must be a string"),
                (#"{\#(core),"userName":"a","active":"yes"}"#, "invalidValue", "active must be a boolean"),
                (#"{\#(core),"userName":"a","emails":"a@b.c"}"#, "invalidValue", "multi-valued"),
                (#"{\#(core),"displayName":"no userName"}"#, "invalidValue", "userName is required"),
                (#"{"schemas":["urn:example:bogus"],"userName":"a"}"#, "invalidValue", "Unknown schema"),
                (#"{"userName":"a"}"#, "invalidValue", "schemas"),
                (#"{\#(core),"userName":"a","emails":[{"value":"not an email"}]}"#, "invalidValue", "not an email address"),
                (String(repeating: "[", count: 5000), "invalidSyntax", "nested"),
            ]
            for (body, scimType, message) in cases {
                let response = try await scim.send(.post, "/Users", json: body)
                #expect(response.status == .badRequest, "\(body.prefix(60)): \(response.text)")
                #expect(response.scimType == scimType, "\(body.prefix(60)): \(response.text)")
                #expect((response.json["detail"] as? String)?.contains(message) == true, "\(body.prefix(60)): \(response.text)")
            }
            let invalidUTF8 = try await scim.sendBytes(.post, "/Users", bytes: Array(#"{"userName":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8))
            #expect(invalidUTF8.status == .badRequest && invalidUTF8.text.contains("UTF-8"))
            let xml = try await scim.sendBytes(.post, "/Users", bytes: Array("<user/>".utf8), contentType: "application/xml")
            #expect(xml.status == .unsupportedMediaType)
            let oversized = try await scim.sendBytes(.post, "/Users", bytes: Array(repeating: UInt8(ascii: " "), count: 5 << 20))
            #expect(oversized.status == .contentTooLarge)
            let badPatch = try await scim.patch("/Users/\(id)", #"[{"op":"replace","path":"emails[type eq","value":"x"}]"#)
            #expect(badPatch.status == .badRequest && badPatch.scimType == "invalidPath")
            #expect(try await scim.counts().users == 1)
            #expect(try await scim.send(.get, "/Users/\(id)").headers[.eTag] == #"W/"1""#)
        }
    }

    @Test("Entra ID: probes by userName and externalId before create, then PATCHes with its own shapes", arguments: TestDatabaseKind.available)
    func entraFlow(kind: TestDatabaseKind) async throws {
        try await SCIMFixture.with(kind) { scim in
            let probe = try await scim.send(.get, "/Users?filter=userName%20eq%20%22adele%40contoso.com%22")
            #expect(probe.status == .ok && probe.json["totalResults"] as? Int == 0)
            let probe2 = try await scim.send(.get, "/Users?filter=externalId%20eq%20%22aad-1%22")
            #expect(probe2.json["totalResults"] as? Int == 0)
            let manager = try await scim.createUser("boss@contoso.com")
            let id = try await scim.createUser("adele@contoso.com", extra: #","externalId":"aad-1","active":true"#)
            let patched = try await scim.patch("/Users/\(id)", #"""
                [{"op":"Replace","path":"active","value":"False"},
                 {"op":"Add","path":"emails[type eq \"work\"].value","value":"adele@contoso.com"},
                 {"op":"Replace","value":{"name.givenName":"Adele","name.familyName":"Vance",
                   "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager":"\#(manager)"}}]
                """#)
            #expect(patched.status == .ok, "\(patched.text)")
            #expect(patched.json["active"] as? Bool == false)
            #expect((patched.json["emails"] as? [[String: Any]])?.first?["value"] as? String == "adele@contoso.com")
            #expect((patched.json["name"] as? [String: Any])?["givenName"] as? String == "Adele")
            let enterprise = patched.json[SCIMSchemaURN.enterpriseUser] as? [String: Any]
            #expect((enterprise?["manager"] as? [String: Any])?["value"] as? String == manager)
            let found = try await scim.send(.get, "/Users?filter=externalId%20eq%20%22aad-1%22")
            #expect(found.ids == [id])
        }
    }
}

@Suite("SCIM shapes of OneLogin, JumpCloud and Google Workspace")
struct SCIMOtherClientsTests {
    @Test("OneLogin: full-replacement PUT updates and deprovisioning", arguments: [TestDatabaseKind.sqlite])
    func oneLogin(kind: TestDatabaseKind) async throws {
        try await SCIMFixture.with(kind) { scim in
            let id = try await scim.createUser("ol@example.com", extra: #","name":{"givenName":"One","familyName":"Login"},"title":"Eng""#)
            let put = try await scim.send(.put, "/Users/\(id)", json: #"""
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ol@example.com","active":true,
                 "name":{"givenName":"One","familyName":"Login"},"emails":[{"value":"ol@example.com","primary":true}]}
                """#)
            #expect(put.status == .ok)
            #expect(put.json["title"] == nil, "PUT replaces: attributes left out are cleared")
            let off = try await scim.send(.put, "/Users/\(id)", json: #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ol@example.com","active":false}"#)
            #expect(off.json["active"] as? Bool == false)
        }
    }

    @Test("JumpCloud: pathless replace of active, group rename and member add/remove", arguments: [TestDatabaseKind.sqlite])
    func jumpCloud(kind: TestDatabaseKind) async throws {
        try await SCIMFixture.with(kind) { scim in
            let id = try await scim.createUser("jc@example.com")
            let off = try await scim.patch("/Users/\(id)", #"[{"op":"replace","value":{"active":false}}]"#)
            #expect(off.status == .ok && off.json["active"] as? Bool == false)
            let group = try await scim.createGroup("JC")
            #expect(try await scim.patch("/Groups/\(group)", #"[{"op":"replace","path":"displayName","value":"JC Team"}]"#).json["displayName"] as? String == "JC Team")
            #expect(try await scim.patch("/Groups/\(group)", #"[{"op":"add","path":"members","value":[{"value":"\#(id)"}]}]"#).status == .ok)
            let removed = try await scim.patch("/Groups/\(group)", #"[{"op":"remove","path":"members[value eq \"\#(id)\"]"}]"#)
            #expect(removed.status == .ok && removed.json["members"] == nil)
        }
    }

    @Test("Google Workspace: path replaces of active and name parts, work email filter paths", arguments: [TestDatabaseKind.sqlite])
    func googleWorkspace(kind: TestDatabaseKind) async throws {
        try await SCIMFixture.with(kind) { scim in
            let id = try await scim.createUser("gw@example.com", extra: #","externalId":"g-1","emails":[{"value":"gw@example.com","type":"work","primary":true}]"#)
            let patched = try await scim.patch("/Users/\(id)", #"""
                [{"op":"replace","path":"name.givenName","value":"Goo"},{"op":"replace","path":"emails[type eq \"work\"].value","value":"gw2@example.com"},
                 {"op":"replace","path":"active","value":false}]
                """#)
            #expect(patched.status == .ok)
            #expect((patched.json["emails"] as? [[String: Any]])?.first?["value"] as? String == "gw2@example.com")
            #expect(patched.json["active"] as? Bool == false)
            #expect(try await scim.send(.get, "/Users?filter=emails.value%20eq%20%22gw2%40example.com%22").ids == [id])
        }
    }
}
