import Directory
import Foundation
import HTTPTypes
import NIOCore
import RosterTestSupport
import SAML
import Testing

/// A directory with SAML set up against a test IdP, behind a running server, and a browser's worth of helpers.
struct SSOHarness: Sendable {
    let scim: SCIMFixture
    let idp: TestIdentity
    let directoryId: String

    static func with(
        _ kind: TestDatabaseKind, environment: RosterEnvironment = .live, signRequests: Bool = false,
        sloURL: String? = "https://idp.example/slo", _ body: @Sendable (SSOHarness) async throws -> Void
    ) async throws {
        try await SCIMFixture.with(kind, environment: environment) { scim in
            let idp = try TestIdentity.make()
            _ = try await scim.service.configureSAML(
                directoryId: scim.directoryId, identityProviderEntityID: ResponseFactory.idpEntity,
                singleSignOnURL: "https://idp.example/sso", certificates: [idp.certificatePEM], allowSHA1: false,
                allowIdPInitiated: false, singleLogoutURL: sloURL, signAuthnRequests: signRequests, caller: .operatorCLI
            )
            try await body(SSOHarness(scim: scim, idp: idp, directoryId: scim.directoryId))
        }
    }

    var acs: String { "https://roster.test/saml/\(directoryId)/acs" }

    /// Follows a 302 to the IdP and returns the AuthnRequest's ID and the full redirect URL.
    func authnRequest(from response: APIResponse) throws -> (id: String, url: URLComponents) {
        #expect(response.status == .found, "\(response.text)")
        let location = try #require(response.headers[.location].flatMap(URLComponents.init(string:)))
        let xml = try #require(location.queryItems?.first { $0.name == "SAMLRequest" }?.value.flatMap(AuthnRequest.decodeRedirect))
        let id = try #require(xml.range(of: #"ID=""#).map { String(xml[$0.upperBound...].prefix { $0 != "\"" }) })
        return (id, location)
    }

    /// A response from the IdP, signed on the assertion, for `nameID` answering `requestId`.
    func response(nameID: String, requestId: String?, assertionID: String = "_a\(UUID().uuidString.prefix(8))", now: Date = Date(),
                  for directory: String? = nil) throws -> String {
        var factory = ResponseFactory()
        let dir = directory ?? directoryId
        factory.destination = "https://roster.test/saml/\(dir)/acs"
        factory.recipient = "https://roster.test/saml/\(dir)/acs"
        factory.audience = "https://roster.test/saml/\(dir)/metadata"
        factory.inResponseTo = requestId
        factory.nameID = nameID
        factory.assertionID = assertionID
        factory.notBefore = now.addingTimeInterval(-30)
        factory.notOnOrAfter = now.addingTimeInterval(300)
        return try idp.sign(factory.xml(), id: assertionID)
    }

    func post(_ xml: String, to directory: String? = nil) async throws -> APIResponse {
        let encoded = Data(xml.utf8).base64EncodedString().addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        return try await form(.post, "/saml/\(directory ?? directoryId)/acs", "SAMLResponse=\(encoded)")
    }

    func form(_ method: HTTPRequest.Method, _ uri: String, _ body: String, cookie: String? = nil) async throws -> APIResponse {
        var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        if let cookie { headers[.cookie] = "roster_session=\(cookie)" }
        let response = try await scim.api.client.execute(uri: uri, method: method, headers: headers, body: ByteBuffer(string: body))
        return APIResponse(status: response.status, headers: response.headers, text: String(buffer: response.body))
    }

    func get(_ uri: String, cookie: String? = nil) async throws -> APIResponse {
        let headers: HTTPFields = cookie.map { [.cookie: "roster_session=\($0)"] } ?? [:]
        let response = try await scim.api.client.execute(uri: uri, method: .get, headers: headers, body: nil)
        return APIResponse(status: response.status, headers: response.headers, text: String(buffer: response.body))
    }

    /// The session cookie a sign-in set.
    func token(_ response: APIResponse) throws -> String {
        let cookie = try #require(response.headers[.setCookie], "\(response.status) \(response.text)")
        return String(cookie.split(separator: ";")[0].dropFirst("roster_session=".count))
    }

