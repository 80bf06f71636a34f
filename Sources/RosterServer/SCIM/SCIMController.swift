import Directory
import Foundation
import HTTPTypes
import Hummingbird
import SCIM

/// The SCIM 2.0 service provider of each directory: `/scim/directory/{directoryId}/...` (RFC 7644).
struct SCIMController {
    let service: DirectoryService
    let log: ProvisioningLogWriter

    /// Largest request body accepted (advertised as `bulk.maxPayloadSize`); larger ones are 413.
    static let maximumPayloadSize = 4 << 20
    /// A Group POST or PUT carries the whole member list: about 600,000 members fit.
    static let maximumGroupPayloadSize = 32 << 20
    /// Members a PATCH or POST response lists inline; larger groups list them only when `attributes` asks, so a
    /// membership change costs the same for a group of 10 or of 250,000.
    static let inlineMemberLimit = 1_000

    var baseURL: String { service.configuration.baseURL }

    func addRoutes(to router: Router<RosterRequestContext>) {
        let scim = router.group("scim/directory/:directoryId").add(middleware: SCIMMiddleware(service: service, log: log))
        SCIMDiscovery(baseURL: baseURL).addRoutes(to: scim)

        scim.get("Users") { request, context in try await listUsers(request, context) }
        scim.post("Users") { request, context in try await createUser(request, context) }
        scim.get("Users/:id") { request, context in try await getUser(request, context) }
        scim.put("Users/:id") { request, context in try await replaceUser(request, context) }
        scim.patch("Users/:id") { request, context in try await patchUser(request, context) }
        scim.delete("Users/:id") { request, context in try await deleteUser(request, context) }

        scim.get("Groups") { request, context in try await listGroups(request, context) }
        scim.post("Groups") { request, context in try await createGroup(request, context) }
        scim.get("Groups/:id") { request, context in try await getGroup(request, context) }
        scim.put("Groups/:id") { request, context in try await replaceGroup(request, context) }
        scim.patch("Groups/:id") { request, context in try await patchGroup(request, context) }
        scim.delete("Groups/:id") { request, context in try await deleteGroup(request, context) }

        scim.post("Bulk") { request, context in
            try await SCIMBulk(controller: self).handle(request, context)
        }
        scim.post("Users/.search") { request, context in try await SCIMSearch(controller: self).handle(request, context, resource: .user) }
        scim.post("Groups/.search") { request, context in try await SCIMSearch(controller: self).handle(request, context, resource: .group) }
        scim.post(".search") { request, context in try await SCIMSearch(controller: self).handle(request, context, resource: nil) }

        // Anything else under the directory is a SCIM 404, after authentication.
        for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete] {
            scim.on("**", method: method) { request, _ -> Response in
                throw SCIMError.notFound("No SCIM endpoint \(request.method) \(request.uri.path.prefix(200)).")
            }
        }
    }

    // MARK: Users

    func listUsers(_ request: Request, _ context: RosterRequestContext) async throws -> Response {
        let (key, _) = try scope(context)
        let query = try listQuery(request, resource: UserSCIM.resource)
        let (total, resources) = try await users(query, projection: try projection(request, resource: UserSCIM.resource), key: key)
        return try SCIMResponses.json(ListResponse(totalResults: total, startIndex: query.startIndex, resources: resources))
    }

    func users(_ query: ListQuery, projection: Projection, key: ApiKey) async throws -> (Int, [[String: SCIMValue]]) {
        let page = try await service.provisionedUsers(directoryId: key.directoryId, query: query, key: key)
        let groups = projection.includes("groups", resource: UserSCIM.resource)
            ? try await service.store.read { try await $0.groupsOf(userIds: page.items.map(\.id)) } : [:]
        return (page.total, page.items.map {
            projection.apply(to: UserSCIM.object($0, groups: groups[$0.id] ?? [], baseURL: baseURL), resource: UserSCIM.resource)
        })
    }

    func createUser(_ request: Request, _ context: RosterRequestContext) async throws -> Response {
        let (key, directoryId) = try scope(context)
        let draft = try UserSCIM.draft(from: try await SCIMResponses.body(request, context))
        let user = try await service.provisionUser(directoryId: directoryId, draft: draft, key: key)
        return try userResponse(user, request: request, status: .created)
    }

    func getUser(_ request: Request, _ context: RosterRequestContext) async throws -> Response {
        let (key, directoryId) = try scope(context)
        let user = try await service.provisionedUser(directoryId: directoryId, id: try context.parameter("id"), key: key)
        if SCIMResponses.matches(request.headers[.ifNoneMatch], version: user.version) {
            return Response(status: .notModified, headers: [.eTag: UserSCIM.etag(user.version)])
        }
        return try await userResponseWithGroups(user, request: request)
    }

    func replaceUser(_ request: Request, _ context: RosterRequestContext) async throws -> Response {
        let (key, _) = try scope(context)
        let id = try context.parameter("id")
        // Scope (404 for another directory's user) and If-Match are checked inside the write transaction.
        let draft = try UserSCIM.draft(from: try await SCIMResponses.body(request, context))
        let user = try await service.replaceUser(
            id: id, draft: draft, acceptedVersions: SCIMResponses.acceptedVersions(request), caller: .provisioning(key)
        )
        return try await userResponseWithGroups(user, request: request)
    }

    func patchUser(_ request: Request, _ context: RosterRequestContext) async throws -> Response {
        let (key, _) = try scope(context)
        let id = try context.parameter("id")
        let body = try await SCIMResponses.body(request, context)
        // Shape errors first, before any transaction.
        _ = try PatchRequest.parse(ClientQuirks.normalize(body, resource: UserSCIM.resource, resourceId: id))
        let base = baseURL
        let user = try await service.modifyUser(
            id: id, acceptedVersions: SCIMResponses.acceptedVersions(request), caller: .provisioning(key)
        ) { user in
            // Normalized against the user as it is inside the transaction (the upsert rewrite looks at it).
            let object = UserSCIM.object(user, groups: [], baseURL: base)
            let patch = try PatchRequest.parse(ClientQuirks.normalize(body, resource: UserSCIM.resource, resourceId: id, current: object))
            return try UserSCIM.draft(from: try PatchEngine(resource: UserSCIM.resource).apply(patch.operations, to: object))
        }
        return try await userResponseWithGroups(user, request: request)
    }

    func deleteUser(_ request: Request, _ context: RosterRequestContext) async throws -> Response {
        let (key, _) = try scope(context)
        let id = try context.parameter("id")
        try await service.deprovisionUser(
            directoryId: key.directoryId, id: id, acceptedVersions: SCIMResponses.acceptedVersions(request), key: key
        )
        return Response(status: .noContent)
    }

    func userResponseWithGroups(_ user: User, request: Request, status: HTTPResponse.Status = .ok) async throws -> Response {
        let groups = try await service.store.read { try await $0.groupsOf(userIds: [user.id]) }[user.id] ?? []
        return try userResponse(user, groups: groups, request: request, status: status)
    }

    func userResponse(_ user: User, groups: [UserGroup] = [], request: Request, status: HTTPResponse.Status) throws -> Response {
        let projection = try projection(request, resource: UserSCIM.resource)
        let object = projection.apply(to: UserSCIM.object(user, groups: groups, baseURL: baseURL), resource: UserSCIM.resource)
        var response = try SCIMResponses.json(object, status: status)
        response.headers[.eTag] = UserSCIM.etag(user.version)
        if status == .created { response.headers[.location] = "\(baseURL)/scim/directory/\(user.directoryId)/Users/\(user.id)" }
        return response
    }

    // MARK: Groups

    func listGroups(_ request: Request, _ context: RosterRequestContext) async throws -> Response {
        let (key, directoryId) = try scope(context)
        let query = try listQuery(request, resource: GroupSCIM.resource)
        let projection = try projection(request, resource: GroupSCIM.resource)
        let page = try await service.provisionedGroups(directoryId: directoryId, query: query, key: key)
        return GroupStream(controller: self, key: key, projection: projection)
            .listResponse(page.items, total: page.total, startIndex: query.startIndex)
    }

    func createGroup(_ request: Request, _ context: RosterRequestContext) async throws -> Response {
        let (key, directoryId) = try scope(context)
        let (displayName, externalId, members) = try GroupSCIM.parse(
            try await SCIMResponses.body(request, context, limit: Self.maximumGroupPayloadSize))
        let group = try await service.provisionGroup(
            directoryId: directoryId, displayName: displayName, externalId: externalId, members: members, key: key
        )
        return try await groupResponse(group, request: request, key: key, status: .created, everyMember: false)
    }

    func getGroup(_ request: Request, _ context: RosterRequestContext) async throws -> Response {
        let (key, directoryId) = try scope(context)
        let group = try await service.provisionedGroup(directoryId: directoryId, id: try context.parameter("id"), key: key)
        if SCIMResponses.matches(request.headers[.ifNoneMatch], version: group.version) {
            return Response(status: .notModified, headers: [.eTag: UserSCIM.etag(group.version)])
        }
        return try await groupResponse(group, request: request, key: key, status: .ok, everyMember: true)
    }

    func replaceGroup(_ request: Request, _ context: RosterRequestContext) async throws -> Response {
        let (key, directoryId) = try scope(context)
        let id = try context.parameter("id")
        let (displayName, externalId, members) = try GroupSCIM.parse(
            try await SCIMResponses.body(request, context, limit: Self.maximumGroupPayloadSize))
        let (group, _) = try await service.updateProvisionedGroup(
            directoryId: directoryId, id: id, displayName: displayName, externalId: .some(externalId),
            changes: [.replace(members)], acceptedVersions: SCIMResponses.acceptedVersions(request), key: key
        )
        return try await groupResponse(group, request: request, key: key, status: .ok, everyMember: false)
    }

    func patchGroup(_ request: Request, _ context: RosterRequestContext) async throws -> Response {
        let (key, directoryId) = try scope(context)
        let id = try context.parameter("id")
        let body = try await SCIMResponses.body(request, context)
        let patch = try PatchRequest.parse(ClientQuirks.normalize(body, resource: GroupSCIM.resource, resourceId: id))
        let (changes, others) = try MembershipPatch.split(patch.operations)
        let current = try await service.provisionedGroup(directoryId: directoryId, id: id, key: key)
        let expected = try SCIMResponses.expectedVersion(request, current: current.version)
        var displayName: String?
        var externalId: String??
        if !others.isEmpty {
            let before = GroupSCIM.object(current, members: nil, baseURL: baseURL)
            let after = try PatchEngine(resource: GroupSCIM.resource).apply(others, to: before)
            guard let name = after.member(named: "displayName")?.value.stringValue, !name.isEmpty else {
                throw SCIMError(status: 400, scimType: .mutability, detail: "displayName is required and cannot be removed.")
            }
            displayName = name
            externalId = .some(after.member(named: "externalId")?.value.stringValue)
        }
        let (group, _) = try await service.updateProvisionedGroup(
            directoryId: directoryId, id: id, displayName: displayName, externalId: externalId, changes: changes,
            acceptedVersions: expected.map { [$0] }, key: key
        )
        return try await groupResponse(group, request: request, key: key, status: .ok, everyMember: false)
    }

    func deleteGroup(_ request: Request, _ context: RosterRequestContext) async throws -> Response {
        let (key, directoryId) = try scope(context)
        let id = try context.parameter("id")
        try await service.deleteProvisionedGroup(
            directoryId: directoryId, id: id, acceptedVersions: SCIMResponses.acceptedVersions(request), key: key
        )
        return Response(status: .noContent)
    }

    /// A group response. Reads (and writes that ask for `members`) stream every member; other writes list members
    /// inline only for groups up to `inlineMemberLimit` members, so a membership change costs the same for a group
    /// of 10 or of 250,000.
    func groupResponse(
        _ group: Group, request: Request, key: ApiKey, status: HTTPResponse.Status, everyMember: Bool
    ) async throws -> Response {
        let projection = try projection(request, resource: GroupSCIM.resource)
        var headers: HTTPFields = [.eTag: UserSCIM.etag(group.version)]
        if status == .created { headers[.location] = "\(baseURL)/scim/directory/\(group.directoryId)/Groups/\(group.id)" }
        let askedFor = projection.attributes?.contains { $0.attribute.lowercased() == "members" } ?? false
        if projection.includes("members", resource: GroupSCIM.resource), everyMember || askedFor {
            return GroupStream(controller: self, key: key, projection: projection)
                .response(group, status: status, headers: headers)
        }
        var members: [Membership]?
        if projection.includes("members", resource: GroupSCIM.resource) {
            let first = try await service.provisionedMembers(groupId: group.id, after: nil, limit: Self.inlineMemberLimit, key: key)
            // A full first page may have more behind it: then the members are left out rather than cut short.
            var more: [Membership] = []
            if let last = first.last, first.count == Self.inlineMemberLimit {
                more = try await service.provisionedMembers(groupId: group.id, after: last.memberId, limit: 1, key: key)
            }
            members = more.isEmpty ? first : nil
        }
        let object = projection.apply(to: GroupSCIM.object(group, members: members, baseURL: baseURL), resource: GroupSCIM.resource)
        var response = try SCIMResponses.json(object, status: status)
        response.headers[.eTag] = headers[.eTag]
        if let location = headers[.location] { response.headers[.location] = location }
        return response
    }

    // MARK: Request pieces

    func scope(_ context: RosterRequestContext) throws -> (ApiKey, String) {
        guard let key = context.apiKey else { throw DirectoryError(.unauthenticated, "Send the directory's API key as a bearer token.") }
        return (key, key.directoryId)
    }

    func listQuery(_ request: Request, resource: ResourceSchema) throws -> ListQuery {
        let query = request.uri.queryParameters
        func value(_ name: String) -> String? { query[Substring(name)].map(String.init) }
        return try ListQuery.parse(
            filter: value("filter"), sortBy: value("sortBy"), sortOrder: value("sortOrder"),
            startIndex: value("startIndex"), count: value("count"), resource: resource
        )
    }

    func projection(_ request: Request, resource: ResourceSchema) throws -> Projection {
        let query = request.uri.queryParameters
        return try Projection.parse(
            attributes: query["attributes"].map(String.init), excludedAttributes: query["excludedAttributes"].map(String.init),
            resource: resource
        )
    }
}

