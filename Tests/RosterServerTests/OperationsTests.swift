import HTTPTypes
import RosterTestSupport
import Testing

@Suite("Operations endpoints over HTTP")
struct OperationsTests {
    @Test("healthz, readyz and metrics answer, with request ids", arguments: TestDatabaseKind.available)
    func operations(kind: TestDatabaseKind) async throws {
        try await TestServer.with(kind) { api, _ in
            let health = try await api.send(.get, "/healthz")
            #expect(health.status == .ok)
            #expect(health.string("status") == "ok")
            let requestID = try #require(health.headers[HTTPField.Name("X-Request-Id")!])
            #expect(!requestID.isEmpty)

            let ready = try await api.send(.get, "/readyz")
            #expect(ready.status == .ok)
            #expect(ready.string("status") == "ready")

            let metrics = try await api.send(.get, "/metrics")
            #expect(metrics.status == .ok)
            #expect(metrics.headers[.contentType]?.hasPrefix("text/plain") == true)
            #expect(metrics.text.contains("roster_info{database=\"\(kind.rawValue)\"} 1"))
        }
    }

    @Test("an unknown path is a JSON 404", arguments: TestDatabaseKind.available)
    func unknownPath(kind: TestDatabaseKind) async throws {
        try await TestServer.with(kind) { api, _ in
            let response = try await api.send(.get, "/no/such/thing")
            #expect(response.status == .notFound)
        }
    }
}
