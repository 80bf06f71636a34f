import Crypto
import Foundation

/// A bearer secret of the form `<kind>_<prefix>_<secret>`.
///
/// The prefix is public and indexed, so a presented token is found with one lookup; the store keeps only
/// the SHA-256 of the whole token. The secret carries 256 bits from the CSPRNG, so a fast hash is the
/// right tool here (a slow password hash would add nothing against brute force and cost every request).
public struct SecretToken: Sendable, Hashable {
    /// What a token is for; the kind is part of the token so a key of one kind never passes for another.
    public enum Kind: String, Sendable, CaseIterable {
        case scimKey = "rsk"
        case adminToken = "rat"
        case productToken = "rpt"
        case session = "rss"
        case setupLink = "rsl"
    }

    public let kind: Kind
    public let prefix: String
    /// The whole token as handed to its owner, once.
    public let value: String

    /// Makes a new random token.
    public static func generate(_ kind: Kind, environment: RosterEnvironment) -> SecretToken {
        let prefix = hex(environment.randomBytes(6))
        let secret = base64URL(environment.randomBytes(32))
        return SecretToken(kind: kind, prefix: prefix, value: "\(kind.rawValue)_\(prefix)_\(secret)")
    }

    /// Parses a presented token; nil when it is not of `kind` or malformed.
    public static func parse(_ presented: String, as kind: Kind) -> SecretToken? {
        let parts = presented.split(separator: "_", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == kind.rawValue, parts[1].count == 12,
              parts[1].allSatisfy(\.isHexDigit), parts[2].count >= 32, parts[2].count <= 128
        else { return nil }
        return SecretToken(kind: kind, prefix: String(parts[1]), value: presented)
    }

    /// SHA-256 of the token, hex: what the store keeps.
    public var hash: String { Self.hash(value) }

    /// SHA-256 of any secret, hex.
    public static func hash(_ secret: String) -> String {
        hex(Array(SHA256.hash(data: Data(secret.utf8))))
    }

    /// Compares this token's hash with a stored one in constant time.
    public func matches(storedHash: String) -> Bool {
        Self.constantTimeEquals(hash, storedHash)
    }

    /// Compares two secrets (or their hashes) in time that does not depend on where they differ.
    public static func constantTimeEquals(_ lhs: String, _ rhs: String) -> Bool {
        let left = Array(lhs.utf8)
        let right = Array(rhs.utf8)
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }

    /// Lower-case hex of bytes.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
