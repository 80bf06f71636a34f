import Directory
import Foundation
import HTTPTypes
import NIOCore
import RosterTestSupport
import SAML
import Testing

/// Single logout both ways, over both bindings, against the tests' IdP: what verifies ends sessions, what does not
/// changes nothing.
@Suite("Single logout")
struct SingleLogoutTests {
    static func instant(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    static func logoutRequest(_ sso: SSOHarness, id: String, nameID: String, sessionIndex: String? = "_s1", issuer: String = ResponseFactory.idpEntity) -> String {
        """
        <samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" \
        ID="\(id)" Version="2.0" IssueInstant="\(instant(Date()))" Destination="https://roster.test/saml/\(sso.directoryId)/slo">\
        <saml:Issuer>\(issuer)</saml:Issuer><saml:NameID>\(nameID)</saml:NameID>\
        \(sessionIndex.map { "<samlp:SessionIndex>\($0)</samlp:SessionIndex>" } ?? "")</samlp:LogoutRequest>
        """
    }

    static func logoutResponse(_ sso: SSOHarness, id: String, inResponseTo: String, status: String = "urn:oasis:names:tc:SAML:2.0:status:Success") -> String {
        """
        <samlp:LogoutResponse xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" \
        ID="\(id)" Version="2.0" IssueInstant="\(instant(Date()))" Destination="https://roster.test/saml/\(sso.directoryId)/slo" \
        InResponseTo="\(inResponseTo)"><saml:Issuer>\(ResponseFactory.idpEntity)</saml:Issuer>\
        <samlp:Status><samlp:StatusCode Value="\(status)"/></samlp:Status></samlp:LogoutResponse>
        """
    }

    /// The path and query of a redirect-binding message to Roster's logout URL, signed with `identity`'s key.
    static func redirect(_ sso: SSOHarness, parameter: String, xml: String, relayState: String? = nil, signedBy identity: TestIdentity?) throws -> String {
        let signer: RedirectBinding.Signer? = identity.map { identity in
            let credential = ServiceProviderCredential(
                directoryId: "idp", privateKeyPEM: identity.privateKeyPEM, certificatePEM: identity.certificatePEM, created: Date(), notAfter: Date()
            )
            return { bytes in try ServiceProviderKeys.sign(bytes, with: credential) }
        }
        let url = try #require(RedirectBinding.url(destination: "https://roster.test/saml/\(sso.directoryId)/slo", parameter: parameter, xml: xml,
                                                   relayState: relayState, signer: signer))
        return url.path + "?" + (url.query ?? "")
    }

    static func postForm(_ sso: SSOHarness, _ field: String, _ xml: String) async throws -> APIResponse {
        let encoded = Data(xml.utf8).base64EncodedString().addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        return try await sso.form(.post, "/saml/\(sso.directoryId)/slo", "\(field)=\(encoded)")
    }

    static func signIn(_ sso: SSOHarness, _ nameID: String) async throws -> String {
        let (requestId, _) = try sso.authnRequest(from: try await sso.get("/saml/\(sso.directoryId)/login"))
        return try sso.token(try await sso.post(try sso.response(nameID: nameID, requestId: requestId)))
    }

    @Test("IdP-initiated: a signed LogoutRequest (POST or Redirect) ends the session and gets a signed LogoutResponse; forged, unsigned, foreign or replayed ones change nothing",
          arguments: TestDatabaseKind.available)
    func idpInitiated(kind: TestDatabaseKind) async throws {
        try await SSOHarness.with(kind) { sso in
            _ = try await sso.scim.createUser("erin@example.com", extra: #","emails":[{"value":"erin@example.com","primary":true}]"#)
            let credential = try await sso.scim.service.serviceProviderCredential(directoryId: sso.directoryId)
            let attacker = try TestIdentity.make()

            // Refused, and the session lives on: unsigned, signed by another key, another issuer, a tampered redirect.
            let token = try await Self.signIn(sso, "erin@example.com")
            let unsigned = try await Self.postForm(sso, "SAMLRequest", Self.logoutRequest(sso, id: "_lr1", nameID: "erin@example.com"))
            #expect(unsigned.status == .badRequest)
            let forged = try await Self.postForm(sso, "SAMLRequest", try attacker.sign(Self.logoutRequest(sso, id: "_lr2", nameID: "erin@example.com"), id: "_lr2"))
            #expect(forged.status == .badRequest)
            let foreign = try await Self.postForm(sso, "SAMLRequest", try sso.idp.sign(
                Self.logoutRequest(sso, id: "_lr3", nameID: "erin@example.com", issuer: "https://other-idp.example"), id: "_lr3"))
            #expect(foreign.status == .badRequest)
            let attackerRedirect = try Self.redirect(sso, parameter: "SAMLRequest", xml: Self.logoutRequest(sso, id: "_lr4", nameID: "erin@example.com"), signedBy: attacker)
            #expect(try await sso.get(attackerRedirect).status == .badRequest)
            let good = try Self.redirect(sso, parameter: "SAMLRequest", xml: Self.logoutRequest(sso, id: "_lr5", nameID: "someone@example.com"), signedBy: sso.idp)
            let tampered = good.replacingOccurrences(of: "SigAlg=", with: "RelayState=x&SigAlg=")
            #expect(try await sso.get(tampered).status == .badRequest, "the signature covers the exact query")
            let unsignedRedirect = try Self.redirect(sso, parameter: "SAMLRequest", xml: Self.logoutRequest(sso, id: "_lr6", nameID: "erin@example.com"), signedBy: nil)
            #expect(try await sso.get(unsignedRedirect).status == .badRequest)
            #expect(try await sso.sessionStatus(token) == .ok)

            // POST binding, signed: the session ends; the answer is a signed LogoutResponse to the IdP's logout URL.
            let request = try sso.idp.sign(Self.logoutRequest(sso, id: "_lr7", nameID: "erin@example.com"), id: "_lr7")
            let ended = try await Self.postForm(sso, "SAMLRequest", request)
            #expect(ended.status == .found, "\(ended.text)")
            #expect(try await sso.sessionStatus(token) == .unauthorized)
            let answer = try #require(ended.headers[.location])
            #expect(answer.hasPrefix("https://idp.example/slo?SAMLResponse="))
            let query = try #require(answer.split(separator: "?", maxSplits: 1).last.map(String.init))
            let parts = Dictionary(uniqueKeysWithValues: query.split(separator: "&").map { pair in
                let kv = pair.split(separator: "=", maxSplits: 1)
                return (String(kv[0]), String(kv[1]))
            })
            let xml = try #require(parts["SAMLResponse"]?.removingPercentEncoding.flatMap(RedirectBinding.decode))
            #expect(xml.contains(#"InResponseTo="_lr7""#) && xml.contains("status:Success"))
            let signed = "SAMLResponse=\(parts["SAMLResponse"]!)&SigAlg=\(parts["SigAlg"]!)"
            let signature = try #require(parts["Signature"]?.removingPercentEncoding.flatMap { Data(base64Encoded: $0) })
            #expect(ServiceProviderKeys.verifyRedirectSignature(Array(signed.utf8), algorithm: RedirectBinding.rsaSHA256, signature: Array(signature),
                                                                certificates: [credential.certificatePEM]), "signed with the directory's SP key")
            // Replayed: refused.
            #expect(try await Self.postForm(sso, "SAMLRequest", request).status == .badRequest)

            // Redirect binding, signed, with RelayState: the same, and the RelayState comes back.
            let again = try await Self.signIn(sso, "erin@example.com")
            let viaRedirect = try await sso.get(try Self.redirect(
                sso, parameter: "SAMLRequest", xml: Self.logoutRequest(sso, id: "_lr8", nameID: "erin@example.com", sessionIndex: nil),
                relayState: "state-1", signedBy: sso.idp))
            #expect(viaRedirect.status == .found && viaRedirect.headers[.location]?.contains("RelayState=state-1") == true)
            #expect(try await sso.sessionStatus(again) == .unauthorized)
            #expect(try await sso.auditActions().contains("sign_out.idp_initiated"))
        }
    }

    @Test("SP-initiated: the IdP's LogoutResponse is verified and must answer a request Roster sent, once", arguments: TestDatabaseKind.available)
    func spInitiated(kind: TestDatabaseKind) async throws {
        try await SSOHarness.with(kind) { sso in
            _ = try await sso.scim.createUser("erin@example.com", extra: #","emails":[{"value":"erin@example.com","primary":true}]"#)
            let token = try await Self.signIn(sso, "erin@example.com")
            let logout = try await sso.form(.post, "/logout", "", cookie: token)
            let location = try #require(logout.headers[.location].flatMap(URLComponents.init(string:)))
            let sent = try #require(location.queryItems?.first { $0.name == "SAMLRequest" }?.value.flatMap(RedirectBinding.decode))
            let requestId = try #require(sent.range(of: #"ID=""#).map { String(sent[$0.upperBound...].prefix { $0 != "\"" }) })

            let forged = try await sso.get(try Self.redirect(sso, parameter: "SAMLResponse",
                                                             xml: Self.logoutResponse(sso, id: "_r1", inResponseTo: requestId), signedBy: TestIdentity.make()))
            #expect(forged.status == .ok && forged.text.contains("could not be verified"))
            let stranger = try await sso.get(try Self.redirect(sso, parameter: "SAMLResponse",
                                                               xml: Self.logoutResponse(sso, id: "_r2", inResponseTo: "_never-sent"), signedBy: sso.idp))
            #expect(stranger.text.contains("did not confirm"))
            let failed = try await Self.postForm(sso, "SAMLResponse", try sso.idp.sign(
                Self.logoutResponse(sso, id: "_r3", inResponseTo: requestId, status: "urn:oasis:names:tc:SAML:2.0:status:Responder"), id: "_r3"))
            #expect(failed.text.contains("reports that its own sign-out failed"))
            // That answer used the request up: a second, even a good one, confirms nothing.
            let late = try await sso.get(try Self.redirect(sso, parameter: "SAMLResponse",
                                                           xml: Self.logoutResponse(sso, id: "_r4", inResponseTo: requestId), signedBy: sso.idp))
            #expect(late.text.contains("did not confirm"))

            // A fresh logout confirmed by a signed Success response.
            let second = try await Self.signIn(sso, "erin@example.com")
            let out = try await sso.form(.post, "/logout", "", cookie: second)
            let request = try #require(out.headers[.location].flatMap(URLComponents.init(string:))?.queryItems?
                .first { $0.name == "SAMLRequest" }?.value.flatMap(RedirectBinding.decode))
            let id = try #require(request.range(of: #"ID=""#).map { String(request[$0.upperBound...].prefix { $0 != "\"" }) })
            let confirmed = try await sso.get(try Self.redirect(sso, parameter: "SAMLResponse",
                                                                xml: Self.logoutResponse(sso, id: "_r5", inResponseTo: id), signedBy: sso.idp))
            #expect(confirmed.status == .ok && confirmed.text.contains("of your identity provider") && !confirmed.text.contains("not confirmed"))
        }
    }
}

