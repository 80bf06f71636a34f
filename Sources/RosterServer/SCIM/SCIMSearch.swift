import Directory
import Foundation
import Hummingbird
import SCIM

/// `POST .search` (RFC 7644 §3.4.3): the list query in a body. At the root it searches Users and Groups together:
/// users first, then groups, paged over the whole.
struct SCIMSearch {
    enum Resource {
        case user, group
    }

    let controller: SCIMController

    func handle(_ request: Request, _ context: RosterRequestContext, resource: Resource?) async throws -> Response {
        let (key, _) = try controller.scope(context)
        let body = try await SCIMResponses.body(request, context)
        guard let schemas = body.member(named: "schemas")?.value.arrayValue,
              schemas.contains(where: { $0.stringValue?.lowercased() == "urn:ietf:params:scim:api:messages:2.0:searchrequest" })
        else {
            throw SCIMError.invalidSyntax("A search body needs \"schemas\": [\"urn:ietf:params:scim:api:messages:2.0:SearchRequest\"].")
        }
        func text(_ name: String) throws(SCIMError) -> String? {
            guard let value = body.member(named: name)?.value, !value.isNull else { return nil }
            switch value {
            case .string(let string): return string
            case .integer(let number): return String(number)
            default: throw SCIMError(status: 400, scimType: .invalidValue, detail: "\(name) must be a string.")
            }
        }
        func list(_ name: String) throws(SCIMError) -> String? {
            guard let value = body.member(named: name)?.value, !value.isNull else { return nil }
            guard let items = value.arrayValue, items.allSatisfy({ $0.stringValue != nil }) else {
                throw SCIMError(status: 400, scimType: .invalidValue, detail: "\(name) must be an array of attribute names.")
            }
            return items.compactMap(\.stringValue).joined(separator: ",")
        }
        let filter = try text("filter"), sortBy = try text("sortBy"), sortOrder = try text("sortOrder")
        let startIndex = try text("startIndex"), count = try text("count")
        let attributes = try list("attributes"), excluded = try list("excludedAttributes")

        switch resource {
        case .user?, .group?:
            let schema = resource == .user ? UserSCIM.resource : GroupSCIM.resource
            let query = try ListQuery.parse(filter: filter, sortBy: sortBy, sortOrder: sortOrder, startIndex: startIndex, count: count, resource: schema)
            let projection = try Projection.parse(attributes: attributes, excludedAttributes: excluded, resource: schema)
            if resource == .user {
                let (total, resources) = try await controller.users(query, projection: projection, key: key)
                return try SCIMResponses.json(ListResponse(totalResults: total, startIndex: query.startIndex, resources: resources))
            }
            let page = try await controller.service.provisionedGroups(directoryId: key.directoryId, query: query, key: key)
            return GroupStream(controller: controller, key: key, projection: projection)
                .listResponse(page.items, total: page.total, startIndex: query.startIndex)
        case nil:
            // Each resource type takes the parts of the query it understands; a filter on attributes a type does not
            // have matches none of its resources.
            let window = try ListQuery.parse(filter: nil, sortBy: nil, sortOrder: nil, startIndex: startIndex, count: count, resource: UserSCIM.resource)
            let userQuery = try? ListQuery.parse(filter: filter, sortBy: sortBy, sortOrder: sortOrder, startIndex: "1", count: "0", resource: UserSCIM.resource)
            let groupQuery = try? ListQuery.parse(filter: filter, sortBy: sortBy, sortOrder: sortOrder, startIndex: "1", count: "0", resource: GroupSCIM.resource)
            if userQuery == nil, groupQuery == nil {
                // Neither type accepts the query: report the users' error, which names the problem.
                _ = try ListQuery.parse(filter: filter, sortBy: sortBy, sortOrder: sortOrder, startIndex: startIndex, count: count, resource: UserSCIM.resource)
            }
            let userProjection = lenientProjection(attributes, excluded, UserSCIM.resource)
            let groupProjection = lenientProjection(attributes, excluded, GroupSCIM.resource)
            var resources: [[String: SCIMValue]] = []
            var groups: [Group] = []
            var userTotal = 0
            var groupTotal = 0
            let offset = window.startIndex - 1
            if var query = userQuery {
                query.startIndex = window.startIndex
                query.count = window.count
                let (total, found) = try await controller.users(query, projection: userProjection, key: key)
                userTotal = total
                resources += found
            }
            if var query = groupQuery {
                query.startIndex = max(1, offset - userTotal + 1)
                query.count = window.count - resources.count
                let page = try await controller.service.provisionedGroups(directoryId: key.directoryId, query: query, key: key)
                groupTotal = page.total
                if query.count > 0 { groups = page.items }
            }
            return GroupStream(controller: controller, key: key, projection: groupProjection)
                .listResponse(groups, leading: resources, total: userTotal + groupTotal, startIndex: window.startIndex)
        }
    }

    /// A projection with the names this resource type does not have left out.
    private func lenientProjection(_ attributes: String?, _ excluded: String?, _ resource: ResourceSchema) -> Projection {
        func known(_ text: String?) -> String? {
            guard let text else { return nil }
            let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { AttributePath(parsing: $0).flatMap { resource.resolve($0) } != nil }
            return names.isEmpty ? nil : names.joined(separator: ",")
        }
        let attributeNames = known(attributes)
        if attributes != nil, attributeNames == nil {
            return Projection(attributes: [AttributePath(attribute: "id")], excluded: [])
        }
        return (try? Projection.parse(attributes: attributeNames, excludedAttributes: known(excluded), resource: resource)) ?? .all
    }
}
