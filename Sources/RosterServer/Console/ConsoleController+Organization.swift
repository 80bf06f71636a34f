import Directory
import Foundation
import Hummingbird

/// The centralized experience: `/admin/o/{org}` with its Directory (users, groups, identity providers), domains and
/// products (where each Jira Service Management site's portal-only customer identity provider lives).
extension ConsoleController {
    struct OrgContext {
        let organization: Organization
        let admin: AdminAccount
        /// The sites the admin's nav lists (original experience): every site for an org admin, else their own.
        let sites: [Site]
        var base: String { "/admin/o/\(organization.id)" }
        var isOrgAdmin: Bool { admin.isOrgAdmin }
    }

    /// The organization of the URL, for an admin of it (anyone else gets "not found").
    func orgContext(_ visit: Visit, _ context: RosterRequestContext) async throws -> OrgContext {
        guard let admin = visit.identity.admin else { throw DirectoryError(.forbidden, "A setup link reaches only its directory.") }
        let organization = try await service.organization(id: try context.parameter("org"), caller: visit.caller)
        var sites: [Site] = []
        if organization.userManagement == .original {
            let mine = Set(admin.roles.compactMap(\.siteId))
            let isOrgAdmin = admin.isOrgAdmin
            sites = try await service.sites(organizationId: organization.id, caller: visit.caller).filter { isOrgAdmin || mine.contains($0.id) }
        }
        return OrgContext(organization: organization, admin: admin, sites: sites)
    }

    func chrome(_ org: OrgContext, _ visit: Visit, title: String, current: String, crumbs: [Crumb] = [], notice: String? = nil, error: String? = nil) -> Chrome {
        let base = org.base
        var nav: [NavItem] = [
            .link("Overview", base, current: current == "overview"),
            .heading("Directory"),
            .link("Users", "\(base)/directory/users", current: current == "users"),
            .link("Groups", "\(base)/directory/groups", current: current == "groups"),
            .link("Identity providers", "\(base)/directory/identity-providers", current: current == "idp"),
            .heading("Organization"),
            .link("Domains", "\(base)/domains", current: current == "domains"),
            .link("Products", "\(base)/products", current: current == "products"),
        ]
        if !org.sites.isEmpty {
            nav.append(.heading("Sites (original experience)"))
            for site in org.sites { nav.append(.link(site.name, "/admin/s/\(site.id)/users")) }
        }
        return Chrome(
            title: title, organizationName: org.organization.name, who: visit.who, csrf: visit.csrf, nav: nav,
            crumbs: [Crumb(label: org.organization.name, href: base)] + crumbs, notice: notice, error: error
        )
    }

