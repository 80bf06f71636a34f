import Directory
import Foundation
import HTTPTypes
import NIOCore
import RosterTestSupport
import SAML
import Testing

/// The ways in that the trust review found, each reproduced as an attack that must now fail.
@Suite("Trust: setup links, login CSRF, the shared throttle, site admins' groups")
struct TrustTests {
    /// Saves an attacker's IdP as the directory's SAML settings through a setup link.
    static func hijack(_ sso: SSOHarness, attacker: TestIdentity, allowIdPInitiated: Bool = true) async throws -> (SetupLink, SAMLConnection) {
        let issued = try await sso.scim.service.createSetupLink(directoryId: sso.directoryId, caller: .operatorCLI)
        let connection = try await sso.scim.service.configureSAML(
            directoryId: sso.directoryId, identityProviderEntityID: ResponseFactory.idpEntity, singleSignOnURL: "https://evil.example/sso",
            certificates: [attacker.certificatePEM], allowSHA1: false, allowIdPInitiated: allowIdPInitiated, caller: .setupLink(issued.link)
        )
        return (issued.link, connection)
    }

    @Test("SAML settings saved through a setup link serve Test SSO only until an org admin confirms the digest it was shown",
          arguments: TestDatabaseKind.available)
    func setupLinkSettingsArePending(kind: TestDatabaseKind) async throws {
        try await SSOHarness.with(kind) { sso in
            let service = sso.scim.service
            _ = try await sso.scim.createUser("ceo@acme.test", extra: #","emails":[{"value":"ceo@acme.test","primary":true}]"#)
            // A sign-in started while the real IdP was configured.
            let (before, _) = try sso.authnRequest(from: try await sso.get("/saml/\(sso.directoryId)/login"))

            let attacker = try TestIdentity.make()
            let (link, pending) = try await Self.hijack(sso, attacker: attacker)
            #expect(pending.isPending)
            let forged = SSOHarness(scim: sso.scim, idp: attacker, directoryId: sso.directoryId)

            // No real sign-in through the pending settings: not SP-initiated, not IdP-initiated, not an old request.
            let start = try await sso.get("/saml/\(sso.directoryId)/login")
            #expect(start.status == .forbidden && start.headers[.location] == nil && start.text.contains("confirm"))
            let unsolicited = try await forged.post(try forged.response(nameID: "ceo@acme.test", requestId: nil))
            #expect(unsolicited.headers[.setCookie] == nil && unsolicited.status == .forbidden, "\(unsolicited.status)")
            let answered = try await forged.post(try forged.response(nameID: "ceo@acme.test", requestId: before))
            #expect(answered.headers[.setCookie] == nil && answered.status == .forbidden)
            #expect(try await sso.auditActions().contains("sign_in.refused"))

            // Test SSO works for the setup link's holder, and opens no session.
            let (run, _) = try await service.beginTestRun(directoryId: sso.directoryId, requestId: "_t\(UUID().uuidString.prefix(8))", caller: .setupLink(link))
            let tested = try await forged.post(try forged.response(nameID: "ceo@acme.test", requestId: run.id))
            #expect(tested.status == .ok && tested.headers[.setCookie] == nil && tested.text.contains("Test finished"))
            #expect(try await service.testRun(id: run.id, directoryId: sso.directoryId, caller: .operatorCLI).succeeded == true)

            // The holder cannot confirm; an admin naming another digest confirms nothing.
            await #expect(throws: DirectoryError.self) {
                _ = try await service.confirmSAML(directoryId: sso.directoryId, digest: pending.trustDigest, caller: .setupLink(link))
            }
            let api = try await sso.scim.api.send(.get, "/api/v1/directories/\(sso.directoryId)/saml", token: sso.scim.adminToken)
            #expect(api.json["pendingConfirmation"] as? Bool == true && api.json["trustDigest"] as? String == pending.trustDigest)
            let stale = try await sso.scim.api.send(.post, "/api/v1/directories/\(sso.directoryId)/saml/confirmation", token: sso.scim.adminToken,
                                                    json: #"{"trustDigest":"\#(String(repeating: "0", count: 64))"}"#)
            #expect(stale.status == .preconditionFailed)
            #expect(try await service.samlConnection(directoryId: sso.directoryId)?.isPending == true)

            // Re-saving the same settings through the link keeps them pending; changing them after an admin looked makes
            // the admin's digest stale.
            let other = try TestIdentity.make()
            let swapped = try await service.configureSAML(
                directoryId: sso.directoryId, identityProviderEntityID: ResponseFactory.idpEntity, singleSignOnURL: "https://evil.example/sso",
                certificates: [other.certificatePEM], allowSHA1: false, allowIdPInitiated: true, caller: .setupLink(link)
            )
            #expect(swapped.isPending && swapped.trustDigest != pending.trustDigest)
            let late = try await sso.scim.api.send(.post, "/api/v1/directories/\(sso.directoryId)/saml/confirmation", token: sso.scim.adminToken,
                                                   json: #"{"trustDigest":"\#(pending.trustDigest)"}"#)
            #expect(late.status == .preconditionFailed, "the admin reviewed settings that are gone")

            // Confirmed with the digest of what is there now: sign-in works through it.
            let confirmed = try await sso.scim.api.send(.post, "/api/v1/directories/\(sso.directoryId)/saml/confirmation", token: sso.scim.adminToken,
                                                        json: #"{"trustDigest":"\#(swapped.trustDigest)"}"#)
            #expect(confirmed.status == .ok && confirmed.json["pendingConfirmation"] as? Bool == false)
            let now = SSOHarness(scim: sso.scim, idp: other, directoryId: sso.directoryId)
            let (requestId, _) = try now.authnRequest(from: try await now.get("/saml/\(sso.directoryId)/login"))
            let signedIn = try await now.post(try now.response(nameID: "ceo@acme.test", requestId: requestId))
            #expect(signedIn.status == .found && signedIn.headers[.setCookie] != nil)
            #expect(try await sso.auditActions().contains("directory.saml_confirmed"))

            // Saving the confirmed settings again through the link changes nothing and stays confirmed.
            let resaved = try await service.configureSAML(
                directoryId: sso.directoryId, identityProviderEntityID: ResponseFactory.idpEntity, singleSignOnURL: "https://evil.example/sso",
                certificates: [other.certificatePEM], allowSHA1: false, allowIdPInitiated: true, caller: .setupLink(link)
            )
            #expect(!resaved.isPending)
        }
    }

    @Test("an admin's bound account never signs in through settings a setup link changed", arguments: TestDatabaseKind.available)
    func adminThroughSetupLink(kind: TestDatabaseKind) async throws {
        try await SSOHarness.with(kind) { sso in
            let service = sso.scim.service
            let account = try await sso.scim.createUser("owner@acme.test", extra: #","emails":[{"value":"owner@acme.test","primary":true}]"#)
            let admin = try await service.createAdmin(organizationId: sso.scim.organization.id, email: "owner@acme.test", roles: [.orgAdmin], caller: .operatorCLI)
            _ = try await service.bindAdminAccount(adminId: admin.admin.id, userId: account, caller: .operatorCLI)
            let attacker = try TestIdentity.make()
            _ = try await Self.hijack(sso, attacker: attacker)
            let forged = SSOHarness(scim: sso.scim, idp: attacker, directoryId: sso.directoryId)
            let response = try await forged.post(try forged.response(nameID: "owner@acme.test", requestId: nil))
            #expect(response.headers[.setCookie] == nil && response.status == .forbidden)
        }
    }

    @Test("sign-in forms posted from another site are refused (login CSRF); the same site and non-browser clients pass",
          arguments: TestDatabaseKind.available)
    func loginCSRF(kind: TestDatabaseKind) async throws {
        try await SSOHarness.with(kind) { sso in
            let service = sso.scim.service
            let local = try #require(try await service.directories(organizationId: sso.scim.organization.id, caller: .operatorCLI).first { $0.kind == .local })
            let mallory = try await service.createUser(
                directoryId: local.id, draft: UserDraft(userName: "mallory@other.test", emails: [User.Email(value: "mallory@other.test", primary: true)]),
                caller: .operatorCLI)
            try await service.setPassword(userId: mallory.id, password: "mallory's long password", caller: .operatorCLI)
            let body = "email=mallory%40other.test&password=mallory%27s+long+password"
            func post(_ path: String, _ headers: HTTPFields) async throws -> APIResponse {
                var all = headers
                all[.contentType] = "application/x-www-form-urlencoded"
                let response = try await sso.scim.api.client.execute(uri: path, method: .post, headers: all, body: ByteBuffer(string: body))
                return APIResponse(status: response.status, headers: response.headers, text: String(buffer: response.body))
            }
            let secFetchSite = HTTPField.Name("Sec-Fetch-Site")!
            for path in ["/login/password", "/login"] {
                for headers: HTTPFields in [[.origin: "https://evil.example"], [.origin: "null"], [secFetchSite: "cross-site"],
                                            [.origin: "https://roster.test.evil.example"], [.origin: "http://roster.test"]] {
                    let refused = try await post(path, headers)
                    #expect(refused.status == .forbidden && refused.headers[.setCookie] == nil, "\(path) \(headers)")
                }
            }
            #expect(try await post("/login/password", [.origin: "https://roster.test", secFetchSite: "same-origin"]).status == .found)
            #expect(try await post("/login/password", [:]).status == .found, "a client that is not a browser")
        }
    }

    @Test("the password throttle counts every attempt in the database: concurrent guesses get at most ten checks; unknown emails are audited",
          arguments: TestDatabaseKind.available)
    func throttle(kind: TestDatabaseKind) async throws {
        try await SSOHarness.with(kind) { sso in
            let service = sso.scim.service
            try await sso.verifiedDomain("acme.test", linkedTo: sso.directoryId)
            let local = try #require(try await service.directories(organizationId: sso.scim.organization.id, caller: .operatorCLI).first { $0.kind == .local })
            let bob = try await service.createUser(
                directoryId: local.id, draft: UserDraft(userName: "bob@other.test", emails: [User.Email(value: "bob@other.test", primary: true)]),
                caller: .operatorCLI)
            try await service.setPassword(userId: bob.id, password: "correct horse battery", caller: .operatorCLI)

            // Concurrent guesses (through the service, so that they really run together rather than queue on one
            // HTTP connection): at most the limit get their password checked.
            let codes = await withTaskGroup(of: DirectoryError.Code?.self) { group in
                for guess in 0..<14 {
                    group.addTask {
                        do { _ = try await service.passwordSignIn(email: "bob@other.test", password: "guess\(guess)") } catch let error as DirectoryError {
                            return error.code
                        } catch {}
                        return nil
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(codes.filter { $0 == .unauthenticated }.count <= DirectoryService.passwordAttemptLimit, "\(codes)")
            #expect(codes.filter { $0 == .throttled }.count >= 14 - DirectoryService.passwordAttemptLimit, "\(codes)")
            let locked = try await sso.form(.post, "/login/password", "email=bob%40other.test&password=correct+horse+battery")
            #expect(locked.status == .tooManyRequests && locked.headers[.setCookie] == nil, "the right password does not open a locked email")
            let rows = try await service.store.read { try await $0.signInAttempts(key: "password:bob@other.test", since: .distantPast) }
            #expect(rows >= 15)

            // An email no account has, of a verified domain: audited in that organization, without the password.
            _ = try await sso.form(.post, "/login/password", "email=ghost%40acme.test&password=secret-guess-123")
            let entries = try await service.store.read {
                try await $0.auditEntries(organizationId: sso.scim.organization.id, page: PageRequest(limit: 500))
            }.items
            let ghost = entries.filter { $0.action == "sign_in.refused" && $0.targetId == "ghost@acme.test" }
            #expect(ghost.count == 1 && ghost[0].targetType == "email")
            #expect(!entries.contains { ($0.detail ?? "").contains("secret-guess") || ($0.detail ?? "").contains("guess1") })
        }
    }

    @Test("original experience: a site admin sees only the groups that grant access on their sites", arguments: TestDatabaseKind.available)
    func siteAdminGroups(kind: TestDatabaseKind) async throws {
        try await SCIMFixture.with(kind) { scim in
            let service = scim.service
            _ = try await service.updateOrganization(id: scim.organization.id, plan: nil, userManagement: .original, caller: .operatorCLI)
            let mine = try await service.addSite(organizationId: scim.organization.id, name: "mine", caller: .operatorCLI)
            let theirs = try await service.addSite(organizationId: scim.organization.id, name: "theirs", caller: .operatorCLI)
            let myJira = try await service.addProduct(siteId: mine.id, product: .jiraSoftware, caller: .operatorCLI)
            let theirJira = try await service.addProduct(siteId: theirs.id, product: .jiraSoftware, caller: .operatorCLI)
            let engineering = try await scim.createGroup("Engineering")
            let finance = try await scim.createGroup("Finance")
            _ = try await scim.createGroup("Ungranted")
            _ = try await service.grantAccess(site: mine.id, product: myJira.id, group: engineering, role: .user, caller: .operatorCLI)
            _ = try await service.grantAccess(site: theirs.id, product: theirJira.id, group: finance, role: .user, caller: .operatorCLI)
            let siteAdmin = try await service.createAdmin(
                organizationId: scim.organization.id, email: "site@acme.test", roles: [AdminRole(kind: .siteAdmin, siteId: mine.id)], caller: .operatorCLI
            )
            let listed = try await scim.api.send(.get, "/api/v1/directories/\(scim.directoryId)/groups", token: siteAdmin.value)
            let names = (listed.json["items"] as? [[String: Any]])?.compactMap { $0["displayName"] as? String }
            #expect(listed.status == .ok && names == ["Engineering"] && listed.json["total"] as? Int == 1, "\(listed.text)")
            await #expect(throws: DirectoryError.self) { _ = try await service.group(id: finance, caller: .admin(siteAdmin.admin)) }
            await #expect(throws: DirectoryError.self) {
                _ = try await service.members(groupId: finance, page: PageRequest(limit: 10), caller: .admin(siteAdmin.admin))
            }
            #expect(try await service.group(id: engineering, caller: .admin(siteAdmin.admin)).displayName == "Engineering")
            // The org admin still sees every group.
            let all = try await scim.api.send(.get, "/api/v1/directories/\(scim.directoryId)/groups", token: scim.adminToken)
            #expect(all.json["total"] as? Int == 3)
        }
    }
}

@Suite("Trust: confirming setup-link SAML settings in the console")
struct PendingSAMLConsoleTests {
    @Test("the IdP's admin saves SSO through a setup link; the org admin sees entity ID, SSO URL and fingerprint, and confirms",
          arguments: TestDatabaseKind.available)
    func confirmInConsole(_ kind: TestDatabaseKind) async throws {
        try await TestServer.with(kind) { api, service in
            let fixture = try await ConsoleFixture.make(service)
            let okta = try await service.createDirectory(organizationId: fixture.organization.id, name: "Okta", identityProvider: .okta, caller: .operatorCLI)
            let issued = try await service.createSetupLink(directoryId: okta.directory.id, caller: .operatorCLI)
            let idpAdmin = ConsoleBrowser(api.client)
            _ = try await idpAdmin.post(try #require(URL(string: issued.url)?.path), [:], csrf: nil)
            let wizard = try await idpAdmin.get("/admin/setup/d/\(okta.directory.id)/setup/sso")
            let identity = try TestIdentity.make(name: "okta-test")
            let saved = try await idpAdmin.post(
                "/admin/setup/d/\(okta.directory.id)/setup/sso",
                ["entityID": "http://www.okta.com/exk1", "ssoURL": "https://acme.okta.com/app/sso/saml", "certificate": identity.certificatePEM],
                csrf: wizard.csrf
            )
            #expect(saved.status == .seeOther && saved.location?.hasSuffix("done=sso-pending") == true, "\(saved.location ?? "-")")
            let connection = try #require(try await service.samlConnection(directoryId: okta.directory.id))
            #expect(connection.isPending)
            // The setup link cannot reach the confirmation.
            #expect(try await idpAdmin.post("/admin/setup/d/\(okta.directory.id)/saml/confirm", ["digest": connection.trustDigest], csrf: wizard.csrf).status != .seeOther)
            #expect(try await service.samlConnection(directoryId: okta.directory.id)?.isPending == true)
            await #expect(throws: DirectoryError.self) {
                _ = try await service.confirmSAML(directoryId: okta.directory.id, digest: connection.trustDigest, caller: .setupLink(issued.link))
            }

            let owner = ConsoleBrowser(api.client)
            try await owner.signIn(email: "owner@acme.test", password: ConsoleFixture.password)
            let base = "/admin/o/\(fixture.organization.id)/directory/identity-providers/\(okta.directory.id)"
            let page = try await owner.get(base)
            let fingerprint = try #require(connection.certificateFingerprints.first ?? nil)
            #expect(page.html.contains("wait for your confirmation") && page.html.contains("http://www.okta.com/exk1")
                    && page.html.contains("https://acme.okta.com/app/sso/saml") && page.html.contains(fingerprint))
            for label in ["SSO binding", "IdP-initiated sign-in", "SHA-1 signatures accepted", "Single logout URL", "Roster signs its requests"] {
                #expect(page.html.contains(label), "the card shows \(label)")
            }
            let confirmed = try await owner.post("\(base)/saml/confirm", ["digest": connection.trustDigest], csrf: page.csrf)
            #expect(confirmed.status == .seeOther && confirmed.location == "\(base)?done=saml-confirmed")
            #expect(try await service.samlConnection(directoryId: okta.directory.id)?.isPending == false)
            #expect(!(try await owner.get(base).html.contains("wait for your confirmation")))

            // A later change through the link, of the logout URL alone: the card shows it changed, beside what was confirmed.
            _ = try await service.configureSAML(
                directoryId: okta.directory.id, identityProviderEntityID: "http://www.okta.com/exk1", singleSignOnURL: "https://acme.okta.com/app/sso/saml",
                certificates: [identity.certificatePEM], allowSHA1: false, allowIdPInitiated: false, singleLogoutURL: "https://evil.example/logout",
                caller: .setupLink(issued.link))
            let changed = try await owner.get(base)
            #expect(changed.html.contains("Confirmed before") && changed.html.contains("https://evil.example/logout"))
            let logoutRow = try #require(changed.html.range(of: "Single logout URL").map { String(changed.html[$0.lowerBound...].prefix(300)) })
            #expect(logoutRow.contains("changed") && logoutRow.contains("none"), "\(logoutRow)")
            let entityRow = try #require(changed.html.range(of: "IdP entity ID").map { String(changed.html[$0.lowerBound...].prefix(120)) })
            #expect(!entityRow.contains("changed"), "unchanged values are not marked")
        }
    }
}

/// The ways in an attack review found after the first fixes, each reproduced.
@Suite("Trust: attack review regressions")
struct TrustReviewRegressionTests {
    @Test("an IdP certificate is exactly one canonical PEM block: a second key hidden behind a damaged header is refused",
          arguments: TestDatabaseKind.available)
    func certificateSmuggling(kind: TestDatabaseKind) async throws {
        try await SSOHarness.with(kind) { sso in
            let service = sso.scim.service
            let attacker = try TestIdentity.make()
            let hidden = attacker.certificatePEM.replacingOccurrences(of: "-----BEGIN CERTIFICATE-----", with: "-----BEGIN CERTIFICATE----- ")
            let issued = try await service.createSetupLink(directoryId: sso.directoryId, caller: .operatorCLI)
            for smuggled in ["x" + sso.idp.certificatePEM + hidden, sso.idp.certificatePEM + hidden, sso.idp.certificatePEM + attacker.certificatePEM,
                             "junk\n" + sso.idp.certificatePEM, sso.idp.certificatePEM.replacingOccurrences(of: "-----END CERTIFICATE-----", with: "-----END CERTIFICATE----- x")] {
                await #expect(throws: DirectoryError.self) {
                    _ = try await service.configureSAML(
                        directoryId: sso.directoryId, identityProviderEntityID: ResponseFactory.idpEntity, singleSignOnURL: "https://idp.example/sso",
                        certificates: [smuggled], allowSHA1: false, allowIdPInitiated: false, singleLogoutURL: "https://idp.example/slo",
                        caller: .setupLink(issued.link))
                }
            }
            // The connection is untouched and still confirmed.
            let connection = try #require(try await service.samlConnection(directoryId: sso.directoryId))
            #expect(!connection.isPending && connection.certificates.count == 1)
            // Stored certificates are canonical: the same one re-saved with other line breaks is the same digest.
            let reflowed = sso.idp.certificatePEM.replacingOccurrences(of: "\n", with: "\r\n") + "\n\n"
            let resaved = try await service.configureSAML(
                directoryId: sso.directoryId, identityProviderEntityID: ResponseFactory.idpEntity, singleSignOnURL: "https://idp.example/sso",
                certificates: [reflowed], allowSHA1: false, allowIdPInitiated: false, singleLogoutURL: "https://idp.example/slo", caller: .setupLink(issued.link))
            #expect(!resaved.isPending && resaved.trustDigest == connection.trustDigest)
            // Changing only the logout URL through the link is a change an admin confirms.
            let redirected = try await service.configureSAML(
                directoryId: sso.directoryId, identityProviderEntityID: ResponseFactory.idpEntity, singleSignOnURL: "https://idp.example/sso",
                certificates: [sso.idp.certificatePEM], allowSHA1: false, allowIdPInitiated: false, singleLogoutURL: "https://evil.example/slo",
                caller: .setupLink(issued.link))
            #expect(redirected.isPending)
        }
    }

    @Test("a setup link's SCIM key waits for an org admin: it cannot set the password of an admin's bound account, or anything else",
          arguments: TestDatabaseKind.available)
    func setupLinkKeyAndBoundPassword(kind: TestDatabaseKind) async throws {
        try await SSOHarness.with(kind) { sso in
            let service = sso.scim.service
            let accountId = try await sso.scim.createUser("it@acme.test", extra: #","emails":[{"value":"it@acme.test","primary":true}]"#)
            let admin = try await service.createAdmin(organizationId: sso.scim.organization.id, email: "it@acme.test", roles: [.orgAdmin], caller: .operatorCLI)
            _ = try await service.bindAdminAccount(adminId: admin.admin.id, userId: accountId, caller: .operatorCLI)

            // A key made through a setup link authenticates nothing until confirmed, and the working key stays.
            let issued = try await service.createSetupLink(directoryId: sso.directoryId, caller: .operatorCLI)
            let linkKey = try await service.rotateApiKey(directoryId: sso.directoryId, caller: .setupLink(issued.link))
            #expect(linkKey.key.pendingConfirmation)
            #expect(try await sso.scim.send(.get, "/Users", token: linkKey.token).status == .unauthorized)
            let planted = try await sso.scim.send(.patch, "/Users/\(accountId)", json: #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"password","value":"planted long password"}]}"#, token: linkKey.token)
            #expect(planted.status == .unauthorized)
            #expect(try await sso.form(.post, "/login/password", "email=it%40acme.test&password=planted+long+password").status == .unauthorized)
            #expect(try await sso.scim.send(.get, "/Users").status == .ok, "the provider's current key keeps working")
            let second = try await service.rotateApiKey(directoryId: sso.directoryId, caller: .setupLink(issued.link))
            await #expect(throws: DirectoryError.self) {
                _ = try await service.confirmApiKey(directoryId: sso.directoryId, keyId: second.key.id, caller: .setupLink(issued.link))
            }
            let confirmed = try await sso.scim.api.send(.post, "/api/v1/directories/\(sso.directoryId)/api-keys/\(second.key.id)/confirmation", token: sso.scim.adminToken)
            #expect(confirmed.status == .ok && confirmed.json["pendingConfirmation"] as? Bool == false, "\(confirmed.text)")
            #expect(try await sso.scim.send(.get, "/Users", token: second.token).status == .ok)
            #expect(try await sso.scim.send(.get, "/Users", token: linkKey.token).status == .unauthorized, "the link's earlier key was replaced")
        }
    }

    @Test("succeeding with another account of the same email does not reset the guesses at the victim's", arguments: TestDatabaseKind.available)
    func throttleTwin(kind: TestDatabaseKind) async throws {
        try await SSOHarness.with(kind) { sso in
            let service = sso.scim.service
            let local = try #require(try await service.directories(organizationId: sso.scim.organization.id, caller: .operatorCLI).first { $0.kind == .local })
            let victim = try await service.createUser(
                directoryId: local.id, draft: UserDraft(userName: "victim@acme.test", emails: [User.Email(value: "victim@acme.test", primary: true)]),
                caller: .operatorCLI)
            try await service.setPassword(userId: victim.id, password: "the victim's password", caller: .operatorCLI)
            let beta = try await service.createOrganization(name: "Beta", plan: .guard, caller: .operatorCLI)
            let betaLocal = try #require(try await service.directories(organizationId: beta.id, caller: .operatorCLI).first { $0.kind == .local })
            let twin = try await service.createUser(
                directoryId: betaLocal.id, draft: UserDraft(userName: "victim@acme.test", emails: [User.Email(value: "victim@acme.test", primary: true)]),
                caller: .operatorCLI)
            try await service.setPassword(userId: twin.id, password: "the attacker's twin", caller: .operatorCLI)
            for guess in 0..<5 {
                #expect(try await sso.form(.post, "/login/password", "email=victim%40acme.test&password=guess\(guess)").status == .unauthorized)
            }
            #expect(try await sso.form(.post, "/login/password", "email=victim%40acme.test&password=the+attacker%27s+twin").status == .found)
            for guess in 5..<10 {
                #expect(try await sso.form(.post, "/login/password", "email=victim%40acme.test&password=guess\(guess)").status == .unauthorized)
            }
            #expect(try await sso.form(.post, "/login/password", "email=victim%40acme.test&password=the+attacker%27s+twin").status == .tooManyRequests,
                    "the twin's success reset nothing: ten failures lock the email")
            let locked = try await sso.form(.post, "/login/password", "email=victim%40acme.test&password=the+victim%27s+password")
            #expect(locked.status == .tooManyRequests)
        }
    }
}
