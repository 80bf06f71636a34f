import Directory
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import SCIM

/// Guards `/scim/directory/{directoryId}`: authenticates that directory's API key, turns every error into an RFC
/// 7644 §3.12 error, and appends each request to the directory's troubleshooting log.
struct SCIMMiddleware: RouterMiddleware {
    typealias Context = RosterRequestContext
    let service: DirectoryService
    let log: ProvisioningLogWriter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let directoryId = context.parameters.get("directoryId") ?? ""
        var key: ApiKey?
        var failure: SCIMError?
        var response: Response
        do {
            guard let bearer = request.headers.bearerToken else { throw DirectoryError(.unauthenticated, "Send the directory's API key as a bearer token.") }
            let authenticated = try await service.authenticateApiKey(directoryId: directoryId, bearer: bearer)
            key = authenticated
            var context = context
            context.apiKey = authenticated
            context.logger[metadataKey: "scim.directory"] = .string(directoryId)
            response = try await next(request, context)
        } catch {
            let scimError = SCIMErrors.map(error, logger: context.logger)
            failure = scimError
            response = SCIMErrors.response(scimError)
        }
        response.headers[.requestID] = context.id

        // The log never holds the token (only the key's id) nor a body.
        let elapsed = ContinuousClock.now - started
        let (resourceType, resourceId) = Self.resource(of: request, response: response)
        let entry = ProvisioningLogEntry(
            directoryId: directoryId, at: service.environment.now(), method: request.method.rawValue,
            path: request.uri.description, status: Int(response.status.code), scimType: failure?.scimType?.rawValue,
            detail: failure?.detail, durationMilliseconds: Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000),
            resourceType: resourceType, resourceId: resourceId, apiKeyId: key?.id
        )
        if key != nil || failure?.status == 401 {
            await log.record(entry)
        }
        context.logger.info("scim request", metadata: [
            "scim.method": "\(request.method)", "scim.status": "\(response.status.code)",
            "scim.type": "\(failure?.scimType?.rawValue ?? "-")",
        ])
        return response
    }

    /// `Users/{id}` or `Groups/{id}` from the path, else the `Location` of a created resource.
    static func resource(of request: Request, response: Response) -> (String?, String?) {
        let parts = request.uri.path.split(separator: "/")
        if let index = parts.firstIndex(where: { $0 == "Users" || $0 == "Groups" }) {
            let type = parts[index] == "Users" ? "User" : "Group"
            if index + 1 < parts.count { return (type, String(parts[index + 1])) }
            if let location = response.headers[.location], let id = location.split(separator: "/").last {
                return (type, String(id))
            }
            return (type, nil)
        }
        return (nil, nil)
    }
}

/// Maps errors to SCIM errors and responses.
enum SCIMErrors {
    static func map(_ error: any Error, logger: Logger) -> SCIMError {
        switch error {
        case let error as SCIMError:
            return error
        case let error as DirectoryError:
            switch error.code {
            case .unauthenticated: return SCIMError(status: 401, detail: error.message)
            case .notFound: return SCIMError(status: 404, detail: error.message)
            case .userNameTaken, .alreadyExists, .portalDirectoryExists: return SCIMError(status: 409, scimType: .uniqueness, detail: error.message)
            case .versionMismatch: return SCIMError(status: 412, detail: error.message)
            case .forbidden, .planRequired: return SCIMError(status: 403, detail: error.message)
            default: return SCIMError(status: 400, scimType: .invalidValue, detail: error.message)
            }
        case let error as any HTTPResponseError where error.status == .contentTooLarge:
            return SCIMError(status: 413, detail: "The request body is larger than \(SCIMController.maximumPayloadSize) bytes.")
        case let error as HTTPError:
            return SCIMError(status: Int(error.status.code), detail: error.body ?? error.status.reasonPhrase)
        default:
            logger.error("scim request failed", metadata: ["error": "\(String(reflecting: error))"])
            return SCIMError(status: 500, detail: "Roster could not complete the request; see the server log.")
        }
    }

    static func response(_ error: SCIMError) -> Response {
        var headers: HTTPFields = [.contentType: SCIMSchemaURN.mediaType]
        if error.status == 401 { headers[.wwwAuthenticate] = "Bearer realm=\"roster-scim\"" }
        let body = (try? SCIMJSON.encode(error)) ?? Array("{}".utf8)
        return Response(status: .init(code: error.status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
