import Directory
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
@testable import RosterServer
import RosterTestSupport
import SAML
import Testing

/// A browser of the admin console: keeps cookies, follows nothing by itself, posts forms with the page's CSRF token.
final class ConsoleBrowser: @unchecked Sendable {
    let client: any TestClientProtocol
    private var cookies: [String: String] = [:]

    init(_ client: any TestClientProtocol) { self.client = client }

    struct Page: Sendable {
        let status: HTTPResponse.Status
        let location: String?
        let html: String

        /// The CSRF token of the page's forms.
        var csrf: String? {
            guard let range = html.range(of: "name=\"_csrf\" value=\"") else { return nil }
            return String(html[range.upperBound...].prefix { $0 != "\"" })
        }
    }

    @discardableResult
    func get(_ uri: String) async throws -> Page { try await send(.get, uri, body: nil) }

    func setCookie(_ name: String, _ value: String) { cookies[name] = value }

    @discardableResult
    func post(_ uri: String, _ fields: [String: String], csrf: String?) async throws -> Page {
        var all = fields
        if let csrf { all["_csrf"] = csrf }
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let body = all.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
        return try await send(.post, uri, body: body)
    }

    private func send(_ method: HTTPRequest.Method, _ uri: String, body: String?) async throws -> Page {
        var headers: HTTPFields = [:]
        if !cookies.isEmpty { headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        if body != nil { headers[.contentType] = "application/x-www-form-urlencoded" }
        let response = try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        for value in response.headers[values: .setCookie] {
            let pair = value.split(separator: ";").first.map(String.init) ?? ""
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.count == 2 { cookies[String(parts[0])] = String(parts[1]) }
        }
        return Page(status: response.status, location: response.headers[.location], html: String(buffer: response.body))
    }

    /// Signs in through `/login/password` and opens a console session.
    func signIn(email: String, password: String) async throws {
        let signedIn = try await post("/login/password", ["email": email, "password": password, "RelayState": "/admin/session"], csrf: nil)
        #expect(signedIn.status == .seeOther || signedIn.status == .found)
        let session = try await get("/admin/session")
        #expect(session.status == .seeOther, "opening the console session: \(session.html.prefix(300))")
    }
}

/// An organization with an org admin who can sign in, a site with Jira Service Management, and a site admin of it.
struct ConsoleFixture: Sendable {
    let organization: Organization
    let site: Site
    let otherSite: Site
    let localDirectoryId: String
    static let password = "correct horse battery staple"

    static func make(_ service: DirectoryService, plan: Organization.Plan = .guard, experience: Organization.UserManagement = .centralized) async throws -> ConsoleFixture {
        let organization = try await service.createOrganization(name: "Acme", plan: plan, userManagement: experience, caller: .operatorCLI)
        let site = try await service.addSite(organizationId: organization.id, name: "acme-help", caller: .operatorCLI)
        let otherSite = try await service.addSite(organizationId: organization.id, name: "acme-dev", caller: .operatorCLI)
        _ = try await service.addProduct(siteId: site.id, product: .jiraServiceManagement, caller: .operatorCLI)
        let local = try await service.directories(organizationId: organization.id, caller: .operatorCLI).first { $0.kind == .local }!
        for (email, role) in [("owner@acme.test", AdminRole.orgAdmin), ("helpdesk@acme.test", AdminRole(kind: .siteAdmin, siteId: site.id))] {
            let admin = try await service.createAdmin(organizationId: organization.id, email: email, roles: [role], caller: .operatorCLI)
            let account = try await service.createUser(
                directoryId: local.id, draft: UserDraft(userName: email, emails: [User.Email(value: email, primary: true)], password: password),
                caller: .operatorCLI
            )
            _ = try await service.bindAdminAccount(adminId: admin.admin.id, userId: account.id, password: password, caller: .operatorCLI)
        }
        return ConsoleFixture(organization: organization, site: site, otherSite: otherSite, localDirectoryId: local.id)
    }
}

@Suite("Admin console")
struct ConsoleTests {
    @Test("the console's templates parse")
    func templatesParse() throws {
        _ = try ConsoleRenderer()
    }

    @Test("signing in: an admin gets a console session; a member who is no admin does not; no session goes to sign-in", arguments: TestDatabaseKind.available)
    func signIn(_ kind: TestDatabaseKind) async throws {
        try await TestServer.with(kind) { api, service in
            let fixture = try await ConsoleFixture.make(service)
            let browser = ConsoleBrowser(api.client)
            #expect(try await browser.get("/admin/o/\(fixture.organization.id)").location == "/admin/login")
            try await browser.signIn(email: "owner@acme.test", password: ConsoleFixture.password)
            #expect(try await browser.get("/admin").location == "/admin/o/\(fixture.organization.id)")
            let home = try await browser.get("/admin/o/\(fixture.organization.id)")
            #expect(home.status == .ok)
            #expect(home.html.contains("Identity providers"))

            _ = try await service.createUser(
                directoryId: fixture.localDirectoryId,
                draft: UserDraft(userName: "member@acme.test", emails: [User.Email(value: "member@acme.test", primary: true)], password: ConsoleFixture.password),
                caller: .operatorCLI
            )
            let member = ConsoleBrowser(api.client)
            _ = try await member.post("/login/password", ["email": "member@acme.test", "password": ConsoleFixture.password, "RelayState": "/admin/session"], csrf: nil)
            let refused = try await member.get("/admin/session")
            #expect(refused.status == .forbidden)
            #expect(try await member.get("/admin").location == "/admin/login")
        }
    }

    @Test("forms need the session's CSRF token", arguments: TestDatabaseKind.available)
    func csrf(_ kind: TestDatabaseKind) async throws {
        try await TestServer.with(kind) { api, service in
            let fixture = try await ConsoleFixture.make(service)
            let browser = ConsoleBrowser(api.client)
            try await browser.signIn(email: "owner@acme.test", password: ConsoleFixture.password)
            let path = "/admin/o/\(fixture.organization.id)/directory/identity-providers/new/okta"
            #expect(try await browser.post(path, ["name": "Okta"], csrf: nil).status == .forbidden)
            #expect(try await browser.post(path, ["name": "Okta"], csrf: "0".padding(toLength: 64, withPad: "0", startingAt: 0)).status == .forbidden)
            #expect(try await service.directories(organizationId: fixture.organization.id, caller: .operatorCLI).count == 1)
            let form = try await browser.get(path)
            #expect(try await browser.post(path, ["name": "Okta"], csrf: form.csrf).status == .created)
        }
    }

