import Directory
import Foundation
import HTTPTypes
import Hummingbird
import SCIM

/// `POST /Bulk` (RFC 7644 §3.7): runs each operation through the same handlers as single requests, resolving
/// `bulkId:` references between them (in any order), stopping after `failOnErrors` errors.
struct SCIMBulk {
    let controller: SCIMController

    /// Advertised in `/ServiceProviderConfig` as `bulk.maxOperations`; more is 413.
    static let maximumOperations = 1_000

    private struct Operation {
        var index: Int
        var method: HTTPRequest.Method
        var bulkId: String?
        var version: String?
        var path: String
        var data: SCIMValue?
    }

    func handle(_ request: Request, _ context: RosterRequestContext) async throws -> Response {
        let body = try await SCIMResponses.body(request, context)
        guard let schemas = body.member(named: "schemas")?.value.arrayValue,
              schemas.contains(where: { $0.stringValue?.lowercased() == SCIMSchemaURN.bulkRequest.lowercased() })
        else {
            throw SCIMError.invalidSyntax("A bulk body needs \"schemas\": [\"\(SCIMSchemaURN.bulkRequest)\"].")
        }
        guard let raw = body.member(named: "Operations")?.value.arrayValue, !raw.isEmpty else {
            throw SCIMError.invalidSyntax("A bulk body needs a non-empty \"Operations\" array.")
        }
        guard raw.count <= Self.maximumOperations else {
            throw SCIMError(status: 413, detail: "A bulk request may hold at most \(Self.maximumOperations) operations; this one has \(raw.count).")
        }
        var failOnErrors: Int?
        if let value = body.member(named: "failOnErrors")?.value, !value.isNull {
            guard case .integer(let limit) = value, limit > 0 else {
                throw SCIMError(status: 400, scimType: .invalidValue, detail: "failOnErrors must be a positive integer.")
            }
            failOnErrors = Int(limit)
        }
        let operations = try raw.enumerated().map { index, value throws(SCIMError) in try parse(value, index: index) }
        var seenBulkIds = Set<String>()
        for operation in operations {
            if let bulkId = operation.bulkId, !seenBulkIds.insert(bulkId).inserted {
                throw SCIMError(status: 400, scimType: .invalidValue, detail: "bulkId \"\(bulkId)\" is used twice.")
            }
        }

        var resolved: [String: String] = [:]
        var results: [Int: SCIMValue] = [:]
        var pending = operations
        var errors = 0
        var stopped = false
        // Each pass runs every operation whose references are resolved; a pass that runs nothing ends the loop.
        while !pending.isEmpty, !stopped {
            var next: [Operation] = []
            var progressed = false
            for operation in pending {
                if stopped { break }
                let references = Self.references(in: operation)
                if !references.isSubset(of: Set(resolved.keys)) {
                    // A reference to a failed POST can never resolve.
                    if references.contains(where: { id in operations.contains { $0.bulkId == id && results[$0.index] != nil } }) {
                        results[operation.index] = Self.result(operation, status: 409, error: SCIMError(
                            status: 409, scimType: .invalidValue, detail: "A bulkId this operation refers to failed."))
                        errors += 1
                        progressed = true
                    } else {
                        next.append(operation)
                    }
                    continue
                }
                progressed = true
                let (result, createdId, failed) = await run(operation, resolved: resolved, context: context)
                results[operation.index] = result
                if let bulkId = operation.bulkId, let createdId { resolved[bulkId] = createdId }
                if failed {
                    errors += 1
                    if let failOnErrors, errors >= failOnErrors { stopped = true }
                }
            }
            if !progressed {
                for operation in next {
                    results[operation.index] = Self.result(operation, status: 409, error: SCIMError(
                        status: 409, scimType: .invalidValue, detail: "The bulkId references of this operation never resolve (a cycle, or an unknown bulkId)."))
                }
                break
            }
            pending = next
        }
        let response: [String: SCIMValue] = [
            "schemas": .array([.string(SCIMSchemaURN.bulkResponse)]),
            "Operations": .array(operations.compactMap { results[$0.index] }),
        ]
        return try SCIMResponses.json(response)
    }

    private func parse(_ value: SCIMValue, index: Int) throws(SCIMError) -> Operation {
        guard case .object(let object) = value else { throw .invalidSyntax("Operations[\(index)] must be an object.") }
        guard let methodText = object.member(named: "method")?.value.stringValue?.uppercased(),
              let method = HTTPRequest.Method(methodText), [.post, .put, .patch, .delete].contains(method)
        else {
            throw .invalidSyntax("Operations[\(index)].method must be POST, PUT, PATCH or DELETE.")
        }
        guard let path = object.member(named: "path")?.value.stringValue, path.hasPrefix("/Users") || path.hasPrefix("/Groups") else {
            throw SCIMError(status: 400, scimType: .invalidPath, detail: "Operations[\(index)].path must start with /Users or /Groups.")
        }
        let segments = path.split(separator: "/")
        guard segments.count == (method == .post ? 1 : 2) else {
            throw SCIMError(status: 400, scimType: .invalidPath,
                            detail: "Operations[\(index)].path must be /Users or /Groups for POST and /Users/{id} or /Groups/{id} otherwise.")
        }
        let bulkId = object.member(named: "bulkId")?.value.stringValue
        if method == .post, bulkId?.isEmpty ?? true {
            throw SCIMError(status: 400, scimType: .invalidValue, detail: "Operations[\(index)] (POST) needs a bulkId.")
        }
        let data = object.member(named: "data")?.value
        if method != .delete, data?.objectValue == nil {
            throw SCIMError(status: 400, scimType: .invalidValue, detail: "Operations[\(index)] needs an object as its data.")
        }
        return Operation(index: index, method: method, bulkId: bulkId, version: object.member(named: "version")?.value.stringValue, path: path, data: data)
    }

