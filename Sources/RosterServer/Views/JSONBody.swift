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

    init(_ key: ApiKey) {
        id = key.id
        directoryId = key.directoryId
        prefix = key.prefix
        created = key.created
        expires = key.expires
        revoked = key.revoked
        lastUsed = key.lastUsed
    }
}

extension Request {
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
