import Directory
import HTTPTypes
import Hummingbird
import Prometheus

/// `/healthz` (the process answers), `/readyz` (the database answers) and `/metrics` (Prometheus text).
struct OperationsController {
    /// How long `/readyz` waits for the database.
    static let readinessTimeout: Duration = .seconds(3)

    struct ReadinessTimeout: Error {}

    let service: DirectoryService
    let registry: PrometheusCollectorRegistry

    func addRoutes(to router: Router<RosterRequestContext>) {
        router.get("/healthz") { _, _ in
            JSONBody(["status": "ok"])
        }
        router.get("/readyz") { _, context in
            do {
                // A load balancer needs an answer quickly, not when the pool gives up.
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await service.store.ping() }
                    group.addTask {
                        try await Task.sleep(for: Self.readinessTimeout)
                        throw ReadinessTimeout()
                    }
                    defer { group.cancelAll() }
                    try await group.next()
                }
                return JSONBody(["status": "ready"])
            } catch {
                context.logger.warning("readiness check failed", metadata: ["error": "\(String(reflecting: error))"])
                return JSONBody(["status": "database unavailable"], status: .serviceUnavailable)
            }
        }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer()))
            )
        }
    }
}
