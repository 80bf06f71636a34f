import Directory
import HTTPTypes
import Hummingbird
import Prometheus

/// `/healthz` (the process answers), `/readyz` (the database answers) and `/metrics` (Prometheus text).
struct OperationsController {
    let service: DirectoryService
    let registry: PrometheusCollectorRegistry

    func addRoutes(to router: Router<RosterRequestContext>) {
        router.get("/healthz") { _, _ in
            JSONBody(["status": "ok"])
        }
        router.get("/readyz") { _, context in
            do {
                try await service.store.ping()
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
