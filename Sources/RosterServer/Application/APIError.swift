import Directory
import Foundation
import HTTPTypes
import Hummingbird

/// The JSON form of an `APIError`.
struct APIErrorBody: Encodable {
    struct Detail: Encodable {
        let code: String
        let message: String
        let requestId: String
    }
    let error: Detail
}

/// An error of the admin API: an HTTP status, a stable `code` and a message, sent as
/// `{"error": {"code": "...", "message": "..."}}`.
public struct APIError: HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, code: String, message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    static let unauthenticated = APIError(
        .unauthorized, code: "unauthenticated", message: "Send an admin API token as 'Authorization: Bearer <token>'.",
        headers: [.wwwAuthenticate: "Bearer realm=\"roster\""]
    )

    /// The HTTP form of a domain error. Every client mistake is a 4xx.
    init(_ error: DirectoryError) {
        let status: HTTPResponse.Status = switch error.code {
        case .notFound: .notFound
        case .invalidInput: .badRequest
        case .userNameTaken, .alreadyExists, .portalDirectoryExists: .conflict
        case .planRequired: .forbidden
        case .forbidden: .forbidden
        case .unauthenticated: .unauthorized
        case .unsupported: .unprocessableContent
        case .versionMismatch: .preconditionFailed
        case .throttled: .tooManyRequests
        default: .badRequest
        }
        self.init(status, code: error.code.rawValue, message: error.message,
                  headers: status == .unauthorized ? [.wwwAuthenticate: "Bearer realm=\"roster\""] : [:])
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = try APIJSON.encoder.encode(
            APIErrorBody(error: .init(code: code, message: message, requestId: context.id))
        )
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A readable account of a JSON decoding failure, naming the field.
    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            var text = ""
            for key in context.codingPath {
                if let index = key.intValue {
                    text += "[\(index)]"
                } else {
                    text += (text.isEmpty ? "" : ".") + key.stringValue
                }
            }
            return text.isEmpty ? "The body" : "'\(text)'"
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = context.codingPath.isEmpty ? "" : " in \(path(context))"
            return "The field '\(key.stringValue)' is required\(parent)."
        case .typeMismatch(let type, let context):
            return "\(path(context)) must be \(describe(type))."
        case .valueNotFound(let type, let context):
            return "\(path(context)) must be \(describe(type)), not null."
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "The body is not valid JSON." : "\(path(context)) has an invalid value: \(context.debugDescription)"
        @unknown default:
            return "The body could not be read."
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is Int.Type, is Double.Type: "a number"
        default:
            String(describing: type).hasPrefix("Dictionary") ? "a JSON object"
                : String(describing: type).hasPrefix("Array") ? "a JSON array" : "\(type)"
        }
    }
}
