import Directory
import Foundation
import Hummingbird
import SAML

/// Where a directory's pages hang in the console: under the organization's identity providers, under a JSM site's
/// portal-only customers (centralized or original experience), or alone behind a setup link.
enum DirectoryScope: CaseIterable, Sendable {
    case organization
    case portalCentralized
    case portalOriginal
    case setupLink

    /// The route prefix, with `:dir` last.
    var route: String {
        switch self {
        case .organization: "admin/o/:org/directory/identity-providers/:dir"
        case .portalCentralized: "admin/o/:org/products/:site/jira-service-management/portal-customers/:dir"
        case .portalOriginal: "admin/s/:site/jira-service-management/identity-provider/:dir"
        case .setupLink: "admin/setup/d/:dir"
        }
    }
}

/// What surrounds a directory's pages.
enum DirectoryLayout {
    case organization(ConsoleController.OrgContext)
    case site(ConsoleController.SiteContext)
    case setupLink

    var organization: ConsoleController.OrgContext? {
        if case .organization(let org) = self { return org }
        return nil
    }
}

/// A step of the setup wizard.
enum WizardStep: String, CaseIterable, Sendable {
    case provisioning, sso, domains, policy, test

    var label: String {
        switch self {
        case .provisioning: "User provisioning"
        case .sso: "Single sign-on"
        case .domains: "Domains"
        case .policy: "Authentication policy"
        case .test: "Test SSO"
        }
    }

    /// The steps of a directory's wizard: no SCIM for SSO-only providers; domains and policy are for members, and
    /// stay with the organization's admins (a setup link's holder does the provider's part only).
    static func steps(for directory: Directory, setupLink: Bool = false) -> [WizardStep] {
        allCases.filter { step in
            switch step {
            case .provisioning: directory.acceptsProvisioning
            case .domains, .policy: directory.kind == .identityProvider && !setupLink
            case .sso, .test: true
            }
        }
    }
}

extension ConsoleController {
    /// The directory of the URL, checked against the scope it is reached through.
    func scopedDirectory(_ visit: Visit, _ context: RosterRequestContext, scope: DirectoryScope) async throws -> (Directory, String) {
        let directory = try await service.directory(id: try context.parameter("dir"), caller: visit.caller)
        let notFound = DirectoryError(.notFound, "No such directory here.")
        let id = directory.id
        switch scope {
        case .organization:
            let org = try context.parameter("org")
            guard visit.identity.admin != nil, directory.organizationId == org, directory.kind == .identityProvider else { throw notFound }
            return (directory, "/admin/o/\(org)/directory/identity-providers/\(id)")
        case .portalCentralized:
            let org = try context.parameter("org")
            let site = try context.parameter("site")
            guard visit.identity.admin != nil, directory.organizationId == org, directory.portalSiteId == site else { throw notFound }
            return (directory, "/admin/o/\(org)/products/\(site)/jira-service-management/portal-customers/\(id)")
        case .portalOriginal:
            let site = try context.parameter("site")
            guard visit.identity.admin != nil, directory.portalSiteId == site else { throw notFound }
            return (directory, "/admin/s/\(site)/jira-service-management/identity-provider/\(id)")
        case .setupLink:
            guard visit.identity.setupLink?.directoryId == directory.id else { throw notFound }
            return (directory, "/admin/setup/d/\(id)")
        }
    }

    /// May the visitor change this directory (an org admin, or its setup link), or only look?
    func canManage(_ visit: Visit, _ directory: Directory) -> Bool {
        if let link = visit.identity.setupLink { return link.directoryId == directory.id }
        return visit.identity.admin?.isOrgAdmin ?? false
    }

    func directoryChrome(
        _ visit: Visit, directory: Directory, scope: DirectoryScope, base: String, org: DirectoryLayout, title: String, notice: String? = nil,
        error: String? = nil
    ) -> Chrome {
        var chrome: Chrome
        switch org {
        case .setupLink:
            return Chrome(title: title, organizationName: nil, who: "Setup of \(directory.name)", csrf: visit.csrf, notice: notice, error: error)
        case .organization(let org):
            chrome = self.chrome(org, visit, title: title, current: scope == .organization ? "idp" : "products", notice: notice, error: error)
            if scope == .organization {
                chrome.crumbs.append(Crumb(label: "Identity providers", href: "\(org.base)/directory/identity-providers"))
            } else if let site = directory.portalSiteId {
                chrome.crumbs.append(Crumb(label: "Products", href: "\(org.base)/products"))
                chrome.crumbs.append(Crumb(label: "Portal-only customers", href: "\(org.base)/products/\(site)/jira-service-management/portal-customers"))
            }
        case .site(let site):
            chrome = self.chrome(site, visit, title: title, current: "portal", notice: notice)
            chrome.error = error
        }
        chrome.crumbs.append(Crumb(label: directory.name, href: base))
        return chrome
    }

