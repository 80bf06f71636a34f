import Directory
import Foundation
import HTTPTypes
import RosterServer
import RosterTestSupport
import Testing

@Suite("Admin API over HTTP")
struct AdminAPITests {
    @Test("the admin API needs a valid admin token", arguments: TestDatabaseKind.available)
    func authentication(kind: TestDatabaseKind) async throws {
        try await TestServer.with(kind) { api, service in
            let organization = try await service.createOrganization(name: "Acme", caller: .operatorCLI)
            let issued = try await service.createAdmin(organizationId: organization.id, email: "root@acme.com", roles: [.orgAdmin], caller: .operatorCLI)

            for token in [nil, "", "rat_000000000000_wrongwrongwrongwrongwrongwrongwrong", issued.value + "x"] as [String?] {
                let response = try await api.send(.get, "/api/v1/organizations/\(organization.id)", token: token)
                #expect(response.status == .unauthorized)
                #expect(response.errorCode == "unauthenticated")
                #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            }
            let me = try await api.send(.get, "/api/v1/me", token: issued.value)
            #expect(me.status == .ok)
            #expect(me.string("email") == "root@acme.com")
            let org = try await api.send(.get, "/api/v1/organizations/\(organization.id)", token: issued.value)
            #expect(org.status == .ok)
            #expect(org.string("name") == "Acme")
        }
    }

    @Test("original experience: a site admin of A gets 403 on B; an org admin can do both", arguments: TestDatabaseKind.available)
    func originalExperience(kind: TestDatabaseKind) async throws {
        try await TestServer.with(kind) { api, service in
            let organization = try await service.createOrganization(name: "Acme", userManagement: .original, caller: .operatorCLI)
            let root = try await service.createAdmin(organizationId: organization.id, email: "root@acme.com", roles: [.orgAdmin], caller: .operatorCLI).value

            let siteA = try await api.send(.post, "/api/v1/organizations/\(organization.id)/sites", token: root, json: #"{"name":"alpha"}"#)
            let siteB = try await api.send(.post, "/api/v1/organizations/\(organization.id)/sites", token: root, json: #"{"name":"bravo"}"#)
            #expect(siteA.status == .created && siteB.status == .created)
            let a = try #require(siteA.string("id")), b = try #require(siteB.string("id"))
            let jiraA = try await api.send(.post, "/api/v1/sites/\(a)/products", token: root, json: #"{"product":"jira-software"}"#)
            let jiraB = try await api.send(.post, "/api/v1/sites/\(b)/products", token: root, json: #"{"product":"jira-software"}"#)
            let productA = try #require(jiraA.string("id")), productB = try #require(jiraB.string("id"))

            let admin = try await api.send(
                .post, "/api/v1/organizations/\(organization.id)/admins", token: root,
                json: #"{"email":"site-a@acme.com","roles":[{"role":"site-admin","siteId":"\#(a)"}]}"#
            )
            #expect(admin.status == .created)
            let siteAdmin = try #require(admin.string("token"))

            // The site admin of A works on A.
            let created = try await api.send(
                .post, "/api/v1/sites/\(a)/users", token: siteAdmin,
                json: #"{"userName":"mia@acme.com","emails":[{"value":"mia@acme.com","primary":true}],"productIds":["\#(productA)"]}"#
            )
            #expect(created.status == .created)
            let mia = try #require(created.string("id"))
            #expect(try await api.send(.get, "/api/v1/sites/\(a)/users", token: siteAdmin).status == .ok)
            #expect(try await api.send(.get, "/api/v1/users/\(mia)", token: siteAdmin).status == .ok)

            // ...and gets 403 on B.
            let onB = try await api.send(.get, "/api/v1/sites/\(b)/users", token: siteAdmin)
            #expect(onB.status == .forbidden)
            #expect(onB.errorCode == "forbidden")
            #expect(try await api.send(
                .post, "/api/v1/sites/\(b)/users", token: siteAdmin, json: #"{"userName":"x","productIds":["\#(productB)"]}"#
            ).status == .forbidden)
            #expect(try await api.send(
                .post, "/api/v1/sites/\(b)/access-grants", token: siteAdmin, json: #"{"userId":"\#(mia)","productId":"\#(productB)"}"#
            ).status == .forbidden)
            #expect(try await api.send(.post, "/api/v1/sites/\(b)/products", token: siteAdmin, json: #"{"product":"confluence"}"#).status == .forbidden)

            // The org admin can do both.
            #expect(try await api.send(.get, "/api/v1/sites/\(a)/users", token: root).status == .ok)
            #expect(try await api.send(.get, "/api/v1/sites/\(b)/users", token: root).status == .ok)
            let onBByRoot = try await api.send(
                .post, "/api/v1/sites/\(b)/users", token: root, json: #"{"userName":"ned","productIds":["\#(productB)"]}"#
            )
            #expect(onBByRoot.status == .created)
            let ned = try #require(onBByRoot.string("id"))
            // A user of B is invisible to the site admin of A.
            #expect(try await api.send(.get, "/api/v1/users/\(ned)", token: siteAdmin).status == .forbidden)
            #expect(try await api.send(.delete, "/api/v1/users/\(ned)", token: siteAdmin).status == .forbidden)
            #expect(try await api.send(.get, "/api/v1/users/\(ned)", token: root).status == .ok)
        }
    }

    @Test("connecting an identity provider returns the SCIM URL and key once", arguments: TestDatabaseKind.available)
    func connectIdentityProvider(kind: TestDatabaseKind) async throws {
        try await TestServer.with(kind) { api, service in
            let free = try await service.createOrganization(name: "Free", plan: .free, caller: .operatorCLI)
            let freeRoot = try await service.createAdmin(organizationId: free.id, email: "r@free.com", roles: [.orgAdmin], caller: .operatorCLI).value
            let refused = try await api.send(
                .post, "/api/v1/organizations/\(free.id)/directories", token: freeRoot, json: #"{"name":"Okta","identityProvider":"okta"}"#
            )
            #expect(refused.status == .forbidden)
            #expect(refused.errorCode == "plan_required")

            let paid = try await service.createOrganization(name: "Paid", plan: .guard, caller: .operatorCLI)
            let root = try await service.createAdmin(organizationId: paid.id, email: "r@paid.com", roles: [.orgAdmin], caller: .operatorCLI).value
            let created = try await api.send(
                .post, "/api/v1/organizations/\(paid.id)/directories", token: root, json: #"{"name":"Okta","identityProvider":"okta"}"#
            )
            #expect(created.status == .created)
            let id = try #require(created.string("id"))
            let key = try #require(created.string("apiKey"))
            #expect(created.string("scimBaseUrl") == "https://roster.test/scim/directory/\(id)")
            _ = try await service.authenticateApiKey(directoryId: id, bearer: key)

            // Listing keys never shows the secret or its hash.
            let keys = try await api.send(.get, "/api/v1/directories/\(id)/api-keys", token: root)
            #expect(keys.status == .ok)
            #expect(!keys.text.contains(key))
            #expect(!keys.text.contains(SecretToken.hash(key)))
            #expect(!keys.text.contains("\"hash\""))

            // Rotation hands out a new key once and stops the old one.
            let rotated = try await api.send(.post, "/api/v1/directories/\(id)/api-keys", token: root, json: "{}")
            #expect(rotated.status == .created)
            let newKey = try #require(rotated.string("token"))
            await #expect(throws: DirectoryError.self) { try await service.authenticateApiKey(directoryId: id, bearer: key) }
            _ = try await service.authenticateApiKey(directoryId: id, bearer: newKey)
        }
    }

    @Test("client mistakes are 4xx JSON errors that say what is wrong", arguments: TestDatabaseKind.available)
    func clientMistakes(kind: TestDatabaseKind) async throws {
        try await TestServer.with(kind) { api, service in
            let organization = try await service.createOrganization(name: "Acme", caller: .operatorCLI)
            let root = try await service.createAdmin(organizationId: organization.id, email: "r@acme.com", roles: [.orgAdmin], caller: .operatorCLI).value
            let local = try #require(try await service.directories(organizationId: organization.id, caller: .operatorCLI).first)
            let users = "/api/v1/directories/\(local.id)/users"

            let cases: [(String?, HTTPResponse.Status, String, String)] = [
                (#"{"userName":"#, .badRequest, "invalid_body", "not valid JSON"),
                (#"{"userName": 42}"#, .badRequest, "invalid_body", "'userName' must be a string"),
                (#"{"emails":[{"value":"x@y.com"}]}"#, .badRequest, "invalid_body", "'userName' is required"),
                (#"{"userName":"ok","emails":[{"value":"not an email"}]}"#, .badRequest, "invalid_input", "is not an email address"),
                (#"{"userName":"   "}"#, .badRequest, "invalid_input", "must not be empty"),
                (nil, .badRequest, "invalid_body", "needs a JSON body"),
                ("[]", .badRequest, "invalid_body", "The body must be a JSON object"),
                (#"{"userName":"ok","emails":[{"value":7}]}"#, .badRequest, "invalid_body", "'emails[0].value' must be a string"),
            ]
            for (body, status, code, message) in cases {
                let response = try await api.send(.post, users, token: root, json: body)
                #expect(response.status == status, "\(body ?? "nil")")
                #expect(response.errorCode == code, "\(body ?? "nil"): \(response.text)")
                #expect(response.text.contains(message), "\(body ?? "nil"): \(response.text)")
            }
            #expect(try await api.send(.post, users, token: root, json: #"{"userName":"Zed"}"#).status == .created)
            let duplicate = try await api.send(.post, users, token: root, json: #"{"userName":"zed"}"#)
            #expect(duplicate.status == .conflict)
            #expect(duplicate.errorCode == "user_name_taken")

            let badPlan = try await api.send(.patch, "/api/v1/organizations/\(organization.id)", token: root, json: #"{"plan":"platinum"}"#)
            #expect(badPlan.status == .badRequest)
            let badQuery = try await api.send(.get, users + "?limit=-1", token: root)
            #expect(badQuery.status == .badRequest)
            #expect(try await api.send(.get, "/api/v1/users/nope", token: root).status == .notFound)
            #expect(try await api.send(.get, users + "?limit=2&offset=0", token: root).json["total"] as? Int == 1)
        }
    }
}

@Suite("Admin API: review regressions")
struct AdminAPIRegressionTests {
    @Test("a NUL character is a 400 on both databases, never a 500", arguments: TestDatabaseKind.available)
    func nul(kind: TestDatabaseKind) async throws {
        try await SCIMFixture.with(kind) { scim in
            let local = try #require(try await scim.service.directories(organizationId: scim.organization.id, caller: .operatorCLI).first { $0.kind == .local })
            for body in [#"{"userName":"n1","displayName":"a\u0000b"}"#, #"{"userName":"n2","extensionAttributes":{"x":"a\u0000"}}"#,
                         #"{"userName":"n3","emails":[{"value":"n@x.com","type":"w\u0000"}]}"#] {
                let response = try await scim.api.send(.post, "/api/v1/directories/\(local.id)/users", token: scim.adminToken, json: body)
                #expect(response.status == .badRequest, "\(body): \(response.text)")
            }
            let viaSCIM = try await scim.send(.post, "/Users", json: #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"n4","title":"x\u0000"}"#)
            #expect(viaSCIM.status == .badRequest && viaSCIM.scimType == "invalidValue")
            #expect(try await scim.counts().users == 0)
        }
    }

    @Test("a malformed rotation body is a 400 and the live key keeps working", arguments: [TestDatabaseKind.sqlite])
    func rotationBody(kind: TestDatabaseKind) async throws {
        try await SCIMFixture.with(kind) { scim in
            let response = try await scim.api.send(.post, "/api/v1/directories/\(scim.directoryId)/api-keys", token: scim.adminToken, json: #"{"overlapSeconds":"oops"}"#)
            #expect(response.status == .badRequest)
            #expect(try await scim.send(.get, "/Users").status == .ok)
            let empty = try await scim.api.send(.post, "/api/v1/directories/\(scim.directoryId)/api-keys", token: scim.adminToken)
            #expect(empty.status == .created)
            #expect(try await scim.send(.get, "/Users").status == .unauthorized)
        }
    }

    @Test("grants name their principal as {kind, id}; admins can revoke and rotate their own token", arguments: [TestDatabaseKind.sqlite])
    func grantsAndTokens(kind: TestDatabaseKind) async throws {
        try await SCIMFixture.with(kind) { scim in
            let service = scim.service
            let site = try await service.addSite(organizationId: scim.organization.id, name: "acme", caller: .operatorCLI)
            let product = try await service.addProduct(siteId: site.id, product: .confluence, caller: .operatorCLI)
            let local = try #require(try await service.directories(organizationId: scim.organization.id, caller: .operatorCLI).first { $0.kind == .local })
            let group = try await service.createGroup(directoryId: local.id, displayName: "Writers", caller: .operatorCLI)
            let grant = try await scim.api.send(.post, "/api/v1/sites/\(site.id)/access-grants", token: scim.adminToken,
                                                json: #"{"groupId":"\#(group.id)","productId":"\#(product.id)"}"#)
            #expect(grant.status == .created)
            #expect(grant.json["principal"] as? [String: String] == ["kind": "group", "id": group.id])

            let rotated = try await scim.api.send(.post, "/api/v1/me/tokens", token: scim.adminToken)
            let fresh = try #require(rotated.json["token"] as? String)
            #expect(try await scim.api.send(.delete, "/api/v1/me/token", token: scim.adminToken).status == .noContent)
            #expect(try await scim.api.send(.get, "/api/v1/me", token: scim.adminToken).status == .unauthorized)
            #expect(try await scim.api.send(.get, "/api/v1/me", token: fresh).status == .ok)
        }
    }

    @Test("configuration refuses an out-of-range port")
    func port() throws {
        #expect(throws: ConfigurationError.self) { try RosterConfiguration.resolve(port: 99_999, environment: [:]) }
        #expect(throws: ConfigurationError.self) { try RosterConfiguration.resolve(environment: ["ROSTER_PORT": "http"]) }
        #expect(try RosterConfiguration.resolve(environment: ["ROSTER_PORT": "9090", "ROSTER_BASE_URL": "https://r.example"]).baseURL == "https://r.example")
    }
}
