import Directory
import Foundation
import Hummingbird

/// `/api/v1/organizations/{org}`: the organization, its sites, directories, domains, admins and audit log.
struct OrganizationsController {
    let service: DirectoryService

    struct CreatedDirectoryBody: Encodable, Sendable {
        let id: String
        let directory: Directory
        /// Shown once.
        let apiKey: String?
        let scimBaseUrl: String?
    }

    struct CreatedAdminBody: Encodable, Sendable {
        let id: String
        let admin: AdminAccount
        /// Shown once.
        let token: String
    }

    func addRoutes(to group: RouterGroup<RosterRequestContext>) {
        group.get("me") { _, context in
            JSONBody(try context.admin.orThrow(APIError.unauthenticated))
        }
        group.delete("me/token") { _, context in
            guard let admin = context.admin, let token = context.adminToken else { throw APIError.unauthenticated }
            try await service.revokeAdminToken(token, admin: admin, caller: .admin(admin))
            return Response(status: .noContent)
        }
        group.post("me/tokens") { _, context in
            guard let admin = context.admin else { throw APIError.unauthenticated }
            let issued = try await service.issueAdminToken(adminId: admin.id, caller: .admin(admin))
            return JSONBody(CreatedAdminBody(id: issued.admin.id, admin: issued.admin, token: issued.value), status: .created)
        }
        group.get("organizations/:org") { _, context in
            JSONBody(try await service.organization(id: try context.parameter("org"), caller: try context.caller()))
        }
        group.patch("organizations/:org") { request, context in
            let input = try await request.decode(as: OrganizationPatch.self, context: context)
            return JSONBody(try await service.updateOrganization(
                id: try context.parameter("org"), plan: input.plan, userManagement: input.userManagement,
                caller: try context.caller()
            ))
        }
        group.get("organizations/:org/sites") { _, context in
            JSONBody(ListBody(all: try await service.sites(organizationId: try context.parameter("org"), caller: try context.caller())))
        }
        group.post("organizations/:org/sites") { request, context in
            let input = try await request.decode(as: SiteInput.self, context: context)
            return JSONBody(
                try await service.addSite(organizationId: try context.parameter("org"), name: input.name, caller: try context.caller()),
                status: .created
            )
        }
        group.get("organizations/:org/directories") { _, context in
            JSONBody(ListBody(all: try await service.directories(organizationId: try context.parameter("org"), caller: try context.caller())))
        }
        group.post("organizations/:org/directories") { request, context in
            let input = try await request.decode(as: DirectoryInput.self, context: context)
            let created = try await service.createDirectory(
                organizationId: try context.parameter("org"), name: input.name, identityProvider: input.identityProvider,
                portalSiteId: input.portalSiteId, caller: try context.caller()
            )
            return JSONBody(
                CreatedDirectoryBody(id: created.directory.id, directory: created.directory, apiKey: created.apiKey,
                                     scimBaseUrl: created.scimBaseURL),
                status: .created
            )
        }
        group.get("organizations/:org/domains") { _, context in
            JSONBody(ListBody(all: try await service.domains(organizationId: try context.parameter("org"), caller: try context.caller())))
        }
        group.post("organizations/:org/domains") { request, context in
            let input = try await request.decode(as: DomainInput.self, context: context)
            return JSONBody(
                try await service.claimDomain(organizationId: try context.parameter("org"), name: input.name, caller: try context.caller()),
                status: .created
            )
        }
        group.post("organizations/:org/admins") { request, context in
            let input = try await request.decode(as: AdminInput.self, context: context)
            let issued = try await service.createAdmin(
                organizationId: try context.parameter("org"), email: input.email,
                roles: input.roles.map { AdminRole(kind: $0.role, siteId: $0.siteId) }, caller: try context.caller()
            )
            return JSONBody(CreatedAdminBody(id: issued.admin.id, admin: issued.admin, token: issued.value), status: .created)
        }
        group.get("organizations/:org/audit-log") { request, context in
            let page = try request.pageRequest()
            return JSONBody(ListBody(
                try await service.auditLog(organizationId: try context.parameter("org"), page: page, caller: try context.caller()),
                page
            ))
        }
    }
}

extension Optional {
    func orThrow(_ error: @autoclosure () -> any Error) throws -> Wrapped {
        guard let self else { throw error() }
        return self
    }
}