    @Test("connecting Okta centrally: the key is shown once and works, SSO is saved, the directory page shows status", arguments: TestDatabaseKind.available)
    func connectOkta(_ kind: TestDatabaseKind) async throws {
        try await TestServer.with(kind) { api, service in
            let fixture = try await ConsoleFixture.make(service)
            let browser = ConsoleBrowser(api.client)
            try await browser.signIn(email: "owner@acme.test", password: ConsoleFixture.password)
            let org = "/admin/o/\(fixture.organization.id)"
            let catalog = try await browser.get("\(org)/directory/identity-providers/new")
            for provider in IdentityProviderType.allCases { #expect(catalog.html.contains(provider.displayName.replacingOccurrences(of: "(", with: "(").prefix(10))) }
            let adfs = try await browser.get("\(org)/directory/identity-providers/new/adfs")
            #expect(adfs.html.contains("no SCIM step"))
            let form = try await browser.get("\(org)/directory/identity-providers/new/okta")
            let created = try await browser.post("\(org)/directory/identity-providers/new/okta", ["name": "Okta"], csrf: form.csrf)
            #expect(created.status == .created)
            let key = try #require(created.html.range(of: #"rsk_[0-9a-f]{12}_[A-Za-z0-9_-]+"#, options: .regularExpression).map { String(created.html[$0]) })
            let directory = try #require(try await service.directories(organizationId: fixture.organization.id, caller: .operatorCLI).first { $0.kind == .identityProvider })
            #expect(created.html.contains("/scim/directory/\(directory.id)"))
            #expect(created.html.contains("Provisioning tab") || created.html.contains("Provisioning"))
            let scim = try await api.send(.get, "/scim/directory/\(directory.id)/Users", token: key)
            #expect(scim.status == .ok)
            // The key is not shown again.
            let base = "\(org)/directory/identity-providers/\(directory.id)"
            let again = try await browser.get("\(base)/setup/provisioning")
            #expect(!again.html.contains(key))

            // Single sign-on by fields; a missing certificate is named next to its field, and nothing is saved.
            let sso = try await browser.get("\(base)/setup/sso")
            #expect(sso.html.contains("/saml/\(directory.id)/acs"))
            let missing = try await browser.post("\(base)/setup/sso", ["entityID": "http://www.okta.com/exk1", "ssoURL": "https://acme.okta.com/app/sso/saml"], csrf: sso.csrf)
            #expect(missing.status == .badRequest)
            #expect(missing.html.contains("field-error"))
            #expect(try await service.samlConnection(directoryId: directory.id) == nil)
            let identity = try TestIdentity.make(name: "okta-test")
            let saved = try await browser.post(
                "\(base)/setup/sso",
                ["entityID": "http://www.okta.com/exk1", "ssoURL": "https://acme.okta.com/app/sso/saml", "certificate": identity.certificatePEM],
                csrf: sso.csrf
            )
            #expect(saved.status == .seeOther)
            #expect(saved.location == "\(base)/setup/domains?done=sso")
            #expect(try await service.samlConnection(directoryId: directory.id)?.identityProviderEntityID == "http://www.okta.com/exk1")

            // Policy, then Test SSO sends the browser to Okta with an AuthnRequest.
            let policy = try await browser.get("\(base)/setup/policy")
            #expect(try await browser.post("\(base)/setup/policy", ["enforceSSO": "on", "sessionHours": "0", "idleMinutes": "60"], csrf: policy.csrf).status == .badRequest)
            #expect(try await browser.post("\(base)/setup/policy", ["enforceSSO": "on", "sessionHours": "8", "idleMinutes": "60"], csrf: policy.csrf).status == .seeOther)
            #expect(try await service.authenticationPolicy(directoryId: directory.id).enforceSSO)
            let test = try await browser.post("\(base)/setup/test", [:], csrf: policy.csrf)
            #expect(test.location?.hasPrefix("https://acme.okta.com/app/sso/saml?SAMLRequest=") == true)

            let page = try await browser.get(base)
            #expect(page.status == .ok)
            #expect(page.html.contains("Configured"))
            #expect(page.html.contains("0 users · 0 groups"))
        }
    }

    @Test("key regeneration: the old key stops at once, or after the chosen overlap", arguments: TestDatabaseKind.available)
    func regenerate(_ kind: TestDatabaseKind) async throws {
        try await TestServer.with(kind) { api, service in
            let fixture = try await ConsoleFixture.make(service)
            let created = try await service.createDirectory(organizationId: fixture.organization.id, name: "Entra", identityProvider: .entraId, caller: .operatorCLI)
            let browser = ConsoleBrowser(api.client)
            try await browser.signIn(email: "owner@acme.test", password: ConsoleFixture.password)
            let base = "/admin/o/\(fixture.organization.id)/directory/identity-providers/\(created.directory.id)"
            let page = try await browser.get(base)
            let overlapped = try await browser.post("\(base)/keys", ["overlap": "3600"], csrf: page.csrf)
            #expect(overlapped.status == .created)
            let second = try #require(overlapped.html.range(of: #"rsk_[0-9a-f]{12}_[A-Za-z0-9_-]+"#, options: .regularExpression).map { String(overlapped.html[$0]) })
            #expect(try await api.send(.get, "/scim/directory/\(created.directory.id)/Users", token: created.apiKey).status == .ok)
            #expect(try await api.send(.get, "/scim/directory/\(created.directory.id)/Users", token: second).status == .ok)
            let immediate = try await browser.post("\(base)/keys", ["overlap": "0"], csrf: page.csrf)
            let third = try #require(immediate.html.range(of: #"rsk_[0-9a-f]{12}_[A-Za-z0-9_-]+"#, options: .regularExpression).map { String(immediate.html[$0]) })
            #expect(try await api.send(.get, "/scim/directory/\(created.directory.id)/Users", token: second).status == .unauthorized)
            #expect(try await api.send(.get, "/scim/directory/\(created.directory.id)/Users", token: third).status == .ok)
        }
    }

    @Test("the Guard plan gate explains the plan instead of showing a form", arguments: TestDatabaseKind.available)
    func guardGate(_ kind: TestDatabaseKind) async throws {
        try await TestServer.with(kind) { api, service in
            let fixture = try await ConsoleFixture.make(service, plan: .free)
            let browser = ConsoleBrowser(api.client)
            try await browser.signIn(email: "owner@acme.test", password: ConsoleFixture.password)
            let org = "/admin/o/\(fixture.organization.id)"
            let list = try await browser.get("\(org)/directory/identity-providers")
            #expect(list.html.contains("need the Guard plan"))
            #expect(!list.html.contains("Add identity provider"))
            let new = try await browser.get("\(org)/directory/identity-providers/new/okta")
            #expect(new.status == .forbidden)
            #expect(!new.html.contains("<form method=\"post\" action=\"\(org)/directory/identity-providers/new/okta\""))
            let posted = try await browser.post("\(org)/directory/identity-providers/new/okta", ["name": "Okta"], csrf: list.csrf)
            #expect(posted.status == .forbidden)
            // Portal-only customers do not need Guard.
            let portal = "\(org)/products/\(fixture.site.id)/jira-service-management/portal-customers"
            #expect(try await browser.post(portal, ["provider": "okta", "name": "Customers"], csrf: list.csrf).status == .created)
        }
    }

    @Test("original experience: site admins manage their site's users only; IdPs need an org admin; one IdP per JSM site", arguments: TestDatabaseKind.available)
    func originalExperience(_ kind: TestDatabaseKind) async throws {
        try await TestServer.with(kind) { api, service in
            let fixture = try await ConsoleFixture.make(service, experience: .original)
            let siteAdmin = ConsoleBrowser(api.client)
            try await siteAdmin.signIn(email: "helpdesk@acme.test", password: ConsoleFixture.password)
            #expect(try await siteAdmin.get("/admin").location == "/admin/s/\(fixture.site.id)/users")
            #expect(try await siteAdmin.get("/admin/s/\(fixture.site.id)/users").status == .ok)
            #expect(try await siteAdmin.get("/admin/s/\(fixture.otherSite.id)/users").status == .forbidden)
            let idps = try await siteAdmin.get("/admin/s/\(fixture.site.id)/identity-providers")
            #expect(idps.html.contains("needs an organization admin"))
            let portalPath = "/admin/s/\(fixture.site.id)/jira-service-management/identity-provider"
            let portal = try await siteAdmin.get(portalPath)
            #expect(portal.html.contains("An organization admin connects"))
            #expect(try await siteAdmin.post(portalPath, ["provider": "okta", "name": "Customers"], csrf: portal.csrf).status == .forbidden)
            #expect(try await siteAdmin.post("/admin/o/\(fixture.organization.id)/directory/identity-providers/new/okta", ["name": "Okta"], csrf: portal.csrf).status == .forbidden)

            let owner = ConsoleBrowser(api.client)
            try await owner.signIn(email: "owner@acme.test", password: ConsoleFixture.password)
            let form = try await owner.get(portalPath)
            let created = try await owner.post(portalPath, ["provider": "okta", "name": "Help center customers"], csrf: form.csrf)
            #expect(created.status == .created)
            #expect(created.html.contains("customer organizations"))
            let second = try await owner.post(portalPath, ["provider": "entra-id", "name": "Other customers"], csrf: form.csrf)
            #expect(second.status == .conflict)
            #expect(second.html.contains("already has an identity provider"))
            let after = try await owner.get(portalPath)
            #expect(after.html.contains("Help center customers"))
            // A JSM-less site has no portal page.
            #expect(try await owner.get("/admin/s/\(fixture.otherSite.id)/jira-service-management/identity-provider").status == .notFound)
        }
    }

    @Test("a setup link opens once, shows only its directory's wizard, and stops when revoked", arguments: TestDatabaseKind.available)
    func setupLink(_ kind: TestDatabaseKind) async throws {
        try await TestServer.with(kind) { api, service in
            let fixture = try await ConsoleFixture.make(service)
            let okta = try await service.createDirectory(organizationId: fixture.organization.id, name: "Okta", identityProvider: .okta, caller: .operatorCLI)
            let other = try await service.createDirectory(organizationId: fixture.organization.id, name: "Entra", identityProvider: .entraId, caller: .operatorCLI)
            let issued = try await service.createSetupLink(directoryId: okta.directory.id, caller: .operatorCLI)
            #expect(issued.link.expires.timeIntervalSince(issued.link.created) == 24 * 3600)
            let path = try #require(URL(string: issued.url)?.path)
            let idpAdmin = ConsoleBrowser(api.client)
            let opened = try await idpAdmin.post(path, [:], csrf: nil)
            #expect(opened.location == "/admin/setup/d/\(okta.directory.id)")
            let wizard = try await idpAdmin.get("/admin/setup/d/\(okta.directory.id)/setup/sso")
            #expect(wizard.status == .ok)
            #expect(wizard.html.contains("/saml/\(okta.directory.id)/acs"))
            // Only that directory: not the organization, not another directory.
            #expect(try await idpAdmin.get("/admin/o/\(fixture.organization.id)").status == .forbidden)
            #expect(try await idpAdmin.get("/admin/setup/d/\(other.directory.id)/setup/sso").status == .notFound)
            #expect(try await idpAdmin.get("/admin/o/\(fixture.organization.id)/directory/identity-providers/\(okta.directory.id)").status == .notFound)
            // It can do the setup: a new key.
            let key = try await idpAdmin.post("/admin/setup/d/\(okta.directory.id)/setup/provisioning", [:], csrf: wizard.csrf)
            #expect(key.status == .created)
            #expect(key.html.contains("rsk_"))
            // Once: a second browser gets nothing.
            let second = ConsoleBrowser(api.client)
            #expect(try await second.get(path).status == .gone)
            #expect(try await second.post(path, [:], csrf: nil).status == .gone)
            // Revoked: the open session stops.
            try await service.revokeSetupLink(id: issued.link.id, caller: .operatorCLI)
            #expect(try await idpAdmin.get("/admin/setup/d/\(okta.directory.id)/setup/sso").location == "/admin/login")
        }
    }

    @Test("disconnecting needs the name typed, keeps the accounts and turns synced groups into local groups", arguments: TestDatabaseKind.available)
    func disconnect(_ kind: TestDatabaseKind) async throws {
        try await TestServer.with(kind) { api, service in
            let fixture = try await ConsoleFixture.make(service)
            let okta = try await service.createDirectory(organizationId: fixture.organization.id, name: "Okta", identityProvider: .okta, caller: .operatorCLI)
            let key = try #require(okta.apiKey)
            let user = try await api.send(.post, "/scim/directory/\(okta.directory.id)/Users", token: key,
                                          json: #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ada@acme.test"}"#)
            #expect(user.status == .created)
            let userId = try #require(user.string("id"))
            let group = try await api.send(.post, "/scim/directory/\(okta.directory.id)/Groups", token: key,
                                           json: #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Engineers","members":[{"value":"\#(userId)"}]}"#)
            #expect(group.status == .created)
            let browser = ConsoleBrowser(api.client)
            try await browser.signIn(email: "owner@acme.test", password: ConsoleFixture.password)
            let base = "/admin/o/\(fixture.organization.id)/directory/identity-providers/\(okta.directory.id)"
            let confirm = try await browser.get("\(base)/disconnect")
            #expect(confirm.html.contains("its accounts (1) are kept"))
            #expect(try await browser.post("\(base)/disconnect", ["confirm": "okta"], csrf: confirm.csrf).status == .badRequest)
            #expect(try await service.directories(organizationId: fixture.organization.id, caller: .operatorCLI).count == 2)
            let done = try await browser.post("\(base)/disconnect", ["confirm": "Okta"], csrf: confirm.csrf)
            #expect(done.location == "/admin/o/\(fixture.organization.id)/directory/identity-providers?done=disconnected")
            let kept = try await service.user(id: userId, caller: .operatorCLI)
            #expect(kept.directoryId == fixture.localDirectoryId)
            let groups = try await service.groups(directoryId: fixture.localDirectoryId, page: PageRequest(), caller: .operatorCLI)
            let converted = try #require(groups.items.first { $0.displayName == "Engineers" })
            #expect(!converted.synced)
            #expect(try await api.send(.get, "/scim/directory/\(okta.directory.id)/Users", token: key).status == .unauthorized)
        }
    }

    @Test("users lists page and search on the server", arguments: TestDatabaseKind.available)
    func usersSearch(_ kind: TestDatabaseKind) async throws {
        try await TestServer.with(kind) { api, service in
            let fixture = try await ConsoleFixture.make(service)
            for index in 0..<60 {
                _ = try await service.createUser(
                    directoryId: fixture.localDirectoryId,
                    draft: UserDraft(userName: String(format: "user%02d@acme.test", index), emails: [User.Email(value: String(format: "mail%02d@corp.test", index), primary: true)], displayName: "Person \(index)"),
                    caller: .operatorCLI
                )
            }
            let browser = ConsoleBrowser(api.client)
            try await browser.signIn(email: "owner@acme.test", password: ConsoleFixture.password)
            let users = "/admin/o/\(fixture.organization.id)/directory/users"
            let first = try await browser.get(users)
            #expect(first.html.contains("Users: 62"))
            #expect(first.html.contains("1–50 of 62"))
            let second = try await browser.get("\(users)?directory=\(fixture.localDirectoryId)&offset=50")
            #expect(second.html.contains("51–62 of 62"))
            let searched = try await browser.get("\(users)?q=USER1")
            #expect(searched.html.contains("Users: 10 matching"))
            let byEmail = try await browser.get("\(users)?q=mail05")
            #expect(byEmail.html.contains("Users: 1 matching"))
            #expect(byEmail.html.contains("user05@acme.test"))
            let wildcard = try await browser.get("\(users)?q=%25")
            #expect(wildcard.html.contains("Users: 0 matching"))
        }
    }

    @Test("every admin API route is in the OpenAPI document, and the document has no route the server lacks")
    func openAPICoversRoutes() async throws {
        try await TestDatabase.with(.sqlite) { database in
            let service = DirectoryService(store: database.store, configuration: .init(baseURL: "https://roster.test"))
            let router = RosterApplication.buildRouter(
                service: service, log: ProvisioningLogWriter(service: service, logger: TestDatabase.logger),
                registry: .init(), probe: NetworkDomainProbe(resolver: nil, httpBase: nil)
            )
            var routes: Set<String> = []
            for route in router.routes where route.path.description.hasPrefix("/api/v1") {
                routes.insert("\(route.method.rawValue.lowercased()) \(route.path.description)")
            }
            let data = try #require(OpenAPIDocument.data)
            let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            #expect(document["openapi"] as? String == "3.1.0")
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            var documented: Set<String> = []
            for (path, operations) in paths {
                for method in operations.keys where ["get", "post", "put", "patch", "delete"].contains(method) { documented.insert("\(method) \(path)") }
            }
            #expect(routes.count > 60)
            #expect(routes.subtracting(documented).sorted() == [], "routes missing from the OpenAPI document")
            #expect(documented.subtracting(routes).sorted() == [], "documented routes the server does not have")
        }
    }
}

@Suite("Admin console: unlinked provisioning records")
struct ConsoleRelinkTests {
    @Test("the directory page lists unlinked records and relinks one to the account with the given email", arguments: TestDatabaseKind.available)
    func relinkFromDirectoryPage(_ kind: TestDatabaseKind) async throws {
        try await TestServer.with(kind) { api, service in
            let fixture = try await ConsoleFixture.make(service)
            let okta = try await service.createDirectory(organizationId: fixture.organization.id, name: "Okta", identityProvider: .okta, caller: .operatorCLI)
            let created = try await api.send(.post, "/scim/directory/\(okta.directory.id)/Users", token: okta.apiKey,
                                             json: #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ada@acme.test","externalId":"x1"}"#)
            let scimId = try #require(created.string("id"))
            try await service.deleteUser(id: scimId, caller: .operatorCLI)
            let account = try await service.createUser(
                directoryId: fixture.localDirectoryId, draft: UserDraft(userName: "ada", emails: [User.Email(value: "ada@acme.test", primary: true)]),
                caller: .operatorCLI
            )
            let browser = ConsoleBrowser(api.client)
            try await browser.signIn(email: "owner@acme.test", password: ConsoleFixture.password)
            let base = "/admin/o/\(fixture.organization.id)/directory/identity-providers/\(okta.directory.id)"
            let page = try await browser.get(base)
            #expect(page.html.contains("Unlinked provisioning records"))
            #expect(page.html.contains("account deleted by an admin"))
            let unknown = try await browser.post("\(base)/unlinked/\(scimId)", ["email": "nobody@acme.test"], csrf: page.csrf)
            #expect(unknown.status == .unprocessableContent)
            let done = try await browser.post("\(base)/unlinked/\(scimId)", ["email": "ada@acme.test"], csrf: page.csrf)
            #expect(done.location == "\(base)?done=relinked")
            #expect(try await service.user(id: scimId, caller: .operatorCLI).emails.first?.value == "ada@acme.test")
            #expect(try await service.store.read { try await $0.user(id: account.id) } == nil)
        }
    }
}

@Suite("Admin console: who may open it, setup links, Test SSO results")
struct ConsoleAccessTests {
    @Test("the console opens only for the account bound to an admin, never for another account with the admin's email; deactivation ends the session", arguments: TestDatabaseKind.available)
    func consoleNeedsTheRightAccount(_ kind: TestDatabaseKind) async throws {
        try await SSOHarness.with(kind) { sso in
            let service = sso.scim.service
            let org = sso.scim.organization.id
            // An IdP directory (or a setup link's holder) provisions an account with the org admin's email and signs it in.
            _ = try await sso.scim.createUser("root@acme.com", extra: #","emails":[{"value":"root@acme.com","primary":true}]"#)
            func signInThroughIdP() async throws -> ConsoleBrowser {
                let browser = ConsoleBrowser(sso.scim.api.client)
                let start = try await sso.get("/saml/\(sso.directoryId)/login")
                let (requestId, _) = try sso.authnRequest(from: start)
                let answered = try await sso.post(try sso.response(nameID: "root@acme.com", requestId: requestId))
                let cookie = try sso.token(answered)
                // Hand the sign-in cookie to the browser the way a real browser would hold it.
                browser.setCookie(SAMLController.cookieName, cookie)
                return browser
            }
            let impostor = try await signInThroughIdP()
            let refused = try await impostor.get("/admin/session")
            #expect(refused.status == .forbidden, "\(refused.html.prefix(400))")
            #expect(refused.html.contains("has no admin access"))

            // Once an org admin binds that IdP account to the admin, it signs the admin in.
            let user = try #require(try await service.store.read { try await $0.user(directoryId: sso.directoryId, userName: "root@acme.com") })
            let rootAdmin = try #require(try await service.store.read { try await $0.admin(organizationId: org, email: "root@acme.com") })
            _ = try await service.bindAdminAccount(adminId: rootAdmin.id, userId: user.id, caller: .operatorCLI)
            let admin = try await signInThroughIdP()
            #expect(try await admin.get("/admin/session").status == .seeOther)
            #expect(try await admin.get("/admin/o/\(org)").status == .ok)

            // Deactivating the account ends the console session on its next request.
            _ = try await sso.scim.patch("/Users/\(user.id)", #"[{"op":"replace","path":"active","value":false}]"#)
            #expect(try await admin.get("/admin/o/\(org)").location == "/admin/login")
        }
    }

    @Test("a portal customer with an admin's email never opens the console", arguments: TestDatabaseKind.available)
    func portalCustomerRefused(_ kind: TestDatabaseKind) async throws {
        try await TestServer.with(kind) { api, service in
            let fixture = try await ConsoleFixture.make(service)
            let portal = try await service.createDirectory(
                organizationId: fixture.organization.id, name: "Customers", identityProvider: .okta, portalSiteId: fixture.site.id, caller: .operatorCLI
            )
            let customer = try await service.createUser(
                directoryId: portal.directory.id,
                draft: UserDraft(userName: "owner@acme.test", emails: [User.Email(value: "owner@acme.test", primary: true)]), caller: .operatorCLI
            )
            let (_, cookie) = try await service.createSession(userId: customer.id, lifetime: 3600, caller: .operatorCLI)
            let browser = ConsoleBrowser(api.client)
            browser.setCookie(SAMLController.cookieName, cookie)
            #expect(try await browser.get("/admin/session").status == .forbidden)
        }
    }

    @Test("opening a setup link takes a POST: a link scanner's GET does not use it up", arguments: TestDatabaseKind.available)
    func setupLinkInterstitial(_ kind: TestDatabaseKind) async throws {
        try await TestServer.with(kind) { api, service in
            let fixture = try await ConsoleFixture.make(service)
            let okta = try await service.createDirectory(organizationId: fixture.organization.id, name: "Okta", identityProvider: .okta, caller: .operatorCLI)
            let issued = try await service.createSetupLink(directoryId: okta.directory.id, caller: .operatorCLI)
            let path = try #require(URL(string: issued.url)?.path)
            let scanner = ConsoleBrowser(api.client)
            for _ in 0..<3 {
                let preview = try await scanner.get(path)
                #expect(preview.status == .ok)
                #expect(preview.html.contains("Open the setup"))
            }
            #expect(try await scanner.get("/admin/setup/d/\(okta.directory.id)/setup/sso").location == "/admin/login")
            let person = ConsoleBrowser(api.client)
            let opened = try await person.post(path, [:], csrf: nil)
            #expect(opened.location == "/admin/setup/d/\(okta.directory.id)")
            // The wizard of a link has no domains or policy step, and no key, link or disconnect routes.
            let wizard = try await person.get("/admin/setup/d/\(okta.directory.id)/setup/sso")
            #expect(wizard.status == .ok)
            #expect(!wizard.html.contains("setup/domains"))
            #expect(try await person.get("/admin/setup/d/\(okta.directory.id)/setup/domains").status == .notFound)
            #expect(try await person.post("/admin/setup/d/\(okta.directory.id)/keys", ["overlap": "0"], csrf: wizard.csrf).status == .notFound)
            #expect(try await scanner.get(path).status == .gone)
        }
    }

    @Test("a site admin of a centralized organization is told instead of shown forms that fail", arguments: TestDatabaseKind.available)
    func siteAdminSeesNoFailingForms(_ kind: TestDatabaseKind) async throws {
        try await TestServer.with(kind) { api, service in
            let fixture = try await ConsoleFixture.make(service)
            let okta = try await service.createDirectory(organizationId: fixture.organization.id, name: "Okta", identityProvider: .okta, caller: .operatorCLI)
            let browser = ConsoleBrowser(api.client)
            try await browser.signIn(email: "helpdesk@acme.test", password: ConsoleFixture.password)
            let org = "/admin/o/\(fixture.organization.id)"
            let list = try await browser.get("\(org)/directory/identity-providers")
            #expect(!list.html.contains("Add identity provider"))
            #expect(list.html.contains("needs an organization admin"))
            let catalog = try await browser.get("\(org)/directory/identity-providers/new")
            #expect(catalog.status == .forbidden)
            let sso = try await browser.get("\(org)/directory/identity-providers/\(okta.directory.id)/setup/sso")
            #expect(sso.status == .ok)
            #expect(!sso.html.contains("Save single sign-on"))
            #expect(try await browser.get("\(org)/directory/identity-providers/\(okta.directory.id)/disconnect").status == .forbidden)
            let domains = try await browser.get("\(org)/domains")
            #expect(!domains.html.contains("Claim a domain"))
        }
    }

    @Test("Test SSO from the console comes back to the console with each check", arguments: TestDatabaseKind.available)
    func testSSOResult(_ kind: TestDatabaseKind) async throws {
        try await SSOHarness.with(kind) { sso in
            let service = sso.scim.service
            let org = sso.scim.organization.id
            let local = try #require(try await service.directories(organizationId: org, caller: .operatorCLI).first { $0.kind == .local })
            let rootAccount = try await service.createUser(
                directoryId: local.id, draft: UserDraft(userName: "root@acme.com", emails: [User.Email(value: "root@acme.com", primary: true)], password: ConsoleFixture.password),
                caller: .operatorCLI
            )
            let rootAdmin = try #require(try await service.store.read { try await $0.admin(organizationId: org, email: "root@acme.com") })
            _ = try await service.bindAdminAccount(adminId: rootAdmin.id, userId: rootAccount.id, password: ConsoleFixture.password, caller: .operatorCLI)
            _ = try await sso.scim.createUser("alice@example.com", extra: #","emails":[{"value":"alice@example.com","primary":true}]"#)
            let browser = ConsoleBrowser(sso.scim.api.client)
            try await browser.signIn(email: "root@acme.com", password: ConsoleFixture.password)
            let base = "/admin/o/\(org)/directory/identity-providers/\(sso.directoryId)"
            let step = try await browser.get("\(base)/setup/test")
            let started = try await browser.post("\(base)/setup/test", [:], csrf: step.csrf)
            let location = try #require(started.location.flatMap(URLComponents.init(string:)))
            #expect(location.host == "idp.example")
            let relayState = try #require(location.queryItems?.first { $0.name == "RelayState" }?.value)
            let xml = try #require(location.queryItems?.first { $0.name == "SAMLRequest" }?.value.flatMap(AuthnRequest.decodeRedirect))
            let requestId = try #require(xml.range(of: #"ID=""#).map { String(xml[$0.upperBound...].prefix { $0 != "\"" }) })
            let encoded = Data(try sso.response(nameID: "alice@example.com", requestId: requestId).utf8).base64EncodedString()
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            let answered = try await sso.form(
                .post, "/saml/\(sso.directoryId)/acs",
                "SAMLResponse=\(encoded.addingPercentEncoding(withAllowedCharacters: allowed)!)&RelayState=\(relayState.addingPercentEncoding(withAllowedCharacters: allowed)!)"
            )
            #expect(answered.status == .seeOther)
            #expect(answered.headers[.location] == relayState)
            #expect(answered.headers[.setCookie] == nil)
            let result = try await browser.get(relayState)
            #expect(result.html.contains("Passed"))
            #expect(result.html.contains("alice@example.com"))
            #expect(result.html.contains("Audience"))
        }
    }
}

@Suite("Test SSO for portal-only customers")
struct PortalTestSSOTests {
    @Test("a test run for a customer who has no account yet passes (a real sign-in would make one) and makes none", arguments: TestDatabaseKind.available)
    func portalTestRun(_ kind: TestDatabaseKind) async throws {
        try await SSOHarness.with(kind) { sso in
            let service = sso.scim.service
            let site = try await service.addSite(organizationId: sso.scim.organization.id, name: "help", caller: .operatorCLI)
            _ = try await service.addProduct(siteId: site.id, product: .jiraServiceManagement, caller: .operatorCLI)
            let portal = try await service.createDirectory(
                organizationId: sso.scim.organization.id, name: "Customers", identityProvider: .okta, portalSiteId: site.id, caller: .operatorCLI
            )
            _ = try await service.configureSAML(
                directoryId: portal.directory.id, identityProviderEntityID: ResponseFactory.idpEntity, singleSignOnURL: "https://idp.example/sso",
                certificates: [sso.idp.certificatePEM], allowSHA1: false, allowIdPInitiated: false, caller: .operatorCLI
            )
            let requestId = "_test\(UUID().uuidString.prefix(8))"
            _ = try await service.beginTestRun(directoryId: portal.directory.id, requestId: requestId, caller: .operatorCLI)
            let answered = try await sso.post(try sso.response(nameID: "new.customer@example.com", requestId: requestId, for: portal.directory.id), to: portal.directory.id)
            #expect(answered.status == .ok)
            #expect(answered.headers[.setCookie] == nil)
            let run = try await service.testRun(id: requestId, directoryId: portal.directory.id, caller: .operatorCLI)
            #expect(run.succeeded == true)
            #expect(run.checks.last?.detail?.contains("first real sign-in creates it") == true)
            #expect(try await service.store.read { try await $0.users(directoryId: portal.directory.id, search: nil, page: PageRequest()) }.total == 0)
        }
    }
}

@Suite("Admin console: the takeover paths a reviewer found are closed")
struct ConsoleTakeoverTests {
    @Test("a site admin's local account with the owner's email, a user access admin resetting the owner's password, and an IdP linking the owner's account all fail", arguments: TestDatabaseKind.available)
    func takeovers(_ kind: TestDatabaseKind) async throws {
        try await TestServer.with(kind) { api, service in
            let fixture = try await ConsoleFixture.make(service, experience: .original)
            let owner = try #require(try await service.store.read { try await $0.admin(organizationId: fixture.organization.id, email: "owner@acme.test") })
            let ownerAccount = try #require(owner.userId)
            let siteAdmin = try #require(try await service.store.read { try await $0.admin(organizationId: fixture.organization.id, email: "helpdesk@acme.test") })
            let siteToken = try await service.issueAdminToken(adminId: siteAdmin.id, caller: .operatorCLI).value

            // 1. A site user made by the site admin with the owner's email and a password it sets.
            let jsm = try #require(try await service.products(siteId: fixture.site.id, caller: .operatorCLI).first)
            let planted = try await api.send(.post, "/api/v1/sites/\(fixture.site.id)/users", token: siteToken,
                                             json: #"{"userName":"mallory","emails":[{"value":"owner@acme.test","primary":true}],"productIds":["\#(jsm.id)"]}"#)
            #expect(planted.status == .created, "\(planted.text)")
            let plantedId = try #require(planted.string("id"))
            #expect(try await api.send(.put, "/api/v1/users/\(plantedId)/password", token: siteToken, json: #"{"password":"mallory's long password"}"#).status == .noContent)
            let mallory = ConsoleBrowser(api.client)
            let signedIn = try await mallory.post("/login/password", ["email": "owner@acme.test", "password": "mallory's long password", "RelayState": "/admin/session"], csrf: nil)
            #expect(signedIn.status == .found, "mallory signs in as herself")
            #expect(try await mallory.get("/admin/session").status == .forbidden)
            // 2. Nobody but an org admin changes the owner's bound account.
            #expect(try await api.send(.put, "/api/v1/users/\(ownerAccount)/password", token: siteToken, json: #"{"password":"another long password"}"#).status == .forbidden)
            #expect(try await api.send(.delete, "/api/v1/users/\(ownerAccount)", token: siteToken).status == .forbidden)
            // 3. An IdP provisioning the owner's email never takes the bound account, even with the domain verified.
            let domain = try await service.claimDomain(organizationId: fixture.organization.id, name: "acme.test", caller: .operatorCLI)
            try await service.store.write { tx in
                var verified = domain
                verified.verifiedAt = Date()
                try await tx.update(verified)
            }
            let okta = try await service.createDirectory(organizationId: fixture.organization.id, name: "Okta", identityProvider: .okta, caller: .operatorCLI)
            let provisioned = try await api.send(.post, "/scim/directory/\(okta.directory.id)/Users", token: okta.apiKey,
                json: #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"owner@acme.test","emails":[{"value":"owner@acme.test","primary":true}],"password":"the idp's long password"}"#)
            #expect(provisioned.status == .created)
            #expect(provisioned.string("id") != ownerAccount)
            // The owner still signs in with their own password, and only their account opens the console.
            let browser = ConsoleBrowser(api.client)
            try await browser.signIn(email: "owner@acme.test", password: ConsoleFixture.password)
            #expect(try await browser.get("/admin/o/\(fixture.organization.id)").status == .ok)
        }
    }

    @Test("a setup link is opened only from its own page, not by a post from another site", arguments: TestDatabaseKind.available)
    func setupLinkOrigin(_ kind: TestDatabaseKind) async throws {
        try await TestServer.with(kind) { api, service in
            let fixture = try await ConsoleFixture.make(service)
            let okta = try await service.createDirectory(organizationId: fixture.organization.id, name: "Okta", identityProvider: .okta, caller: .operatorCLI)
            let issued = try await service.createSetupLink(directoryId: okta.directory.id, caller: .operatorCLI)
            let path = try #require(URL(string: issued.url)?.path)
            let forged = try await api.client.execute(uri: path, method: .post, headers: [.origin: "https://evil.example"], body: nil)
            #expect(forged.status == .forbidden)
            #expect(forged.headers[.setCookie] == nil)
            let real = try await api.client.execute(uri: path, method: .post, headers: [.origin: "https://roster.test"], body: nil)
            #expect(real.status == .seeOther)
        }
    }
}


@Suite("Admin console: binding is the only way in, and it resets what others set")
struct ConsoleBindingTests {
    @Test("binding resets a planted password and ends sessions; unlinking an admin's IdP account unbinds it and drops the IdP's password; relink never takes a bound account; a password change ends console sessions; userId is required", arguments: TestDatabaseKind.available)
    func bindingRules(_ kind: TestDatabaseKind) async throws {
        try await TestServer.with(kind) { api, service in
            let fixture = try await ConsoleFixture.make(service)
            let org = fixture.organization.id
            let owner = try #require(try await service.store.read { try await $0.admin(organizationId: org, email: "owner@acme.test") })
            let token = try await service.issueAdminToken(adminId: owner.id, caller: .operatorCLI).value

            // A new admin whose only same-email account has a password someone else set: binding resets it.
            let cfo = try await service.createAdmin(organizationId: org, email: "cfo@acme.test", roles: [.orgAdmin], caller: .operatorCLI)
            let planted = try await service.createUser(
                directoryId: fixture.localDirectoryId,
                draft: UserDraft(userName: "cfo@acme.test", emails: [User.Email(value: "cfo@acme.test", primary: true)], password: "planted long password"),
                caller: .operatorCLI
            )
            #expect(try await api.send(.put, "/api/v1/admins/\(cfo.admin.id)/account", token: token, json: #"{}"#).status == .badRequest)
            #expect(try await api.send(.put, "/api/v1/admins/\(cfo.admin.id)/account", token: token, json: #"{"userId":"\#(planted.id)"}"#).status == .ok)
            let attacker = ConsoleBrowser(api.client)
            let refused = try await attacker.post("/login/password", ["email": "cfo@acme.test", "password": "planted long password", "RelayState": "/admin/session"], csrf: nil)
            #expect(refused.status == .unauthorized)

            // A password change ends the account's console sessions.
            let browser = ConsoleBrowser(api.client)
            try await browser.signIn(email: "owner@acme.test", password: ConsoleFixture.password)
            #expect(try await browser.get("/admin/o/\(org)").status == .ok)
            let ownerAccount = try #require(owner.userId)
            #expect(try await api.send(.put, "/api/v1/users/\(ownerAccount)/password", token: token, json: #"{"password":"a brand new long password"}"#).status == .noContent)
            #expect(try await browser.get("/admin/o/\(org)").location == "/admin/login")

            // An admin bound to an IdP account: the IdP sets a password over SCIM; unlinking unbinds and drops it.
            let okta = try await service.createDirectory(organizationId: org, name: "Okta", identityProvider: .okta, caller: .operatorCLI)
            let it = try await service.createAdmin(organizationId: org, email: "it@acme.test", roles: [.orgAdmin], caller: .operatorCLI)
            let provisioned = try await api.send(.post, "/scim/directory/\(okta.directory.id)/Users", token: okta.apiKey,
                json: #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"it@acme.test","emails":[{"value":"it@acme.test","primary":true}]}"#)
            let itAccount = try #require(provisioned.string("id"))
            #expect(try await api.send(.put, "/api/v1/admins/\(it.admin.id)/account", token: token, json: #"{"userId":"\#(itAccount)"}"#).status == .ok)
            #expect(try await api.send(.patch, "/scim/directory/\(okta.directory.id)/Users/\(itAccount)", token: okta.apiKey,
                json: #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"password","value":"the idp's long password"}]}"#).status == .ok)
            let unlinked = try await api.send(.post, "/api/v1/users/\(itAccount)/unlink", token: token)
            #expect(unlinked.status == .ok)
            #expect(try await service.store.read { try await $0.admin(id: it.admin.id) }?.userId == nil)
            let idp = ConsoleBrowser(api.client)
            #expect(try await idp.post("/login/password", ["email": "it@acme.test", "password": "the idp's long password"], csrf: nil).status == .unauthorized)

            // Relinking never hands a bound account to the IdP.
            let dup = try #require(try await api.send(.post, "/scim/directory/\(okta.directory.id)/Users", token: okta.apiKey,
                json: #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"owner@acme.test","emails":[{"value":"owner@acme.test","primary":true}]}"#).string("id"))
            #expect(try await api.send(.delete, "/api/v1/users/\(dup)", token: token).status == .noContent)
            #expect(try await api.send(.post, "/api/v1/directories/\(okta.directory.id)/unlinked-records/\(dup)/relink", token: token,
                                       json: #"{"userId":"\#(ownerAccount)"}"#).status == .conflict)
            // A NUL in an id is not found, on every database.
            #expect(try await api.send(.put, "/api/v1/admins/\(cfo.admin.id)/account", token: token, json: #"{"userId":"a\u0000b"}"#).status == .notFound)
        }
    }
}

@Suite("Admin console: disconnect, SCIM changes and SSO enforcement keep the console safe")
struct ConsoleLifecycleTests {
    @Test("disconnecting an IdP unbinds admins bound to its accounts and drops IdP-set passwords; a SCIM password change ends console sessions for good", arguments: TestDatabaseKind.available)
    func disconnectAndSCIM(_ kind: TestDatabaseKind) async throws {
        try await SSOHarness.with(kind) { sso in
            let service = sso.scim.service
            let org = sso.scim.organization.id
            let rootAdmin = try #require(try await service.store.read { try await $0.admin(organizationId: org, email: "root@acme.com") })
            let account = try await sso.scim.createUser("root@acme.com", extra: #","emails":[{"value":"root@acme.com","primary":true}]"#)
            _ = try await service.bindAdminAccount(adminId: rootAdmin.id, userId: account, caller: .operatorCLI)
            func console() async throws -> ConsoleBrowser {
                let browser = ConsoleBrowser(sso.scim.api.client)
                let (requestId, _) = try sso.authnRequest(from: try await sso.get("/saml/\(sso.directoryId)/login"))
                browser.setCookie(SAMLController.cookieName, try sso.token(try await sso.post(try sso.response(nameID: "root@acme.com", requestId: requestId))))
                #expect(try await browser.get("/admin/session").status == .seeOther)
                return browser
            }
            // The IdP sets a password: the console session ends, and reactivation-like changes do not revive it.
            let first = try await console()
            #expect(try await first.get("/admin/o/\(org)").status == .ok)
            #expect(try await sso.scim.patch("/Users/\(account)", #"[{"op":"replace","path":"password","value":"the idp's long password"}]"#).status == .ok)
            #expect(try await first.get("/admin/o/\(org)").location == "/admin/login")
            // Disconnect: the account moves to the local directory without the IdP's password, and the admin is unbound.
            let second = try await console()
            #expect(try await sso.scim.api.send(.delete, "/api/v1/directories/\(sso.directoryId)", token: sso.scim.adminToken).status == .noContent)
            #expect(try await second.get("/admin/o/\(org)").location == "/admin/login")
            #expect(try await service.store.read { try await $0.admin(id: rootAdmin.id) }?.userId == nil)
            #expect(try await sso.form(.post, "/login/password", "email=root%40acme.com&password=the+idp%27s+long+password").status == .unauthorized)
        }
    }

    @Test("an admin whose console account signs in with a password cannot enforce SSO on the IdP their domain routes to, unless a backup admin", arguments: TestDatabaseKind.available)
    func enforcementLockout(_ kind: TestDatabaseKind) async throws {
        try await SSOHarness.with(kind) { sso in
            let service = sso.scim.service
            let org = sso.scim.organization.id
            let local = try #require(try await service.directories(organizationId: org, caller: .operatorCLI).first { $0.kind == .local })
            let rootAdmin = try #require(try await service.store.read { try await $0.admin(organizationId: org, email: "root@acme.com") })
            let account = try await service.createUser(
                directoryId: local.id, draft: UserDraft(userName: "root@acme.com", emails: [User.Email(value: "root@acme.com", primary: true)]), caller: .operatorCLI
            )
            _ = try await service.bindAdminAccount(adminId: rootAdmin.id, userId: account.id, password: ConsoleFixture.password, caller: .operatorCLI)
            let domain = try await service.claimDomain(organizationId: org, name: "acme.com", caller: .operatorCLI)
            try await service.store.write { tx in
                var verified = domain
                verified.verifiedAt = Date()
                verified.directoryId = sso.directoryId
                try await tx.update(verified)
            }
            let enforce = #"{"enforceSso":true,"sessionLifetimeSeconds":3600,"idleTimeoutSeconds":600}"#
            let refused = try await sso.scim.api.send(.put, "/api/v1/directories/\(sso.directoryId)/authentication-policy", token: sso.scim.adminToken, json: enforce)
            #expect(refused.status == .badRequest)
            #expect(refused.text.contains("lock you out"))
            #expect(try await sso.scim.api.send(.put, "/api/v1/admins/\(rootAdmin.id)/backup", token: sso.scim.adminToken, json: #"{"backupAdmin":true}"#).status == .ok)
            #expect(try await sso.scim.api.send(.put, "/api/v1/directories/\(sso.directoryId)/authentication-policy", token: sso.scim.adminToken, json: enforce).status == .ok)
            let browser = ConsoleBrowser(sso.scim.api.client)
            try await browser.signIn(email: "root@acme.com", password: ConsoleFixture.password)
            #expect(try await browser.get("/admin/o/\(org)").status == .ok)
        }
    }
}

