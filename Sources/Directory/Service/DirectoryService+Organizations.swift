import Foundation

extension DirectoryService {
    /// Creates an organization together with its local directory.
    public func createOrganization(
        name: String, plan: Organization.Plan = .free,
        userManagement: Organization.UserManagement = .centralized, caller: Caller
    ) async throws -> Organization {
        guard case .operatorCLI = caller else {
            throw DirectoryError(.forbidden, "Organizations are created by the operator.")
        }
        let name = try Validation.name(name, field: "Organization name")
        let now = environment.now()
        let organization = Organization(
            id: environment.newID(), name: name, userManagement: userManagement, plan: plan, created: now
        )
        let local = Directory(
            id: environment.newID(), organizationId: organization.id, kind: .local, identityProvider: nil,
            name: "Local directory", portalSiteId: nil, created: now
        )
        try await store.write { tx in
            try await tx.insert(organization)
            try await tx.insert(local)
            try await record(
                tx, organizationId: organization.id, caller: caller, action: "organization.created",
                targetType: "organization", targetId: organization.id,
                payload: ["name": .string(name), "plan": .string(plan.rawValue),
                          "userManagement": .string(userManagement.rawValue)]
            )
        }
        return organization
    }

    /// Reads an organization the caller may see.
    public func organization(id: String, caller: Caller) async throws -> Organization {
        let organization = try await store.read { try await requireOrganization($0, id) }
        try caller.require(.viewOrganization, in: organization)
        return organization
    }

    /// Changes the plan or the user-management experience.
    public func updateOrganization(
        id: String, plan: Organization.Plan?, userManagement: Organization.UserManagement?, caller: Caller
    ) async throws -> Organization {
        try await store.write { tx in
            var organization = try await requireOrganization(tx, id)
            try caller.require(.manageOrganization, in: organization)
            if plan == .free, organization.plan == .guard {
                let connected = try await tx.directories(organizationId: id).filter { $0.kind == .identityProvider }
                guard connected.isEmpty else {
                    throw DirectoryError(
                        .invalidInput,
                        "The organization has identity provider directories (\(connected.map(\.name).joined(separator: ", "))); disconnect them before leaving the Guard plan."
                    )
                }
            }
            if let plan { organization.plan = plan }
            if let userManagement { organization.userManagement = userManagement }
            try await tx.update(organization)
            try await record(
                tx, organizationId: id, caller: caller, action: "organization.updated",
                targetType: "organization", targetId: id,
                payload: ["plan": .string(organization.plan.rawValue),
                          "userManagement": .string(organization.userManagement.rawValue)]
            )
            return organization
        }
    }

    /// Adds a product site (`acme`). Site names are unique across Roster.
    public func addSite(organizationId: String, name: String, caller: Caller) async throws -> Site {
        let name = try Validation.siteName(name)
        return try await mapUniqueViolation(DirectoryError(.alreadyExists, "A site named \(name) already exists.")) {
            try await store.write { tx in
                let organization = try await requireOrganization(tx, organizationId)
                try caller.require(.manageSites, in: organization)
                if try await tx.site(named: name) != nil {
                    throw DirectoryError(.alreadyExists, "A site named \(name) already exists.")
                }
                let site = Site(id: environment.newID(), organizationId: organizationId, name: name, created: environment.now())
                try await tx.insert(site)
                try await record(
                    tx, organizationId: organizationId, caller: caller, action: "site.created",
                    targetType: "site", targetId: site.id, payload: ["name": .string(name)]
                )
                return site
            }
        }
    }

    /// The sites of an organization.
    public func sites(organizationId: String, caller: Caller) async throws -> [Site] {
        try await store.read { reader in
            let organization = try await requireOrganization(reader, organizationId)
            try caller.require(.viewOrganization, in: organization)
            return try await reader.sites(organizationId: organizationId)
        }
    }

    /// A site the caller may see, with its organization.
    public func site(id: String, caller: Caller) async throws -> (Site, Organization) {
        try await store.read { reader in
            let site = try await requireSite(reader, id)
            let organization = try await requireOrganization(reader, site.organizationId)
            try caller.require(.viewOrganization, in: organization)
            return (site, organization)
        }
    }

    /// Adds a product instance to a site; a site hosts each catalog product at most once.
    public func addProduct(siteId: String, product: ProductKind, caller: Caller) async throws -> ProductInstance {
        try await mapUniqueViolation(DirectoryError(.alreadyExists, "The site already has \(product.displayName).")) {
            try await store.write { tx in
                let site = try await requireSite(tx, siteId)
                let organization = try await requireOrganization(tx, site.organizationId)
                try caller.require(.manageSite(siteId), in: organization)
                if try await tx.products(siteId: siteId).contains(where: { $0.product == product }) {
                    throw DirectoryError(.alreadyExists, "The site already has \(product.displayName).")
                }
                let instance = ProductInstance(
                    id: environment.newID(), siteId: siteId, product: product, created: environment.now()
                )
                try await tx.insert(instance)
                try await record(
                    tx, organizationId: organization.id, caller: caller, action: "product.added",
                    targetType: "product", targetId: instance.id,
                    payload: ["siteId": .string(siteId), "product": .string(product.rawValue)]
                )
                return instance
            }
        }
    }

    /// The products of a site.
    public func products(siteId: String, caller: Caller) async throws -> [ProductInstance] {
        try await store.read { reader in
            let site = try await requireSite(reader, siteId)
            let organization = try await requireOrganization(reader, site.organizationId)
            try caller.require(.viewOrganization, in: organization)
            return try await reader.products(siteId: siteId)
        }
    }

    /// The audit log of an organization, newest first.
    public func auditLog(organizationId: String, page: PageRequest, caller: Caller) async throws -> Page<AuditEntry> {
        try await store.read { reader in
            let organization = try await requireOrganization(reader, organizationId)
            try caller.require(.manageOrganization, in: organization)
            return try await reader.auditEntries(organizationId: organizationId, page: page)
        }
    }
}
