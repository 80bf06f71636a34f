import Directory
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import SAML

/// Single sign-on for people: `/saml/{dir}/metadata|login|acs|slo`, `/login` (email -> the IdP of its verified
/// domain, else a local password), `/logout` (with single logout at the IdP), `/portal/{site}/login` for a JSM
/// site's portal-only customers, and the signed-in person at `/api/v1/session`.
struct SAMLController {
    let service: DirectoryService

    static let cookieName = "roster_session"

    var baseURL: String { service.configuration.baseURL }

    func addRoutes(to router: Router<RosterRequestContext>) {
        router.get("saml/:dir/metadata") { _, context in
            let directoryId = try context.parameter("dir")
            let credential = try await service.serviceProviderCredential(directoryId: directoryId)
            let connection = try await service.samlConnection(directoryId: directoryId)
            let xml = ServiceProviderMetadata.xml(
                identity: ServiceProviderIdentity(baseURL: baseURL, directoryId: directoryId), certificatePEM: credential.certificatePEM,
                signsRequests: connection?.signAuthnRequests ?? false
            )
            return Response(status: .ok, headers: [.contentType: "application/samlmetadata+xml"], body: .init(byteBuffer: ByteBuffer(string: xml)))
        }
        router.get("saml/:dir/login") { request, context in
            let relayState = request.uri.queryParameters["RelayState"].map(String.init).flatMap(Self.safeRelayState)
            return try await startSignIn(directoryId: try context.parameter("dir"), relayState: relayState, context: context)
        }
        router.get("saml/:dir/tests/:run/start") { _, context in
            // A Test SSO run's AuthnRequest for an IdP that takes HTTP-POST only: the self-submitting form. It only ever
            // sends the run's own, still unanswered request to the configured IdP.
            let directoryId = try context.parameter("dir"), runId = try context.parameter("run")
            guard let start = try await service.pendingTestRun(id: runId, directoryId: directoryId) else {
                return Self.page(.notFound, "Test not available", "This Test SSO run is unknown, finished or expired. Start a new one.")
            }
            return Self.postBindingPage(requestId: runId, directoryId: directoryId, start: start, relayState: nil, service: service)
        }
        router.post("saml/:dir/acs") { request, context in
            try await acs(request, context)
        }
        router.get("saml/:dir/slo") { request, context in
            let query = request.uri.query ?? ""
            let relayState = request.uri.queryParameters["RelayState"].map(String.init)
            return try await singleLogout(.redirect(rawQuery: query), isRequest: request.uri.queryParameters["SAMLRequest"] != nil,
                                          isResponse: request.uri.queryParameters["SAMLResponse"] != nil, relayState: relayState, context: context)
        }
        router.post("saml/:dir/slo") { request, context in
            let form = Self.formFields(String(buffer: try await request.body.collect(upTo: 1 << 20)))
            let message = form["SAMLRequest"] ?? form["SAMLResponse"] ?? ""
            return try await singleLogout(.post(base64: message), isRequest: form["SAMLRequest"] != nil, isResponse: form["SAMLResponse"] != nil,
                                          relayState: form["RelayState"], context: context)
        }
        router.get("login") { request, _ in
            let error = request.uri.queryParameters["error"].map(String.init)
            return Self.loginPage(email: nil, message: error == "1" ? "Enter a valid email address." : nil, relayState: request.uri.queryParameters["RelayState"].map(String.init))
        }
        router.post("login") { request, context in
            if let refused = crossOriginRefusal(request, context) { return refused }
            let form = Self.formFields(String(buffer: try await request.body.collect(upTo: 64 * 1024)))
            let email = (form["email"] ?? "").trimmingCharacters(in: .whitespaces)
            let relayState = form["RelayState"].flatMap(Self.safeRelayState)
            guard email.count <= 320, email.contains("@") else {
                return Self.loginPage(email: email, message: "Enter a valid email address.", relayState: relayState, status: .badRequest)
            }
            if let directoryId = try await service.signInDirectory(forEmail: email) {
                return try await startSignIn(directoryId: directoryId, relayState: relayState, context: context)
            }
            return Self.passwordPage(email: email, message: nil, relayState: relayState)
        }
        router.post("login/password") { request, context in
            if let refused = crossOriginRefusal(request, context) { return refused }
            let form = Self.formFields(String(buffer: try await request.body.collect(upTo: 64 * 1024)))
            let email = (form["email"] ?? "").trimmingCharacters(in: .whitespaces)
            let relayState = form["RelayState"].flatMap(Self.safeRelayState)
            do {
                let signIn = try await service.passwordSignIn(email: email, password: form["password"] ?? "")
                return signedIn(signIn, target: relayState ?? "/")
            } catch let error as DirectoryError where error.code == .throttled {
                context.logger.notice("password sign-in throttled")
                return Self.passwordPage(email: email, message: error.message, relayState: relayState, status: .tooManyRequests)
            } catch let error as DirectoryError where error.code == .unauthenticated {
                context.logger.info("password sign-in refused")
                return Self.passwordPage(email: email, message: error.message, relayState: relayState, status: .unauthorized)
            }
        }
        router.get("logout") { _, _ in
            // Signing out changes state, so it is a POST (a link on another site cannot sign anyone out).
            Self.page(.ok, "Sign out", "", form: "<form method=\"post\" action=\"/logout\"><button type=\"submit\">Sign out</button></form>")
        }
        router.post("logout") { request, context in
            try await logout(request, context)
        }
        router.get("portal/:site/login") { request, context in
            let siteId = try context.parameter("site")
            let relayState = request.uri.queryParameters["RelayState"].map(String.init).flatMap(Self.safeRelayState)
            guard let directoryId = try await service.portalSignInDirectory(siteId: siteId) else {
                return Self.page(.notFound, "Single sign-on is not available", "This help center has no identity provider for its customers.")
            }
            return try await startSignIn(directoryId: directoryId, relayState: relayState, context: context)
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

    /// Sign-in forms posted from another site are refused (login CSRF would sign the victim in as the attacker).
    private func crossOriginRefusal(_ request: Request, _ context: RosterRequestContext) -> Response? {
        guard !SameOrigin.allows(request, baseURL: baseURL) else { return nil }
        context.logger.notice("sign-in form posted from another origin refused", metadata: [
            "origin": "\(request.headers[.origin]?.prefix(200) ?? "-")",
        ])
        return Self.page(.forbidden, "Sign in from Roster's own page", "This sign-in form was sent from another site. Open the sign-in page and try again.",
                         form: "<p><a href=\"/login\">Go to the sign-in page</a></p>")
    }

    struct SessionBody: Encodable, Sendable {
        let userName: String
        let email: String?
        let directoryId: String
        let userId: String
        let expires: Date
    }

    /// A 302 to the directory's IdP with a fresh AuthnRequest (signed when the connection asks for it).
    private func startSignIn(directoryId: String, relayState: String?, context: RosterRequestContext) async throws -> Response {
        let requestId = AuthnRequest.newID(randomBytes: service.environment.randomBytes(16))
        let start: SignInStart
        do {
            start = try await service.beginSignIn(directoryId: directoryId, requestId: requestId, relayState: relayState)
        } catch let error as DirectoryError where error.code == .notFound {
            return Self.page(.notFound, "Single sign-on is not available", "This directory has no identity provider set up for sign-in.")
        } catch let error as DirectoryError where error.code == .unsupported {
            context.logger.notice("sign-in refused: the directory's SAML settings wait for an org admin", metadata: ["directory": "\(directoryId)"])
            return Self.page(.forbidden, "Single sign-on is not available yet", error.message)
        }
        if start.connection.singleSignOnBinding == .post {
            return Self.postBindingPage(requestId: requestId, directoryId: directoryId, start: start, relayState: relayState, service: service)
        }
        guard let url = Self.authnRequestURL(requestId: requestId, directoryId: directoryId, start: start, relayState: relayState, service: service) else {
            context.logger.error("the AuthnRequest could not be built", metadata: ["directory": "\(directoryId)"])
            return Self.page(.badGateway, "Sign-in could not start", "The identity provider's sign-in address is not usable. Tell your administrator.")
        }
        return Response(status: .found, headers: [.location: url.absoluteString, .cacheControl: "no-store"])
    }

    /// The AuthnRequest with this id for the connection's IdP.
    static func authnRequest(requestId: String, directoryId: String, start: SignInStart, service: DirectoryService) -> AuthnRequest {
        AuthnRequest(
            id: requestId, issueInstant: service.environment.now(), destination: start.connection.singleSignOnURL,
            serviceProvider: ServiceProviderIdentity(baseURL: service.configuration.baseURL, directoryId: directoryId)
        )
    }

    /// The redirect-binding URL of that request, signed when the connection signs requests.
    static func authnRequestURL(requestId: String, directoryId: String, start: SignInStart, relayState: String?, service: DirectoryService) -> URL? {
        authnRequest(requestId: requestId, directoryId: directoryId, start: start, service: service)
            .redirectURL(relayState: relayState, signer: start.credential.map(signer))
    }

    /// The HTTP-POST binding (SAML 2.0 Bindings §3.5): a form that carries the AuthnRequest, base64 without deflate,
    /// to the IdP; it submits itself where scripts run and shows a button where they do not. When the directory signs
    /// requests, the AuthnRequest carries an enveloped XML signature by the directory's SP key.
    static func postBindingPage(requestId: String, directoryId: String, start: SignInStart, relayState: String?, service: DirectoryService) -> Response {
        let escape = ServiceProviderMetadata.escape
        let authnRequest = Self.authnRequest(requestId: requestId, directoryId: directoryId, start: start, service: service)
        var xml = authnRequest.xml
        if let credential = start.credential {
            guard let signed = try? XMLSigner.sign(xml, privateKeyPEM: credential.privateKeyPEM, certificatePEM: credential.certificatePEM) else {
                return Self.page(.internalServerError, "Sign-in could not start", "Roster could not sign its request to the identity provider. Tell your administrator.")
            }
            xml = signed
        }
        let encoded = Data(xml.utf8).base64EncodedString()
        let relay = relayState.map { "<input type=\"hidden\" name=\"RelayState\" value=\"\(escape($0))\">" } ?? ""
        let html = """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Signing in</title></head>
            <body onload="document.forms[0].submit()"><form method="post" action="\(escape(start.connection.singleSignOnURL))">
            <input type="hidden" name="SAMLRequest" value="\(encoded)">\(relay)
            <noscript><p>Continue to your identity provider.</p></noscript><button type="submit">Continue</button></form></body></html>
            """
        return Response(
            status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: html))
        )
    }

