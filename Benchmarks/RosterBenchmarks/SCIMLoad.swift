import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// `roster-bench scim-load`: SCIM traffic against a running server (Roster, or a reference server through the
/// same requests), with latency percentiles. Loopback only.
struct SCIMLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "scim-load", abstract: "Drive SCIM requests at a running server.")

    @Option(name: .long, help: "SCIM base URL (…/scim/directory/ID, or a reference server's root).") var url: String
    @Option(name: .long, help: "Bearer token.") var token: String
    @Option(name: .long, help: "Label for the figures.") var label = "roster"
    @Option(name: .long, help: "Users to create with POST /Users.") var creates = 5_000
    @Option(name: .long, help: "Concurrent clients for the creates.") var concurrency = 16
    @Option(name: .long, help: "Prefix of the created userNames (unique per run).") var prefix = "load"
    @Option(name: .long, help: "userName filter lookups of seeded users (0: skip).") var filterSamples = 0
    @Option(name: .long, help: "How many users were seeded (seed0 … seedN-1).") var seeded = 0
    @Option(name: .long, help: "A large seeded group's id (0 members changes: skip).") var largeGroup: String?
    @Option(name: .long, help: "A small seeded group's id.") var smallGroup: String?
    @Option(name: .long, help: "Members per PATCH.") var patchMembers = 256
    @Option(name: .long, help: "PATCH rounds per group.") var patchRounds = 5
    @Option(name: .long, help: "Server process id, to report its resident memory.") var serverPid: Int?

    func run() async throws {
        guard url.hasPrefix("http://127.0.0.1") || url.hasPrefix("http://localhost") || url.hasPrefix("http://[::1]") else {
            throw ValidationError("scim-load only targets loopback.")
        }
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(
            connectionPool: .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: max(concurrency, 4))
        ))
        do {
            try await measure(client)
            try await client.shutdown()
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    private func measure(_ client: HTTPClient) async throws {
        var figures: [String: Double] = [:]
        // 1. Creates, `concurrency` clients at once.
        let perClient = creates / concurrency
        let started = ContinuousClock.now
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    var times: [Double] = []
                    for index in 0..<perClient {
                        let body = #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"\#(prefix)-\#(worker)-\#(index)@load.example","name":{"givenName":"Load","familyName":"User"},"emails":[{"value":"\#(prefix)-\#(worker)-\#(index)@load.example","type":"work","primary":true}],"active":true}"#
                        let (status, elapsed, _) = try await send(client, .POST, "/Users", body: body)
                        guard status == 201 else { throw ValidationError("POST /Users answered \(status)") }
                        times.append(elapsed)
                    }
                    return times
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        let wall = seconds(ContinuousClock.now - started)
        figures["create_rps"] = Double(latencies.count) / wall
        figures["create_p50_ms"] = percentile(latencies, 0.50)
        figures["create_p99_ms"] = percentile(latencies, 0.99)

        // 2. userName filters over the seeded directory.
        if filterSamples > 0, seeded > 0 {
            var times: [Double] = []
            var generator = SystemRandomNumberGenerator()
            for _ in 0..<filterSamples {
                let index = Int.random(in: 0..<seeded, using: &generator)
                let (status, elapsed, body) = try await send(client, .GET, "/Users?filter=" + encode(#"userName eq "seed\#(index)@bench.example""#))
                guard status == 200, body.contains(#""totalResults":1"#) else { throw ValidationError("filter for seed\(index) answered \(status)") }
                times.append(elapsed)
            }
            figures["filter_p50_ms"] = percentile(times, 0.50)
            figures["filter_p99_ms"] = percentile(times, 0.99)
        }

        // 3. 256 members added to a small and a large group (and removed again, untimed).
        var cursor = seeded / 2
        for (name, groupId) in [("small", smallGroup), ("large", largeGroup)] {
            guard let groupId else { continue }
            var times: [Double] = []
            for _ in 0..<patchRounds {
                var ids: [String] = []
                while ids.count < patchMembers {
                    let (_, _, body) = try await send(client, .GET, "/Users?attributes=id&filter=" + encode(#"userName eq "seed\#(cursor)@bench.example""#))
                    cursor += 1
                    if let id = firstId(body) { ids.append(id) }
                }
                let members = ids.map { #"{"value":"\#($0)"}"# }.joined(separator: ",")
                let add = #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[\#(members)]}]}"#
                let (status, elapsed, _) = try await send(client, .PATCH, "/Groups/\(groupId)?excludedAttributes=members", body: add)
                guard status == 200 || status == 204 else { throw ValidationError("PATCH add members answered \(status)") }
                times.append(elapsed)
                let remove = #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members[\#(ids.map { "value eq \\\"\($0)\\\"" }.joined(separator: " or "))]"}]}"#
                _ = try await send(client, .PATCH, "/Groups/\(groupId)?excludedAttributes=members", body: remove)
            }
            figures["patch256_\(name)_median_ms"] = percentile(times, 0.5)
            figures["patch256_\(name)_max_ms"] = times.max() ?? 0
        }

        if let serverPid, let status = try? String(contentsOfFile: "/proc/\(serverPid)/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
           let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "") {
            figures["server_rss_mb"] = kilobytes / 1024
        }
        let ordered = figures.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\(String(format: "%.3f", $0.value))" }.joined(separator: ",")
        print(#"{"label":"\#(label)",\#(ordered)}"#)
    }

    private func send(_ client: HTTPClient, _ method: HTTPMethod, _ path: String, body: String? = nil) async throws -> (Int, Double, String) {
        var request = HTTPClientRequest(url: url + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Accept", value: "application/scim+json")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/scim+json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let started = ContinuousClock.now
        let response = try await client.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        let elapsed = seconds(ContinuousClock.now - started) * 1000
        return (Int(response.status.code), elapsed, String(buffer: bytes))
    }

    private func firstId(_ body: String) -> String? {
        guard let data = body.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let resources = object["Resources"] as? [[String: Any]] else { return nil }
        return resources.first?["id"] as? String
    }

    private func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }

    private func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
    }

    private func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