@Suite("HTTP-POST binding requests")
struct PostBindingTests {
    @Test("an IdP that takes POST only gets a signed AuthnRequest in a form (xmlsec1 verifies it with the SP certificate); Test SSO goes through the form too",
          arguments: TestDatabaseKind.available)
    func signedPostRequest(kind: TestDatabaseKind) async throws {
        try await SSOHarness.with(kind) { sso in
            let service = sso.scim.service
            _ = try await service.configureSAML(
                directoryId: sso.directoryId, identityProviderEntityID: ResponseFactory.idpEntity, singleSignOnURL: "https://idp.example/sso",
                certificates: [sso.idp.certificatePEM], allowSHA1: false, allowIdPInitiated: false, signAuthnRequests: true,
                singleSignOnBinding: .post, caller: .operatorCLI
            )
            let page = try await sso.get("/saml/\(sso.directoryId)/login")
            #expect(page.status == .ok && page.text.contains(#"action="https://idp.example/sso""#))
            let field = try #require(page.text.range(of: #"name="SAMLRequest" value=""#).map { String(page.text[$0.upperBound...].prefix { $0 != "\"" }) })
            let xml = try #require(Data(base64Encoded: field).map { String(decoding: $0, as: UTF8.self) })
            #expect(xml.contains("AuthnRequest") && xml.contains("Signature") && xml.contains("rsa-sha256"))

            let credential = try await service.serviceProviderCredential(directoryId: sso.directoryId)
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("roster-post-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let request = folder.appendingPathComponent("request.xml"), certificate = folder.appendingPathComponent("sp.pem")
            try xml.write(to: request, atomically: true, encoding: .utf8)
            try credential.certificatePEM.write(to: certificate, atomically: true, encoding: .utf8)
            let arguments = ["--verify", "--pubkey-cert-pem", certificate.path, "--id-attr:ID", "urn:oasis:names:tc:SAML:2.0:protocol:AuthnRequest", request.path]
            #expect(try ChildProcess.run("/usr/bin/xmlsec1", arguments) == 0, "xmlsec1 verifies Roster's signature")
            try xml.replacingOccurrences(of: "https://idp.example/sso", with: "https://evil.example/sso").write(to: request, atomically: true, encoding: .utf8)
            #expect(try ChildProcess.run("/usr/bin/xmlsec1", arguments) != 0, "and refuses it once changed")

            // Test SSO through the API: the sign-in URL is Roster's form page for this run, usable until answered.
            let started = try await sso.scim.api.send(.post, "/api/v1/directories/\(sso.directoryId)/saml/tests", token: sso.scim.adminToken)
            let url = try #require(started.json["signInUrl"] as? String)
            let runId = try #require((started.json["run"] as? [String: Any])?["id"] as? String, "\(started.text)")
            #expect(url == "https://roster.test/saml/\(sso.directoryId)/tests/\(runId)/start")
            let form = try await sso.get("/saml/\(sso.directoryId)/tests/\(runId)/start")
            #expect(form.status == .ok && form.text.contains("SAMLRequest") && form.text.contains(#"action="https://idp.example/sso""#))
            _ = try await sso.post(try sso.response(nameID: "nobody@example.com", requestId: runId))
            #expect(try await sso.get("/saml/\(sso.directoryId)/tests/\(runId)/start").status == .notFound, "answered runs are not sent again")
            #expect(try await sso.get("/saml/\(sso.directoryId)/tests/_unknown/start").status == .notFound)
        }
    }
}
