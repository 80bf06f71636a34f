import ArgumentParser
import Directory
import Foundation
import Storage

/// `roster secrets new-key|rotate`: the key-encryption key that seals SP private keys and webhook secrets at rest.
struct SecretsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secrets",
        abstract: "Manage the key that encrypts secrets at rest (SP private keys, webhook signing secrets).",
        discussion: """
            The key comes from ROSTER_SECRET_KEY (base64 of 32 bytes), else the file ROSTER_SECRET_KEY_FILE, else a key \
            file made with mode 0600 on first start: beside the SQLite file (roster.sqlite.key), or roster-secret.key in \
            the working directory for PostgreSQL. Every node of one database needs the same key.
            """,
        subcommands: [NewKey.self, Rotate.self]
    )

    struct NewKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "new-key", abstract: "Print a new random key (base64) for ROSTER_SECRET_KEY.",
            discussion: "With --json: {\"key\": ..., \"keyId\": ...}."
        )
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let key = SecretKeyring.generateKey()
            if output.json {
                try CLI.printJSON(["key": .string(Data(key).base64EncodedString()), "keyId": .string(SecretKeyring.keyID(key))])
            } else {
                print(Data(key).base64EncodedString())
            }
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Seal every secret again under a new key, in one transaction.",
            discussion: """
                The new key is --new-key, or a random one. With a key file, the file then holds the new key (it holds \
                both while the database changes, so an interrupted rotation still starts). With ROSTER_SECRET_KEY, \
                set it to the new key printed here before the next start. With --json: {"keyId", "previousKeyId", \
                "resealed", "key" (only when the key is not kept in a file)}.
                """
        )
        @Option(name: .long, help: "The new key, base64 of 32 bytes (default: a random key).") var newKey: String?
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let location = try database.location()
            let source: SecretKeySource
            let fresh: [UInt8]
            do {
                source = try SecretKeySource.load(for: location)
                fresh = try newKey.map { try SecretKeySource.parse([$0], what: "--new-key")[0] } ?? SecretKeyring.generateKey()
            } catch let error as SecretKeyError {
                CLI.printError(error.message)
                throw ExitCode(1)
            }
            let keys = [fresh] + source.keys.filter { $0 != fresh }
            let keyring = try SecretKeyring(keys: keys)
            if case .file(let path) = source.origin { try SecretKeySource.write(keys, to: path) }
            let resealed: Int
            do {
                resealed = try await RosterDatabase.withRunning(location, logger: CLI.logger(), keyring: keyring) { database in
                    try await database.migrate()
                    return try await database.rotateSecrets()
                }
            } catch let error as SecretKeyError {
                if case .file(let path) = source.origin { try? SecretKeySource.write(source.keys, to: path) }
                CLI.printError(error.message)
                throw ExitCode(1)
            }
            if case .file(let path) = source.origin { try SecretKeySource.write([fresh], to: path) }
            let keyText = Data(fresh).base64EncodedString()
            if output.json {
                var object: [String: JSONValue] = [
                    "keyId": .string(keyring.current.id), "previousKeyId": .string(SecretKeyring.keyID(source.keys[0])),
                    "resealed": .integer(Int64(resealed)),
                ]
                if source.origin == .environment { object["key"] = .string(keyText) }
                try CLI.printJSON(object)
            } else {
                print("Resealed \(resealed) secrets under key \(keyring.current.id).")
                switch source.origin {
                case .environment: print("Set ROSTER_SECRET_KEY=\(keyText) on every node before the next start.")
                case .file(let path): print("The key file \(path) now holds the new key.")
                }
            }
        }
    }
}
