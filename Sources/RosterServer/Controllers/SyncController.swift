import Directory
import Foundation
import Hummingbird

/// Dry runs of grant changes, and synced groups that clash with local ones: `POST /api/v1/access-grants/preview`,
/// `/api/v1/organizations/{org}/group-conflicts`, `/api/v1/group-conflicts/{id}` (with the merge preview), `.../merge`,
/// `.../keep-apart`.
struct SyncController {
    let service: DirectoryService

    struct PreviewInput: Decodable {
        enum Action: String, Decodable { case grant, revoke }
        var action: Action
        var principal: AccessGrant.Principal?
        var productId: String?
        var role: ProductRole?
        var grantId: String?
    }

    struct PreviewBody: Encodable, Sendable {
        let changes: [AccessChange]
    }

    struct ConflictBody: Encodable, Sendable {
        let conflict: GroupConflict
        /// Merge: who gains, loses or changes which product on which site.
        let changes: [AccessChange]
    }

    func addRoutes(to group: RouterGroup<RosterRequestContext>) {
        group.post("access-grants/preview") { request, context in
            let input = try await request.decode(as: PreviewInput.self, context: context)
            let change: GrantChange
            switch input.action {
            case .grant:
                guard let principal = input.principal, let productId = input.productId else {
                    throw APIError(.badRequest, code: "invalid_input", message: "A grant preview needs principal and productId.")
                }
                change = .grant(principal, productId: productId, role: input.role ?? .user)
            case .revoke:
                guard let grantId = input.grantId else {
                    throw APIError(.badRequest, code: "invalid_input", message: "A revoke preview needs grantId.")
                }
                change = .revoke(grantId: grantId)
            }
            return JSONBody(PreviewBody(changes: try await service.previewGrantChange(change, caller: try context.caller())))
        }
        group.get("organizations/:org/group-conflicts") { request, context in
            var status: GroupConflict.Status?
            if let raw = request.uri.queryParameters["status"] {
                guard let parsed = GroupConflict.Status(rawValue: String(raw)) else {
                    throw APIError(.badRequest, code: "invalid_query", message: "'status' is pending, merged or kept_apart.")
                }
                status = parsed
            }
            return JSONBody(ListBody(all: try await service.groupConflicts(
                organizationId: try context.parameter("org"), status: status, caller: try context.caller())))
        }
        group.get("group-conflicts/:id") { _, context in
            let (conflict, changes) = try await service.groupConflict(id: try context.parameter("id"), caller: try context.caller())
            return JSONBody(ConflictBody(conflict: conflict, changes: changes))
        }
        group.post("group-conflicts/:id/merge") { _, context in
            let (conflict, changes) = try await service.mergeConflict(id: try context.parameter("id"), caller: try context.caller())
            return JSONBody(ConflictBody(conflict: conflict, changes: changes))
        }
        group.post("group-conflicts/:id/keep-apart") { _, context in
            let conflict = try await service.keepConflictApart(id: try context.parameter("id"), caller: try context.caller())
            return JSONBody(ConflictBody(conflict: conflict, changes: []))
        }
    }
}
