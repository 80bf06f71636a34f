import Directory
import Foundation
import HTTPTypes
import Hummingbird
import SAML

/// The admin web console: `/admin/o/{org}/…` (centralized: the organization's Directory, identity providers, domains,
/// products), `/admin/s/{site}/…` (original: a site's users and its Jira Service Management identity provider), and
/// `/admin/setup/…` (one directory's wizard through a setup link). Server-rendered; every form carries a CSRF token.
struct ConsoleController {
    let service: DirectoryService
    let probe: any DomainProbe
    let log: ProvisioningLogWriter
    let renderer: ConsoleRenderer

    static let cookieName = "roster_console"

    /// A signed-in console request.
    struct Visit: Sendable {
        let identity: ConsoleIdentity
        let cookie: String
        var caller: Caller { identity.caller }
        var csrf: String { ConsoleCSRF.token(forSession: cookie) }
        var who: String { identity.admin?.email ?? "Setup link" }
    }

    func addRoutes(to router: Router<RosterRequestContext>) {
        router.get("admin/login") { request, _ in
            if let cookie = request.cookies[Self.cookieName]?.value, try await service.consoleIdentity(token: cookie) != nil {
                return Self.redirect("/admin")
            }
            return renderer.page(Chrome(title: "Sign in to Roster admin"), template: "login", [String: String]())
        }
        router.get("admin/session") { request, context in
            guard let userToken = request.cookies[SAMLController.cookieName]?.value else { return Self.redirect("/admin/login") }
            do {
                let opened = try await service.openConsoleSession(userSessionToken: userToken)
                return Self.redirect("/admin", cookie: Self.cookie(opened.token, expires: opened.session.expires, secure: secureCookies))
            } catch let error as DirectoryError where error.code == .forbidden || error.code == .unauthenticated {
                context.logger.info("console sign-in refused", metadata: ["reason": "\(error.code)"])
                return renderer.message(Chrome(title: "No admin access"), [error.message], link: Crumb(label: "Sign in as someone else", href: "/admin/login"), status: .forbidden)
            }
        }
        router.post("admin/logout") { request, _ in
            guard let cookie = request.cookies[Self.cookieName]?.value else { return Self.redirect("/admin/login") }
            let form = try await ConsoleForm.read(request)
            guard ConsoleCSRF.verify(form[ConsoleCSRF.field], session: cookie) else {
                return renderer.message(Chrome(title: "Form expired"), ["Reload the page and try again."], status: .forbidden)
            }
            try await service.endConsoleSession(token: cookie)
            return Self.redirect("/admin/login", cookie: Self.cookie("", expires: Date(timeIntervalSince1970: 0), secure: secureCookies))
        }
        router.get("admin") { request, context in
            try await visit(request, context) { visit in
                if let link = visit.identity.setupLink { return Self.redirect("/admin/setup/d/\(link.directoryId)") }
                guard let admin = visit.identity.admin else { return Self.redirect("/admin/login") }
                let organization = try await service.organization(id: admin.organizationId, caller: visit.caller)
                if organization.userManagement == .original, !admin.isOrgAdmin,
                   let site = admin.roles.compactMap(\.siteId).first {
                    return Self.redirect("/admin/s/\(site)/users")
                }
                return Self.redirect("/admin/o/\(organization.id)")
            }
        }
        router.get("admin/setup/:token") { _, context in
            // Opening the link is a POST from this page: mail and chat link scanners fetch links with GET, and must not
            // use up a one-time link (or get its session).
            guard let (link, directory) = try await service.setupLinkTarget(token: try context.parameter("token")) else {
                return renderer.message(Chrome(title: "Setup link not valid"), [
                    "This setup link has expired, was already used, or was withdrawn. Ask your organization admin for a new one.",
                ], status: .gone)
            }
            let provider = directory.identityProvider?.displayName ?? "your identity provider"
            return renderer.page(Chrome(title: "Connect \(provider) to Roster"), template: "openLink", OpenLinkView(
                directoryName: directory.name, providerName: provider, expires: Self.date(link.expires)
            ))
        }
        router.post("admin/setup/:token") { request, context in
            // No session yet, so no CSRF token: the link's secret is in the URL. A post from another site would still
            // plant its own setup session in this browser, so a cross-origin Origin is refused.
            if let origin = request.headers[.origin], origin != Self.origin(of: service.configuration.baseURL) {
                context.logger.notice("setup link opened from another origin")
                return renderer.message(Chrome(title: "Open the link itself"), ["Open the setup link in your browser's address bar."], status: .forbidden)
            }
            let token = try context.parameter("token")
            do {
                let (opened, link) = try await service.redeemSetupLink(token: token)
                return Self.redirect("/admin/setup/d/\(link.directoryId)", cookie: Self.cookie(opened.token, expires: opened.session.expires, secure: secureCookies))
            } catch let error as DirectoryError where error.code == .unauthenticated {
                context.logger.info("setup link refused")
                return renderer.message(Chrome(title: "Setup link not valid"), [error.message], status: .gone)
            }
        }
        addOrganizationRoutes(to: router)
        addSiteRoutes(to: router)
        for scope in DirectoryScope.allCases { addDirectoryRoutes(to: router, scope: scope) }
    }

    struct OpenLinkView {
        let directoryName: String
        let providerName: String
        let expires: String
    }

    var secureCookies: Bool { service.configuration.baseURL.lowercased().hasPrefix("https://") }

    // MARK: Sessions, forms and errors

