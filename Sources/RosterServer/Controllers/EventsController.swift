import Directory
import Foundation
import Hummingbird

/// Events and webhooks for admins: `/api/v1/orgs/{org}/events?after=` (cursor polling), webhook endpoints and their
/// deliveries (dead letters included), and product API tokens.
struct EventsController {
    let service: DirectoryService

    struct EventView: Encodable, Sendable {
        let id: String
        let type: String
        let subjectType: String
        let subjectId: String
        let payload: [String: JSONValue]
        let created: Date
        /// The event's position; pass it as `after` to continue.
        let cursor: Int64
    }

    struct EventsBody: Encodable, Sendable {
        let items: [EventView]
        /// The cursor to ask with next (unchanged when nothing new).
        let next: Int64
    }

    struct WebhookInput: Decodable {
        var url: String
        var description: String?
    }

    /// An endpoint as the API shows it: never its secret.
    struct WebhookView: Encodable, Sendable {
        let id: String
        let organizationId: String
        let url: String
        let description: String?
        let created: Date
        let cursor: Int64
        let failedAttempts: Int
        let nextAttempt: Date?
        let lastError: String?

        init(_ endpoint: WebhookEndpoint) {
            id = endpoint.id
            organizationId = endpoint.organizationId
            url = endpoint.url
            description = endpoint.description
            created = endpoint.created
            cursor = endpoint.cursor
            failedAttempts = endpoint.attempts
            nextAttempt = endpoint.nextAttempt
            lastError = endpoint.lastError
        }
    }

    struct CreatedWebhook: Encodable, Sendable {
        let webhook: WebhookView
        /// Shown once: verify `Roster-Signature` with it.
        let secret: String
    }

    /// A product token as the API lists it: never its secret or hash.
    struct TokenView: Encodable, Sendable {
        let id: String
        let productId: String
        let prefix: String
        let created: Date
        let revoked: Date?
        let lastUsed: Date?
    }

    struct IssuedTokenBody: Encodable, Sendable {
        let id: String
        let productId: String
        /// Shown once.
        let token: String
    }

    func addRoutes(to group: RouterGroup<RosterRequestContext>) {
        for path in ["orgs/:org/events", "organizations/:org/events"] {
            group.get(RouterPath(path)) { request, context in
                let query = request.uri.queryParameters
                var after: Int64 = 0
                if let raw = query["after"] {
                    guard let parsed = Int64(raw), parsed >= 0 else {
                        throw APIError(.badRequest, code: "invalid_query", message: "'after' must be a cursor from a previous answer.")
                    }
                    after = parsed
                }
                let limit = try request.pageRequest().limit
                let events = try await service.events(organizationId: try context.parameter("org"), after: after, limit: limit, caller: try context.caller())
                let items = events.map { event in
                    EventView(id: event.id, type: event.type, subjectType: event.subjectType, subjectId: event.subjectId,
                              payload: event.payload, created: event.created, cursor: event.sequence ?? 0)
                }
                return JSONBody(EventsBody(items: items, next: items.last?.cursor ?? after))
            }
        }
        group.get("organizations/:org/webhooks") { _, context in
            JSONBody(ListBody(all: try await service.webhooks(organizationId: try context.parameter("org"), caller: try context.caller()).map(WebhookView.init)))
        }
        group.post("organizations/:org/webhooks") { request, context in
            let input = try await request.decode(as: WebhookInput.self, context: context)
            let issued = try await service.createWebhook(
                organizationId: try context.parameter("org"), url: input.url, description: input.description, caller: try context.caller()
            )
            return JSONBody(CreatedWebhook(webhook: WebhookView(issued.endpoint), secret: issued.secret), status: .created)
        }
        group.delete("webhooks/:webhook") { _, context in
            try await service.deleteWebhook(id: try context.parameter("webhook"), caller: try context.caller())
            return Response(status: .noContent)
        }
        group.get("webhooks/:webhook/deliveries") { request, context in
            let page = try request.pageRequest()
            var status: WebhookDelivery.Status?
            if let raw = request.uri.queryParameters["status"] {
                guard let parsed = WebhookDelivery.Status(rawValue: String(raw)) else {
                    throw APIError(.badRequest, code: "invalid_query", message: "'status' is delivered or dead.")
                }
                status = parsed
            }
            let (_, deliveries) = try await service.webhookDeliveries(
                endpointId: try context.parameter("webhook"), status: status, page: page, caller: try context.caller()
            )
            return JSONBody(ListBody(deliveries, page))
        }
        group.get("sites/:site/products/:product/tokens") { _, context in
            let tokens = try await service.productTokens(
                siteId: try context.parameter("site"), productId: try context.parameter("product"), caller: try context.caller()
            )
            return JSONBody(ListBody(all: tokens.map { TokenView(id: $0.id, productId: $0.productId, prefix: $0.prefix, created: $0.created,
                                                                 revoked: $0.revoked, lastUsed: $0.lastUsed) }))
        }
        group.delete("product-tokens/:token") { _, context in
            try await service.revokeProductToken(id: try context.parameter("token"), caller: try context.caller())
            return Response(status: .noContent)
        }
        group.post("sites/:site/products/:product/tokens") { _, context in
            let issued = try await service.issueProductToken(
                siteId: try context.parameter("site"), productId: try context.parameter("product"), caller: try context.caller()
            )
            return JSONBody(IssuedTokenBody(id: issued.token.id, productId: issued.token.productId, token: issued.value), status: .created)
        }
    }
}

