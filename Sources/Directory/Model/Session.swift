import Foundation

/// A signed-in user's session. The cookie holds the token; the store holds only its hash.
public struct Session: Sendable, Hashable, Codable, Identifiable {
    public var id: String
    public var userId: String
    public var tokenHash: String
    public var created: Date
    public var expires: Date
    public var revoked: Date?

    public init(id: String, userId: String, tokenHash: String, created: Date, expires: Date, revoked: Date? = nil) {
        self.id = id
        self.userId = userId
        self.tokenHash = tokenHash
        self.created = created
        self.expires = expires
        self.revoked = revoked
    }

    /// Whether the session is still valid at `now`.
    public func isValid(at now: Date) -> Bool {
        revoked == nil && now < expires
    }
}