    func sessionStatus(_ token: String) async throws -> HTTPResponse.Status {
        try await get("/api/v1/session", cookie: token).status
    }

    /// Claims, verifies and links a domain to a directory (verification itself is the setup issue's; here the
    /// store records it as verified).
    func verifiedDomain(_ name: String, linkedTo directoryId: String) async throws {
        var domain = try await scim.service.claimDomain(organizationId: scim.organization.id, name: name, caller: .operatorCLI)
        domain.verifiedAt = Date()
        domain.directoryId = directoryId
        let verified = domain
        try await scim.service.store.write { tx in try await tx.update(verified) }
    }

    func auditActions() async throws -> [String] {
        try await scim.service.store.read {
            try await $0.auditEntries(organizationId: scim.organization.id, page: PageRequest(limit: 200))
        }.items.map(\.action)
    }
}

@Suite("Sign-in flows over HTTP")
struct SignInFlowTests {
    @Test("the SP key: metadata carries it, AuthnRequests are signed with it, encrypted assertions are decrypted with it", arguments: TestDatabaseKind.available)
    func spKey(kind: TestDatabaseKind) async throws {
        try await SSOHarness.with(kind, signRequests: true) { sso in
            _ = try await sso.scim.createUser("alice@example.com", extra: #","emails":[{"value":"alice@example.com","primary":true}]"#)
            let metadata = try await sso.get("/saml/\(sso.directoryId)/metadata")
            #expect(metadata.text.contains(#"use="encryption""#) && metadata.text.contains(#"AuthnRequestsSigned="true""#))
            let body = try #require(metadata.text.range(of: "<ds:X509Certificate>").map { range in
                String(metadata.text[range.upperBound...].prefix { $0 != "<" })
            })
            let certificate = "-----BEGIN CERTIFICATE-----\n\(body)\n-----END CERTIFICATE-----\n"
            // The same key on every request: it is stored, not regenerated.
            #expect(try await sso.get("/saml/\(sso.directoryId)/metadata").text == metadata.text)

            let (requestId, url) = try sso.authnRequest(from: try await sso.get("/saml/\(sso.directoryId)/login"))
            let query = try #require(url.percentEncodedQuery)
            let signedPart = try #require(query.range(of: "&Signature=")).lowerBound
            #expect(query.contains("SigAlg=http%3A%2F%2Fwww.w3.org%2F2001%2F04%2Fxmldsig-more%23rsa-sha256"))
            let signature = try #require(url.queryItems?.first { $0.name == "Signature" }?.value.flatMap { Data(base64Encoded: $0) })
            #expect(try OpenSSL.verify(signature: signature, of: Data(query[..<signedPart].utf8), certificatePEM: certificate))
            #expect(try !OpenSSL.verify(signature: signature, of: Data((query[..<signedPart] + "x").utf8), certificatePEM: certificate))

            let encrypted = try TestIdentity.encryptAssertion(try sso.response(nameID: "alice@example.com", requestId: requestId), for: certificate)
            let accepted = try await sso.post(encrypted)
            #expect(accepted.status == .found, "\(accepted.text)")
            #expect(try await sso.sessionStatus(try sso.token(accepted)) == .ok)
            // Encrypted for someone else's key: refused, no session.
            let (otherRequest, _) = try sso.authnRequest(from: try await sso.get("/saml/\(sso.directoryId)/login"))
            let stranger = try TestIdentity.make(name: "stranger")
            let wrongKey = try await sso.post(TestIdentity.encryptAssertion(
                try sso.response(nameID: "alice@example.com", requestId: otherRequest), for: stranger.certificatePEM))
            #expect(wrongKey.status == .badRequest && wrongKey.headers[.setCookie] == nil)
        }
    }

    @Test("/login sends a verified domain's people to their IdP and everyone else to a password; SSO enforcement and backup admins", arguments: TestDatabaseKind.available)
    func loginRouting(kind: TestDatabaseKind) async throws {
        try await SSOHarness.with(kind) { sso in
            let service = sso.scim.service
            try await sso.verifiedDomain("acme.test", linkedTo: sso.directoryId)
            let page = try await sso.get("/login")
            #expect(page.status == .ok && page.text.contains("name=\"email\""))

            let routed = try await sso.form(.post, "/login", "email=Alice%40ACME.test&RelayState=%2Fprojects")
            let (requestId, url) = try sso.authnRequest(from: routed)
            #expect(url.host == "idp.example" && url.queryItems?.first { $0.name == "RelayState" }?.value == "/projects")
            _ = try await sso.scim.createUser("alice@acme.test", extra: #","emails":[{"value":"alice@acme.test","primary":true}]"#)
            let signedIn = try await sso.post(try sso.response(nameID: "alice@acme.test", requestId: requestId))
            #expect(signedIn.headers[.location] == "/projects")

            // Another domain: the password form. A local account signs in with its password, not with a wrong one.
            let local = try #require(try await service.directories(organizationId: sso.scim.organization.id, caller: .operatorCLI).first { $0.kind == .local })
            let bob = try await service.createUser(
                directoryId: local.id, draft: UserDraft(userName: "bob@other.test", emails: [User.Email(value: "bob@other.test", primary: true)]),
                caller: .operatorCLI)
            try await service.setPassword(userId: bob.id, password: "correct horse battery", caller: .operatorCLI)
            let form = try await sso.form(.post, "/login", "email=bob%40other.test")
            #expect(form.status == .ok && form.text.contains("type=\"password\""))
            let wrong = try await sso.form(.post, "/login/password", "email=bob%40other.test&password=guess")
            #expect(wrong.status == .unauthorized && wrong.headers[.setCookie] == nil)
            let nobody = try await sso.form(.post, "/login/password", "email=nobody%40other.test&password=guess")
            #expect(nobody.status == .unauthorized && nobody.text == wrong.text.replacingOccurrences(of: "bob%40other.test", with: "nobody%40other.test")
                    .replacingOccurrences(of: "bob@other.test", with: "nobody@other.test"), "the same answer whether or not the account exists")
            let good = try await sso.form(.post, "/login/password", "email=bob%40other.test&password=correct+horse+battery")
            #expect(good.status == .found)
            #expect(try await sso.sessionStatus(try sso.token(good)) == .ok)

            // Carol is in the IdP directory and has a password; once SSO is enforced she must use it, unless she is a backup admin.
            let carol = try await service.createUser(
                directoryId: sso.directoryId, draft: UserDraft(userName: "carol@acme.test", emails: [User.Email(value: "carol@acme.test", primary: true)]),
                caller: .operatorCLI)
            try await service.setPassword(userId: carol.id, password: "carol's long password", caller: .operatorCLI)
            let carolLogin = "email=carol%40acme.test&password=carol%27s+long+password"
            #expect(try await sso.form(.post, "/login/password", carolLogin).status == .found)
            _ = try await service.setAuthenticationPolicy(
                directoryId: sso.directoryId, enforceSSO: true, sessionLifetime: 3600, idleTimeout: 900, caller: .operatorCLI)
            #expect(try await sso.form(.post, "/login/password", carolLogin).status == .unauthorized)
            // A local account whose verified email domain routes to the enforcing directory is held to it too.
            let dave = try await service.createUser(
                directoryId: local.id, draft: UserDraft(userName: "dave@acme.test", emails: [User.Email(value: "dave@acme.test", primary: true)]),
                caller: .operatorCLI)
            try await service.setPassword(userId: dave.id, password: "dave's long password", caller: .operatorCLI)
            #expect(try await sso.form(.post, "/login/password", "email=dave%40acme.test&password=dave%27s+long+password").status == .unauthorized)

            let admin = try await service.createAdmin(organizationId: sso.scim.organization.id, email: "carol@acme.test", roles: [.orgAdmin], caller: .operatorCLI)
            #expect(try await sso.form(.post, "/login/password", carolLogin).status == .unauthorized, "an admin who is not a backup admin")
            let marked = try await sso.scim.api.send(.put, "/api/v1/admins/\(admin.admin.id)/backup", token: sso.scim.adminToken, json: #"{"backupAdmin":true}"#)
            #expect(marked.status == .ok && marked.json["backupAdmin"] as? Bool == true)
            // The exemption belongs to the account bound to the admin, not to whoever has the email.
            #expect(try await sso.form(.post, "/login/password", carolLogin).status == .unauthorized, "a backup admin not bound to this account")
            let bound = try await sso.scim.api.send(.put, "/api/v1/admins/\(admin.admin.id)/account", token: sso.scim.adminToken,
                                                    json: #"{"userId":"\#(carol.id)","password":"carol's long password"}"#)
            #expect(bound.status == .ok && bound.json["userId"] as? String == carol.id)
            let backup = try await sso.form(.post, "/login/password", carolLogin)
            #expect(backup.status == .found)
            // The policy's lifetime governs the session.
            let cookie = try #require(backup.headers[.setCookie])
            #expect(cookie.contains("Max-Age=3600"))

            let audit = try await sso.auditActions()
            #expect(audit.filter { $0 == "sign_in.refused" }.count >= 4)
            #expect(audit.contains("directory.policy_updated") && audit.contains("admin.backup_granted"))
        }
    }

    @Test("sessions end at the policy's idle timeout, on logout (with a LogoutRequest to the IdP), and at deactivation", arguments: TestDatabaseKind.available)
    func sessions(kind: TestDatabaseKind) async throws {
        let clock = TestClock(Date())
        try await SSOHarness.with(kind, environment: clock.environment) { sso in
            let service = sso.scim.service
            let userId = try await sso.scim.createUser("erin@example.com", extra: #","emails":[{"value":"erin@example.com","primary":true}]"#)
            _ = try await service.setAuthenticationPolicy(
                directoryId: sso.directoryId, enforceSSO: false, sessionLifetime: 7200, idleTimeout: 600, caller: .operatorCLI)
            func signIn() async throws -> String {
                let (requestId, _) = try sso.authnRequest(from: try await sso.get("/saml/\(sso.directoryId)/login"))
                return try sso.token(try await sso.post(try sso.response(nameID: "erin@example.com", requestId: requestId, now: clock.now)))
            }
            let token = try await signIn()
            clock.advance(by: 500)
            #expect(try await sso.sessionStatus(token) == .ok, "used within the idle timeout")
            clock.advance(by: 500)
            #expect(try await sso.sessionStatus(token) == .ok, "the last use moved the idle window")
            clock.advance(by: 601)
            #expect(try await sso.sessionStatus(token) == .unauthorized, "idle for longer than the policy allows")

            // Logout ends the session here and asks the IdP to end its own.
            let second = try await signIn()
            let logout = try await sso.form(.post, "/logout", "", cookie: second)
            #expect(logout.status == .found)
            let slo = try #require(logout.headers[.location].flatMap(URLComponents.init(string:)))
            #expect(slo.host == "idp.example" && slo.path == "/slo")
            let logoutXML = try #require(slo.queryItems?.first { $0.name == "SAMLRequest" }?.value.flatMap(RedirectBinding.decode))
            #expect(logoutXML.contains("<saml:NameID") && logoutXML.contains("erin@example.com") && logoutXML.contains("<samlp:SessionIndex>_s1<"))
            #expect(logout.headers[.setCookie]?.contains("Max-Age=0") == true)
            #expect(try await sso.sessionStatus(second) == .unauthorized)
            #expect(try await sso.get("/saml/\(sso.directoryId)/slo?SAMLResponse=x").status == .ok)

            // The policy's lifetime is a hard end, however busy the session.
            let third = try await signIn()
            for _ in 0..<14 {
                clock.advance(by: 550)
                _ = try await sso.sessionStatus(third)
            }
            #expect(try await sso.sessionStatus(third) == .unauthorized, "past the 2 h lifetime")

            let fourth = try await signIn()
            #expect(try await sso.scim.patch("/Users/\(userId)", #"[{"op":"replace","path":"active","value":false}]"#).status == .ok)
            #expect(try await sso.sessionStatus(fourth) == .unauthorized)
            let (requestId, _) = try sso.authnRequest(from: try await sso.get("/saml/\(sso.directoryId)/login"))
            #expect(try await sso.post(try sso.response(nameID: "erin@example.com", requestId: requestId, now: clock.now)).status == .forbidden,
                    "a deactivated account cannot sign in")
        }
    }

    @Test("IdP-initiated: refused unless allowed, and then each assertion works once (the replay guard alone)", arguments: TestDatabaseKind.available)
    func idpInitiated(kind: TestDatabaseKind) async throws {
        try await SSOHarness.with(kind) { sso in
            _ = try await sso.scim.createUser("frank@example.com", extra: #","emails":[{"value":"frank@example.com","primary":true}]"#)
            let unsolicited = try sso.response(nameID: "frank@example.com", requestId: nil)
            #expect(try await sso.post(unsolicited).status == .forbidden)
            // An unsigned Response claiming to answer one of our requests does not turn it into an answer.
            let (requestId, _) = try sso.authnRequest(from: try await sso.get("/saml/\(sso.directoryId)/login"))
            let claimed = try sso.response(nameID: "frank@example.com", requestId: nil, assertionID: "_claimed")
                .replacingOccurrences(of: "ID=\"_r1\"", with: "ID=\"_r1\" InResponseTo=\"\(requestId)\"")
            let refused = try await sso.post(claimed)
            #expect(refused.status == .badRequest && refused.headers[.setCookie] == nil)

            _ = try await sso.scim.service.configureSAML(
                directoryId: sso.directoryId, identityProviderEntityID: ResponseFactory.idpEntity, singleSignOnURL: "https://idp.example/sso",
                certificates: [sso.idp.certificatePEM], allowSHA1: false, allowIdPInitiated: true, caller: .operatorCLI)
            let fresh = try sso.response(nameID: "frank@example.com", requestId: nil, assertionID: "_once")
            #expect(try await sso.post(fresh).status == .found)
            #expect(try await sso.post(fresh).status == .forbidden)
            let details = try await sso.scim.service.store.read {
                try await $0.auditEntries(organizationId: sso.scim.organization.id, page: PageRequest(limit: 50))
            }.items.compactMap(\.detail)
            #expect(details.contains { $0.contains("replay") })
            #expect(try await sso.get("/saml/\(sso.directoryId)/metadata").text.contains(#"AuthnRequestsSigned="false""#))

            // An IdP that only takes HTTP-POST gets a self-submitting form with the AuthnRequest.
            _ = try await sso.scim.service.configureSAML(
                directoryId: sso.directoryId, identityProviderEntityID: ResponseFactory.idpEntity, singleSignOnURL: "https://idp.example/post-sso",
                certificates: [sso.idp.certificatePEM], allowSHA1: false, allowIdPInitiated: true, singleSignOnBinding: .post, caller: .operatorCLI)
            let page = try await sso.get("/saml/\(sso.directoryId)/login?RelayState=%2Fx")
            #expect(page.status == .ok && page.text.contains(#"action="https://idp.example/post-sso""#) && page.text.contains(#"name="RelayState" value="/x""#))
            let encoded = try #require(page.text.range(of: #"name="SAMLRequest" value=""#).map { String(page.text[$0.upperBound...].prefix { $0 != "\"" }) })
            let xml = String(decoding: try #require(Data(base64Encoded: encoded)), as: UTF8.self)
            #expect(xml.hasPrefix("<samlp:AuthnRequest") && xml.contains("Destination=\"https://idp.example/post-sso\""))
        }
    }

    @Test("portal-only customers sign in through the site's IdP and are created just in time", arguments: TestDatabaseKind.available)
    func portal(kind: TestDatabaseKind) async throws {
        try await SSOHarness.with(kind) { sso in
            let service = sso.scim.service
            let site = try await service.addSite(organizationId: sso.scim.organization.id, name: "help", caller: .operatorCLI)
            _ = try await service.addProduct(siteId: site.id, product: .jiraServiceManagement, caller: .operatorCLI)
            #expect(try await sso.get("/portal/\(site.id)/login").status == .notFound)
            let portal = try await service.createDirectory(
                organizationId: sso.scim.organization.id, name: "Help center customers", identityProvider: .okta, portalSiteId: site.id,
                caller: .operatorCLI)
            _ = try await service.configureSAML(
                directoryId: portal.directory.id, identityProviderEntityID: ResponseFactory.idpEntity, singleSignOnURL: "https://customers.example/sso",
                certificates: [sso.idp.certificatePEM], allowSHA1: false, allowIdPInitiated: false, caller: .operatorCLI)

            let (requestId, url) = try sso.authnRequest(from: try await sso.get("/portal/\(site.id)/login?RelayState=%2Fportal%2F1"))
            #expect(url.host == "customers.example")
            let signedIn = try await sso.post(try sso.response(nameID: "customer@example.org", requestId: requestId, for: portal.directory.id), to: portal.directory.id)
            #expect(signedIn.status == .found && signedIn.headers[.location] == "/portal/1", "\(signedIn.text)")
            let session = try await sso.get("/api/v1/session", cookie: try sso.token(signedIn))
            #expect(session.string("directoryId") == portal.directory.id && session.string("userName") == "customer@example.org")
            let customers = try await service.store.read { try await $0.users(directoryId: portal.directory.id, search: nil, page: PageRequest(limit: 10)) }
            #expect(customers.items.map(\.userName) == ["customer@example.org"])
            #expect(customers.items.first?.name.givenName == nil && customers.items.first?.primaryEmail == "customer@example.org")

            // The second sign-in finds the same customer; members' IdP directories never create accounts on the fly.
            let (again, _) = try sso.authnRequest(from: try await sso.get("/portal/\(site.id)/login"))
            #expect(try await sso.post(try sso.response(nameID: "customer@example.org", requestId: again, for: portal.directory.id), to: portal.directory.id).status == .found)
            #expect(try await service.store.read { try await $0.users(directoryId: portal.directory.id, search: nil, page: PageRequest(limit: 10)) }.total == 1)
            let (member, _) = try sso.authnRequest(from: try await sso.get("/saml/\(sso.directoryId)/login"))
            #expect(try await sso.post(try sso.response(nameID: "stranger@example.org", requestId: member)).status == .forbidden)
        }
    }

    @Test("admin API: SAML settings from metadata, certificates with expiry, Test SSO reports each check", arguments: TestDatabaseKind.available)
    func adminAPI(kind: TestDatabaseKind) async throws {
        try await SSOHarness.with(kind) { sso in
            let api = sso.scim.api
            let token = sso.scim.adminToken
            let certificateBody = sso.idp.certificatePEM.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
            let metadata = """
                <md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="\(ResponseFactory.idpEntity)"><md:IDPSSODescriptor \
                protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing"><ds:KeyInfo \
                xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>\(certificateBody)</ds:X509Certificate></ds:X509Data>\
                </ds:KeyInfo></md:KeyDescriptor><md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" \
                Location="https://idp.example/logout"/><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" \
                Location="https://idp.example/sso2"/></md:IDPSSODescriptor></md:EntityDescriptor>
                """
            let json = String(decoding: try JSONSerialization.data(withJSONObject: ["idpMetadataXml": metadata]), as: UTF8.self)
            let put = try await api.send(.put, "/api/v1/directories/\(sso.directoryId)/saml", token: token, json: json)
            #expect(put.status == .ok, "\(put.text)")
            #expect(put.string("idpSsoUrl") == "https://idp.example/sso2" && put.string("idpSloUrl") == "https://idp.example/logout")
            #expect(put.string("acsUrl") == sso.acs)
            let bad = try await api.send(.put, "/api/v1/directories/\(sso.directoryId)/saml", token: token, json: #"{"idpMetadataXml":"<nope/>"}"#)
            #expect(bad.status == .badRequest && bad.errorCode == "invalid_metadata")
            #expect(try await api.send(.put, "/api/v1/directories/\(sso.directoryId)/saml", token: token, json: #"{"idpEntityId":"x"}"#).status == .badRequest)
            #expect(try await api.send(.get, "/api/v1/directories/\(sso.directoryId)/saml").status == .unauthorized)

            let certificates = try await api.send(.get, "/api/v1/directories/\(sso.directoryId)/saml/certificates", token: token)
            let items = try #require(certificates.json["items"] as? [[String: Any]])
            #expect(items.map { $0["use"] as? String } == ["idp-signing", "sp"])
            #expect((items[0]["expiresInDays"] as? Int).map { (28...30).contains($0) } == true, "the test IdP certificate lasts 30 days")
            #expect((items[1]["expiresInDays"] as? Int).map { $0 > 1800 } == true)

            // Test SSO: a good answer passes every check without opening a session.
            _ = try await sso.scim.createUser("alice@example.com", extra: #","emails":[{"value":"alice@example.com","primary":true}]"#)
            let started = try await api.send(.post, "/api/v1/directories/\(sso.directoryId)/saml/tests", token: token)
            #expect(started.status == .created, "\(started.text)")
            let run = try #require(started.json["run"] as? [String: Any])
            let runId = try #require(run["id"] as? String)
            let signInURL = try #require((started.json["signInUrl"] as? String).flatMap(URLComponents.init(string:)))
            #expect(signInURL.host == "idp.example")
            let answered = try await sso.post(try sso.response(nameID: "alice@example.com", requestId: runId))
            #expect(answered.status == .ok && answered.headers[.setCookie] == nil && answered.text.contains("Test finished"))
            let report = try await api.send(.get, "/api/v1/directories/\(sso.directoryId)/saml/tests/\(runId)", token: token)
            let result = try #require(report.json["run"] as? [String: Any])
            #expect(result["succeeded"] as? Bool == true)
            let checks = try #require(result["checks"] as? [[String: Any]])
            #expect(checks.count == ValidationStage.allCases.count + DirectoryService.serviceChecks.count)
            #expect(checks.allSatisfy { $0["outcome"] as? String == "passed" })

            // A failing answer (wrong audience) is reported at its check; later checks did not run.
            let second = try await api.send(.post, "/api/v1/directories/\(sso.directoryId)/saml/tests", token: token)
            let secondId = try #require((second.json["run"] as? [String: Any])?["id"] as? String)
            var factory = ResponseFactory()
            factory.destination = sso.acs
            factory.recipient = sso.acs
            factory.audience = "https://someone-else.example"
            factory.inResponseTo = secondId
            factory.notBefore = Date().addingTimeInterval(-30)
            factory.notOnOrAfter = Date().addingTimeInterval(300)
            #expect(try await sso.post(try sso.idp.sign(factory.xml(), id: "_a1")).status == .ok)
            let failed = try #require(try await api.send(.get, "/api/v1/directories/\(sso.directoryId)/saml/tests/\(secondId)", token: token).json["run"] as? [String: Any])
            #expect(failed["succeeded"] as? Bool == false)
            let outcomes = try #require(failed["checks"] as? [[String: Any]]).map { "\($0["name"] ?? ""):\($0["outcome"] ?? "")" }
            #expect(outcomes.contains("Audience:failed") && outcomes.contains("Validity window:passed") && outcomes.contains("Account:not_run"))

            // Authentication policy over the API, with its bounds.
            let policy = try await api.send(.put, "/api/v1/directories/\(sso.directoryId)/authentication-policy", token: token,
                                            json: #"{"enforceSso":true,"sessionLifetimeSeconds":3600,"idleTimeoutSeconds":600}"#)
            #expect(policy.status == .ok && policy.json["enforceSso"] as? Bool == true)
            let tooLong = try await api.send(.put, "/api/v1/directories/\(sso.directoryId)/authentication-policy", token: token,
                                             json: #"{"enforceSso":false,"sessionLifetimeSeconds":600,"idleTimeoutSeconds":3600}"#)
            #expect(tooLong.status == .badRequest)
        }
    }
}

/// Verifies an RSA-SHA256 signature with the openssl command, independently of Roster's own code.
enum OpenSSL {
    static func verify(signature: Data, of data: Data, certificatePEM: String) throws -> Bool {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("roster-verify-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let certificate = folder.appendingPathComponent("cert.pem")
        let key = folder.appendingPathComponent("key.pem")
        let signed = folder.appendingPathComponent("data")
        let signatureFile = folder.appendingPathComponent("sig")
        try certificatePEM.write(to: certificate, atomically: true, encoding: .utf8)
        try data.write(to: signed)
        try signature.write(to: signatureFile)
        guard try run(["x509", "-in", certificate.path, "-pubkey", "-noout", "-out", key.path]) == 0 else { return false }
        return try run(["dgst", "-sha256", "-verify", key.path, "-signature", signatureFile.path, signed.path]) == 0
    }

    private static func run(_ arguments: [String]) throws -> Int32 {
        try ChildProcess.run("/usr/bin/openssl", arguments)
    }
}
