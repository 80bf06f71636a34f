import Directory
import HTTPTypes
import Hummingbird

/// Authenticates `/api/v1` with an admin API bearer token. The token is never logged.
struct AdminAuthenticationMiddleware: RouterMiddleware {
    typealias Context = RosterRequestContext
    let service: DirectoryService

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let bearer = request.headers.bearerToken else { throw APIError.unauthenticated }
        do {
            let (admin, token) = try await service.authenticateAdminToken(bearer: bearer)
            var context = context
            context.admin = admin
            context.adminToken = token
            context.logger[metadataKey: "roster.admin"] = .string(admin.id)
            return try await next(request, context)
        } catch let error as DirectoryError where error.code == .unauthenticated {
            throw APIError.unauthenticated
        }
    }
}

extension HTTPFields {
    /// The token of an `Authorization: Bearer` header, if there is exactly one such header.
    var bearerToken: String? {
        let values = self[values: .authorization]
        guard values.count == 1, let value = values.first else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }
}