/// Bodies, media types and ETags of SCIM responses.
enum SCIMResponses {
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        Response(status: status, headers: [.contentType: SCIMSchemaURN.mediaType], body: .init(byteBuffer: ByteBuffer(bytes: try SCIMJSON.encode(value))))
    }

    /// Reads a JSON request body: `application/scim+json` or `application/json`, at most the advertised size.
    static func body(
        _ request: Request, _ context: RosterRequestContext, limit: Int = SCIMController.maximumPayloadSize
    ) async throws -> [String: SCIMValue] {
        if let type = request.headers[.contentType]?.lowercased(),
           !(type.hasPrefix(SCIMSchemaURN.mediaType) || type.hasPrefix("application/json")) {
            throw SCIMError(status: 415, detail: "Send the body as application/scim+json or application/json, not \(type.prefix(100)).")
        }
        let buffer = try await request.body.collect(upTo: limit)
        return try SCIMJSON.parseObject(buffer.readableBytesView)
    }

    /// Whether an `If-None-Match` header matches the current version.
    static func matches(_ header: String?, version: Int) -> Bool {
        guard let header else { return false }
        let tags = header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        return tags.contains("*") || tags.contains { normalize($0) == "\(version)" }
    }

    /// The versions an `If-Match` header accepts: nil when absent or `*` (no condition). Tags that are not a
    /// version Roster issued accept nothing, so they end in 412.
    static func acceptedVersions(_ request: Request) -> Set<Int>? {
        guard let header = request.headers[.ifMatch] else { return nil }
        let tags = header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        if tags.contains("*") { return nil }
        return Set(tags.compactMap { Int(normalize($0)) })
    }

    /// The version an `If-Match` header requires when the current version is known: nil when absent or `*`; 412
    /// when it names another version.
    static func expectedVersion(_ request: Request, current: Int) throws -> Int? {
        guard let accepted = acceptedVersions(request) else { return nil }
        let header = request.headers[.ifMatch] ?? ""
        guard accepted.contains(current) else {
            throw SCIMError(status: 412, detail: "The resource is at version \(UserSCIM.etag(current)); If-Match named \(header.prefix(100)).")
        }
        return current
    }

    private static func normalize(_ tag: String) -> String {
        var text = tag
        if text.hasPrefix("W/") { text.removeFirst(2) }
        return text.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
    }
}