    static func signer(_ credential: ServiceProviderCredential) -> RedirectBinding.Signer {
        { bytes in try ServiceProviderKeys.sign(bytes, with: credential) }
    }

    private func acs(_ request: Request, _ context: RosterRequestContext) async throws -> Response {
        let directoryId = try context.parameter("dir")
        let body = try await request.body.collect(upTo: 1 << 20)
        let form = Self.formFields(String(buffer: body))
        guard let encoded = form["SAMLResponse"] else {
            context.logger.warning("saml response refused", metadata: ["saml.reason": "no SAMLResponse field"])
            return Self.page(.badRequest, "Sign-in failed", "The identity provider sent no SAML response.")
        }
        guard let connection = try await service.samlConnection(directoryId: directoryId) else {
            return Self.page(.notFound, "Single sign-on is not available", "This directory has no identity provider set up for sign-in.")
        }
        let identity = ServiceProviderIdentity(baseURL: baseURL, directoryId: directoryId)
        let credential = try await service.serviceProviderCredential(directoryId: directoryId)
        let validated: ValidatedAssertion
        do {
            validated = try ResponseValidator.validate(
                base64: encoded,
                serviceProvider: ServiceProviderSettings(
                    entityID: identity.entityID, assertionConsumerServiceURL: identity.assertionConsumerServiceURL,
                    decryptionKeys: [credential.privateKeyPEM]
                ),
                identityProvider: IdentityProviderSettings(
                    entityID: connection.identityProviderEntityID, certificates: connection.certificates, allowSHA1: connection.allowSHA1
                ),
                now: service.environment.now()
            )
        } catch {
            context.logger.warning("saml response refused", metadata: ["saml.reason": "\(error.code)", "saml.detail": "\(error.detail)"])
            if let runId = ResponseValidator.unverifiedInResponseTo(base64: encoded),
               try await service.failTestRun(id: runId, directoryId: directoryId, checks: Self.checks(failure: error)) {
                if let console = Self.consoleReturn(form["RelayState"]) { return ConsoleController.redirect(console) }
                return Self.page(.ok, "Test finished", "Roster refused the identity provider's answer. The admin console shows each check.")
            }
            try? await service.recordRefusedSignIn(directoryId: directoryId, reason: "\(error.code): \(error.detail)", nameID: nil)
            return Self.page(.badRequest, "Sign-in failed", "Roster could not accept the identity provider's answer. Your administrator can see why in the audit log.")
        }
        do {
            let result = try await service.completeSignIn(
                directoryId: directoryId,
                assertion: VerifiedAssertion(
                    assertionID: validated.assertionID, nameID: validated.nameID, sessionIndex: validated.sessionIndex,
                    inResponseTo: validated.inResponseTo, notOnOrAfter: validated.notOnOrAfter, attributes: validated.attributes
                ),
                checks: Self.checks(failure: nil)
            )
            switch result {
            case .signedIn(let signIn):
                let target = form["RelayState"].flatMap(Self.safeRelayState) ?? signIn.relayState ?? "/"
                return signedIn(signIn, target: target)
            case .tested(let run):
                if let console = Self.consoleReturn(form["RelayState"]) { return ConsoleController.redirect(console) }
                let outcome = run.succeeded == true ? "Every check passed for \(run.nameID ?? "the user")." : "A check failed."
                return Self.page(.ok, "Test finished", "\(outcome) The admin console shows each check. No session was opened.")
            }
        } catch let error as DirectoryError {
            context.logger.warning("sign-in refused", metadata: ["saml.reason": "\(error.message)"])
            return Self.page(.forbidden, "Sign-in failed", "Roster could not sign you in. Your administrator can see why in the audit log.")
        }
    }

