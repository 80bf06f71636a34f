import AsyncHTTPClient
import Directory
import Foundation
import Logging
import Metrics
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// Delivers each organization's events to its webhook endpoints, in order, at least once (exactly once while
/// receivers answer in time): events are published in commit order, an endpoint is leased to one node at a time,
/// and its cursor moves only after a 2xx (or after the last retry, into the dead letters).
///
/// Every delivery is a POST of the event as JSON with `Roster-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
/// "<t>.<body>" with the endpoint's secret>`, `Roster-Event-Id`, `Roster-Event-Type` and `Roster-Delivery-Attempt`.
struct WebhookDispatcher: Service {
    let service: DirectoryService
    let backoff: Double
    let maxAttempts: Int
    /// Post to loopback and private addresses too (tests); otherwise each delivery checks what the host resolves to.
    let allowPrivate: Bool
    let pollInterval: Double
    let logger: Logger
    /// Longest a receiver may take to answer.
    static let timeout: TimeAmount = .seconds(10)
    /// How long a claim on an endpoint lasts; renewed with every finished event.
    static let lease: TimeInterval = 60
    static let latency = Timer(label: "roster_webhook_first_attempt_delay_seconds")

    /// Like the API's JSON, with milliseconds in `created` (consumers measure how fresh an event is).
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            var container = encoder.singleValueContainer()
            try container.encode(formatter.string(from: date))
        }
        return encoder
    }()

    struct Envelope: Encodable {
        let id: String
        let type: String
        let organizationId: String
        let subjectType: String
        let subjectId: String
        let payload: [String: JSONValue]
        let created: Date
        let sequence: Int64
    }

    func run() async throws {
        let owner = UUID().uuidString
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            var claimed: [WebhookEndpoint] = []
            do {
                try await service.publishEvents()
                claimed = try await service.claimWebhooks(owner: owner, lease: Self.lease, limit: 16)
            } catch {
                logger.warning("webhook dispatch could not read its work", metadata: ["error": "\(error)"])
            }
            await withTaskGroup(of: Void.self) { group in
                for endpoint in claimed {
                    group.addTask { await deliver(endpoint, owner: owner) }
                }
            }
            if claimed.isEmpty {
                do {
                    try await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(Int(pollInterval * 1000))) }
                } catch {
                    break
                }
            }
        }
    }

    /// Delivers an endpoint's pending events in order until it is caught up, a delivery fails (retry later), or the
    /// lease is lost. Finished events are recorded a batch at a time (one transaction per batch): a node that dies
    /// mid-batch leaves those events to be delivered again, never skipped.
    private func deliver(_ claimed: WebhookEndpoint, owner: String) async {
        var connection = PinnedConnection(host: URL(string: claimed.url)?.host ?? "", allowPrivate: allowPrivate)
        await deliverEvents(claimed, owner: owner, connection: &connection)
        await connection.close()
    }

    private func deliverEvents(_ claimed: WebhookEndpoint, owner: String, connection: inout PinnedConnection) async {
        var endpoint = claimed
        do {
            for _ in 0..<20 {
                let events = try await service.pendingEvents(for: endpoint, limit: 50)
                guard !events.isEmpty else { break }
                var finished: [WebhookDelivery] = []
                var renewed = Date()
                // Recording renews the lease; it happens at least every 10 s of deliveries (a POST may take 15 s more),
                // well inside the 60 s lease, so no other node takes the endpoint over while this one is sending.
                func record() async throws -> Bool {
                    guard !finished.isEmpty else { return true }
                    defer { finished.removeAll() }
                    renewed = Date()
                    guard try await service.finishWebhookEvents(finished, owner: owner, lease: Self.lease) else {
                        logger.notice("webhook lease lost; another node continues", metadata: ["webhook": "\(endpoint.id)"])
                        return false
                    }
                    return true
                }
                for event in events {
                    guard !Task.isShuttingDownGracefully, let published = event.sequence else {
                        _ = try await record()
                        try await service.releaseWebhook(endpointId: endpoint.id, owner: owner)
                        return
                    }
                    if finished.count >= 20 || Date().timeIntervalSince(renewed) > 10 {
                        guard try await record() else { return }
                    }
                    let attempt = endpoint.attempts + 1
                    if attempt == 1 {
                        Self.latency.recordNanoseconds(Int64(max(0, service.environment.now().timeIntervalSince(event.created)) * 1e9))
                    }
                    let outcome = await post(event, published: published, attempt: attempt, to: endpoint, connection: &connection)
                    let status: WebhookDelivery.Status
                    switch outcome {
                    case .delivered: status = .delivered
                    case .failed where attempt >= maxAttempts: status = .dead
                    case .failed:
                        guard try await record() else { return }
                        let delay = min(backoff * pow(2, Double(attempt - 1)), 3600)
                        try await service.deferWebhook(
                            endpointId: endpoint.id, owner: owner, attempts: attempt,
                            retryAt: service.environment.now().addingTimeInterval(delay), error: outcome.detail
                        )
                        logger.info("webhook delivery failed; will retry", metadata: [
                            "webhook": "\(endpoint.id)", "event": "\(event.id)", "attempt": "\(attempt)", "error": "\(outcome.detail)",
                        ])
                        return
                    }
                    if status == .dead {
                        logger.warning("webhook delivery dead-lettered", metadata: ["webhook": "\(endpoint.id)", "event": "\(event.id)"])
                    }
                    finished.append(WebhookDelivery(
                        id: service.environment.newID(), endpointId: endpoint.id, eventId: event.id, published: published,
                        status: status, attempts: attempt, lastStatus: outcome.status,
                        lastError: status == .dead ? outcome.detail : nil, completed: service.environment.now()
                    ))
                    endpoint.cursor = published
                    endpoint.attempts = 0
                }
                guard try await record() else { return }
            }
            try await service.releaseWebhook(endpointId: endpoint.id, owner: owner)
        } catch {
            logger.warning("webhook dispatch failed", metadata: ["webhook": "\(endpoint.id)", "error": "\(error)"])
            try? await service.releaseWebhook(endpointId: endpoint.id, owner: owner)
        }
    }

    enum Outcome {
        case delivered(Int)
        case failed(Int?, String)

        var status: Int? {
            switch self {
            case .delivered(let status): status
            case .failed(let status, _): status
            }
        }

        var detail: String {
            switch self {
            case .delivered(let status): "HTTP \(status)"
            case .failed(_, let detail): detail
            }
        }
    }

    private func post(
        _ event: Event, published: Int64, attempt: Int, to endpoint: WebhookEndpoint, connection: inout PinnedConnection
    ) async -> Outcome {
        switch await connection.client() {
        case .success(let client): await send(event, published: published, attempt: attempt, to: endpoint, client: client)
        case .failure(let refusal): .failed(nil, "refused: the host is \(refusal.reason)")
        }
    }

    private func send(_ event: Event, published: Int64, attempt: Int, to endpoint: WebhookEndpoint, client: HTTPClient) async -> Outcome {
        do {
            let body = try Array(Self.encoder.encode(Envelope(
                id: event.id, type: event.type, organizationId: event.organizationId, subjectType: event.subjectType,
                subjectId: event.subjectId, payload: event.payload, created: event.created, sequence: published
            )))
            let timestamp = Int(service.environment.now().timeIntervalSince1970)
            var request = HTTPClientRequest(url: endpoint.url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "User-Agent", value: "Roster-Webhooks/1")
            request.headers.add(name: "Roster-Event-Id", value: event.id)
            request.headers.add(name: "Roster-Event-Type", value: event.type)
            request.headers.add(name: "Roster-Delivery-Attempt", value: String(attempt))
            request.headers.add(name: "Roster-Signature", value: DirectoryService.webhookSignature(secret: endpoint.secret, timestamp: timestamp, body: body))
            request.body = .bytes(ByteBuffer(bytes: body))
            let response = try await client.execute(request, timeout: Self.timeout)
            _ = try? await response.body.collect(upTo: 64 * 1024)
            let status = Int(response.status.code)
            return (200..<300).contains(status) ? .delivered(status) : .failed(status, "HTTP \(status)")
        } catch let error as HTTPClientError where error == .readTimeout || error == .deadlineExceeded {
            return .failed(nil, "no answer within \(Self.timeout.nanoseconds / 1_000_000_000) s")
        } catch {
            // Connection details stay in the server log; the admin sees that the receiver could not be reached.
            logger.debug("webhook connection failed", metadata: ["webhook": "\(endpoint.id)", "error": "\(error)"])
            return .failed(nil, "the receiver could not be reached")
        }
    }
}

/// One delivery run's connection to an endpoint: the name is resolved once, checked, and every request of the run
/// connects to that very address (TLS still verifies the name), so a name that answers a public address to the check
/// and a private one to the connect (DNS rebinding) gets nowhere.
struct PinnedConnection {
    let host: String
    let allowPrivate: Bool
    private var state: Result<HTTPClient, WebhookTarget.Refusal>?

    init(host: String, allowPrivate: Bool) {
        self.host = host
        self.allowPrivate = allowPrivate
    }

    mutating func client() async -> Result<HTTPClient, WebhookTarget.Refusal> {
        if let state { return state }
        let host = self.host, allowPrivate = self.allowPrivate
        let pinned = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: WebhookTarget.pinnedAddress(host: host, allowPrivate: allowPrivate)) }
        }
        let made = pinned.map { address in
            var configuration = HTTPClient.Configuration(
                redirectConfiguration: .disallow, timeout: .init(connect: .seconds(5), read: WebhookDispatcher.timeout)
            )
            configuration.dnsOverride = [host: address]
            return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        }
        state = made
        return made
    }

    func close() async {
        if case .success(let client) = state { try? await client.shutdown() }
    }
}
