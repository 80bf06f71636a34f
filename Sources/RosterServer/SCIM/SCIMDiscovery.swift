import Foundation
import HTTPTypes
import Hummingbird
import SCIM

/// `/ServiceProviderConfig`, `/Schemas` and `/ResourceTypes` (RFC 7644 §4, RFC 7643 §5-7).
struct SCIMDiscovery {
    let baseURL: String

    func addRoutes(to scim: RouterGroup<RosterRequestContext>) {
        // Discovery is read-only: other methods are 405.
        for path in ["ServiceProviderConfig", "Schemas", "Schemas/:id", "ResourceTypes", "ResourceTypes/:name"] {
            for method in [HTTPRequest.Method.post, .put, .patch, .delete] {
                scim.on(RouterPath(path), method: method) { request, _ -> Response in
                    throw SCIMError(status: 405, detail: "\(request.method) is not allowed on \(path); it is read-only.")
                }
            }
        }
        scim.get("ServiceProviderConfig") { _, context in
            try SCIMResponses.json(serviceProviderConfig(directoryId: try context.parameter("directoryId")))
        }
        scim.get("Schemas") { _, context in
            let directoryId = try context.parameter("directoryId")
            let schemas = CoreSchemas.all.map { schema($0, directoryId: directoryId) }
            return try SCIMResponses.json(ListResponse(totalResults: schemas.count, startIndex: 1, resources: schemas))
        }
        scim.get("Schemas/:id") { _, context in
            let directoryId = try context.parameter("directoryId")
            let id = try context.parameter("id")
            guard let found = CoreSchemas.all.first(where: { $0.id.lowercased() == id.lowercased() }) else {
                throw SCIMError.notFound("No schema \(id.prefix(200)).")
            }
            return try SCIMResponses.json(schema(found, directoryId: directoryId))
        }
        scim.get("ResourceTypes") { _, context in
            let directoryId = try context.parameter("directoryId")
            let types = [CoreSchemas.userResource, CoreSchemas.groupResource].map { resourceType($0, directoryId: directoryId) }
            return try SCIMResponses.json(ListResponse(totalResults: types.count, startIndex: 1, resources: types))
        }
        scim.get("ResourceTypes/:name") { _, context in
            let directoryId = try context.parameter("directoryId")
            let name = try context.parameter("name")
            guard let found = [CoreSchemas.userResource, CoreSchemas.groupResource].first(where: { $0.name.lowercased() == name.lowercased() }) else {
                throw SCIMError.notFound("No resource type \(name.prefix(200)).")
            }
            return try SCIMResponses.json(resourceType(found, directoryId: directoryId))
        }
    }

    func serviceProviderConfig(directoryId: String) -> [String: SCIMValue] {
        [
            "schemas": .array([.string("urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig")]),
            "patch": .object(["supported": .bool(true)]),
            "bulk": .object([
                "supported": .bool(true), "maxOperations": .integer(Int64(SCIMBulk.maximumOperations)),
                "maxPayloadSize": .integer(Int64(SCIMController.maximumPayloadSize)),
            ]),
            "filter": .object(["supported": .bool(true), "maxResults": .integer(Int64(ListQuery.maximumCount))]),
            "changePassword": .object(["supported": .bool(false)]),
            "sort": .object(["supported": .bool(true)]),
            "etag": .object(["supported": .bool(true)]),
            "authenticationSchemes": .array([.object([
                "type": .string("oauthbearertoken"),
                "name": .string("Directory API key"),
                "description": .string("The directory's SCIM API key as an HTTP bearer token (RFC 6750)."),
                "primary": .bool(true),
            ])]),
            "meta": .object([
                "resourceType": .string("ServiceProviderConfig"),
                "location": .string("\(baseURL)/scim/directory/\(directoryId)/ServiceProviderConfig"),
            ]),
        ]
    }

    func schema(_ definition: SchemaDefinition, directoryId: String) -> [String: SCIMValue] {
        let attributes = (try? JSONDecoder().decode(SCIMValue.self, from: Data(SCIMJSON.encode(definition.attributes)))) ?? .array([])
        return [
            "schemas": .array([.string("urn:ietf:params:scim:schemas:core:2.0:Schema")]),
            "id": .string(definition.id),
            "name": .string(definition.name),
            "description": .string(definition.description),
            "attributes": attributes,
            "meta": .object([
                "resourceType": .string("Schema"),
                "location": .string("\(baseURL)/scim/directory/\(directoryId)/Schemas/\(definition.id)"),
            ]),
        ]
    }

    func resourceType(_ resource: ResourceSchema, directoryId: String) -> [String: SCIMValue] {
        [
            "schemas": .array([.string("urn:ietf:params:scim:schemas:core:2.0:ResourceType")]),
            "id": .string(resource.name),
            "name": .string(resource.name),
            "endpoint": .string(resource.endpoint),
            "description": .string(resource.core.description),
            "schema": .string(resource.core.id),
            "schemaExtensions": .array(resource.extensions.map { .object(["schema": .string($0.schema.id), "required": .bool($0.required)]) }),
            "meta": .object([
                "resourceType": .string("ResourceType"),
                "location": .string("\(baseURL)/scim/directory/\(directoryId)/ResourceTypes/\(resource.name)"),
            ]),
        ]
    }
}
