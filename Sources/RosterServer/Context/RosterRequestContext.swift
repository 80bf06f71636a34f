import Directory
import Foundation
import HTTPTypes
import Hummingbird

/// The request context of every Roster route: the core context plus the authenticated admin, if any.
public struct RosterRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `AdminAuthenticationMiddleware` on `/api/v1`.
    public var admin: AdminAccount?
    /// The admin token the request came with.
    public var adminToken: AdminToken?
    /// Set by `SCIMMiddleware` on `/scim/directory/{directoryId}`.
    public var apiKey: ApiKey?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }

    /// Request bodies of the admin API are small; SCIM Bulk advertises its own limit.
    public var maxUploadSize: Int { 1 << 20 }

    public var requestDecoder: APIRequestDecoder { APIRequestDecoder() }

    public var responseEncoder: JSONEncoder { APIJSON.encoder }

    /// The caller for the domain: the authenticated admin.
    func caller() throws -> Caller {
        guard let admin else { throw APIError.unauthenticated }
        return .admin(admin)
    }
}

/// JSON as the admin API speaks it: ISO 8601 dates, sorted keys.
enum APIJSON {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}

/// Decodes JSON request bodies and turns every decoding failure into a 400 that says what was wrong.
public struct APIRequestDecoder: RequestDecoder {
    public func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws -> T {
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        guard buffer.readableBytes > 0 else {
            throw APIError(.badRequest, code: "invalid_body", message: "The request needs a JSON body.")
        }
        return try Self.decode(T.self, from: buffer)
    }

    /// Decodes a collected body, turning every decoding failure into a 400 that names the field.
    static func decode<T: Decodable>(_ type: T.Type, from buffer: ByteBuffer) throws -> T {
        do {
            return try APIJSON.decoder.decode(T.self, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            throw APIError(.badRequest, code: "invalid_body", message: APIError.describe(error))
        } catch {
            throw APIError(.badRequest, code: "invalid_body", message: "The body is not valid JSON.")
        }
    }
}
