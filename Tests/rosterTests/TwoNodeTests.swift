import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import RosterTestSupport
import Testing

/// Two `roster serve` processes on one PostgreSQL database, as a deployment behind a load balancer runs them.
@Suite("Two nodes on one PostgreSQL")
struct TwoNodeTests {
    struct Node {
        let base: String
        let process: SpawnedProcess
    }

    static let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))

    static func send(
        _ method: HTTPMethod, _ url: String, bearer: String? = nil, json: String? = nil, form: String? = nil, cookie: String? = nil
    ) async throws -> (status: Int, headers: HTTPHeaders, body: String) {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        if let cookie { request.headers.add(name: "Cookie", value: "roster_session=\(cookie)") }
        if let json {
            request.headers.add(name: "Content-Type", value: url.contains("/scim/") ? "application/scim+json" : "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        if let form {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: form))
        }
        let response = try await client.execute(request, timeout: .seconds(15))
        let body = try await response.body.collect(upTo: 4 << 20)
        return (Int(response.status.code), response.headers, String(buffer: body))
    }

    static func json(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    @Test("SCIM writes through both nodes; every event reaches the webhook exactly once; a session made on one node works on the other",
          .enabled(if: TestDatabaseKind.available.contains(.postgres)))
    func twoNodes() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("roster-two-nodes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let location = try await TestDatabase.makeLocation(.postgres)
        let environment = ["ROSTER_DATABASE_URL": location.url, "ROSTER_WEBHOOK_BACKOFF_SECONDS": "0.2", "ROSTER_WEBHOOK_ALLOW_PRIVATE": "1", "ROSTER_LOG_LEVEL": "warning"]
        _ = try RosterProcess.run(["migrate"], environment: environment, in: folder)
        let orgId = try #require(try RosterProcess.run(["org", "create", "--name", "Acme", "--plan", "guard", "--json"], environment: environment, in: folder).json["id"] as? String)
        let token = try #require(try RosterProcess.run(["admin", "create", "--org", orgId, "--email", "root@acme.com", "--json"], environment: environment, in: folder).json["token"] as? String)
        let created = try RosterProcess.run(["directory", "create", "--org", orgId, "--name", "Okta", "--idp", "okta", "--json"], environment: environment, in: folder)
        let directoryId = try #require(created.json["id"] as? String)
        let apiKey = try #require(created.json["apiKey"] as? String)

        var nodes: [Node] = []
        for _ in 0..<2 {
            let port = try RosterProcess.freePort()
            let process = try RosterProcess.start(["serve", "--port", "\(port)"], environment: environment, in: folder)
            nodes.append(Node(base: "http://127.0.0.1:\(port)", process: process))
        }
        defer { for node in nodes where node.process.isRunning { node.process.terminate() } }
        for node in nodes {
            var up = false
            for _ in 0..<300 where !up {
                up = (try? await Self.send(.GET, node.base + "/healthz").status) == 200
                if !up { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(up)
        }

        let receiver = try await WebhookReceiver.start()
        let hook = try await Self.send(.POST, nodes[0].base + "/api/v1/organizations/\(orgId)/webhooks", bearer: token, json: #"{"url":"\#(receiver.url)"}"#)
        #expect(hook.status == 201, "\(hook.body)")
        let cursor = try #require((Self.json(hook.body)["webhook"] as? [String: Any])?["cursor"] as? Int)

        // 60 users and 6 groups, written concurrently, alternating nodes.
        let userIds = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<60 {
                let node = nodes[index % 2]
                group.addTask {
                    let response = try await Self.send(
                        .POST, node.base + "/scim/directory/\(directoryId)/Users", bearer: apiKey,
                        json: #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"node\#(index)@acme.com"}"#)
                    return Self.json(response.body)["id"] as? String ?? ""
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(userIds.allSatisfy { !$0.isEmpty })
        for index in 0..<6 {
            let members = userIds[(index * 10)..<(index * 10 + 10)].map { #"{"value":"\#($0)"}"# }.joined(separator: ",")
            let response = try await Self.send(
                .POST, nodes[index % 2].base + "/scim/directory/\(directoryId)/Groups", bearer: apiKey,
                json: #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Team \#(index)","members":[\#(members)]}"#)
            #expect(response.status == 201)
        }

        // Every event after the webhook's cursor, as the events API lists them (through the other node).
        var expected: [String] = []
        var after = cursor
        while true {
            let page = Self.json(try await Self.send(.GET, nodes[1].base + "/api/v1/orgs/\(orgId)/events?after=\(after)&limit=1000", bearer: token).body)
            let items = page["items"] as? [[String: Any]] ?? []
            expected += items.compactMap { $0["id"] as? String }
            guard let next = page["next"] as? Int, !items.isEmpty else { break }
            after = next
        }
        #expect(expected.count >= 60 + 6 + 60)
        let all = Set(expected)
        #expect(await receiver.wait(timeout: 60) { Set($0.map(\.eventId)).isSuperset(of: all) })
        let deliveries = receiver.deliveries.filter { all.contains($0.eventId) }
        let counts = Dictionary(grouping: deliveries, by: \.eventId).mapValues(\.count)
        #expect(counts.values.allSatisfy { $0 == 1 }, "each event exactly once: \(counts.filter { $0.value > 1 }.count) duplicated")
        #expect(deliveries.map(\.sequence) == deliveries.map(\.sequence).sorted(), "in order")
        let delays = deliveries.map { $0.received.timeIntervalSince($0.created) }.sorted()
        if !delays.isEmpty {
            let p50 = delays[delays.count / 2], p99 = delays[min(delays.count - 1, Int(Double(delays.count) * 0.99))]
            let created = deliveries.map(\.created), received = deliveries.map(\.received)
            print("events committed over \(Int((created.max()!.timeIntervalSince(created.min()!)) * 1000)) ms, received over \(Int((received.max()!.timeIntervalSince(received.min()!)) * 1000)) ms")
            print("two-node webhook first-attempt delay over \(delays.count) events: p50 \(Int(p50 * 1000)) ms, p99 \(Int(p99 * 1000)) ms, max \(Int(delays.last! * 1000)) ms")
        }

        // A session made on one node is valid on the other.
        let directories = Self.json(try await Self.send(.GET, nodes[0].base + "/api/v1/organizations/\(orgId)/directories", bearer: token).body)
        let local = try #require((directories["items"] as? [[String: Any]])?.first { $0["kind"] as? String == "local" }?["id"] as? String)
        let person = Self.json(try await Self.send(
            .POST, nodes[0].base + "/api/v1/directories/\(local)/users", bearer: token,
            json: #"{"userName":"walker@example.org","emails":[{"value":"walker@example.org","primary":true}]}"#).body)
        let personId = try #require(person["id"] as? String)
        #expect(try await Self.send(.PUT, nodes[1].base + "/api/v1/users/\(personId)/password", bearer: token, json: #"{"password":"a long enough password"}"#).status == 204)
        let signIn = try await Self.send(.POST, nodes[0].base + "/login/password", form: "email=walker%40example.org&password=a+long+enough+password")
        #expect(signIn.status == 302)
        let cookie = try #require(signIn.headers["Set-Cookie"].first?.split(separator: ";").first.map { String($0.dropFirst("roster_session=".count)) })
        let session = try await Self.send(.GET, nodes[1].base + "/api/v1/session", cookie: cookie)
        #expect(session.status == 200 && session.body.contains(personId))
        #expect(try await Self.send(.POST, nodes[1].base + "/logout", cookie: cookie).status == 302)
        #expect(try await Self.send(.GET, nodes[0].base + "/api/v1/session", cookie: cookie).status == 401, "signed out on one node is signed out on both")

        // The password throttle is one limit for both nodes: ten wrong guesses spread over them lock the email on both,
        // even for the right password, until the window passes.
        for guess in 0..<10 {
            let wrong = try await Self.send(.POST, nodes[guess % 2].base + "/login/password", form: "email=walker%40example.org&password=wrong+guess+\(guess)")
            #expect(wrong.status == 401, "guess \(guess)")
        }
        for node in nodes {
            let locked = try await Self.send(.POST, node.base + "/login/password", form: "email=walker%40example.org&password=a+long+enough+password")
            #expect(locked.status == 429 && locked.headers["Set-Cookie"].isEmpty, "locked on \(node.base)")
        }

        await receiver.stop()
        for node in nodes { node.process.terminate() }
        for node in nodes {
            let deadline = Date().addingTimeInterval(15)
            while node.process.isRunning, Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        }
        try await location.dispose()
    }
}
