import Directory
import HTTPTypes
import Hummingbird
import Logging

/// Turns every error into a JSON response: domain errors into their 4xx, framework errors keep their status,
/// and anything unexpected becomes a 500 whose detail stays in the log.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = RosterRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return try error.response(from: request, context: context)
        } catch let error as DirectoryError {
            return try APIError(error).response(from: request, context: context)
        } catch let error as HTTPError {
            let code = switch error.status {
            case .notFound: "not_found"
            case .contentTooLarge: "too_large"
            case .methodNotAllowed: "method_not_allowed"
            default: "http_\(error.status.code)"
            }
            return try APIError(error.status, code: code, message: error.body ?? error.status.reasonPhrase, headers: error.headers)
                .response(from: request, context: context)
        } catch let error as any HTTPResponseError where error.status.code < 500 {
            return try APIError(error.status, code: "http_\(error.status.code)", message: error.status.reasonPhrase)
                .response(from: request, context: context)
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
            return try APIError(.internalServerError, code: "internal", message: "Roster could not complete the request; see the server log.")
                .response(from: request, context: context)
        }
    }
}

/// Echoes the request id (`hb.request.id` in every log line of the request) in `X-Request-Id`.
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = RosterRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.requestID] = context.id
        return response
    }
}

extension HTTPField.Name {
    static let requestID = HTTPField.Name("X-Request-Id")!
}
