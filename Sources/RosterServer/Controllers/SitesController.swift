import Directory
import Hummingbird

/// `/api/v1/sites/{site}`: products, the site's users (original experience) and product access grants.
struct SitesController {
    let service: DirectoryService

    func addRoutes(to group: RouterGroup<RosterRequestContext>) {
        group.get("sites/:site") { _, context in
            JSONBody(try await service.site(id: try context.parameter("site"), caller: try context.caller()).0)
        }
        group.get("sites/:site/products") { _, context in
            JSONBody(ListBody(all: try await service.products(siteId: try context.parameter("site"), caller: try context.caller())))
        }
        group.post("sites/:site/products") { request, context in
            let input = try await request.decode(as: ProductInput.self, context: context)
            return JSONBody(
                try await service.addProduct(siteId: try context.parameter("site"), product: input.product, caller: try context.caller()),
                status: .created
            )
        }
        group.get("sites/:site/users") { request, context in
            let page = try request.pageRequest()
            return JSONBody(ListBody(
                try await service.users(siteId: try context.parameter("site"), search: request.searchText(), page: page, caller: try context.caller()), page
            ))
        }
        group.post("sites/:site/users") { request, context in
            let input = try await request.decode(as: UserInput.self, context: context)
            return JSONBody(
                try await service.createSiteUser(
                    siteId: try context.parameter("site"), draft: try input.draft(), productIds: input.productIds ?? [],
                    caller: try context.caller()
                ),
                status: .created
            )
        }
        group.get("sites/:site/access-grants") { _, context in
            JSONBody(ListBody(all: try await service.accessGrants(siteId: try context.parameter("site"), caller: try context.caller())))
        }
        group.post("sites/:site/access-grants") { request, context in
            let input = try await request.decode(as: GrantInput.self, context: context)
            let siteId = try context.parameter("site")
            let caller = try context.caller()
            let products = try await service.products(siteId: siteId, caller: caller)
            guard products.contains(where: { $0.id == input.productId }) else {
                throw APIError(.badRequest, code: "invalid_input", message: "The product \(input.productId) is not on this site.")
            }
            return JSONBody(
                try await service.grantAccess(
                    principal: try input.principal(), productId: input.productId, role: input.role ?? .user, caller: caller
                ),
                status: .created
            )
        }
        group.delete("access-grants/:grant") { _, context in
            try await service.revokeAccess(grantId: try context.parameter("grant"), caller: try context.caller())
            return Response(status: .noContent)
        }
    }
}
