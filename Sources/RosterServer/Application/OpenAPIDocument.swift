import Foundation
import Hummingbird

/// The OpenAPI 3.1 description of `/api/v1`, served at `/api/v1/openapi.json` without authentication.
enum OpenAPIDocument {
    /// The document's bytes, read once from the module's resources.
    static let data: Data? = Bundle.module.url(forResource: "openapi", withExtension: "json").flatMap { try? Data(contentsOf: $0) }

    static func addRoute(to router: Router<RosterRequestContext>) {
        router.get("api/v1/openapi.json") { _, _ in
            guard let data else {
                throw APIError(.serviceUnavailable, code: "unavailable", message: "The OpenAPI document is missing from this build.")
            }
            return Response(
                status: .ok, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "public, max-age=300"],
                body: .init(byteBuffer: ByteBuffer(bytes: data))
            )
        }
    }
}
