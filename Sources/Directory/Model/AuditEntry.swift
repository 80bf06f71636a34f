import Foundation

/// Who did something: an admin, the CLI operator, a directory's SCIM key, a signed-in user, or Roster itself.
public enum Actor: Sendable, Hashable, Codable, CustomStringConvertible {
    case admin(id: String)
    case operatorCLI
    case apiKey(id: String)
    case user(id: String)
    case setupLink(id: String)
    case system

    public var description: String {
        switch self {
        case .admin(let id): "admin:\(id)"
        case .operatorCLI: "operator:cli"
        case .apiKey(let id): "api-key:\(id)"
        case .user(let id): "user:\(id)"
        case .setupLink(let id): "setup-link:\(id)"
        case .system: "system"
        }
    }
}

/// One change: who, what, on which target, with which outcome. Written in the transaction of the change.
public struct AuditEntry: Sendable, Hashable, Codable, Identifiable {
    public var id: String
    public var organizationId: String
    public var at: Date
    /// `Actor.description` form (`admin:…`, `api-key:…`).
    public var actor: String
    /// Dotted action name (`user.created`).
    public var action: String
    public var targetType: String
    public var targetId: String
    public var outcome: String
    /// Non-secret detail for the reader of the log.
    public var detail: String?

    public init(
        id: String, organizationId: String, at: Date, actor: String, action: String, targetType: String,
        targetId: String, outcome: String = "success", detail: String? = nil
    ) {
        self.id = id
        self.organizationId = organizationId
        self.at = at
        self.actor = actor
        self.action = action
        self.targetType = targetType
        self.targetId = targetId
        self.outcome = outcome
        self.detail = detail
    }
}