    static func checks(failure: SAMLFailure?) -> [SignInCheck] {
        ValidationStage.report(failure: failure).map { entry in
            SignInCheck(name: entry.stage.name, outcome: entry.passed.map { $0 ? .passed : .failed } ?? .notRun, detail: entry.detail)
        }
    }

    /// The session cookie and the redirect after a successful sign-in.
    private func signedIn(_ signIn: SignIn, target: String) -> Response {
        var response = Response(status: .found, headers: [.location: target, .cacheControl: "no-store"])
        response.setCookie(Cookie(
            name: Self.cookieName, value: signIn.token, maxAge: max(1, Int(signIn.session.expires.timeIntervalSince(signIn.session.created))),
            path: "/", secure: baseURL.hasPrefix("https://"), httpOnly: true, sameSite: .lax
        ))
        return response
    }

    /// Ends the Roster session, clears the cookie, and when the IdP has a logout URL sends the browser there with a
    /// LogoutRequest so its session ends too.
    private func logout(_ request: Request, _ context: RosterRequestContext) async throws -> Response {
        var target = "/login"
        if let token = request.cookies[Self.cookieName]?.value, let session = try await service.signOut(token: token),
           let directoryId = session.directoryId, let nameID = session.nameID,
           let connection = try await service.samlConnection(directoryId: directoryId), let sloURL = connection.singleLogoutURL {
            let credential = connection.signAuthnRequests ? try await service.serviceProviderCredential(directoryId: directoryId) : nil
            let requestId = AuthnRequest.newID(randomBytes: service.environment.randomBytes(16))
            try await service.beginLogout(directoryId: directoryId, requestId: requestId)
            let logoutRequest = LogoutRequest(
                id: requestId, issueInstant: service.environment.now(),
                destination: sloURL, serviceProvider: ServiceProviderIdentity(baseURL: baseURL, directoryId: directoryId),
                nameID: nameID, sessionIndex: session.sessionIndex
            )
            if let url = logoutRequest.redirectURL(relayState: nil, signer: credential.map(Self.signer)) {
                target = url.absoluteString
            } else {
                context.logger.warning("the LogoutRequest could not be built", metadata: ["directory": "\(directoryId)"])
            }
        }
        var response = Response(status: .found, headers: [.location: target, .cacheControl: "no-store"])
        response.setCookie(Cookie(
            name: Self.cookieName, value: "", maxAge: 0, path: "/", secure: baseURL.hasPrefix("https://"), httpOnly: true, sameSite: .lax
        ))
        return response
    }