    func addOrganizationRoutes(to router: Router<RosterRequestContext>) {
        router.get("admin/o/:org") { request, context in
            try await visit(request, context) { visit in
                let org = try await orgContext(visit, context)
                let directories = try await service.directories(organizationId: org.organization.id, caller: visit.caller)
                let domains = try await service.domains(organizationId: org.organization.id, caller: visit.caller)
                let sites = try await service.sites(organizationId: org.organization.id, caller: visit.caller)
                let view = HomeView(
                    base: org.base, plan: org.organization.plan.rawValue, guard: org.organization.plan == .guard,
                    experience: org.organization.userManagement.rawValue,
                    experienceHint: org.organization.userManagement == .centralized
                        ? "Users and groups live in the organization's Directory; organization admins manage them."
                        : "Users are managed per product site by site admins; identity providers stay organization-wide.",
                    directoryCount: directories.count, domainCount: domains.count, verifiedDomains: domains.filter(\.isVerified).count,
                    siteCount: sites.count
                )
                return renderer.page(chrome(org, visit, title: org.organization.name, current: "overview"), template: "home", view)
            }
        }
        router.get("admin/o/:org/directory/users") { request, context in
            try await visit(request, context) { visit in
                let org = try await orgContext(visit, context)
                let directories = try await service.directories(organizationId: org.organization.id, caller: visit.caller)
                let chosen = try chosenDirectory(request, directories)
                let q = request.uri.queryParameters["q"].map(String.init) ?? ""
                let offset = Self.offset(request)
                let page = try await service.users(
                    directoryId: chosen.id, search: String(q.prefix(200)), page: PageRequest(offset: offset, limit: Self.pageSize), caller: visit.caller
                )
                let pager = Self.pager(path: "\(org.base)/directory/users", query: [("directory", chosen.id), ("q", q)], offset: offset, count: page.items.count, total: page.total)
                let view = ListPageView(
                    hasTabs: directories.count > 1, tabs: tabs(directories, chosen: chosen, path: "\(org.base)/directory/users"),
                    directoryId: chosen.id, q: q, total: page.total, rows: page.items.map(UserRow.init),
                    previous: pager.previous, next: pager.next, range: pager.range
                )
                return renderer.page(chrome(org, visit, title: "Users", current: "users"), template: "users", view)
            }
        }
        router.get("admin/o/:org/directory/groups") { request, context in
            try await visit(request, context) { visit in
                let org = try await orgContext(visit, context)
                let directories = try await service.directories(organizationId: org.organization.id, caller: visit.caller)
                let chosen = try chosenDirectory(request, directories)
                let offset = Self.offset(request)
                let q = request.uri.queryParameters["q"].map(String.init) ?? ""
                let page = try await service.groups(
                    directoryId: chosen.id, search: String(q.prefix(200)), page: PageRequest(offset: offset, limit: Self.pageSize), caller: visit.caller
                )
                let pager = Self.pager(path: "\(org.base)/directory/groups", query: [("directory", chosen.id), ("q", q)], offset: offset, count: page.items.count, total: page.total)
                let view = ListPageView(
                    hasTabs: directories.count > 1, tabs: tabs(directories, chosen: chosen, path: "\(org.base)/directory/groups"),
                    directoryId: chosen.id, q: q, total: page.total, rows: page.items.map { GroupRow(displayName: $0.displayName, synced: $0.synced) },
                    previous: pager.previous, next: pager.next, range: pager.range
                )
                return renderer.page(chrome(org, visit, title: "Groups", current: "groups"), template: "groups", view)
            }
        }
        router.get("admin/o/:org/directory/identity-providers") { request, context in
            try await visit(request, context) { visit in
                let org = try await orgContext(visit, context)
                let directories = try await service.directories(organizationId: org.organization.id, caller: visit.caller)
                var rows: [ProviderRow] = []
                for directory in directories where directory.kind == .identityProvider {
                    let sso = try await service.samlConnection(directoryId: directory.id, caller: visit.caller) != nil
                    rows.append(ProviderRow(
                        name: directory.name, href: "\(org.base)/directory/identity-providers/\(directory.id)",
                        provider: directory.identityProvider?.displayName ?? "", sso: sso,
                        provisioning: directory.acceptsProvisioning ? "SCIM" : "Not offered (SSO only)"
                    ))
                }
                let view = ProvidersView(
                    gate: org.organization.plan != .guard, canManage: org.isOrgAdmin, plan: org.organization.plan.rawValue,
                    base: "\(org.base)/directory/identity-providers", rows: rows
                )
                return renderer.page(
                    chrome(org, visit, title: "Identity providers", current: "idp", notice: Self.notice(request)), template: "providers", view
                )
            }
        }
        router.get("admin/o/:org/directory/identity-providers/new") { request, context in
            try await visit(request, context) { visit in
                let org = try await orgContext(visit, context)
                let title = "Add an identity provider"
                let crumbs = [Crumb(label: "Identity providers", href: "\(org.base)/directory/identity-providers")]
                if let gate = planGate(org) { return renderer.message(chrome(org, visit, title: title, current: "idp", crumbs: crumbs), gate, status: .forbidden) }
                if let refusal = orgAdminOnly(org) { return renderer.message(chrome(org, visit, title: title, current: "idp", crumbs: crumbs), refusal, status: .forbidden) }
                let base = "\(org.base)/directory/identity-providers/new"
                return renderer.page(chrome(org, visit, title: title, current: "idp", crumbs: crumbs), template: "catalog", CatalogView(base: base))
            }
        }
        router.get("admin/o/:org/directory/identity-providers/new/:provider") { request, context in
            try await visit(request, context) { visit in
                let org = try await orgContext(visit, context)
                let provider = try providerParameter(context)
                return nameForm(org, visit, provider: provider, value: "", fieldError: nil, status: .ok)
            }
        }
        router.post("admin/o/:org/directory/identity-providers/new/:provider") { request, context in
            try await submit(request, context) { visit, form in
                let org = try await orgContext(visit, context)
                let provider = try providerParameter(context)
                let name = form.text("name") ?? ""
                guard !name.isEmpty else { return nameForm(org, visit, provider: provider, value: name, fieldError: "Give the directory a name.", status: .badRequest) }
                let created: CreatedDirectory
                do {
                    created = try await service.createDirectory(organizationId: org.organization.id, name: name, identityProvider: provider, caller: visit.caller)
                } catch let error as DirectoryError where error.code == .invalidInput || error.code == .alreadyExists {
                    return nameForm(org, visit, provider: provider, value: name, fieldError: error.message, status: error.code == .alreadyExists ? .conflict : .badRequest)
                }
                let scope = DirectoryScope.organization
                let base = "\(org.base)/directory/identity-providers/\(created.directory.id)"
                return try await wizardPage(
                    visit: visit, directory: created.directory, scope: scope, base: base, step: created.apiKey == nil ? .sso : .provisioning,
                    chrome: directoryChrome(visit, directory: created.directory, scope: scope, base: base, org: .organization(org), title: "Set up \(created.directory.name)"),
                    apiKey: created.apiKey, apiKeyExpires: created.apiKeyRecord?.expires, status: .created
                )
            }
        }
        router.get("admin/o/:org/domains") { request, context in
            try await visit(request, context) { visit in
                let org = try await orgContext(visit, context)
                return try await domainsPage(org, visit, notice: Self.notice(request), value: "", fieldError: nil, error: nil, status: .ok)
            }
        }
        router.post("admin/o/:org/domains") { request, context in
            try await submit(request, context) { visit, form in
                let org = try await orgContext(visit, context)
                let name = form.text("domain") ?? ""
                do {
                    _ = try await service.claimDomain(organizationId: org.organization.id, name: name, caller: visit.caller)
                } catch let error as DirectoryError where error.code == .invalidInput || error.code == .alreadyExists {
                    return try await domainsPage(org, visit, notice: nil, value: name, fieldError: error.message, error: nil, status: error.code == .alreadyExists ? .conflict : .badRequest)
                }
                return Self.redirect("\(org.base)/domains?done=claimed")
            }
        }
        router.post("admin/o/:org/domains/:domain/verify") { request, context in
            try await submit(request, context) { visit, form in
                let org = try await orgContext(visit, context)
                let method = DirectoryService.DomainVerificationMethod(rawValue: form.text("method") ?? "dns") ?? .dns
                do {
                    _ = try await service.verifyDomain(id: try context.parameter("domain"), method: method, probe: probe, caller: visit.caller)
                } catch let error as DirectoryError where error.code == .invalidInput || error.code == .unsupported {
                    return try await domainsPage(org, visit, notice: nil, value: "", fieldError: nil, error: error.message, status: .unprocessableContent)
                }
                return Self.redirect("\(org.base)/domains?done=verified")
            }
        }
        router.post("admin/o/:org/domains/:domain/link") { request, context in
            try await submit(request, context) { visit, form in
                let org = try await orgContext(visit, context)
                do {
                    _ = try await service.linkDomain(id: try context.parameter("domain"), directoryId: form.text("directory"), caller: visit.caller)
                } catch let error as DirectoryError where error.code == .invalidInput || error.code == .alreadyExists || error.code == .unsupported {
                    return try await domainsPage(org, visit, notice: nil, value: "", fieldError: nil, error: error.message, status: .unprocessableContent)
                }
                return Self.redirect("\(org.base)/domains?done=linked")
            }
        }
        router.get("admin/o/:org/products") { request, context in
            try await visit(request, context) { visit in
                let org = try await orgContext(visit, context)
                var sites: [SiteCard] = []
                for site in try await service.sites(organizationId: org.organization.id, caller: visit.caller) {
                    let products = try await service.products(siteId: site.id, caller: visit.caller)
                    let hasJSM = products.contains { $0.product == .jiraServiceManagement }
                    sites.append(SiteCard(
                        name: site.name, products: products.map(\.product.displayName),
                        portalHref: hasJSM ? "\(org.base)/products/\(site.id)/jira-service-management/portal-customers" : nil
                    ))
                }
                return renderer.page(chrome(org, visit, title: "Products", current: "products"), template: "products", ProductsView(sites: sites))
            }
        }
        router.get("admin/o/:org/products/:site/jira-service-management/portal-customers") { request, context in
            try await visit(request, context) { visit in
                let org = try await orgContext(visit, context)
                let (site, _) = try await service.site(id: try context.parameter("site"), caller: visit.caller)
                guard site.organizationId == org.organization.id else { throw DirectoryError(.notFound, "No such site.") }
                let base = "\(org.base)/products/\(site.id)/jira-service-management/portal-customers"
                let chrome = chrome(org, visit, title: "Portal-only customers: identity provider", current: "products",
                                    crumbs: [Crumb(label: "Products", href: "\(org.base)/products"), Crumb(label: site.name, href: "\(org.base)/products")],
                                    notice: Self.notice(request))
                return try await portalPage(visit, site: site, base: base, chrome: chrome, canManage: org.isOrgAdmin, value: "", provider: nil, fieldError: nil, status: .ok)
            }
        }
        router.post("admin/o/:org/products/:site/jira-service-management/portal-customers") { request, context in
            try await submit(request, context) { visit, form in
                let org = try await orgContext(visit, context)
                let (site, _) = try await service.site(id: try context.parameter("site"), caller: visit.caller)
                guard site.organizationId == org.organization.id else { throw DirectoryError(.notFound, "No such site.") }
                let base = "\(org.base)/products/\(site.id)/jira-service-management/portal-customers"
                let chrome = chrome(org, visit, title: "Portal-only customers: identity provider", current: "products",
                                    crumbs: [Crumb(label: "Products", href: "\(org.base)/products")])
                return try await createPortalDirectory(visit, form: form, site: site, base: base, scope: .portalCentralized, chrome: chrome)
            }
        }
    }