/// What products ask: `GET /api/v1/sites/{site}/products/{product}/users` and `.../access/{user}`, with that
/// product's API token (or an admin token).
struct ProductAccessController {
    let service: DirectoryService

    struct UsersBody: Encodable, Sendable {
        let items: [ProductUser]
        /// Pass as `after` for the next page; absent on the last page.
        let next: String?
    }

    struct AccessBody: Encodable, Sendable {
        let userId: String
        let role: ProductRole
    }

    func addRoutes(to router: Router<RosterRequestContext>) {
        router.get("api/v1/sites/:site/products/:product/users") { request, context in
            let who = try await reader(request)
            let query = request.uri.queryParameters
            var role: ProductRole?
            if let raw = query["role"] {
                guard let parsed = ProductRole(rawValue: String(raw)) else {
                    throw APIError(.badRequest, code: "invalid_query", message: "'role' is user or admin.")
                }
                role = parsed
            }
            let limit = try request.pageRequest().limit
            let users = try await service.productUsers(
                siteId: try context.parameter("site"), productId: try context.parameter("product"), role: role,
                after: query["after"].map(String.init), limit: limit, reader: who
            )
            return JSONBody(UsersBody(items: users, next: users.count == max(1, limit) ? users.last?.id : nil))
        }
        router.get("api/v1/sites/:site/products/:product/access/:user") { request, context in
            let who = try await reader(request)
            let userId = try context.parameter("user")
            guard let role = try await service.productAccess(
                siteId: try context.parameter("site"), productId: try context.parameter("product"), userId: userId, reader: who
            ) else {
                throw APIError(.notFound, code: "no_access", message: "The user has no access to this product.")
            }
            return JSONBody(AccessBody(userId: userId, role: role))
        }
    }

    /// A product token, or else an admin token.
    private func reader(_ request: Request) async throws -> DirectoryService.AccessReader {
        guard let bearer = request.headers.bearerToken else { throw APIError.unauthenticated }
        do {
            if bearer.hasPrefix(SecretToken.Kind.productToken.rawValue + "_") {
                return .product(try await service.authenticateProductToken(bearer: bearer))
            }
            return .admin(.admin(try await service.authenticateAdmin(bearer: bearer)))
        } catch let error as DirectoryError where error.code == .unauthenticated {
            throw APIError.unauthenticated
        }
    }
}