    /// The pages around a directory's: its organization's, its site's (original experience), or none (setup link).
    func layout(_ visit: Visit, _ context: RosterRequestContext, scope: DirectoryScope) async throws -> DirectoryLayout {
        switch scope {
        case .organization, .portalCentralized: .organization(try await orgContext(visit, context))
        case .portalOriginal: .site(try await siteContext(visit, context))
        case .setupLink: .setupLink
        }
    }

    func addDirectoryRoutes(to router: Router<RosterRequestContext>, scope: DirectoryScope) {
        let prefix = scope.route
        router.get(RouterPath(prefix)) { request, context in
            try await visit(request, context) { visit in
                let (directory, base) = try await scopedDirectory(visit, context, scope: scope)
                if scope == .setupLink { return Self.redirect("\(base)/setup/\(WizardStep.steps(for: directory, setupLink: scope == .setupLink).first?.rawValue ?? "sso")") }
                let org = try await layout(visit, context, scope: scope)
                return try await directoryPage(visit, request, directory: directory, scope: scope, base: base, org: org, newKey: nil, newLink: nil)
            }
        }
        router.get(RouterPath("\(prefix)/setup/:step")) { request, context in
            try await visit(request, context) { visit in
                let (directory, base) = try await scopedDirectory(visit, context, scope: scope)
                guard let step = WizardStep(rawValue: try context.parameter("step")), WizardStep.steps(for: directory, setupLink: scope == .setupLink).contains(step) else {
                    throw DirectoryError(.notFound, "This directory's setup has no such step.")
                }
                let org = try await layout(visit, context, scope: scope)
                return try await wizardPage(
                    visit: visit, directory: directory, scope: scope, base: base, step: step,
                    chrome: directoryChrome(visit, directory: directory, scope: scope, base: base, org: org, title: "Set up \(directory.name)", notice: Self.notice(request)),
                    apiKey: nil, apiKeyExpires: nil, testRunId: request.uri.queryParameters["run"].map(String.init)
                )
            }
        }
        router.post(RouterPath("\(prefix)/setup/:step")) { request, context in
            try await submit(request, context) { visit, form in
                let (directory, base) = try await scopedDirectory(visit, context, scope: scope)
                guard let step = WizardStep(rawValue: try context.parameter("step")), WizardStep.steps(for: directory, setupLink: scope == .setupLink).contains(step) else {
                    throw DirectoryError(.notFound, "This directory's setup has no such step.")
                }
                let org = try await layout(visit, context, scope: scope)
                let chrome = directoryChrome(visit, directory: directory, scope: scope, base: base, org: org, title: "Set up \(directory.name)")
                return try await submitStep(step, form: form, visit: visit, directory: directory, scope: scope, base: base, chrome: chrome)
            }
        }
        // A setup link reaches the wizard only: keys, links, records and disconnecting stay with the organization's admins.
        guard scope != .setupLink else { return }
        router.post(RouterPath("\(prefix)/keys")) { request, context in
            try await submit(request, context) { visit, form in
                let (directory, base) = try await scopedDirectory(visit, context, scope: scope)
                let overlap = form.text("overlap").flatMap(Double.init) ?? 0
                guard [0, 3600, 86_400, 604_800].contains(overlap) else { throw DirectoryError(.invalidInput, "Choose how long the current key keeps working.") }
                let issued = try await service.rotateApiKey(directoryId: directory.id, overlap: overlap, caller: visit.caller)
                let org = try await layout(visit, context, scope: scope)
                return try await directoryPage(visit, request, directory: directory, scope: scope, base: base, org: org, newKey: issued.token, newLink: nil, status: .created)
            }
        }
        router.post(RouterPath("\(prefix)/keys/:key/confirm")) { request, context in
            try await submit(request, context) { visit, _ in
                let (directory, base) = try await scopedDirectory(visit, context, scope: scope)
                _ = try await service.confirmApiKey(directoryId: directory.id, keyId: try context.parameter("key"), caller: visit.caller)
                return Self.redirect("\(base)?done=key-confirmed")
            }
        }
        router.post(RouterPath("\(prefix)/saml/confirm")) { request, context in
            try await submit(request, context) { visit, form in
                let (directory, base) = try await scopedDirectory(visit, context, scope: scope)
                do {
                    _ = try await service.confirmSAML(directoryId: directory.id, digest: form.text("digest") ?? "", caller: visit.caller)
                } catch let error as DirectoryError where error.code == .versionMismatch {
                    let org = try await layout(visit, context, scope: scope)
                    return try await directoryPage(visit, request, directory: directory, scope: scope, base: base, org: org, newKey: nil, newLink: nil,
                                                   error: error.message, status: .conflict)
                }
                return Self.redirect("\(base)?done=saml-confirmed")
            }
        }
        router.post(RouterPath("\(prefix)/setup-links")) { request, context in
            try await submit(request, context) { visit, form in
                let (directory, base) = try await scopedDirectory(visit, context, scope: scope)
                guard let hours = form.text("hours").flatMap(Int.init), [4, 24, 72, 168].contains(hours) else {
                    throw DirectoryError(.invalidInput, "Choose how long the setup link works.")
                }
                let issued = try await service.createSetupLink(directoryId: directory.id, lifetime: TimeInterval(hours) * 3600, caller: visit.caller)
                let org = try await layout(visit, context, scope: scope)
                return try await directoryPage(visit, request, directory: directory, scope: scope, base: base, org: org, newKey: nil, newLink: issued.url, status: .created)
            }
        }
        router.post(RouterPath("\(prefix)/unlinked/:record")) { request, context in
            try await submit(request, context) { visit, form in
                let (directory, base) = try await scopedDirectory(visit, context, scope: scope)
                let org = try await layout(visit, context, scope: scope)
                let email = form.text("email") ?? ""
                let accounts = email.isEmpty ? [] : try await service.accounts(organizationId: directory.organizationId, email: email, caller: visit.caller)
                guard accounts.count == 1, let account = accounts.first else {
                    let message = accounts.isEmpty ? "No account of the organization has the email \(email)." : "\(accounts.count) accounts have the email \(email); relink through the API with the account's id."
                    return try await directoryPage(visit, request, directory: directory, scope: scope, base: base, org: org, newKey: nil, newLink: nil,
                                                   error: message, status: .unprocessableContent)
                }
                do {
                    _ = try await service.relink(directoryId: directory.id, scimId: try context.parameter("record"), userId: account.id, caller: visit.caller)
                } catch let error as DirectoryError where [.alreadyExists, .userNameTaken, .unsupported].contains(error.code) {
                    return try await directoryPage(visit, request, directory: directory, scope: scope, base: base, org: org, newKey: nil, newLink: nil,
                                                   error: error.message, status: .conflict)
                }
                return Self.redirect("\(base)?done=relinked")
            }
        }
        router.get(RouterPath("\(prefix)/disconnect")) { request, context in
            try await visit(request, context) { visit in
                let (directory, base) = try await scopedDirectory(visit, context, scope: scope)
                let org = try await layout(visit, context, scope: scope)
                return try await disconnectPage(visit, directory: directory, scope: scope, base: base, org: org, fieldError: nil, status: .ok)
            }
        }
        router.post(RouterPath("\(prefix)/disconnect")) { request, context in
            try await submit(request, context) { visit, form in
                let (directory, base) = try await scopedDirectory(visit, context, scope: scope)
                let org = try await layout(visit, context, scope: scope)
                guard form.text("confirm") == directory.name else {
                    return try await disconnectPage(visit, directory: directory, scope: scope, base: base, org: org,
                                                    fieldError: "Type the directory name exactly: \(directory.name)", status: .badRequest)
                }
                try await service.removeDirectory(id: directory.id, caller: visit.caller)
                let list = base.components(separatedBy: "/").dropLast().joined(separator: "/")
                return Self.redirect("\(list)?done=\(directory.kind == .portalCustomers ? "portal-disconnected" : "disconnected")")
            }
        }
    }

