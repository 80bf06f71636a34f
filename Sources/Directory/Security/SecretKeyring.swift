import Crypto
import Foundation

/// The key-encryption keys that seal Roster's secrets at rest (SP private keys, webhook signing secrets): AES-256-GCM,
/// a fresh 96-bit nonce per value, and the row the value belongs to as authenticated data, so a sealed value copied
/// onto another row does not open. The first key seals; every key opens (the others are kept during a rotation).
///
/// A sealed value reads `rsx1:<key id>:<base64 of nonce, ciphertext and tag>`; the key id names the key without
/// revealing it (the first 16 hex digits of a SHA-256 over a label and the key).
public struct SecretKeyring: Sendable {
    public struct Key: Sendable {
        public let id: String
        let key: SymmetricKey
    }

    public static let prefix = "rsx1:"
    public static let keyLength = 32

    /// The key that seals.
    public let current: Key
    /// Keys that still open values sealed before a rotation.
    public let previous: [Key]

    public var all: [Key] { [current] + previous }

    /// `keys`: 32 bytes each, the sealing key first.
    public init(keys: [[UInt8]]) throws {
        guard !keys.isEmpty else { throw SecretKeyError("No secret key was given.") }
        let made = try keys.map { bytes in
            guard bytes.count == Self.keyLength else {
                throw SecretKeyError("A secret key must be \(Self.keyLength) bytes (base64: 44 characters); one has \(bytes.count).")
            }
            return Key(id: Self.keyID(bytes), key: SymmetricKey(data: bytes))
        }
        current = made[0]
        previous = Array(made.dropFirst())
    }

    /// A new random key.
    public static func generateKey() -> [UInt8] {
        SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
    }

    public static func keyID(_ bytes: [UInt8]) -> String {
        let digest = SHA256.hash(data: Array("roster-secret-key-id\u{0}".utf8) + bytes)
        return digest.prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    public static func isSealed(_ stored: String) -> Bool { stored.hasPrefix(prefix) }

    /// The id of the key a stored value was sealed with; nil for a value that is not sealed.
    public static func sealingKeyID(_ stored: String) -> String? {
        guard isSealed(stored) else { return nil }
        let parts = stored.dropFirst(prefix.count).split(separator: ":", maxSplits: 1)
        return parts.count == 2 ? String(parts[0]) : nil
    }

    /// Seals `plaintext` for the row named by `context` (for example `webhook_endpoints.secret:<id>`).
    public func seal(_ plaintext: String, context: String) throws -> String {
        let box = try AES.GCM.seal(Data(plaintext.utf8), using: current.key, authenticating: Data(context.utf8))
        guard let combined = box.combined else { throw SecretKeyError("Sealing a secret failed.") }
        return "\(Self.prefix)\(current.id):\(combined.base64EncodedString())"
    }

    /// Opens a value sealed for `context`. A value that is not sealed, sealed with a key this keyring lacks, or
    /// altered (or moved from another row) throws.
    public func open(_ stored: String, context: String) throws -> String {
        guard let id = Self.sealingKeyID(stored), let colon = stored.dropFirst(Self.prefix.count).firstIndex(of: ":") else {
            throw SecretKeyError("A stored secret is not sealed.")
        }
        guard let key = all.first(where: { $0.id == id }) else {
            throw SecretKeyError(
                "A stored secret was sealed with key \(id), which is not among the keys given (\(all.map(\.id).joined(separator: ", ")))."
            )
        }
        guard let data = Data(base64Encoded: String(stored[stored.index(after: colon)...])),
              let box = try? AES.GCM.SealedBox(combined: data),
              let opened = try? AES.GCM.open(box, using: key.key, authenticating: Data(context.utf8))
        else { throw SecretKeyError("A stored secret does not open with key \(id): it was altered or belongs to another row.") }
        return String(decoding: opened, as: UTF8.self)
    }
}

/// A secret key that is missing, malformed, or does not open the database's secrets. The message says which.
public struct SecretKeyError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
