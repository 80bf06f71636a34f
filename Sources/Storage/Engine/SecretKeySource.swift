import Directory
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Where the key-encryption keys come from: `ROSTER_SECRET_KEY` (base64 of 32 bytes; several separated by commas
/// during a rotation, the sealing key first), else the file `ROSTER_SECRET_KEY_FILE`, else a key file made on first
/// start with mode 0600: beside the SQLite file (`roster.sqlite.key`), or `roster-secret.key` in the working directory
/// for PostgreSQL (where every node must be given the same key).
public struct SecretKeySource: Sendable {
    public enum Origin: Sendable, Equatable {
        case environment
        case file(String)
    }

    public let keys: [[UInt8]]
    public let origin: Origin

    public func keyring() throws -> SecretKeyring { try SecretKeyring(keys: keys) }

    public static func defaultFile(for location: DatabaseLocation) -> String {
        switch location {
        case .sqlite(let path): path + ".key"
        case .postgres: "roster-secret.key"
        }
    }

    /// Reads the keys, making the key file when it does not exist yet.
    public static func load(
        for location: DatabaseLocation, environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger? = nil
    ) throws -> SecretKeySource {
        if let text = environment["ROSTER_SECRET_KEY"], !text.trimmingCharacters(in: .whitespaces).isEmpty {
            return SecretKeySource(keys: try parse(text.split(separator: ",").map(String.init), what: "ROSTER_SECRET_KEY"), origin: .environment)
        }
        let path = environment["ROSTER_SECRET_KEY_FILE"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultFile(for: location)
        if !FileManager.default.fileExists(atPath: path) {
            do {
                try create(path, keys: [SecretKeyring.generateKey()])
                logger?.notice("made a new secret key file", metadata: ["path": "\(path)"])
            } catch where FileManager.default.fileExists(atPath: path) {
                // Another process made it first; read theirs.
            }
        }
        var info = stat()
        if stat(path, &info) == 0, info.st_mode & 0o077 != 0 {
            logger?.warning("the secret key file can be read by other users; chmod 600 it", metadata: ["path": "\(path)"])
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SecretKeyError("The secret key file \(path) cannot be read.")
        }
        let lines = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).map(String.init)
        return SecretKeySource(keys: try parse(lines, what: "the secret key file \(path)"), origin: .file(path))
    }

    public static func parse(_ entries: [String], what: String) throws -> [[UInt8]] {
        let keys = try entries.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.map { entry in
            guard let bytes = Data(base64Encoded: entry), bytes.count == SecretKeyring.keyLength else {
                throw SecretKeyError("\(what) must hold base64 of \(SecretKeyring.keyLength) random bytes (make one with `roster secrets new-key`).")
            }
            return Array(bytes)
        }
        guard !keys.isEmpty else { throw SecretKeyError("\(what) holds no key.") }
        return keys
    }

    /// Writes a key file that only its owner can read, first to a new file and then into place.
    public static func write(_ keys: [[UInt8]], to path: String) throws {
        let temporary = path + ".new"
        unlink(temporary)
        try create(temporary, keys: keys)
        guard rename(temporary, path) == 0 else { throw SecretKeyError("The secret key file \(path) could not be replaced (errno \(errno)).") }
    }

    private static func create(_ path: String, keys: [[UInt8]]) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else { throw SecretKeyError("The secret key file \(path) could not be made (errno \(errno)).") }
        defer { close(descriptor) }
        let text = keys.map { Data($0).base64EncodedString() + "\n" }.joined()
        let written = text.utf8CString.withUnsafeBufferPointer { buffer in Glibc.write(descriptor, buffer.baseAddress, buffer.count - 1) }
        guard written == text.utf8.count, fsync(descriptor) == 0 else {
            throw SecretKeyError("The secret key file \(path) could not be written (errno \(errno)).")
        }
    }
}