    // MARK: Directory page

    func directoryPage(
        _ visit: Visit, _ request: Request, directory: Directory, scope: DirectoryScope, base: String, org: DirectoryLayout,
        newKey: String?, newLink: String?, error: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        await log.flush()
        let manage = canManage(visit, directory) && scope != .setupLink
        let unlinked = manage && directory.kind == .identityProvider
            ? try await service.unlinkedRecords(directoryId: directory.id, caller: visit.caller) : []
        let state = try await service.directoryStatus(id: directory.id, caller: visit.caller)
        let filter = try request.provisioningLogFilter()
        let offset = Self.offset(request)
        let entries = try await service.provisioningLog(
            directoryId: directory.id, filter: filter, page: PageRequest(offset: offset, limit: Self.pageSize), caller: visit.caller
        )
        let pager = Self.pager(
            path: base, query: [("method", filter.method ?? ""), ("resourceType", filter.resourceType ?? ""), ("q", filter.search ?? ""),
                                ("failures", filter.failuresOnly ? "1" : "")],
            offset: offset, count: entries.items.count, total: entries.total
        )
        let now = service.environment.now()
        let pending = try await service.samlConnection(directoryId: directory.id, caller: visit.caller).flatMap { connection in
            connection.isPending ? PendingSAMLView(connection, canManage: manage) : nil
        }
        let provisioningBadge = !directory.acceptsProvisioning ? "Not offered by this provider (SSO only)"
            : state.provisioningActive ? "Active" : "No working API key"
        let view = DirectoryPageView(
            base: base, csrf: visit.csrf, name: directory.name, providerName: directory.identityProvider?.displayName ?? "",
            sso: state.singleSignOnConfigured, provisioningBadge: provisioningBadge, lastRequest: Self.date(state.lastProvisioningRequest),
            users: state.users, groups: state.groups,
            usersHref: org.organization.map { "\($0.base)/directory/users?directory=\(directory.id)" } ?? base,
            groupsHref: org.organization.map { "\($0.base)/directory/groups?directory=\(directory.id)" } ?? base,
            firstStep: WizardStep.steps(for: directory, setupLink: scope == .setupLink).first?.rawValue ?? "sso",
            hasKeys: directory.acceptsProvisioning,
            keys: state.apiKeys.map { key in
                let live = key.isUsable(at: now)
                return KeyRow(prefix: key.prefix, created: Self.date(key.created), expires: Self.date(key.expires), lastUsed: Self.date(key.lastUsed),
                              status: key.revoked.map { $0 <= now ? "Revoked" : "Retiring at \(Self.date($0))" }
                                  ?? ((key.expires ?? .distantFuture) <= now ? "Expired" : key.pendingConfirmation ? "Made through a setup link: waits for your confirmation" : "Active"),
                              confirmId: live && key.pendingConfirmation && manage ? key.id : nil)
            },
            newKey: newKey,
            certificates: state.certificates.map {
                CertificateRow(use: $0.use == "sp" ? "Roster (signs requests, decrypts)" : "Identity provider (signs responses)",
                               fingerprint: $0.fingerprint, notAfter: Self.date($0.notAfter))
            },
            methods: ["GET", "POST", "PUT", "PATCH", "DELETE"].map { Choice(name: $0, selected: $0 == filter.method) },
            resources: ["User", "Group"].map { Choice(name: $0, selected: $0 == filter.resourceType) },
            q: filter.search ?? "", failures: filter.failuresOnly, logTotal: entries.total,
            log: entries.items.map {
                LogRow(at: Self.date($0.at), method: $0.method, path: $0.path, status: $0.status, scimType: $0.scimType, detail: $0.detail ?? "")
            },
            previous: pager.previous, next: pager.next, canManage: manage, newLink: newLink,
            hasUnlinked: !unlinked.isEmpty,
            unlinked: unlinked.map {
                UnlinkedRow(scimId: $0.scimId, userName: $0.userName, externalId: $0.externalId ?? "", since: Self.date($0.unlinked),
                            reason: $0.reason, suggestedEmail: $0.userName.contains("@") ? $0.userName : "")
            },
            pending: pending
        )
        let chrome = directoryChrome(visit, directory: directory, scope: scope, base: base, org: org, title: directory.name,
                                     notice: Self.notice(request), error: error)
        return renderer.page(chrome, template: "directory", view, status: status)
    }

