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
    /// Made through a setup link: it authenticates nothing until an org admin confirms it.
    public var pendingConfirmation: Bool

    public init(
        id: String, directoryId: String, prefix: String, hash: String, created: Date, expires: Date?,
        revoked: Date? = nil, lastUsed: Date? = nil, pendingConfirmation: Bool = false
    ) {
        self.pendingConfirmation = pendingConfirmation
        self.id = id
        self.directoryId = directoryId
        self.prefix = prefix
        self.hash = hash
        self.created = created
        self.expires = expires
        self.revoked = revoked
        self.lastUsed = lastUsed
    }

}

/// A bearer credential that expires and can be revoked: a SCIM API key, an admin token or a product token.
public protocol RevocableCredential {
    var expires: Date? { get }
    var revoked: Date? { get }
    var lastUsed: Date? { get }
}

extension RevocableCredential {
    /// Whether the credential may authenticate at `now`.
    public func isUsable(at now: Date) -> Bool {
        if let revoked, revoked <= now { return false }
        if let expires, expires <= now { return false }
        return true
    }

    /// Whether a use at `now` should be written down: at most once per `granularity`, so that bookkeeping does not
    /// turn every authenticated read into a write.
    func needsLastUsedUpdate(at now: Date, granularity: TimeInterval) -> Bool {
        lastUsed.map { now.timeIntervalSince($0) >= granularity } ?? true
    }
}

extension ApiKey: RevocableCredential {}
extension AdminToken: RevocableCredential {}
extension ProductToken: RevocableCredential {
    /// Product tokens do not expire; they are revoked.
    public var expires: Date? { nil }
}
