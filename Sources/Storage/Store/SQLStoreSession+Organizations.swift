import Directory
import Foundation
import SQLKit

extension SQLStoreSession {
    // MARK: Organizations

    func organization(id: String) async throws -> Organization? {
        try await db.select().column("*").from("organizations").where("id", .equal, id).first().map(Self.organization)
    }

    func organizations() async throws -> [Organization] {
        try await db.select().column("*").from("organizations").orderBy("created_at").orderBy("id").all().map(Self.organization)
    }

    func insert(_ organization: Organization) async throws {
        try await mapped {
            try await db.insert(into: "organizations")
                .columns("id", "name", "user_management", "plan", "created_at")
                .values(SQLBind(organization.id), SQLBind(organization.name), SQLBind(organization.userManagement.rawValue),
                        SQLBind(organization.plan.rawValue), SQLBind(organization.created.millisecondsSince1970))
                .run()
        }
    }

    func update(_ organization: Organization) async throws {
        try await mapped {
            try await db.update("organizations")
                .set("name", to: organization.name)
                .set("user_management", to: organization.userManagement.rawValue)
                .set("plan", to: organization.plan.rawValue)
                .where("id", .equal, organization.id)
                .run()
        }
    }

    static func organization(_ row: any SQLRow) throws -> Organization {
        Organization(
            id: try row.string("id"), name: try row.string("name"),
            userManagement: try row.enumValue("user_management", as: Organization.UserManagement.self),
            plan: try row.enumValue("plan", as: Organization.Plan.self), created: try row.date("created_at")
        )
    }

    // MARK: Sites and products

    func site(id: String) async throws -> Site? {
        try await db.select().column("*").from("sites").where("id", .equal, id).first().map(Self.site)
    }

    func site(named name: String) async throws -> Site? {
        try await db.select().column("*").from("sites").where("name", .equal, name.lowercased()).first().map(Self.site)
    }

    func sites(organizationId: String) async throws -> [Site] {
        try await db.select().column("*").from("sites").where("organization_id", .equal, organizationId)
            .orderBy("name").all().map(Self.site)
    }

    func insert(_ site: Site) async throws {
        try await mapped {
            try await db.insert(into: "sites")
                .columns("id", "organization_id", "name", "created_at")
                .values(SQLBind(site.id), SQLBind(site.organizationId), SQLBind(site.name), SQLBind(site.created.millisecondsSince1970))
                .run()
        }
    }

    static func site(_ row: any SQLRow) throws -> Site {
        Site(id: try row.string("id"), organizationId: try row.string("organization_id"), name: try row.string("name"),
             created: try row.date("created_at"))
    }

    func product(id: String) async throws -> ProductInstance? {
        try await db.select().column("*").from("products").where("id", .equal, id).first().map(Self.product)
    }

    func products(siteId: String) async throws -> [ProductInstance] {
        try await db.select().column("*").from("products").where("site_id", .equal, siteId).orderBy("product").all().map(Self.product)
    }

    func insert(_ product: ProductInstance) async throws {
        try await mapped {
            try await db.insert(into: "products")
                .columns("id", "site_id", "product", "created_at")
                .values(SQLBind(product.id), SQLBind(product.siteId), SQLBind(product.product.rawValue),
                        SQLBind(product.created.millisecondsSince1970))
                .run()
        }
    }

    static func product(_ row: any SQLRow) throws -> ProductInstance {
        ProductInstance(id: try row.string("id"), siteId: try row.string("site_id"),
                        product: try row.enumValue("product", as: ProductKind.self), created: try row.date("created_at"))
    }

    // MARK: Directories

    func directory(id: String) async throws -> Directory? {
        try await db.select().column("*").from("directories").where("id", .equal, id).first().map(Self.directory)
    }

    func directories(organizationId: String) async throws -> [Directory] {
        try await db.select().column("*").from("directories").where("organization_id", .equal, organizationId)
            .orderBy("created_at").orderBy("id").all().map(Self.directory)
    }

