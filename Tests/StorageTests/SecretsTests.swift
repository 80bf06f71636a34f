import Directory
import Foundation
import RosterTestSupport
import SQLKit
@testable import Storage
import Testing

/// Secrets at rest: SP private keys and webhook signing secrets are sealed with the key-encryption key; a dump of the
/// database alone holds no key material.
@Suite("Secrets at rest")
struct SecretsTests {
    /// The raw values of every secret column.
    static func rawSecrets(_ database: RosterDatabase) async throws -> [String] {
        try await database.engine.withReader { db in
            var values: [String] = []
            for column in SecretColumn.allCases {
                for row in try await db.select().column(column.column).from(column.table).all() {
                    values.append(try row.decode(column: column.column, as: String.self))
                }
            }
            return values
        }
    }

    /// A directory with its SP key pair and an organization with a webhook endpoint.
    static func seed(_ database: RosterDatabase) async throws -> (service: DirectoryService, credential: ServiceProviderCredential, webhook: IssuedWebhook) {
        let service = DirectoryService(store: database.store, configuration: .init(baseURL: "https://roster.test", allowPrivateWebhooks: true))
        let organization = try await service.createOrganization(name: "Acme", plan: .guard, caller: .operatorCLI)
        let created = try await service.createDirectory(organizationId: organization.id, name: "Okta", identityProvider: .okta, caller: .operatorCLI)
        let credential = try await service.serviceProviderCredential(directoryId: created.directory.id)
        let webhook = try await service.createWebhook(organizationId: organization.id, url: "https://hooks.example.com/roster", description: nil, caller: .operatorCLI)
        return (service, credential, webhook)
    }

    @Test("raw rows hold ciphertext only; the service reads the secrets back; a sealed value moved to another row does not open",
          arguments: TestDatabaseKind.available)
    func sealed(kind: TestDatabaseKind) async throws {
        try await TestDatabase.with(kind) { database in
            let (service, credential, webhook) = try await Self.seed(database)
            let raw = try await Self.rawSecrets(database)
            #expect(raw.count == 2)
            for value in raw {
                #expect(value.hasPrefix("rsx1:\(database.keyring.current.id):"))
                #expect(!value.contains("PRIVATE KEY") && !value.contains(webhook.secret))
                #expect(!value.contains(String(credential.privateKeyPEM.split(separator: "\n")[1].prefix(40))), "no line of the key's base64")
            }
            #expect(credential.privateKeyPEM.contains("PRIVATE KEY"))
            #expect(try await service.serviceProviderCredential(directoryId: credential.directoryId).privateKeyPEM == credential.privateKeyPEM)
            let stored = try #require(try await database.store.read { try await $0.webhookEndpoint(id: webhook.endpoint.id) })
            #expect(stored.secret == webhook.secret)
            // Bound to its row: the SP key's ciphertext on the webhook's row does not open.
            let spValue = try #require(raw.first { _ in true })
            #expect(throws: SecretKeyError.self) {
                _ = try database.keyring.open(spValue, context: SecretColumn.webhookSecret.context(webhook.endpoint.id))
            }
        }
    }

    @Test("a wrong key stops the start with a clear error; a rotation reseals everything under the new key",
          arguments: TestDatabaseKind.available)
    func wrongKeyAndRotation(kind: TestDatabaseKind) async throws {
        let location = try await TestDatabase.makeLocation(kind)
        let oldKey = SecretKeyring.generateKey()
        let old = try SecretKeyring(keys: [oldKey])
        let (credential, secret) = try await RosterDatabase.withRunning(location.location, logger: TestDatabase.logger, keyring: old) { database in
            try await database.migrate()
            let (_, credential, webhook) = try await Self.seed(database)
            return (credential, webhook.secret)
        }
        let newKey = SecretKeyring.generateKey()
        let wrong = try SecretKeyring(keys: [newKey])
        await #expect {
            try await RosterDatabase.withRunning(location.location, logger: TestDatabase.logger, keyring: wrong) { try await $0.migrate() }
        } throws: { error in
            let message = (error as? SecretKeyError)?.message ?? ""
            return message.contains(old.current.id) && message.contains(wrong.current.id) && message.contains("ROSTER_SECRET_KEY")
        }

        // Rotation: the new key first, the old one to open what is there.
        let both = try SecretKeyring(keys: [newKey, oldKey])
        let resealed = try await RosterDatabase.withRunning(location.location, logger: TestDatabase.logger, keyring: both) { database in
            try await database.migrate()
            return try await database.rotateSecrets()
        }
        #expect(resealed == 2)
        try await RosterDatabase.withRunning(location.location, logger: TestDatabase.logger, keyring: wrong) { database in
            try await database.migrate()
            for value in try await Self.rawSecrets(database) { #expect(value.hasPrefix("rsx1:\(wrong.current.id):")) }
            let service = DirectoryService(store: database.store, configuration: .init(baseURL: "https://roster.test"))
            #expect(try await service.serviceProviderCredential(directoryId: credential.directoryId).privateKeyPEM == credential.privateKeyPEM)
            let endpoints = try await database.store.read { reader in
                try await reader.webhookEndpoints(organizationId: try #require(try await reader.directory(id: credential.directoryId)).organizationId)
            }
            #expect(endpoints.map(\.secret) == [secret])
        }
        await #expect(throws: SecretKeyError.self) {
            try await RosterDatabase.withRunning(location.location, logger: TestDatabase.logger, keyring: old) { try await $0.migrate() }
        }
        try await location.dispose()
    }

    @Test("values written before sealing existed are sealed at the next start", arguments: TestDatabaseKind.available)
    func sealsPlaintext(kind: TestDatabaseKind) async throws {
        try await TestDatabase.with(kind) { database in
            let (service, credential, _) = try await Self.seed(database)
            // As a database from before this version holds it.
            try await database.engine.withWriter { db in
                try await db.update("saml_sp_credentials").set("private_key_pem", to: credential.privateKeyPEM)
                    .where("directory_id", .equal, credential.directoryId).run()
            }
            #expect(try await Self.rawSecrets(database).contains { $0.contains("PRIVATE KEY") })
            try await database.migrate()
            #expect(try await Self.rawSecrets(database).allSatisfy { $0.hasPrefix("rsx1:") && !$0.contains("PRIVATE KEY") })
            #expect(try await service.serviceProviderCredential(directoryId: credential.directoryId).privateKeyPEM == credential.privateKeyPEM)
        }
    }

    @Test("the key source: base64 of 32 bytes from the environment, else a key file made with mode 0600")
    func keySource() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("roster-keys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let location = DatabaseLocation.sqlite(path: folder.appendingPathComponent("roster.sqlite").path)
        let made = try SecretKeySource.load(for: location, environment: [:])
        let path = folder.appendingPathComponent("roster.sqlite.key").path
        #expect(made.origin == .file(path))
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        #expect(mode == 0o600)
        #expect(try SecretKeySource.load(for: location, environment: [:]).keys == made.keys, "the file is read, not made again")
        let key = Data(SecretKeyring.generateKey()).base64EncodedString()
        #expect(try SecretKeySource.load(for: location, environment: ["ROSTER_SECRET_KEY": key]).keys == [Array(Data(base64Encoded: key)!)])
        #expect(throws: SecretKeyError.self) { _ = try SecretKeySource.load(for: location, environment: ["ROSTER_SECRET_KEY": "c2hvcnQ="]) }
    }
}
