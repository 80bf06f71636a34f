import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// A real HTTP receiver for webhooks on a loopback port: it records every delivery and answers with the status
/// the test's script chooses (by event id and attempt).
public final class WebhookReceiver: Sendable {
    public struct Delivery: Sendable {
        public let eventId: String
        public let type: String
        public let attempt: Int
        public let signature: String
        public let body: [UInt8]
        public let received: Date
        public let answered: Int
        /// From the body: the event's position and when it was committed.
        public let sequence: Int64
        public let created: Date
    }

    public typealias Script = @Sendable (_ eventId: String, _ attempt: Int) -> Int

    private let state: LockedValue<[Delivery]>
    private let task: Task<Void, any Error>
    private let group: ServiceGroup
    public let url: String

    public var deliveries: [Delivery] { state.value }

    private init(url: String, state: LockedValue<[Delivery]>, task: Task<Void, any Error>, group: ServiceGroup) {
        self.group = group
        self.url = url
        self.state = state
        self.task = task
    }

    /// Starts a receiver; stop it with `stop()`.
    public static func start(script: @escaping Script = { _, _ in 200 }) async throws -> WebhookReceiver {
        let recorded = LockedValue<[Delivery]>([])
        let router = Router()
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            guard let date = formatter.date(from: text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a date: \(text)"))
            }
            return date
        }
        struct Body: Decodable { let sequence: Int64; let created: Date }
        router.post("hook") { request, _ -> Response in
            let bytes = Array(buffer: try await request.body.collect(upTo: 1 << 20))
            let eventId = request.headers[HTTPField.Name("Roster-Event-Id")!] ?? ""
            let attempt = Int(request.headers[HTTPField.Name("Roster-Delivery-Attempt")!] ?? "") ?? 0
            let status = script(eventId, attempt)
            let body = try? decoder.decode(Body.self, from: Data(bytes))
            recorded.mutate {
                $0.append(Delivery(
                    eventId: eventId, type: request.headers[HTTPField.Name("Roster-Event-Type")!] ?? "", attempt: attempt,
                    signature: request.headers[HTTPField.Name("Roster-Signature")!] ?? "", body: bytes, received: Date(),
                    answered: status, sequence: body?.sequence ?? -1, created: body?.created ?? .distantPast
                ))
            }
            return Response(status: .init(code: status))
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "webhook-receiver")
        logger.logLevel = .error
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: logger
        )
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task { try await group.run() }
        var port = 0
        for await value in ports { port = value; break }
        return WebhookReceiver(url: "http://127.0.0.1:\(port)/hook", state: recorded, task: task, group: group)
    }

    /// Stops gracefully: open connections finish before the server goes.
    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }

    /// Waits until `condition` holds for the deliveries (at most `timeout` seconds); returns whether it did.
    public func wait(timeout: TimeInterval = 20, until condition: @Sendable ([Delivery]) -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition(deliveries) { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return condition(deliveries)
    }

    /// Whether `signature` (`t=...,v1=...`) is the HMAC-SHA256 of `t.body` with `secret`.
    public static func verify(signature: String, body: [UInt8], secret: String) -> Bool {
        var timestamp: String?
        var mac: String?
        for part in signature.split(separator: ",") {
            if part.hasPrefix("t=") { timestamp = String(part.dropFirst(2)) }
            if part.hasPrefix("v1=") { mac = String(part.dropFirst(3)) }
        }
        guard let timestamp, let mac else { return false }
        let expected = HMAC<SHA256>.authenticationCode(for: Array("\(timestamp).".utf8) + body, using: SymmetricKey(data: Array(secret.utf8)))
        return expected.map { String(format: "%02x", $0) }.joined() == mac
    }
}

/// A value behind a lock, shareable between the receiver's handler and the test.
final class LockedValue<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value

    init(_ value: Value) { stored = value }

    var value: Value {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }

    func mutate(_ body: (inout Value) -> Void) {
        lock.lock()
        defer { lock.unlock() }
        body(&stored)
    }
}
