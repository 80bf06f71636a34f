import Foundation

/// A product site of an organization (`acme`), hosting product instances.
public struct Site: Sendable, Hashable, Codable, Identifiable {
    public var id: String
    public var organizationId: String
    /// Globally unique, lower-case DNS label (`acme`).
    public var name: String
    public var created: Date

    public init(id: String, organizationId: String, name: String, created: Date) {
        self.id = id
        self.organizationId = organizationId
        self.name = name
        self.created = created
    }
}
