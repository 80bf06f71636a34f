import Directory
import Foundation
import HTTPTypes
import NIOCore
import RosterTestSupport
import SCIM
import Testing

/// A guard-plan organization with an Okta directory and its SCIM key, behind a running server.
struct SCIMFixture: Sendable {
    let api: APIClient
    let service: DirectoryService
    let organization: Organization
    let directoryId: String
    let key: String
    let adminToken: String

    static func with(
        _ kind: TestDatabaseKind, environment: RosterEnvironment = .live, _ body: @Sendable (SCIMFixture) async throws -> Void
    ) async throws {
        try await TestServer.with(kind, environment: environment) { api, service in
            let organization = try await service.createOrganization(name: "Acme", plan: .guard, caller: .operatorCLI)
            let created = try await service.createDirectory(organizationId: organization.id, name: "Okta", identityProvider: .okta, caller: .operatorCLI)
            let admin = try await service.createAdmin(organizationId: organization.id, email: "root@acme.com", roles: [.orgAdmin], caller: .operatorCLI)
            try await body(SCIMFixture(
                api: api, service: service, organization: organization, directoryId: created.directory.id,
                key: try #require(created.apiKey), adminToken: admin.value
            ))
        }
    }

    var base: String { "/scim/directory/\(directoryId)" }

    func send(
        _ method: HTTPRequest.Method, _ path: String, json: String? = nil, token: String? = nil, headers extra: HTTPFields = [:]
    ) async throws -> SCIMResponse {
        var headers = extra
        headers[.authorization] = "Bearer \(token ?? key)"
        if json != nil, headers[.contentType] == nil { headers[.contentType] = "application/scim+json" }
        let response = try await api.client.execute(
            uri: base + path, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) }
        )
        return SCIMResponse(status: response.status, headers: response.headers, text: String(buffer: response.body))
    }

    func sendBytes(_ method: HTTPRequest.Method, _ path: String, bytes: [UInt8], contentType: String = "application/scim+json") async throws -> SCIMResponse {
        let response = try await api.client.execute(
            uri: base + path, method: method, headers: [.authorization: "Bearer \(key)", .contentType: contentType], body: ByteBuffer(bytes: bytes)
        )
        return SCIMResponse(status: response.status, headers: response.headers, text: String(buffer: response.body))
    }

    /// Creates a user over SCIM and returns its id.
    func createUser(_ userName: String, extra: String = "") async throws -> String {
        let response = try await send(.post, "/Users", json: #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"\#(userName)"\#(extra)}"#)
        #expect(response.status == .created, "\(response.text)")
        return try #require(response.json["id"] as? String)
    }

    func createGroup(_ name: String, members: [String] = []) async throws -> String {
        let list = members.map { #"{"value":"\#($0)"}"# }.joined(separator: ",")
        let response = try await send(.post, "/Groups", json: #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"\#(name)","members":[\#(list)]}"#)
        #expect(response.status == .created, "\(response.text)")
        return try #require(response.json["id"] as? String)
    }

    func patch(_ path: String, _ operations: String, headers: HTTPFields = [:]) async throws -> SCIMResponse {
        try await send(.patch, path, json: #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":\#(operations)}"#, headers: headers)
    }

    /// The directory's users and groups, straight from the store.
    func counts() async throws -> (users: Int, groups: Int) {
        try await service.store.read { reader in
            (try await reader.users(directoryId: directoryId, search: nil, page: PageRequest(limit: 1)).total,
             try await reader.groups(directoryId: directoryId, search: nil, grantingOnSites: nil, page: PageRequest(limit: 1)).total)
        }
    }
}

struct SCIMResponse: Sendable {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let text: String

    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:] }
    var scimType: String? { json["scimType"] as? String }
    var resources: [[String: Any]] { json["Resources"] as? [[String: Any]] ?? [] }
    var ids: [String] { resources.compactMap { $0["id"] as? String } }
}