    // MARK: Pieces

    func planGate(_ org: OrgContext) -> [String]? {
        guard org.organization.plan != .guard else { return nil }
        return [
            "Identity provider directories for members need the Guard plan. Your organization is on the \(org.organization.plan.rawValue) plan.",
            "With Guard, people sign in with single sign-on through Okta, Microsoft Entra ID, Google Workspace or another SAML provider, and the provider creates, updates and deactivates their accounts and groups in Roster for you (SCIM provisioning).",
            "Portal-only customers of a Jira Service Management site can use an identity provider without Guard: see Products.",
        ]
    }

    /// What a site admin or user access admin is told where only an organization admin may act.
    func orgAdminOnly(_ org: OrgContext) -> [String]? {
        guard !org.isOrgAdmin else { return nil }
        return [
            "Connecting an identity provider needs an organization admin of \(org.organization.name).",
            "Your admin role lets you see the directories once they are connected; ask an organization admin to connect one, or to hand you its setup link.",
        ]
    }

    func providerParameter(_ context: RosterRequestContext) throws -> IdentityProviderType {
        guard let provider = IdentityProviderType(rawValue: try context.parameter("provider")) else {
            throw DirectoryError(.notFound, "Roster has no setup for that identity provider.")
        }
        return provider
    }

    func nameForm(_ org: OrgContext, _ visit: Visit, provider: IdentityProviderType, value: String, fieldError: String?, status: HTTPResponse.Status) -> Response {
        let crumbs = [Crumb(label: "Identity providers", href: "\(org.base)/directory/identity-providers"),
                      Crumb(label: "Add", href: "\(org.base)/directory/identity-providers/new")]
        let chrome = chrome(org, visit, title: "Connect \(provider.displayName)", current: "idp", crumbs: crumbs)
        if let gate = planGate(org) { return renderer.message(chrome, gate, status: .forbidden) }
        if let refusal = orgAdminOnly(org) { return renderer.message(chrome, refusal, status: .forbidden) }
        let view = NameView(
            intro: provider.supportsProvisioning
                ? "Name the identity provider directory. Next you copy Roster's SCIM details into \(provider.displayName), then set up single sign-on."
                : "Name the identity provider directory. \(provider.displayName) signs people in with SAML; it does not provision users, so the setup has no SCIM step.",
            action: "\(org.base)/directory/identity-providers/new/\(provider.rawValue)", csrf: visit.csrf,
            example: "\(provider.displayName) – \(org.organization.name)", value: value, fieldError: fieldError,
            back: "\(org.base)/directory/identity-providers/new"
        )
        return renderer.page(chrome, template: "name", view, status: status)
    }