    func disconnectPage(
        _ visit: Visit, directory: Directory, scope: DirectoryScope, base: String, org: DirectoryLayout, fieldError: String?, status: HTTPResponse.Status
    ) async throws -> Response {
        let chrome = directoryChrome(visit, directory: directory, scope: scope, base: base, org: org, title: "Disconnect \(directory.name)")
        guard canManage(visit, directory) else {
            return renderer.message(chrome, ["Disconnecting an identity provider needs an organization admin."], status: .forbidden)
        }
        let state = try await service.directoryStatus(id: directory.id, caller: visit.caller)
        if directory.kind == .portalCustomers, state.users > 0 {
            return renderer.message(chrome, [
                "This help center's identity provider still has \(state.users) customer accounts. Customers are never merged into members, so the identity provider is disconnected only once its customers are deleted.",
            ], status: .unprocessableContent)
        }
        let view = DisconnectView(
            base: base, csrf: visit.csrf, name: directory.name, providerName: directory.identityProvider?.displayName ?? "",
            users: state.users, groups: state.groups, fieldError: fieldError
        )
        return renderer.page(chrome, template: "disconnect", view, status: status)
    }

    // MARK: Wizard

    func wizardPage(
        visit: Visit, directory: Directory, scope: DirectoryScope, base: String, step: WizardStep, chrome: Chrome,
        apiKey: String?, apiKeyExpires: Date?, samlForm: SAMLFormValues = SAMLFormValues(), policyErrors: [String: String] = [:],
        testRunId: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        guard let provider = directory.identityProvider else { throw DirectoryError(.unsupported, "The local directory has no identity provider.") }
        let guide = ProviderGuide.guide(for: provider)
        let steps = WizardStep.steps(for: directory, setupLink: scope == .setupLink)
        let manage = canManage(visit, directory)
        var view = WizardView(
            steps: steps.enumerated().map { index, each in
                StepLink(number: index + 1, label: each.label, href: "\(base)/setup/\(each.rawValue)", current: each == step)
            },
            base: base, csrf: visit.csrf, providerName: provider.displayName, canManage: manage, portal: directory.kind == .portalCustomers
        )
        switch step {
        case .provisioning:
            view.provisioning = ProvisioningSection(
                scimBaseURL: service.scimBaseURL(directoryId: directory.id), apiKey: apiKey, apiKeyExpires: Self.date(apiKeyExpires),
                provisioningSteps: guide.provisioningSteps ?? [], hasMappings: !guide.attributeMappings.isEmpty,
                attributeMappings: guide.attributeMappings, viaSetupLink: scope == .setupLink
            )
        case .sso:
            let saml = try await SignInSettingsController(service: service).view(directoryId: directory.id, caller: visit.caller)
            var form = samlForm
            if form.entityID.isEmpty, form.ssoURL.isEmpty, form.certificate.isEmpty, let configured = saml.idpEntityId {
                form.entityID = configured
                form.ssoURL = saml.idpSsoUrl ?? ""
            }
            let next = steps.firstIndex(of: .sso).map { steps.indices.contains($0 + 1) ? steps[$0 + 1] : .test } ?? .test
            view.sso = SSOSection(
                spEntityID: saml.spEntityId, acsURL: saml.acsUrl, metadataURL: saml.metadataUrl, samlAppSteps: guide.samlAppSteps,
                nameIDFormat: guide.nameIDFormat, idpValuesSteps: guide.idpValuesSteps, configured: saml.configured,
                idpEntityID: saml.idpEntityId ?? "", form: form, errors: form.errors, nextAfterSSO: "\(base)/setup/\(next.rawValue)"
            )
        case .domains:
            let domains = try await service.domains(organizationId: directory.organizationId, caller: visit.caller)
            let others = Dictionary(uniqueKeysWithValues: try await service.directories(organizationId: directory.organizationId, caller: visit.caller).map { ($0.id, $0.name) })
            view.domains = DomainsSection(
                domainRows: domains.map { domain in
                    let linkedHere = domain.directoryId == directory.id
                    return DomainLinkRow(
                        id: domain.id, name: domain.name, verified: domain.isVerified, linkedHere: linkedHere,
                        linkedElsewhere: domain.directoryId.flatMap { $0 == directory.id ? nil : others[$0] },
                        canLink: manage && domain.isVerified && scope != .setupLink, formAction: "\(base)/setup/domains",
                        linkValue: linkedHere ? "" : directory.id, linkLabel: linkedHere ? "Unlink" : "Link to \(directory.name)"
                    )
                },
                domainsHref: scope == .organization ? base.replacingOccurrences(of: "/directory/identity-providers/\(directory.id)", with: "/domains") : nil
            )
        case .policy:
            let policy = try await service.authenticationPolicy(directoryId: directory.id)
            view.policy = PolicySection(
                enforceSSO: policy.enforceSSO, sessionHours: Int(policy.sessionLifetime / 3600), idleMinutes: Int(policy.idleTimeout / 60),
                errors: policyErrors, offerBackup: !(visit.identity.admin?.backupAdmin ?? true)
            )
            view.canManage = manage && scope != .setupLink
        case .test:
            let configured = try await service.samlConnection(directoryId: directory.id, caller: visit.caller) != nil
            var run: TestRunResult?
            if let runId = testRunId, let found = try? await service.testRun(id: runId, directoryId: directory.id, caller: visit.caller),
               found.completed != nil {
                run = TestRunResult(
                    succeeded: found.succeeded == true, nameID: found.nameID ?? "",
                    checks: found.checks.map { TestCheckRow(name: $0.name, outcome: $0.outcome.rawValue.replacingOccurrences(of: "_", with: " "), detail: $0.detail ?? "") }
                )
            }
            view.test = TestSection(configured: configured, directoryHref: scope == .setupLink ? nil : base, troubleshooting: guide.troubleshooting, run: run)
        }
        return renderer.page(chrome, template: "wizard", view, status: status)
    }

