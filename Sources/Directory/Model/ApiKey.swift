import Foundation

/// A SCIM bearer credential of one directory. Only its hash is stored; the secret is shown once.
public struct ApiKey: Sendable, Hashable, Codable, Identifiable {
    public var id: String
    public var directoryId: String
    /// The public part of the token, used to find the key without scanning hashes.
    public var prefix: String
    /// SHA-256 of the whole token, hex.
    public var hash: String
    public var created: Date
    public var expires: Date?
    public var revoked: Date?
    public var lastUsed: Date?

    public init(
        id: String, directoryId: String, prefix: String, hash: String, created: Date, expires: Date?,
        revoked: Date? = nil, lastUsed: Date? = nil
    ) {
        self.id = id
        self.directoryId = directoryId
        self.prefix = prefix
        self.hash = hash
        self.created = created
        self.expires = expires
        self.revoked = revoked
        self.lastUsed = lastUsed
    }

    /// Whether the key may authenticate at `now`.
    public func isUsable(at now: Date) -> Bool {
        if let revoked, revoked <= now { return false }
        if let expires, expires <= now { return false }
        return true
    }
}