    /// `/saml/{dir}/slo`: the IdP's LogoutRequest (IdP-initiated single logout: the sessions it names end, and Roster
    /// answers with a signed LogoutResponse) or its LogoutResponse to Roster's request (reported as a clean logout only
    /// when it verifies and answers a request Roster sent). Either binding; unsigned or forged messages change nothing.
    private func singleLogout(
        _ binding: LogoutBinding, isRequest: Bool, isResponse: Bool, relayState: String?, context: RosterRequestContext
    ) async throws -> Response {
        let directoryId = try context.parameter("dir")
        guard isRequest != isResponse else {
            return Self.page(.badRequest, "Sign-out failed", "The identity provider sent no logout message.")
        }
        guard let connection = try await service.samlConnection(directoryId: directoryId), !connection.isPending else {
            return Self.page(.notFound, "Single sign-on is not available", "This directory has no identity provider set up for sign-in.")
        }
        let identity = ServiceProviderIdentity(baseURL: baseURL, directoryId: directoryId)
        let destination = "\(baseURL)/saml/\(directoryId)/slo"
        let idp = IdentityProviderSettings(entityID: connection.identityProviderEntityID, certificates: connection.certificates, allowSHA1: connection.allowSHA1)
        let now = service.environment.now()
        let check: LogoutValidator.RedirectSignatureCheck = { signed, algorithm, signature, certificates in
            ServiceProviderKeys.verifyRedirectSignature(signed, algorithm: algorithm, signature: signature, certificates: certificates)
        }
        if isResponse {
            do {
                let response = try LogoutValidator.validateResponse(binding, identityProvider: idp, destination: destination, now: now, redirectCheck: check)
                guard try await service.completeLogout(directoryId: directoryId, inResponseTo: response.inResponseTo) else {
                    context.logger.warning("logout response refused", metadata: ["saml.reason": "answers no LogoutRequest Roster sent"])
                    return Self.page(.ok, "Signed out of Roster", "You are signed out of Roster. Your identity provider did not confirm its own sign-out.")
                }
                guard response.succeeded else {
                    context.logger.notice("the identity provider reported a failed logout", metadata: ["saml.status": "\(response.statusCode.prefix(200))"])
                    return Self.page(.ok, "Signed out of Roster", "You are signed out of Roster, but your identity provider reports that its own sign-out failed. Close the browser to end it.")
                }
                return Self.page(.ok, "Signed out", "You are signed out of Roster and of your identity provider.")
            } catch let error as SAMLFailure {
                context.logger.warning("logout response refused", metadata: ["saml.reason": "\(error.code)", "saml.detail": "\(error.detail)"])
                return Self.page(.ok, "Signed out of Roster", "You are signed out of Roster. Your identity provider's answer could not be verified, so its own sign-out is not confirmed.")
            }
        }
        let logout: VerifiedLogoutRequest
        do {
            logout = try LogoutValidator.validateRequest(binding, identityProvider: idp, destination: destination, now: now, redirectCheck: check)
        } catch {
            context.logger.warning("logout request refused", metadata: ["saml.reason": "\(error.code)", "saml.detail": "\(error.detail)"])
            return Self.page(.badRequest, "Sign-out failed", "Roster could not accept the identity provider's sign-out request.")
        }
        do {
            let ended = try await service.idpLogout(directoryId: directoryId, requestId: logout.id, nameID: logout.nameID, sessionIndexes: logout.sessionIndexes)
            context.logger.info("single logout from the identity provider", metadata: ["directory": "\(directoryId)", "accounts": "\(ended)"])
        } catch let error as DirectoryError {
            context.logger.warning("logout request refused", metadata: ["saml.reason": "\(error.message)"])
            return Self.page(.badRequest, "Sign-out failed", "Roster could not accept the identity provider's sign-out request.")
        }
        guard let sloURL = connection.singleLogoutURL else {
            return Self.page(.ok, "Signed out", "You are signed out of Roster.")
        }
        let credential = try await service.serviceProviderCredential(directoryId: directoryId)
        let answer = LogoutResponse(
            id: AuthnRequest.newID(randomBytes: service.environment.randomBytes(16)), inResponseTo: logout.id, issueInstant: now,
            destination: sloURL, serviceProvider: identity
        )
        guard let url = answer.redirectURL(relayState: relayState.flatMap { $0.count <= 1024 ? $0 : nil }, signer: Self.signer(credential)) else {
            context.logger.error("the LogoutResponse could not be built", metadata: ["directory": "\(directoryId)"])
            return Self.page(.ok, "Signed out", "You are signed out of Roster.")
        }
        return Response(status: .found, headers: [.location: url.absoluteString, .cacheControl: "no-store"])
    }