    /// Runs `body` for a signed-in console visitor; sends others to sign in, and turns domain refusals into pages.
    func visit(_ request: Request, _ context: RosterRequestContext, _ body: (Visit) async throws -> Response) async throws -> Response {
        guard let cookie = request.cookies[Self.cookieName]?.value, let identity = try await service.consoleIdentity(token: cookie) else {
            return Self.redirect("/admin/login")
        }
        let visit = Visit(identity: identity, cookie: cookie)
        do {
            return try await body(visit)
        } catch let error as DirectoryError {
            return refusal(error, visit: visit)
        } catch let error as APIError where error.status.code < 500 {
            return renderer.message(Chrome(title: "That did not work", who: visit.who, csrf: visit.csrf), [error.message], status: error.status)
        }
    }

    /// `visit` for a form post: reads the form and checks its CSRF token first.
    func submit(
        _ request: Request, _ context: RosterRequestContext, _ body: (Visit, ConsoleForm) async throws -> Response
    ) async throws -> Response {
        try await visit(request, context) { visit in
            let form = try await ConsoleForm.read(request)
            guard ConsoleCSRF.verify(form[ConsoleCSRF.field], session: visit.cookie) else {
                context.logger.notice("console form refused: CSRF token missing or wrong")
                return renderer.message(Chrome(title: "Form expired", who: visit.who, csrf: visit.csrf), ["The form was not sent from this console session. Reload the page and try again."], status: .forbidden)
            }
            return try await body(visit, form)
        }
    }

    func refusal(_ error: DirectoryError, visit: Visit) -> Response {
        let chrome = Chrome(title: "That did not work", who: visit.who, csrf: visit.csrf)
        switch error.code {
        case .notFound: return renderer.message(Chrome(title: "Not found", who: visit.who, csrf: visit.csrf), [error.message], link: Crumb(label: "Back to the console", href: "/admin"), status: .notFound)
        case .forbidden:
            var paragraphs = ["Your admin role does not allow this page or action."]
            if visit.identity.setupLink != nil { paragraphs = ["This setup link opens only the setup of one directory."] }
            return renderer.message(Chrome(title: "Not allowed", who: visit.who, csrf: visit.csrf), paragraphs, link: Crumb(label: "Back to the console", href: "/admin"), status: .forbidden)
        case .planRequired: return renderer.message(chrome, [error.message], status: .forbidden)
        case .alreadyExists, .portalDirectoryExists, .userNameTaken: return renderer.message(chrome, [error.message], status: .conflict)
        case .unsupported: return renderer.message(chrome, [error.message], status: .unprocessableContent)
        default: return renderer.message(chrome, [error.message], status: .badRequest)
        }
    }

    /// `scheme://host[:port]` of a URL, as browsers send it in `Origin`.
    static func origin(of url: String) -> String {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(), let host = components.host?.lowercased()
        else { return url }
        // Browsers leave the scheme's default port out of Origin.
        let port = components.port.flatMap { (scheme == "https" && $0 == 443) || (scheme == "http" && $0 == 80) ? nil : $0 }
        return "\(scheme)://\(host)\(port.map { ":\($0)" } ?? "")"
    }

    static func redirect(_ location: String, cookie: Cookie? = nil) -> Response {
        var response = Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
        if let cookie { response.setCookie(cookie) }
        return response
    }

    /// The console's session cookie: only under `/admin`, never readable by script, not sent on cross-site requests.
    static func cookie(_ value: String, expires: Date, secure: Bool) -> Cookie {
        Cookie(name: cookieName, value: value, expires: expires, path: "/admin", secure: secure, httpOnly: true, sameSite: .lax)
    }

    /// `?offset=` of a console list.
    static func offset(_ request: Request) -> Int {
        request.uri.queryParameters["offset"].flatMap { Int($0) }.map { max(0, min($0, 10_000_000)) } ?? 0
    }

    static let pageSize = 50

    /// Previous/next links and the "1–50 of 1000" text of a list page.
    static func pager(path: String, query: [(String, String)], offset: Int, count: Int, total: Int) -> (previous: String?, next: String?, range: String) {
        func link(_ at: Int) -> String {
            var items = query.filter { !$0.1.isEmpty }.map { URLQueryItem(name: $0.0, value: $0.1) }
            if at > 0 { items.append(URLQueryItem(name: "offset", value: String(at))) }
            var components = URLComponents()
            components.path = path
            components.queryItems = items.isEmpty ? nil : items
            return components.string ?? path
        }
        let previous = offset > 0 ? link(max(0, offset - pageSize)) : nil
        let next = offset + count < total ? link(offset + pageSize) : nil
        let range = count == 0 ? "" : "\(offset + 1)–\(offset + count) of \(total)"
        return (previous, next, range)
    }

    static let doneMessages: [String: String] = [
        "sso": "Single sign-on is saved.",
        "sso-pending": "Single sign-on is saved. Run Test SSO now; people sign in through it once an organization admin confirms the settings.", "policy": "The authentication policy is saved.", "linked": "The domain link is saved.",
        "verified": "The domain is verified.", "claimed": "The domain is claimed. Verify it next.",
        "tested": "The test run is finished; each check is below.",
        "key-confirmed": "The API key is confirmed: the identity provider can provision with it now.",
        "saml-confirmed": "The single sign-on settings are confirmed: people of this directory sign in through them now.",
        "relinked": "The provisioning record is relinked: the identity provider's next update reaches that account.",
        "portal-disconnected": "The identity provider of the help center's customers is disconnected; you can connect another one.",
        "disconnected": "The identity provider is disconnected. Its accounts and groups are now in the local directory.",
    ]

    static func notice(_ request: Request) -> String? {
        request.uri.queryParameters["done"].flatMap { doneMessages[String($0)] }
    }

    static func date(_ date: Date?) -> String {
        guard let date else { return "—" }
        // A formatter per call: DateFormatter is not safe to share across concurrent requests.
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
        return formatter.string(from: date)
    }
}
