import Directory
import Foundation
import HTTPTypes
import Hummingbird

/// A JSON response with a status.
struct JSONBody<Value: Encodable & Sendable>: ResponseGenerator {
    var status: HTTPResponse.Status = .ok
    let value: Value

    init(_ value: Value, status: HTTPResponse.Status = .ok) {
        self.value = value
        self.status = status
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = try APIJSON.encoder.encode(value)
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: data))
        )
    }
}

/// One page of a list: `{"items": [...], "total": n, "offset": o, "limit": l}`.
struct ListBody<Item: Encodable & Sendable>: Encodable, Sendable {
    let items: [Item]
    let total: Int
    let offset: Int
    let limit: Int

    init(_ page: Page<Item>, _ request: PageRequest) {
        items = page.items
        total = page.total
        offset = request.offset
        limit = request.limit
    }

    init(all items: [Item]) {
        self.items = items
        total = items.count
        offset = 0
        limit = items.count
    }
}

/// An API key as the API shows it: never its hash.
struct ApiKeyView: Encodable, Sendable {
    let id: String
    let directoryId: String
    let prefix: String
    let created: Date
    let expires: Date?
    let revoked: Date?
    let lastUsed: Date?
    let pendingConfirmation: Bool

    init(_ key: ApiKey) {
        pendingConfirmation = key.pendingConfirmation
        id = key.id
        directoryId = key.directoryId
        prefix = key.prefix
        created = key.created
        expires = key.expires
        revoked = key.revoked
        lastUsed = key.lastUsed
    }
}

/// `GET /api/v1/directories/{dir}/status`: every key written, nulls included.
struct DirectoryStatusView: Encodable, Sendable {
    struct Certificate: Encodable, Sendable {
        let fingerprint: String
        let notAfter: Date
        let use: String
    }
    let directoryId: String
    let name: String
    let identityProvider: String?
    let kind: String
    let singleSignOnConfigured: Bool
    let provisioningActive: Bool
    let lastProvisioningRequest: Date?
    let users: Int
    let groups: Int
    let apiKeys: [ApiKeyView]
    let certificates: [Certificate]

    init(_ status: DirectoryStatus) {
        directoryId = status.directory.id
        name = status.directory.name
        identityProvider = status.directory.identityProvider?.rawValue
        kind = status.directory.kind.rawValue
        singleSignOnConfigured = status.singleSignOnConfigured
        provisioningActive = status.provisioningActive
        lastProvisioningRequest = status.lastProvisioningRequest
        users = status.users
        groups = status.groups
        apiKeys = status.apiKeys.map(ApiKeyView.init)
        certificates = status.certificates.map { .init(fingerprint: $0.fingerprint, notAfter: $0.notAfter, use: $0.use) }
    }

    private enum CodingKeys: String, CodingKey {
        case directoryId, name, identityProvider, kind, singleSignOnConfigured, provisioningActive, lastProvisioningRequest,
             users, groups, apiKeys, certificates
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(directoryId, forKey: .directoryId)
        try container.encode(name, forKey: .name)
        try container.encode(identityProvider, forKey: .identityProvider)
        try container.encode(kind, forKey: .kind)
        try container.encode(singleSignOnConfigured, forKey: .singleSignOnConfigured)
        try container.encode(provisioningActive, forKey: .provisioningActive)
        try container.encode(lastProvisioningRequest, forKey: .lastProvisioningRequest)
        try container.encode(users, forKey: .users)
        try container.encode(groups, forKey: .groups)
        try container.encode(apiKeys, forKey: .apiKeys)
        try container.encode(certificates, forKey: .certificates)
    }
}

extension Request {
    /// `?q=`: the search text of a list, nil when absent or blank; at most 200 characters.
    func searchText() throws -> String? {
        guard let raw = uri.queryParameters["q"] else { return nil }
        let text = raw.trimmingCharacters(in: .whitespaces)
        guard text.count <= 200 else {
            throw APIError(.badRequest, code: "invalid_query", message: "'q' is at most 200 characters.")
        }
        return text.isEmpty ? nil : String(text)
    }

    /// `?failures=true&method=PATCH&resourceType=User&q=text`: which troubleshooting-log entries to show.
    func provisioningLogFilter() throws -> ProvisioningLogFilter {
        let query = uri.queryParameters
        let method = query["method"].map(String.init).flatMap { $0.isEmpty ? nil : $0.uppercased() }
        if let method, !["GET", "POST", "PUT", "PATCH", "DELETE"].contains(method) {
            throw APIError(.badRequest, code: "invalid_query", message: "'method' is one of GET, POST, PUT, PATCH, DELETE.")
        }
        let resourceType = query["resourceType"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        if let resourceType, !["User", "Group"].contains(resourceType) {
            throw APIError(.badRequest, code: "invalid_query", message: "'resourceType' is User or Group.")
        }
        return ProvisioningLogFilter(
            failuresOnly: query["failures"].map { $0 == "true" || $0 == "1" } ?? false,
            method: method, resourceType: resourceType, search: try searchText()
        )
    }

    /// `?offset=&limit=` (and SCIM-style `startIndex`/`count` are not used here).
    func pageRequest() throws -> PageRequest {
        let query = uri.queryParameters
        func integer(_ name: String, default value: Int) throws -> Int {
            guard let raw = query[Substring(name)] else { return value }
            guard let parsed = Int(raw), parsed >= 0 else {
                throw APIError(.badRequest, code: "invalid_query", message: "'\(name)' must be a non-negative integer.")
            }
            return parsed
        }
        let limit = try integer("limit", default: 100)
        guard limit <= PageRequest.maximumLimit else {
            throw APIError(.badRequest, code: "invalid_query", message: "'limit' is at most \(PageRequest.maximumLimit).")
        }
        return PageRequest(offset: try integer("offset", default: 0), limit: limit)
    }
}

extension RosterRequestContext {
    /// A path parameter that the route guarantees.
    func parameter(_ name: String) throws -> String {
        try parameters.require(name)
    }
}