    /// Runs one operation through the single-request handler; returns its result, the id it created, and whether it failed.
    private func run(_ operation: Operation, resolved: [String: String], context: RosterRequestContext) async -> (SCIMValue, String?, Bool) {
        let path = Self.substitute(operation.path, resolved)
        let data = operation.data.map { Self.substitute($0, resolved) }
        var headers: HTTPFields = [.contentType: SCIMSchemaURN.mediaType]
        if let version = operation.version { headers[.ifMatch] = version }
        let segments = path.split(separator: "/")
        var inner = context
        if segments.count == 2 { inner.coreContext.parameters.append(key: "id", value: segments[1]) }
        let body = data.flatMap { try? SCIMJSON.encode($0) } ?? []
        let request = Request(
            head: HTTPRequest(method: operation.method, scheme: nil, authority: nil, path: "/scim/directory/\(context.apiKey?.directoryId ?? "")\(path)", headerFields: headers),
            body: .init(buffer: ByteBuffer(bytes: body))
        )
        let response: Response
        do {
            response = try await dispatch(operation.method, resource: String(segments[0]), hasId: segments.count == 2, request: request, context: inner)
        } catch {
            let scimError = SCIMErrors.map(error, logger: context.logger)
            return (Self.result(operation, status: scimError.status, error: scimError), nil, true)
        }
        var result: [String: SCIMValue] = ["method": .string(operation.method.rawValue), "status": .string(String(response.status.code))]
        result["bulkId"] = operation.bulkId.map(SCIMValue.string)
        result["version"] = response.headers[.eTag].map(SCIMValue.string)
        var createdId: String?
        if let location = response.headers[.location] {
            result["location"] = .string(location)
            createdId = location.split(separator: "/").last.map(String.init)
        } else if segments.count == 2 {
            result["location"] = .string("\(controller.baseURL)/scim/directory/\(inner.apiKey?.directoryId ?? "")\(path)")
        }
        return (.object(result), createdId, false)
    }

    private func dispatch(
        _ method: HTTPRequest.Method, resource: String, hasId: Bool, request: Request, context: RosterRequestContext
    ) async throws -> Response {
        switch (method, resource, hasId) {
        case (.post, "Users", false): try await controller.createUser(request, context)
        case (.put, "Users", true): try await controller.replaceUser(request, context)
        case (.patch, "Users", true): try await controller.patchUser(request, context)
        case (.delete, "Users", true): try await controller.deleteUser(request, context)
        case (.post, "Groups", false): try await controller.createGroup(request, context)
        case (.put, "Groups", true): try await controller.replaceGroup(request, context)
        case (.patch, "Groups", true): try await controller.patchGroup(request, context)
        case (.delete, "Groups", true): try await controller.deleteGroup(request, context)
        default: throw SCIMError(status: 400, scimType: .invalidPath, detail: "\(method) \(resource) is not a bulk operation.")
        }
    }

    private static func result(_ operation: Operation, status: Int, error: SCIMError) -> SCIMValue {
        var result: [String: SCIMValue] = [
            "method": .string(operation.method.rawValue),
            "status": .string(String(status)),
            "response": (try? JSONDecoder().decode(SCIMValue.self, from: Data(SCIMJSON.encode(error)))) ?? .null,
        ]
        result["bulkId"] = operation.bulkId.map(SCIMValue.string)
        return .object(result)
    }

    /// `bulkId:x` references in the path and anywhere in the data.
    private static func references(in operation: Operation) -> Set<String> {
        var found = Set<String>()
        func scan(_ text: String) {
            if text.hasPrefix("bulkId:") { found.insert(String(text.dropFirst("bulkId:".count))) }
        }
        func walk(_ value: SCIMValue) {
            switch value {
            case .string(let text): scan(text)
            case .array(let items): items.forEach(walk)
            case .object(let members): members.values.forEach(walk)
            default: break
            }
        }
        operation.path.split(separator: "/").forEach { scan(String($0)) }
        operation.data.map(walk)
        return found
    }

    private static func substitute(_ path: String, _ resolved: [String: String]) -> String {
        "/" + path.split(separator: "/").map { segment in
            segment.hasPrefix("bulkId:") ? (resolved[String(segment.dropFirst("bulkId:".count))] ?? String(segment)) : String(segment)
        }.joined(separator: "/")
    }

    private static func substitute(_ value: SCIMValue, _ resolved: [String: String]) -> SCIMValue {
        switch value {
        case .string(let text) where text.hasPrefix("bulkId:"):
            return .string(resolved[String(text.dropFirst("bulkId:".count))] ?? text)
        case .array(let items): return .array(items.map { substitute($0, resolved) })
        case .object(let members): return .object(members.mapValues { substitute($0, resolved) })
        default: return value
        }
    }
}
