import Foundation

/// A change other systems may react to, written in the same transaction as the change (outbox).
public struct Event: Sendable, Hashable, Codable, Identifiable {
    public var id: String
    public var organizationId: String
    /// Dotted event type (`user.created`, `access.granted`).
    public var type: String
    public var subjectType: String
    public var subjectId: String
    /// The event body as JSON, without secrets.
    public var payload: [String: JSONValue]
    public var created: Date
    /// Outbox order, assigned by the store.
    public var sequence: Int64?

    public init(
        id: String, organizationId: String, type: String, subjectType: String, subjectId: String,
        payload: [String: JSONValue], created: Date, sequence: Int64? = nil
    ) {
        self.id = id
        self.organizationId = organizationId
        self.type = type
        self.subjectType = subjectType
        self.subjectId = subjectId
        self.payload = payload
        self.created = created
        self.sequence = sequence
    }
}
