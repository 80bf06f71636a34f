import Foundation
import HTTPTypes
import Hummingbird
import Mustache

/// A link in the console's side navigation, or a heading over a group of links.
struct NavItem: Sendable {
    var heading: String?
    var href: String?
    var label: String
    var current: Bool

    static func heading(_ text: String) -> NavItem { NavItem(heading: text, href: nil, label: text, current: false) }
    static func link(_ label: String, _ href: String, current: Bool = false) -> NavItem {
        NavItem(heading: nil, href: href, label: label, current: current)
    }
}

/// A step back up the console's hierarchy.
struct Crumb: Sendable {
    var label: String
    var href: String
}

/// What every console page has around its content.
struct Chrome: Sendable {
    var title: String
    var organizationName: String?
    var who: String?
    var csrf: String = ""
    var nav: [NavItem] = []
    var crumbs: [Crumb] = []
    var notice: String?
    var error: String?
}

/// The layout's view model.
private struct LayoutView {
    let title: String
    let css: String
    let organizationName: String?
    let who: String?
    let csrf: String
    let hasNav: Bool
    let nav: [NavItem]
    let hasCrumbs: Bool
    let crumbs: [Crumb]
    let notice: String?
    let error: String?
    let content: String
}

/// Renders console pages from the templates in `ConsoleTemplates`.
struct ConsoleRenderer: Sendable {
    let library: MustacheLibrary

    /// The templates are constants of this module: one that does not parse is a build defect, caught by the console tests.
    static let shared: ConsoleRenderer = {
        do { return try ConsoleRenderer() } catch { preconditionFailure("the console templates do not parse: \(error)") }
    }()

    init() throws {
        var library = MustacheLibrary()
        for (name, text) in ConsoleTemplates.all { try library.register(text, named: name) }
        self.library = library
    }

    /// A whole page: `view` rendered with `template`, inside the layout.
    func page(_ chrome: Chrome, template: String, _ view: Any, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        let content = library.render(view, withTemplate: template) ?? ""
        let layout = LayoutView(
            title: chrome.title, css: ConsoleTemplates.css, organizationName: chrome.organizationName, who: chrome.who, csrf: chrome.csrf,
            hasNav: !chrome.nav.isEmpty, nav: chrome.nav, hasCrumbs: !chrome.crumbs.isEmpty, crumbs: chrome.crumbs,
            notice: chrome.notice, error: chrome.error, content: content
        )
        var fields = headers
        fields[.contentType] = "text/html; charset=utf-8"
        fields[.cacheControl] = "no-store"
        fields[HTTPField.Name("X-Frame-Options")!] = "DENY"
        fields[HTTPField.Name("Content-Security-Policy")!] =
            "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src 'self'; form-action 'self' https: http:; base-uri 'none'; frame-ancestors 'none'"
        // No referrer leaves Roster (setup-link pages carry their secret in the URL), but same-origin posts keep their
        // real `Origin`: under `no-referrer` a browser sends `Origin: null`, which the sign-in forms' check refuses.
        fields[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        return Response(
            status: status, headers: fields,
            body: .init(byteBuffer: ByteBuffer(string: library.render(layout, withTemplate: "layout") ?? ""))
        )
    }

    /// A page of plain paragraphs and an optional link onward.
    func message(
        _ chrome: Chrome, _ paragraphs: [String], link: Crumb? = nil, status: HTTPResponse.Status = .ok
    ) -> Response {
        page(chrome, template: "message", MessageView(paragraphs: paragraphs, link: link), status: status)
    }
}

private struct MessageView {
    let paragraphs: [String]
    let link: Crumb?
}
