import Crypto
import CryptoExtras
import Foundation

/// Local passwords, hashed with scrypt (RFC 7914): `scrypt$N$r$p$salt$hash`, base64. Only the hash is stored.
public enum PasswordHash {
    /// Cost parameters: N = 2^14, r = 8, p = 1 (about 16 MiB and tens of milliseconds per hash).
    static let rounds = 1 << 14
    static let blockSize = 8
    static let parallelism = 1
    static let length = 32
    /// Longest password accepted; scrypt's cost must not be the attacker's lever.
    public static let maximumLength = 1_024

    /// A valid hash of no one's password: checking against it costs what a real check costs.
    public static let decoy: String = {
        let salt = [UInt8](repeating: 0x5a, count: 16)
        guard let key = try? KDF.Scrypt.deriveKey(
            from: Array("decoy".utf8), salt: salt, outputByteCount: length, rounds: rounds, blockSize: blockSize, parallelism: parallelism
        ) else { return "" }
        let hash = key.withUnsafeBytes { Data($0).base64EncodedString() }
        return "scrypt$\(rounds)$\(blockSize)$\(parallelism)$\(Data(salt).base64EncodedString())$\(hash)"
    }()

    public static func hash(_ password: String, environment: RosterEnvironment) throws -> String {
        guard password.utf8.count <= maximumLength else {
            throw DirectoryError(.invalidInput, "The password is longer than \(maximumLength) bytes.")
        }
        let salt = environment.randomBytes(16)
        let key = try KDF.Scrypt.deriveKey(
            from: Array(password.utf8), salt: salt, outputByteCount: length, rounds: rounds, blockSize: blockSize, parallelism: parallelism
        )
        let hash = key.withUnsafeBytes { Data($0).base64EncodedString() }
        return "scrypt$\(rounds)$\(blockSize)$\(parallelism)$\(Data(salt).base64EncodedString())$\(hash)"
    }

    /// Whether `password` matches `encoded`, compared in constant time.
    public static func verify(_ password: String, against encoded: String) -> Bool {
        let parts = encoded.split(separator: "$").map(String.init)
        guard parts.count == 6, parts[0] == "scrypt", let rounds = Int(parts[1]), let blockSize = Int(parts[2]),
              let parallelism = Int(parts[3]), let salt = Data(base64Encoded: parts[4]), let expected = Data(base64Encoded: parts[5]),
              password.utf8.count <= maximumLength, rounds <= 1 << 20,
              let key = try? KDF.Scrypt.deriveKey(
                from: Array(password.utf8), salt: salt, outputByteCount: expected.count, rounds: rounds, blockSize: blockSize,
                parallelism: parallelism
              )
        else { return false }
        let computed = key.withUnsafeBytes { Array($0) }
        guard computed.count == expected.count else { return false }
        var difference: UInt8 = 0
        for (left, right) in zip(computed, expected) { difference |= left ^ right }
        return difference == 0
    }
}