    func portalDirectory(siteId: String) async throws -> Directory? {
        try await db.select().column("*").from("directories").where("portal_site_id", .equal, siteId).first().map(Self.directory)
    }

    func insert(_ directory: Directory) async throws {
        try await mapped {
            try await db.insert(into: "directories")
                .columns("id", "organization_id", "kind", "idp_type", "name", "name_lower", "portal_site_id", "created_at")
                .values(SQLBind(directory.id), SQLBind(directory.organizationId), SQLBind(directory.kind.rawValue),
                        SQLBind(directory.identityProvider?.rawValue), SQLBind(directory.name),
                        SQLBind(directory.name.lowercased()), SQLBind(directory.portalSiteId),
                        SQLBind(directory.created.millisecondsSince1970))
                .run()
        }
    }

    func update(_ directory: Directory) async throws {
        try await mapped {
            try await db.update("directories")
                .set("kind", to: directory.kind.rawValue)
                .set("idp_type", to: directory.identityProvider?.rawValue)
                .set("name", to: directory.name)
                .set("name_lower", to: directory.name.lowercased())
                .set("portal_site_id", to: directory.portalSiteId)
                .set("purge_after_days", to: directory.purgeDeprovisionedAfterDays.map(Int64.init))
                .where("id", .equal, directory.id)
                .run()
        }
    }

    static func directory(_ row: any SQLRow) throws -> Directory {
        let idp = try row.optionalString("idp_type")
        var directory = Directory(
            id: try row.string("id"), organizationId: try row.string("organization_id"),
            kind: try row.enumValue("kind", as: Directory.Kind.self),
            identityProvider: try idp.map { raw in
                guard let type = IdentityProviderType(rawValue: raw) else { throw StoreError(.corruptRow, constraint: "idp_type=\(raw)") }
                return type
            },
            name: try row.string("name"), portalSiteId: try row.optionalString("portal_site_id"),
            created: try row.date("created_at")
        )
        if row.allColumns.contains("purge_after_days") {
            directory.purgeDeprovisionedAfterDays = try row.decode(column: "purge_after_days", as: Int64?.self).map(Int.init)
        }
        return directory
    }

    // MARK: Domains

    func domain(id: String) async throws -> Domain? {
        try await db.select().column("*").from("domains").where("id", .equal, id).first().map(Self.domain)
    }

    func domains(organizationId: String) async throws -> [Domain] {
        try await db.select().column("*").from("domains").where("organization_id", .equal, organizationId)
            .orderBy("name").all().map(Self.domain)
    }

    func insert(_ domain: Domain) async throws {
        try await mapped {
            try await db.insert(into: "domains")
                .columns("id", "organization_id", "name", "verification_token", "verified_at", "directory_id", "created_at")
                .values(SQLBind(domain.id), SQLBind(domain.organizationId), SQLBind(domain.name),
                        SQLBind(domain.verificationToken), SQLBind(domain.verifiedAt.millis), SQLBind(domain.directoryId),
                        SQLBind(domain.created.millisecondsSince1970))
                .run()
        }
    }

    func update(_ domain: Domain) async throws {
        try await mapped {
            try await db.update("domains")
                .set("verification_token", to: domain.verificationToken)
                .set("verified_at", to: domain.verifiedAt.millis)
                .set("directory_id", to: domain.directoryId)
                .where("id", .equal, domain.id)
                .run()
        }
    }

    static func domain(_ row: any SQLRow) throws -> Domain {
        Domain(
            id: try row.string("id"), organizationId: try row.string("organization_id"), name: try row.string("name"),
            verificationToken: try row.string("verification_token"), verifiedAt: try row.optionalDate("verified_at"),
            directoryId: try row.optionalString("directory_id"), created: try row.date("created_at")
        )
    }

    func verifiedDomain(name: String) async throws -> Domain? {
        try await db.select().column("*").from("domains").where("name", .equal, name.lowercased())
            .where("verified_at", .isNot, SQLLiteral.null).orderBy("verified_at").first().map(Self.domain)
    }
}
