import Directory
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import SAML

/// SP-initiated single sign-on: `/saml/{dir}/metadata`, `/saml/{dir}/login`, `/saml/{dir}/acs`, and the
/// signed-in person at `/api/v1/session`.
struct SAMLController {
    let service: DirectoryService

    static let cookieName = "roster_session"

    var baseURL: String { service.configuration.baseURL }

    func addRoutes(to router: Router<RosterRequestContext>) {
        router.get("saml/:dir/metadata") { _, context in
            let directoryId = try context.parameter("dir")
            _ = try await service.directory(id: directoryId, caller: .system)
            let xml = ServiceProviderMetadata.xml(identity: ServiceProviderIdentity(baseURL: baseURL, directoryId: directoryId), certificatePEM: nil)
            return Response(status: .ok, headers: [.contentType: "application/samlmetadata+xml"], body: .init(byteBuffer: ByteBuffer(string: xml)))
        }
        router.get("saml/:dir/login") { request, context in
            let directoryId = try context.parameter("dir")
            let relayState = request.uri.queryParameters["RelayState"].map(String.init).flatMap(Self.safeRelayState)
            let requestId = AuthnRequest.newID(randomBytes: service.environment.randomBytes(16))
            let connection: SAMLConnection
            do {
                connection = try await service.beginSignIn(directoryId: directoryId, requestId: requestId, relayState: relayState)
            } catch let error as DirectoryError where error.code == .notFound {
                return Self.page(.notFound, "Single sign-on is not available", "This directory has no identity provider set up for sign-in.")
            }
            let authnRequest = AuthnRequest(
                id: requestId, issueInstant: service.environment.now(), destination: connection.singleSignOnURL,
                serviceProvider: ServiceProviderIdentity(baseURL: baseURL, directoryId: directoryId)
            )
            guard let url = authnRequest.redirectURL(relayState: relayState) else {
                return Self.page(.internalServerError, "Sign-in could not start", "The identity provider's sign-in address is not usable.")
            }
            return Response(status: .found, headers: [.location: url.absoluteString])
        }
        router.post("saml/:dir/acs") { request, context in
            try await acs(request, context)
        }
        router.get("api/v1/session") { request, _ in
            guard let token = request.cookies[Self.cookieName]?.value,
                  let (session, user) = try await service.validateSession(token: token)
            else { throw APIError(.unauthorized, code: "unauthenticated", message: "No valid session.") }
            return JSONBody(SessionBody(
                userName: user.userName, email: user.primaryEmail, directoryId: user.directoryId, userId: user.id, expires: session.expires
            ))
        }
    }

    struct SessionBody: Encodable, Sendable {
        let userName: String
        let email: String?
        let directoryId: String
        let userId: String
        let expires: Date
    }

    private func acs(_ request: Request, _ context: RosterRequestContext) async throws -> Response {
        let directoryId = try context.parameter("dir")
        let body = try await request.body.collect(upTo: 1 << 20)
        let form = Self.formFields(String(buffer: body))
        guard let encoded = form["SAMLResponse"] else {
            return Self.page(.badRequest, "Sign-in failed", "The identity provider sent no SAML response.")
        }
        guard let connection = try await service.samlConnection(directoryId: directoryId) else {
            return Self.page(.notFound, "Single sign-on is not available", "This directory has no identity provider set up for sign-in.")
        }
        let identity = ServiceProviderIdentity(baseURL: baseURL, directoryId: directoryId)
        let validated: ValidatedAssertion
        do {
            validated = try ResponseValidator.validate(
                base64: encoded,
                serviceProvider: ServiceProviderSettings(entityID: identity.entityID, assertionConsumerServiceURL: identity.assertionConsumerServiceURL),
                identityProvider: IdentityProviderSettings(
                    entityID: connection.identityProviderEntityID, certificates: connection.certificates, allowSHA1: connection.allowSHA1
                ),
                now: service.environment.now()
            )
        } catch {
            context.logger.warning("saml response refused", metadata: ["saml.reason": "\(error.code)", "saml.detail": "\(error.detail)"])
            try? await service.recordRefusedSignIn(directoryId: directoryId, reason: "\(error.code): \(error.detail)", nameID: nil)
            return Self.page(.badRequest, "Sign-in failed", "Roster could not accept the identity provider's answer. Your administrator can see why in the audit log.")
        }
        do {
            let signIn = try await service.completeSignIn(directoryId: directoryId, assertion: VerifiedAssertion(
                assertionID: validated.assertionID, nameID: validated.nameID, inResponseTo: validated.inResponseTo,
                notOnOrAfter: validated.notOnOrAfter, attributes: validated.attributes
            ))
            let target = form["RelayState"].flatMap(Self.safeRelayState) ?? signIn.relayState ?? "/"
            var response = Response(status: .found, headers: [.location: target])
            response.setCookie(Cookie(
                name: Self.cookieName, value: signIn.token, maxAge: Int(DirectoryService.defaultSessionLifetime), path: "/",
                secure: baseURL.hasPrefix("https://"), httpOnly: true, sameSite: .lax
            ))
            return response
        } catch let error as DirectoryError {
            context.logger.warning("sign-in refused", metadata: ["saml.reason": "\(error.message)"])
            return Self.page(.forbidden, "Sign-in failed", "Roster could not sign you in. Your administrator can see why in the audit log.")
        }
    }

    /// RelayState is followed only to a path on this server: never to another host (no open redirect).
    static func safeRelayState(_ value: String) -> String? {
        guard value.hasPrefix("/"), !value.hasPrefix("//"), !value.contains("\\"), value.count <= 1024,
              !value.unicodeScalars.contains(where: { $0.value < 0x20 })
        else { return nil }
        return value
    }

    /// `application/x-www-form-urlencoded` fields (`+` is a space).
    static func formFields(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = parts.first.flatMap({ String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding }) else { continue }
            let value = parts.count > 1 ? String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding : ""
            if let value, fields[name] == nil { fields[name] = value }
        }
        return fields
    }

    /// A plain page for people (never a stack trace, never the reason an attacker could use).
    static func page(_ status: HTTPResponse.Status, _ title: String, _ message: String) -> Response {
        let html = """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>\(ServiceProviderMetadata.escape(title))</title></head>
            <body><h1>\(ServiceProviderMetadata.escape(title))</h1><p>\(ServiceProviderMetadata.escape(message))</p></body></html>
            """
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}