    func chosenDirectory(_ request: Request, _ directories: [Directory]) throws -> Directory {
        let members = directories.filter { $0.kind != .portalCustomers }
        if let id = request.uri.queryParameters["directory"].map(String.init), !id.isEmpty {
            guard let found = directories.first(where: { $0.id == id }) else { throw DirectoryError(.notFound, "No such directory.") }
            return found
        }
        guard let local = members.first(where: { $0.kind == .local }) ?? members.first else {
            throw DirectoryError(.notFound, "The organization has no directory.")
        }
        return local
    }

    func tabs(_ directories: [Directory], chosen: Directory, path: String) -> [Tab] {
        directories.map { directory in
            Tab(label: directory.kind == .local ? "Local" : directory.name, href: "\(path)?directory=\(directory.id)", current: directory.id == chosen.id)
        }
    }

    func domainsPage(
        _ org: OrgContext, _ visit: Visit, notice: String?, value: String, fieldError: String?, error: String?, status: HTTPResponse.Status
    ) async throws -> Response {
        let domains = try await service.domains(organizationId: org.organization.id, caller: visit.caller)
        let directories = try await service.directories(organizationId: org.organization.id, caller: visit.caller)
            .filter { $0.kind == .identityProvider }
        let rows = domains.map { domain in
            DomainRow(
                id: domain.id, name: domain.name, verified: domain.isVerified, txtRecord: "roster-verification=\(domain.verificationToken)",
                options: directories.map { DirectoryOption(id: $0.id, name: $0.name, selected: $0.id == domain.directoryId) }
            )
        }
        let view = DomainsView(base: org.base, csrf: visit.csrf, canManage: org.isOrgAdmin, value: value, fieldError: fieldError, rows: rows)
        return renderer.page(chrome(org, visit, title: "Domains", current: "domains", notice: notice, error: error), template: "domains", view, status: status)
    }

