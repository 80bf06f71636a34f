import Foundation

/// A signed-in user's session. The cookie holds the token; the store holds only its hash.
public struct Session: Sendable, Hashable, Codable, Identifiable {
    public var id: String
    public var userId: String
    public var tokenHash: String
    public var created: Date
    public var expires: Date
    public var revoked: Date?
    /// The last request seen with this session (written at most once a minute).
    public var lastSeen: Date?
    /// The idle timeout of the directory's policy when the session began.
    public var idleTimeout: TimeInterval?
    /// The directory the person signed in through, and what its IdP called them (for single logout).
    public var directoryId: String?
    public var nameID: String?
    public var sessionIndex: String?

    public init(
        id: String, userId: String, tokenHash: String, created: Date, expires: Date, revoked: Date? = nil,
        lastSeen: Date? = nil, idleTimeout: TimeInterval? = nil, directoryId: String? = nil, nameID: String? = nil,
        sessionIndex: String? = nil
    ) {
        self.lastSeen = lastSeen
        self.idleTimeout = idleTimeout
        self.directoryId = directoryId
        self.nameID = nameID
        self.sessionIndex = sessionIndex
        self.id = id
        self.userId = userId
        self.tokenHash = tokenHash
        self.created = created
        self.expires = expires
        self.revoked = revoked
    }

    /// Whether the session is still valid at `now`.
    public func isValid(at now: Date) -> Bool {
        guard revoked == nil, now < expires else { return false }
        if let idleTimeout, now.timeIntervalSince(lastSeen ?? created) >= idleTimeout { return false }
        return true
    }
}
