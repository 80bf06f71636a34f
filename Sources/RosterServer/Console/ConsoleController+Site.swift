import Directory
import Foundation
import Hummingbird

/// The original experience: `/admin/s/{site}` — the site's users for its site admins, and its Jira Service Management
/// identity provider for portal-only customers.
extension ConsoleController {
    struct SiteContext {
        let site: Site
        let organization: Organization
        let admin: AdminAccount
        var base: String { "/admin/s/\(site.id)" }
        var isOrgAdmin: Bool { admin.isOrgAdmin }
    }

    func siteContext(_ visit: Visit, _ context: RosterRequestContext) async throws -> SiteContext {
        guard let admin = visit.identity.admin else { throw DirectoryError(.forbidden, "A setup link reaches only its directory.") }
        let (site, organization) = try await service.site(id: try context.parameter("site"), caller: visit.caller)
        return SiteContext(site: site, organization: organization, admin: admin)
    }

    func chrome(_ site: SiteContext, _ visit: Visit, title: String, current: String, notice: String? = nil) -> Chrome {
        var nav: [NavItem] = [
            .heading(site.site.name),
            .link("Users", "\(site.base)/users", current: current == "users"),
            .link("Identity providers", "\(site.base)/identity-providers", current: current == "idp"),
            .heading("Jira Service Management"),
            .link("Identity provider", "\(site.base)/jira-service-management/identity-provider", current: current == "portal"),
        ]
        if site.isOrgAdmin { nav += [.heading("Organization"), .link(site.organization.name, "/admin/o/\(site.organization.id)")] }
        return Chrome(
            title: title, organizationName: site.organization.name, who: visit.who, csrf: visit.csrf, nav: nav,
            crumbs: [Crumb(label: site.site.name, href: "\(site.base)/users")], notice: notice
        )
    }

    func addSiteRoutes(to router: Router<RosterRequestContext>) {
        router.get("admin/s/:site") { request, context in
            try await visit(request, context) { visit in
                let site = try await siteContext(visit, context)
                return Self.redirect("\(site.base)/users")
            }
        }
        router.get("admin/s/:site/users") { request, context in
            try await visit(request, context) { visit in
                let site = try await siteContext(visit, context)
                let q = request.uri.queryParameters["q"].map(String.init) ?? ""
                let offset = Self.offset(request)
                let page = try await service.users(
                    siteId: site.site.id, search: String(q.prefix(200)), page: PageRequest(offset: offset, limit: Self.pageSize), caller: visit.caller
                )
                let pager = Self.pager(path: "\(site.base)/users", query: [("q", q)], offset: offset, count: page.items.count, total: page.total)
                let view = SiteUsersView(
                    orgHref: site.isOrgAdmin ? "/admin/o/\(site.organization.id)/directory/identity-providers" : nil, q: q, total: page.total,
                    rows: page.items.map(UserRow.init), previous: pager.previous, next: pager.next, range: pager.range
                )
                return renderer.page(chrome(site, visit, title: "Users of \(site.site.name)", current: "users"), template: "siteUsers", view)
            }
        }
        router.get("admin/s/:site/identity-providers") { request, context in
            try await visit(request, context) { visit in
                let site = try await siteContext(visit, context)
                var paragraphs = [
                    "Identity provider directories are organization-wide: one connection signs members in to every site and provisions them once.",
                    "Connecting or changing one needs an organization admin of \(site.organization.name).",
                ]
                var link: Crumb?
                if site.isOrgAdmin {
                    link = Crumb(label: "Open the organization's identity providers", href: "/admin/o/\(site.organization.id)/directory/identity-providers")
                } else {
                    paragraphs.append("You are a site admin, so ask an organization admin to connect the identity provider. The site's portal-only customers have their own identity provider under Jira Service Management.")
                }
                return renderer.message(chrome(site, visit, title: "Identity providers", current: "idp"), paragraphs, link: link)
            }
        }
        router.get("admin/s/:site/jira-service-management/identity-provider") { request, context in
            try await visit(request, context) { visit in
                let site = try await siteContext(visit, context)
                let base = "\(site.base)/jira-service-management/identity-provider"
                return try await portalPage(
                    visit, site: site.site, base: base,
                    chrome: chrome(site, visit, title: "Portal-only customers: identity provider", current: "portal", notice: Self.notice(request)),
                    canManage: site.isOrgAdmin, value: "", provider: nil, fieldError: nil, status: .ok
                )
            }
        }
        router.post("admin/s/:site/jira-service-management/identity-provider") { request, context in
            try await submit(request, context) { visit, form in
                let site = try await siteContext(visit, context)
                let base = "\(site.base)/jira-service-management/identity-provider"
                return try await createPortalDirectory(
                    visit, form: form, site: site.site, base: base, scope: .portalOriginal,
                    chrome: chrome(site, visit, title: "Portal-only customers: identity provider", current: "portal")
                )
            }
        }
    }
}

struct SiteUsersView {
    let orgHref: String?
    let q: String
    let total: Int
    let rows: [UserRow]
    let previous: String?
    let next: String?
    let range: String
}
