import Foundation

/// A grant of a role on a product instance to a group or a user.
public struct AccessGrant: Sendable, Hashable, Codable, Identifiable {
    /// Who receives the grant; encoded as `{"kind": "user" | "group", "id": "..."}`.
    public enum Principal: Sendable, Hashable, Codable {
        case user(String)
        case group(String)

        public var kind: String {
            switch self {
            case .user: "user"
            case .group: "group"
            }
        }

        public var id: String {
            switch self {
            case .user(let id), .group(let id): id
            }
        }

        public init?(kind: String, id: String) {
            switch kind {
            case "user": self = .user(id)
            case "group": self = .group(id)
            default: return nil
            }
        }

        private enum CodingKeys: String, CodingKey {
            case kind, id
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let kind = try container.decode(String.self, forKey: .kind)
            guard let principal = Principal(kind: kind, id: try container.decode(String.self, forKey: .id)) else {
                throw DecodingError.dataCorruptedError(forKey: .kind, in: container, debugDescription: "kind must be user or group")
            }
            self = principal
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(kind, forKey: .kind)
            try container.encode(id, forKey: .id)
        }
    }

    public var id: String
    public var organizationId: String
    public var principal: Principal
    public var siteId: String
    public var productId: String
    public var role: ProductRole
    public var created: Date

    public init(
        id: String, organizationId: String, principal: Principal, siteId: String, productId: String,
        role: ProductRole, created: Date
    ) {
        self.id = id
        self.organizationId = organizationId
        self.principal = principal
        self.siteId = siteId
        self.productId = productId
        self.role = role
        self.created = created
    }
}

/// A user's derived access to one product instance: the highest role any grant gives.
public struct EffectiveAccess: Sendable, Hashable, Codable {
    public var userId: String
    public var siteId: String
    public var productId: String
    public var role: ProductRole

    public init(userId: String, siteId: String, productId: String, role: ProductRole) {
        self.userId = userId
        self.siteId = siteId
        self.productId = productId
        self.role = role
    }
}