    /// The Jira Service Management site's portal-only customer identity provider: the one there is, or the form to connect one.
    func portalPage(
        _ visit: Visit, site: Site, base: String, chrome: Chrome, canManage: Bool, value: String, provider: IdentityProviderType?,
        fieldError: String?, status: HTTPResponse.Status
    ) async throws -> Response {
        let products = try await service.products(siteId: site.id, caller: visit.caller)
        guard products.contains(where: { $0.product == .jiraServiceManagement }) else {
            return renderer.message(chrome, ["The site \(site.name) has no Jira Service Management, so it has no portal-only customers."], status: .notFound)
        }
        let directories = try await service.directories(organizationId: site.organizationId, caller: visit.caller)
        var existing: PortalExisting?
        if let directory = directories.first(where: { $0.kind == .portalCustomers && $0.portalSiteId == site.id }) {
            let sso = try await service.samlConnection(directoryId: directory.id, caller: visit.caller) != nil
            existing = PortalExisting(name: directory.name, providerName: directory.identityProvider?.displayName ?? "", sso: sso, href: "\(base)/\(directory.id)")
        }
        var chrome = chrome
        if existing != nil, let fieldError { chrome.error = fieldError }
        let view = PortalView(
            siteName: site.name, existing: existing, canManage: canManage, action: base, csrf: visit.csrf,
            options: IdentityProviderType.allCases.map { DirectoryOption(id: $0.rawValue, name: $0.displayName, selected: $0 == provider) },
            value: value, fieldError: fieldError
        )
        return renderer.page(chrome, template: "portal", view, status: status)
    }