    func submitStep(
        _ step: WizardStep, form: ConsoleForm, visit: Visit, directory: Directory, scope: DirectoryScope, base: String, chrome: Chrome
    ) async throws -> Response {
        switch step {
        case .provisioning:
            let issued = try await service.rotateApiKey(directoryId: directory.id, overlap: 0, caller: visit.caller)
            return try await wizardPage(visit: visit, directory: directory, scope: scope, base: base, step: .provisioning, chrome: chrome,
                                        apiKey: issued.token, apiKeyExpires: issued.key.expires, status: .created)
        case .sso:
            var values = SAMLFormValues(entityID: form.text("entityID") ?? "", ssoURL: form.text("ssoURL") ?? "", certificate: form.text("certificate") ?? "")
            var input = SignInSettingsController.SAMLInput()
            if let metadata = form.text("metadata") {
                input.idpMetadataXml = metadata
            } else {
                if values.entityID.isEmpty { values.errors.entityID = "Give the IdP entity ID (issuer)." }
                if values.ssoURL.isEmpty { values.errors.ssoURL = "Give the IdP single sign-on URL." }
                if values.certificate.isEmpty { values.errors.certificate = "Paste the IdP signing certificate (PEM), or upload the metadata XML." }
                input.idpEntityId = values.entityID
                input.idpSsoUrl = values.ssoURL
                input.idpCertificates = [values.certificate]
            }
            if values.errors.any {
                return try await wizardPage(visit: visit, directory: directory, scope: scope, base: base, step: .sso, chrome: chrome,
                                            apiKey: nil, apiKeyExpires: nil, samlForm: values, status: .badRequest)
            }
            do {
                try await SignInSettingsController(service: service).apply(input, directoryId: directory.id, caller: visit.caller)
            } catch let error as APIError where error.status == .badRequest {
                if input.idpMetadataXml != nil { values.errors.metadata = error.message } else { values.errors.certificate = error.message }
            } catch let error as DirectoryError where error.code == .invalidInput {
                if input.idpMetadataXml != nil { values.errors.metadata = error.message } else { values.errors.certificate = error.message }
            }
            if values.errors.any {
                return try await wizardPage(visit: visit, directory: directory, scope: scope, base: base, step: .sso, chrome: chrome,
                                            apiKey: nil, apiKeyExpires: nil, samlForm: values, status: .badRequest)
            }
            let steps = WizardStep.steps(for: directory, setupLink: scope == .setupLink)
            let next = steps.firstIndex(of: .sso).flatMap { steps.indices.contains($0 + 1) ? steps[$0 + 1] : nil } ?? .test
            let pending = try await service.samlConnection(directoryId: directory.id)?.isPending ?? false
            return Self.redirect("\(base)/setup/\(next.rawValue)?done=\(pending ? "sso-pending" : "sso")")
        case .domains:
            guard let domainId = form.text("domain") else { throw DirectoryError(.invalidInput, "Choose a domain.") }
            let target = form.text("link")
            guard target == nil || target == directory.id else { throw DirectoryError(.invalidInput, "A domain is linked here from this directory's setup only.") }
            _ = try await service.linkDomain(id: domainId, directoryId: target, caller: visit.caller)
            return Self.redirect("\(base)/setup/domains?done=linked")
        case .policy:
            var errors: [String: String] = [:]
            let hours = form.text("sessionHours").flatMap(Int.init)
            let minutes = form.text("idleMinutes").flatMap(Int.init)
            if hours == nil || !(1...720).contains(hours!) { errors["sessionHours"] = "Between 1 and 720 hours." }
            if minutes == nil || !(5...43_200).contains(minutes!) { errors["idleMinutes"] = "Between 5 and 43200 minutes." }
            if let hours, let minutes, errors.isEmpty {
                do {
                    var caller = visit.caller
                    // "Keep my password sign-in": the admin makes themself a backup admin first, so enforcing SSO does
                    // not lock them out.
                    if form.flag("backupAdmin"), let admin = visit.identity.admin, !admin.backupAdmin {
                        caller = .admin(try await service.setBackupAdmin(adminId: admin.id, backup: true, caller: caller))
                    }
                    _ = try await service.setAuthenticationPolicy(
                        directoryId: directory.id, enforceSSO: form.flag("enforceSSO"), sessionLifetime: TimeInterval(hours) * 3600,
                        idleTimeout: TimeInterval(minutes) * 60, caller: caller
                    )
                    return Self.redirect("\(base)/setup/test?done=policy")
                } catch let error as DirectoryError where error.code == .invalidInput {
                    errors["policy"] = error.message
                }
            }
            return try await wizardPage(visit: visit, directory: directory, scope: scope, base: base, step: .policy, chrome: chrome,
                                        apiKey: nil, apiKeyExpires: nil, policyErrors: errors, status: .badRequest)
        case .test:
            let requestId = AuthnRequest.newID(randomBytes: service.environment.randomBytes(16))
            let (run, start) = try await service.beginTestRun(directoryId: directory.id, requestId: requestId, caller: visit.caller)
            // The IdP hands RelayState back with its answer; the ACS then sends the admin to this run's result.
            let relayState = "\(base)/setup/test?run=\(run.id)"
            if start.connection.singleSignOnBinding == .post {
                return SAMLController.postBindingPage(requestId: requestId, directoryId: directory.id, start: start, relayState: relayState, service: service)
            }
            guard let url = SAMLController.authnRequestURL(requestId: requestId, directoryId: directory.id, start: start, relayState: relayState, service: service) else {
                throw DirectoryError(.invalidInput, "The identity provider's single sign-on URL is not usable; check it in the single sign-on step.")
            }
            return Self.redirect(url.absoluteString)
        }
    }
}

