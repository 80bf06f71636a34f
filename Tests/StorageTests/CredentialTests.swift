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

@Suite("Admin token lifecycle and database URLs")
struct AdminTokenLifecycleTests {
    @Test("admin tokens expire after a year by default and can be revoked", arguments: TestDatabaseKind.available)
    func lifecycle(kind: TestDatabaseKind) async throws {
        try await TestDatabase.with(kind) { database in
            let fixture = Fixture(database)
            let organization = try await fixture.organization()
            let issued = try await fixture.service.createAdmin(organizationId: organization.id, email: "r@acme.com", roles: [.orgAdmin], caller: .operatorCLI)
            #expect(issued.token.expires == fixture.clock.now.addingTimeInterval(365 * 86_400))
            let second = try await fixture.service.issueAdminToken(adminId: issued.admin.id, caller: .admin(issued.admin))
            try await fixture.service.revokeAdminToken(issued.token, admin: issued.admin, caller: .admin(issued.admin))
            let revoked = await #expect(throws: DirectoryError.self) { try await fixture.service.authenticateAdmin(bearer: issued.value) }
            #expect(revoked?.code == .unauthenticated)
            _ = try await fixture.service.authenticateAdmin(bearer: second.value)
            fixture.clock.advance(by: 366 * 86_400)
            let expired = await #expect(throws: DirectoryError.self) { try await fixture.service.authenticateAdmin(bearer: second.value) }
            #expect(expired?.code == .unauthenticated)
        }
    }

    @Test("database URLs: sslmode is honoured, empty paths and unknown modes are refused")
    func urls() throws {
        guard case .postgres(let require) = try DatabaseLocation(url: "postgres://u:p%40ss@db:6543/roster?sslmode=require") else {
            Issue.record("not postgres"); return
        }
        #expect(require.tls == .require && require.port == 6543 && require.password == "p@ss" && require.database == "roster")
        guard case .postgres(let full) = try DatabaseLocation(url: "postgresql://u@db/roster?sslmode=verify-full") else { return }
        #expect(full.tls == .verifyFull)
        guard case .postgres(let plain) = try DatabaseLocation(url: "postgres://u@db/roster") else { return }
        #expect(plain.tls == .prefer)
        #expect(try DatabaseLocation(url: "sqlite:data/roster.sqlite") == .sqlite(path: "data/roster.sqlite"))
        #expect(try DatabaseLocation(url: "") == .defaultSQLite)
        for bad in ["sqlite:", "sqlite://", "postgres://db/roster", "postgres://u@db/x?sslmode=sometimes", "mysql://u@db/x"] {
            #expect(throws: DatabaseLocationError.self, "\(bad)") { try DatabaseLocation(url: bad) }
        }
    }
}
