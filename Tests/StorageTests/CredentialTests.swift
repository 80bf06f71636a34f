import Directory
import Foundation
import RosterTestSupport
import Storage
import Testing

@Suite("API keys and admin tokens on each database")
struct CredentialTests {
    @Test("a SCIM API key is stored hashed and authenticates only its own directory", arguments: TestDatabaseKind.available)
    func apiKeyLifecycle(kind: TestDatabaseKind) async throws {
        try await TestDatabase.with(kind) { database in
            let fixture = Fixture(database)
            let service = fixture.service
            let organization = try await fixture.organization()
            let okta = try await service.createDirectory(organizationId: organization.id, name: "Okta", identityProvider: .okta, caller: .operatorCLI)
            let entra = try await service.createDirectory(organizationId: organization.id, name: "Entra", identityProvider: .entraId, caller: .operatorCLI)
            let token = try #require(okta.apiKey)

            // Only the hash is stored, and it is not the token.
            let stored = try #require(try await database.store.read { try await $0.apiKeys(directoryId: okta.directory.id) }.first)
            #expect(stored.hash == SecretToken.hash(token))
            #expect(stored.hash != token && !stored.hash.contains(token) && !token.contains(stored.hash))
            #expect(stored.lastUsed == nil)

            let key = try await service.authenticateApiKey(directoryId: okta.directory.id, bearer: token)
            #expect(key.id == stored.id)
            let used = try #require(try await database.store.read { try await $0.apiKey(prefix: stored.prefix) })
            #expect(used.lastUsed == fixture.clock.now)

            // Another directory's key, a tampered key, and garbage all fail the same way.
            for (directory, bearer) in [
                (entra.directory.id, token),
                (okta.directory.id, try #require(entra.apiKey)),
                (okta.directory.id, String(token.dropLast()) + (token.hasSuffix("A") ? "B" : "A")),
                (okta.directory.id, "not-a-key"),
                (okta.directory.id, ""),
            ] {
                let error = await #expect(throws: DirectoryError.self) {
                    try await service.authenticateApiKey(directoryId: directory, bearer: bearer)
                }
                #expect(error?.code == .unauthenticated)
            }

            // Rotation with no overlap stops the old key at once.
            let rotated = try await service.rotateApiKey(directoryId: okta.directory.id, caller: .operatorCLI)
            await #expect(throws: DirectoryError.self) {
                try await service.authenticateApiKey(directoryId: okta.directory.id, bearer: token)
            }
            _ = try await service.authenticateApiKey(directoryId: okta.directory.id, bearer: rotated.token)

            // Rotation with an overlap keeps the old key until the overlap ends.
            let next = try await service.rotateApiKey(directoryId: okta.directory.id, overlap: 3600, caller: .operatorCLI)
            _ = try await service.authenticateApiKey(directoryId: okta.directory.id, bearer: rotated.token)
            _ = try await service.authenticateApiKey(directoryId: okta.directory.id, bearer: next.token)
            fixture.clock.advance(by: 3601)
            await #expect(throws: DirectoryError.self) {
                try await service.authenticateApiKey(directoryId: okta.directory.id, bearer: rotated.token)
            }

            // Explicit revocation.
            try await service.revokeApiKey(directoryId: okta.directory.id, keyId: next.key.id, caller: .operatorCLI)
            await #expect(throws: DirectoryError.self) {
                try await service.authenticateApiKey(directoryId: okta.directory.id, bearer: next.token)
            }
        }
    }

    @Test("an expired API key does not authenticate", arguments: TestDatabaseKind.available)
    func expiredKey(kind: TestDatabaseKind) async throws {
        try await TestDatabase.with(kind) { database in
            let fixture = Fixture(database)
            let organization = try await fixture.organization()
            let okta = try await fixture.service.createDirectory(organizationId: organization.id, name: "Okta", identityProvider: .okta, caller: .operatorCLI)
            let token = try #require(okta.apiKey)
            fixture.clock.advance(by: 364 * 86_400)
            _ = try await fixture.service.authenticateApiKey(directoryId: okta.directory.id, bearer: token)
            fixture.clock.advance(by: 2 * 86_400)
            let error = await #expect(throws: DirectoryError.self) {
                try await fixture.service.authenticateApiKey(directoryId: okta.directory.id, bearer: token)
            }
            #expect(error?.code == .unauthenticated)
        }
    }

    @Test("an admin token is stored hashed and authenticates its admin", arguments: TestDatabaseKind.available)
    func adminToken(kind: TestDatabaseKind) async throws {
        try await TestDatabase.with(kind) { database in
            let fixture = Fixture(database)
            let organization = try await fixture.organization()
            let issued = try await fixture.service.createAdmin(
                organizationId: organization.id, email: "root@acme.com", roles: [.orgAdmin], caller: .operatorCLI
            )
            #expect(issued.token.hash == SecretToken.hash(issued.value))
            #expect(try await fixture.service.authenticateAdmin(bearer: issued.value) == issued.admin)
            // A SCIM key never passes for an admin token, even with the same secret shape.
            let scimShaped = issued.value.replacingOccurrences(of: "rat_", with: "rsk_")
            await #expect(throws: DirectoryError.self) { try await fixture.service.authenticateAdmin(bearer: scimShaped) }
            await #expect(throws: DirectoryError.self) { try await fixture.service.authenticateAdmin(bearer: issued.value + "x") }
        }
    }
}