// MARK: View models

struct Choice {
    let name: String
    let selected: Bool
}

struct KeyRow {
    let prefix: String
    let created: String
    let expires: String
    let lastUsed: String
    let status: String
    /// A setup link's key the visitor may confirm.
    let confirmId: String?
}

struct CertificateRow {
    let use: String
    let fingerprint: String
    let notAfter: String
}

struct LogRow {
    let at: String
    let method: String
    let path: String
    let status: Int
    let scimType: String?
    let detail: String
}

struct DirectoryPageView {
    let base: String
    let csrf: String
    let name: String
    let providerName: String
    let sso: Bool
    let provisioningBadge: String
    let lastRequest: String
    let users: Int
    let groups: Int
    let usersHref: String
    let groupsHref: String
    let firstStep: String
    let hasKeys: Bool
    let keys: [KeyRow]
    let newKey: String?
    let certificates: [CertificateRow]
    let methods: [Choice]
    let resources: [Choice]
    let q: String
    let failures: Bool
    let logTotal: Int
    let log: [LogRow]
    let previous: String?
    let next: String?
    let canManage: Bool
    let newLink: String?
    let hasUnlinked: Bool
    let unlinked: [UnlinkedRow]
    let pending: PendingSAMLView?
}

/// SAML settings saved through a setup link, shown to org admins for confirmation: every setting the confirmation
/// covers, beside what was confirmed before.
struct PendingSAMLView {
    struct Row {
        let label: String
        let now: String
        let before: String
        let changed: Bool
    }