    func createPortalDirectory(
        _ visit: Visit, form: ConsoleForm, site: Site, base: String, scope: DirectoryScope, chrome: Chrome
    ) async throws -> Response {
        let provider = IdentityProviderType(rawValue: form.text("provider") ?? "")
        let name = form.text("name") ?? ""
        guard let provider else {
            return try await portalPage(visit, site: site, base: base, chrome: chrome, canManage: true, value: name, provider: nil, fieldError: "Choose an identity provider.", status: .badRequest)
        }
        guard !name.isEmpty else {
            return try await portalPage(visit, site: site, base: base, chrome: chrome, canManage: true, value: name, provider: provider, fieldError: "Give the directory a name.", status: .badRequest)
        }
        let created: CreatedDirectory
        do {
            created = try await service.createDirectory(
                organizationId: site.organizationId, name: name, identityProvider: provider, portalSiteId: site.id, caller: visit.caller
            )
        } catch let error as DirectoryError where error.code == .invalidInput || error.code == .alreadyExists || error.code == .portalDirectoryExists {
            return try await portalPage(
                visit, site: site, base: base, chrome: chrome, canManage: true, value: name, provider: provider, fieldError: error.message,
                status: error.code == .invalidInput ? .badRequest : .conflict
            )
        }
        let directoryBase = "\(base)/\(created.directory.id)"
        var wizardChrome = chrome
        wizardChrome.title = "Set up \(created.directory.name)"
        return try await wizardPage(
            visit: visit, directory: created.directory, scope: scope, base: directoryBase, step: created.apiKey == nil ? .sso : .provisioning,
            chrome: wizardChrome, apiKey: created.apiKey, apiKeyExpires: created.apiKeyRecord?.expires, status: .created
        )
    }
}

// MARK: View models

struct HomeView {
    let base: String
    let plan: String
    let `guard`: Bool
    let experience: String
    let experienceHint: String
    let directoryCount: Int
    let domainCount: Int
    let verifiedDomains: Int
    let siteCount: Int
}

struct Tab {
    let label: String
    let href: String
    let current: Bool
}

struct UserRow {
    let userName: String
    let displayName: String
    let email: String
    let active: Bool
    let managed: Bool

    init(_ user: User) {
        userName = user.userName
        displayName = user.displayName ?? ""
        email = user.primaryEmail ?? ""
        active = user.active
        managed = user.managed
    }
}

/// A page of the Users or Groups list: directory tabs, the search, the rows and the pager.
struct ListPageView<Row> {
    let hasTabs: Bool
    let tabs: [Tab]
    let directoryId: String
    let q: String
    let total: Int
    let rows: [Row]
    let previous: String?
    let next: String?
    let range: String
}

struct GroupRow {
    let displayName: String
    let synced: Bool
}

struct ProviderRow {
    let name: String
    let href: String
    let provider: String
    let sso: Bool
    let provisioning: String
}

struct ProvidersView {
    let gate: Bool
    let canManage: Bool
    let plan: String
    let base: String
    let rows: [ProviderRow]
}

struct CatalogView {
    struct Card {
        let id: String
        let name: String
        let provisioning: Bool
        let summary: String
        let href: String
    }
    let providers: [Card]

    init(base: String) {
        providers = IdentityProviderType.allCases.map { provider in
            Card(id: provider.rawValue, name: provider.displayName, provisioning: provider.supportsProvisioning,
                 summary: ProviderGuide.guide(for: provider).summary, href: "\(base)/\(provider.rawValue)")
        }
    }
}

struct DirectoryOption {
    let id: String
    let name: String
    let selected: Bool
}

struct NameView {
    let intro: String
    let action: String
    let csrf: String
    let example: String
    let value: String
    let fieldError: String?
    let back: String
}

struct DomainRow {
    let id: String
    let name: String
    let verified: Bool
    let txtRecord: String
    let options: [DirectoryOption]
}

struct DomainsView {
    let base: String
    let csrf: String
    let canManage: Bool
    let value: String
    let fieldError: String?
    let rows: [DomainRow]
}

struct SiteCard {
    let name: String
    let products: [String]
    let portalHref: String?
}

struct ProductsView {
    let sites: [SiteCard]
}

struct PortalExisting {
    let name: String
    let providerName: String
    let sso: Bool
    let href: String
}

struct PortalView {
    let siteName: String
    let existing: PortalExisting?
    let canManage: Bool
    let action: String
    let csrf: String
    let options: [DirectoryOption]
    let value: String
    let fieldError: String?
}
