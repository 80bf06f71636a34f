/// A SCIM protocol error (RFC 7644 §3.12): an HTTP status, an optional `scimType` and a human-readable detail.
public struct SCIMError: Error, Sendable, Hashable, Encodable, CustomStringConvertible {
    /// The `scimType` values of RFC 7644 Table 9.
    public enum ScimType: String, Sendable, Hashable, Encodable, CaseIterable {
        case invalidFilter
        case tooMany
        case uniqueness
        case mutability
        case invalidSyntax
        case invalidPath
        case noTarget
        case invalidValue
        case invalidVers
        case sensitive
    }

    public var status: Int
    public var scimType: ScimType?
    public var detail: String

    public init(status: Int, scimType: ScimType? = nil, detail: String) {
        self.status = status
        self.scimType = scimType
        self.detail = detail
    }

    public var description: String {
        "SCIM \(status)" + (scimType.map { " \($0.rawValue)" } ?? "") + ": \(detail)"
    }

    private enum CodingKeys: String, CodingKey {
        case schemas, status, scimType, detail
    }

    /// Encodes as the RFC 7644 §3.12 error body; `status` is a string there.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode([SCIMSchemaURN.error], forKey: .schemas)
        try container.encode(String(status), forKey: .status)
        try container.encodeIfPresent(scimType?.rawValue, forKey: .scimType)
        try container.encode(detail, forKey: .detail)
    }

    /// 400 with `invalidSyntax`.
    public static func invalidSyntax(_ detail: String) -> SCIMError {
        SCIMError(status: 400, scimType: .invalidSyntax, detail: detail)
    }

    /// 400 with `invalidFilter`, naming the position in the filter.
    public static func invalidFilter(_ detail: String, at position: Int) -> SCIMError {
        SCIMError(status: 400, scimType: .invalidFilter, detail: "\(detail) (at character \(position + 1))")
    }

    /// 409 with `uniqueness`.
    public static func uniqueness(_ detail: String) -> SCIMError {
        SCIMError(status: 409, scimType: .uniqueness, detail: detail)
    }

    /// 404 without a `scimType`.
    public static func notFound(_ detail: String) -> SCIMError {
        SCIMError(status: 404, detail: detail)
    }
}