    let rows: [Row]
    let hasPrevious: Bool
    let digest: String
    let canManage: Bool

    init(_ connection: SAMLConnection, canManage: Bool) {
        let new = connection.summary
        let old = connection.previous
        func yes(_ flag: Bool) -> String { flag ? "on" : "off" }
        func row(_ label: String, _ value: (SAMLSettingsSummary) -> String) -> Row {
            let before = old.map(value) ?? "—"
            return Row(label: label, now: value(new), before: before, changed: old.map { value($0) != value(new) } ?? true)
        }
        rows = [
            row("IdP entity ID") { $0.entityID },
            row("SSO URL") { $0.ssoURL },
            row("SSO binding") { $0.binding },
            row("Certificate SHA-256 fingerprints") { $0.certificateFingerprints.joined(separator: " · ") },
            row("IdP-initiated sign-in") { yes($0.allowIdPInitiated) },
            row("SHA-1 signatures accepted") { yes($0.allowSHA1) },
            row("Single logout URL") { $0.singleLogoutURL ?? "none" },
            row("Roster signs its requests") { yes($0.signAuthnRequests) },
        ]
        hasPrevious = old != nil
        digest = connection.trustDigest
        self.canManage = canManage
    }
}

struct UnlinkedRow {
    let scimId: String
    let userName: String
    let externalId: String
    let since: String
    let reason: String
    let suggestedEmail: String
}

