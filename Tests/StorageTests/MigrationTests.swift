import Directory
import RosterTestSupport
import Storage
import Testing

@Suite("Migrations")
struct MigrationTests {
    @Test("migrate applies every migration once, then nothing", arguments: TestDatabaseKind.available)
    func migratesOnce(kind: TestDatabaseKind) async throws {
        try await TestDatabase.with(kind, migrate: false) { database in
            #expect(try await database.migrate() == RosterDatabase.knownMigrations)
            #expect(try await database.migrate() == [])
            #expect(try await database.appliedMigrations() == RosterDatabase.knownMigrations)
            // The schema is usable: a write and a read through the store.
            let fixture = Fixture(database)
            let organization = try await fixture.organization()
            #expect(try await database.store.read { try await $0.organization(id: organization.id) } == organization)
        }
    }

    @Test("two migrators racing apply each migration exactly once", arguments: TestDatabaseKind.available)
    func concurrentMigrations(kind: TestDatabaseKind) async throws {
        try await TestDatabase.with(kind, migrate: false) { database in
            async let first = database.migrate()
            async let second = database.migrate()
            let applied = try await first + second
            #expect(applied.sorted() == RosterDatabase.knownMigrations)
            #expect(try await database.appliedMigrations() == RosterDatabase.knownMigrations)
        }
    }
}
