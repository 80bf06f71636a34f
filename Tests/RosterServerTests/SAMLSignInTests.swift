import Directory
import Foundation
import HTTPTypes
import NIOCore
import RosterTestSupport
import SAML
import Testing

@Suite("SAML sign-in over HTTP")
struct SAMLSignInTests {
    @Test("SP-initiated: login redirects with an AuthnRequest; a signed answer opens a session once; forgeries are refused", arguments: TestDatabaseKind.available)
    func signIn(kind: TestDatabaseKind) async throws {
        try await SCIMFixture.with(kind) { scim in
            let idp = try TestIdentity.make()
            _ = try await scim.service.configureSAML(
                directoryId: scim.directoryId, identityProviderEntityID: "https://idp.example/metadata",
                singleSignOnURL: "https://idp.example/sso", certificates: [idp.certificatePEM], allowSHA1: false,
                allowIdPInitiated: false, caller: .operatorCLI
            )
            let userId = try await scim.createUser("alice@example.com", extra: #","emails":[{"value":"alice@example.com","primary":true}]"#)

            let metadata = try await scim.api.send(.get, "/saml/\(scim.directoryId)/metadata")
            #expect(metadata.status == .ok && metadata.text.contains("https://roster.test/saml/\(scim.directoryId)/acs"))

            let login = try await scim.api.send(.get, "/saml/\(scim.directoryId)/login?RelayState=%2Fdashboard")
            #expect(login.status == .found)
            let location = try #require(login.headers[.location].flatMap(URLComponents.init(string:)))
            #expect(location.host == "idp.example")
            let requestXML = try #require(location.queryItems?.first { $0.name == "SAMLRequest" }?.value.flatMap(AuthnRequest.decodeRedirect))
            let requestId = try #require(requestXML.range(of: #"ID=""#).map { range in
                String(requestXML[range.upperBound...].prefix { $0 != "\"" })
            })

            var factory = ResponseFactory()
            let acs = "https://roster.test/saml/\(scim.directoryId)/acs"
            factory.destination = acs
            factory.recipient = acs
            factory.audience = "https://roster.test/saml/\(scim.directoryId)/metadata"
            factory.inResponseTo = requestId
            let now = Date()
            factory.notBefore = now.addingTimeInterval(-30)
            factory.notOnOrAfter = now.addingTimeInterval(300)
            let signed = try idp.sign(factory.xml(), id: "_a1")
            func post(_ xml: String, relayState: String? = nil) async throws -> APIResponse {
                let encoded = Data(xml.utf8).base64EncodedString().addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                let body = "SAMLResponse=\(encoded)" + (relayState.map { "&RelayState=\($0)" } ?? "")
                let response = try await scim.api.client.execute(
                    uri: "/saml/\(scim.directoryId)/acs", method: .post,
                    headers: [.contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: body)
                )
                return APIResponse(status: response.status, headers: response.headers, text: String(buffer: response.body))
            }
            // A forged answer (another key) is refused with a plain page and no session.
            let forged = try await post(try TestIdentity.make(name: "attacker").sign(factory.xml(), id: "_a1"))
            #expect(forged.status == .badRequest && forged.headers[.setCookie] == nil && forged.text.contains("<h1>"))

            let accepted = try await post(signed, relayState: "https%3A%2F%2Fevil.example%2F")
            #expect(accepted.status == .found, "\(accepted.text)")
            #expect(accepted.headers[.location] == "/dashboard", "an absolute RelayState is never followed")
            let cookie = try #require(accepted.headers[.setCookie])
            #expect(cookie.contains("roster_session=") && cookie.contains("HttpOnly") && cookie.lowercased().contains("samesite=lax"))
            let token = String(cookie.split(separator: ";")[0].dropFirst("roster_session=".count))

            let session = try await scim.api.client.execute(uri: "/api/v1/session", method: .get, headers: [.cookie: "roster_session=\(token)"], body: nil)
            #expect(session.status == .ok)
            #expect(String(buffer: session.body).contains(userId))
            #expect(try await scim.api.client.execute(uri: "/api/v1/session", method: .get, headers: [:], body: nil).status == .unauthorized)

            // The same response again is a replay; a response to no request of ours is refused.
            #expect(try await post(signed).status == .forbidden)
            factory.inResponseTo = "_never-sent"
            factory.assertionID = "_a2"
            #expect(try await post(try idp.sign(factory.xml(), id: "_a2")).status == .forbidden)
            // IdP-initiated is off.
            factory.inResponseTo = nil
            factory.assertionID = "_a3"
            #expect(try await post(try idp.sign(factory.xml(), id: "_a3")).status == .forbidden)

            // A deactivated user's session stops working at once.
            #expect(try await scim.patch("/Users/\(userId)", #"[{"op":"replace","path":"active","value":false}]"#).status == .ok)
            #expect(try await scim.api.client.execute(uri: "/api/v1/session", method: .get, headers: [.cookie: "roster_session=\(token)"], body: nil).status == .unauthorized)

            let audit = try await scim.service.store.read {
                try await $0.auditEntries(organizationId: scim.organization.id, page: PageRequest(limit: 50))
            }.items.map(\.action)
            #expect(audit.contains("sign_in.succeeded"))
            #expect(audit.filter { $0 == "sign_in.refused" }.count >= 4)
        }
    }
}