struct DisconnectView {
    let base: String
    let csrf: String
    let name: String
    let providerName: String
    let users: Int
    let groups: Int
    let fieldError: String?
}

struct StepLink {
    let number: Int
    let label: String
    let href: String
    let current: Bool
}

struct ProvisioningSection {
    let scimBaseURL: String
    let apiKey: String?
    let apiKeyExpires: String
    let provisioningSteps: [String]
    let hasMappings: Bool
    let attributeMappings: [String]
    /// Behind a setup link: keys made here wait for an org admin's confirmation.
    let viaSetupLink: Bool
}

/// What the admin typed in the single sign-on form, and what was wrong with it, field by field.
struct SAMLFormValues {
    struct Errors {
        var entityID: String?
        var ssoURL: String?
        var certificate: String?
        var metadata: String?
        var any: Bool { entityID != nil || ssoURL != nil || certificate != nil || metadata != nil }
    }
    var entityID = ""
    var ssoURL = ""
    var certificate = ""
    var errors = Errors()
}

struct SSOSection {
    let spEntityID: String
    let acsURL: String
    let metadataURL: String
    let samlAppSteps: [String]
    let nameIDFormat: String
    let idpValuesSteps: [String]
    let configured: Bool
    let idpEntityID: String
    let form: SAMLFormValues
    let errors: SAMLFormValues.Errors
    let nextAfterSSO: String
}

struct DomainLinkRow {
    let id: String
    let name: String
    let verified: Bool
    let linkedHere: Bool
    let linkedElsewhere: String?
    let canLink: Bool
    let formAction: String
    let linkValue: String
    let linkLabel: String
}

struct DomainsSection {
    let domainRows: [DomainLinkRow]
    let domainsHref: String?
}

struct PolicySection {
    let enforceSSO: Bool
    let sessionHours: Int
    let idleMinutes: Int
    let errors: [String: String]
    /// The signed-in admin is not a backup admin yet: offer to keep their password sign-in.
    let offerBackup: Bool
}

struct TestSection {
    let configured: Bool
    let directoryHref: String?
    let troubleshooting: [String]
    let run: TestRunResult?
}

struct TestRunResult {
    let succeeded: Bool
    let nameID: String
    let checks: [TestCheckRow]
}

struct TestCheckRow {
    let name: String
    let outcome: String
    let detail: String
}

struct WizardView {
    let steps: [StepLink]
    let base: String
    let csrf: String
    let providerName: String
    var canManage: Bool
    let portal: Bool
    var provisioning: ProvisioningSection?
    var sso: SSOSection?
    var domains: DomainsSection?
    var policy: PolicySection?
    var test: TestSection?

    init(steps: [StepLink], base: String, csrf: String, providerName: String, canManage: Bool, portal: Bool) {
        self.steps = steps
        self.base = base
        self.csrf = csrf
        self.providerName = providerName
        self.canManage = canManage
        self.portal = portal
    }
}