    /// Where a finished Test SSO run sends the admin: back to the console page that started it.
    static func consoleReturn(_ relayState: String?) -> String? {
        guard let path = relayState.flatMap(safeRelayState), path.hasPrefix("/admin/"), path.contains("/setup/test?run=") else { return nil }
        return path
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

    static func loginPage(email: String?, message: String?, relayState: String?, status: HTTPResponse.Status = .ok) -> Response {
        let escape = ServiceProviderMetadata.escape
        let relay = relayState.flatMap(safeRelayState).map { "<input type=\"hidden\" name=\"RelayState\" value=\"\(escape($0))\">" } ?? ""
        return page(status, "Sign in to Roster", message ?? "Enter your work email. If your organization uses an identity provider, you continue there.", form: """
            <form method="post" action="/login"><label for="email">Email</label>
            <input id="email" name="email" type="email" autocomplete="username" required value="\(escape(email ?? ""))">\(relay)
            <button type="submit">Continue</button></form>
            """)
    }

    static func passwordPage(email: String, message: String?, relayState: String?, status: HTTPResponse.Status = .ok) -> Response {
        let escape = ServiceProviderMetadata.escape
        let relay = relayState.map { "<input type=\"hidden\" name=\"RelayState\" value=\"\(escape($0))\">" } ?? ""
        return page(status, "Sign in to Roster", message ?? "Enter the password of \(email).", form: """
            <form method="post" action="/login/password"><input type="hidden" name="email" value="\(escape(email))">\(relay)
            <label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
            <button type="submit">Sign in</button></form>
            """)
    }

    /// A plain page for people (never a stack trace, never the reason an attacker could use).
    static func page(_ status: HTTPResponse.Status, _ title: String, _ message: String, form: String = "") -> Response {
        let escape = ServiceProviderMetadata.escape
        let html = """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">\
            <title>\(escape(title))</title></head>
            <body><main><h1>\(escape(title))</h1>\(message.isEmpty ? "" : "<p>\(escape(message))</p>")\(form)</main></body></html>
            """
        return Response(
            status: status,
            headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store", .init("X-Frame-Options")!: "DENY"],
            body: .init(byteBuffer: ByteBuffer(string: html))
        )
    }
}
