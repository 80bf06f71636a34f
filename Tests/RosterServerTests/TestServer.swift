import Directory
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Prometheus
import RosterServer
import RosterTestSupport
import Storage

/// Runs a real Roster server on a loopback port over a fresh database, and a client that speaks JSON to it.
enum TestServer {
    static func with(
        _ kind: TestDatabaseKind, environment: RosterEnvironment = .live,
        configure: @Sendable (inout RosterConfiguration) -> Void = { _ in },
        _ body: @Sendable (APIClient, DirectoryService) async throws -> Void
    ) async throws {
        try await TestDatabase.with(kind) { database in
            var configuration = RosterConfiguration(host: "127.0.0.1", port: 0, baseURL: "https://roster.test")
            // Webhook retries fast enough for a test: 0.3 s, then 0.6 s; dead after the third attempt.
            configuration.webhookBackoff = 0.3
            configuration.webhookMaxAttempts = 3
            configuration.webhookAllowPrivate = true
            configure(&configuration)
            let service = DirectoryService(
                store: database.store, environment: environment,
                configuration: .init(baseURL: configuration.baseURL, allowPrivateWebhooks: true)
            )
            let app = RosterApplication.build(
                configuration: configuration, database: database, runsDatabase: false, environment: environment, logger: TestDatabase.logger
            )
            try await app.test(.live) { client in
                try await body(APIClient(client: client), service)
            }
        }
    }
}

/// A response with its JSON body parsed.
struct APIResponse: Sendable {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let text: String

    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }

    func string(_ key: String) -> String? { json[key] as? String }
}

struct APIClient: Sendable {
    let client: any TestClientProtocol

    func send(
        _ method: HTTPRequest.Method, _ uri: String, token: String? = nil, json: String? = nil
    ) async throws -> APIResponse {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil { headers[.contentType] = "application/json" }
        let response = try await client.execute(
            uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) }
        )
        return APIResponse(status: response.status, headers: response.headers, text: String(buffer: response.body))
    }
}
