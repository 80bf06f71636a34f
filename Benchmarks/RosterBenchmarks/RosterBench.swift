import ArgumentParser
import Directory
import Foundation
import Logging
import Storage

/// `roster-bench`: storage throughput for users on SQLite and PostgreSQL, run in the same go so the figures
/// compare as ratios.
@main
struct RosterBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roster-bench",
        abstract: "Roster's benchmarks.",
        subcommands: [RosterBench.self, SeedDirectory.self, SCIMLoad.self, SAMLValidation.self],
        defaultSubcommand: RosterBench.self
    )
}

struct RosterBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "storage",
        abstract: "Measure user write and lookup throughput on SQLite and PostgreSQL."
    )

    @Option(name: .long, help: "Users to insert, each in its own transaction.") var users = 100_000
    @Option(name: .long, help: "Random lookups by userName and by id.") var lookups = 100_000
    @Option(name: .long, help: "Concurrent lookup tasks.") var concurrency = 8
    @Option(name: .long, help: "PostgreSQL URL (default ROSTER_BENCH_POSTGRES_URL); without one only SQLite runs.")
    var postgres: String?
    @Option(name: .long, help: "Folder for the SQLite file (default: a temporary folder).") var folder: String?

    func run() async throws {
        var logger = Logger(label: "roster.bench")
        logger.logLevel = .error
        var locations: [(String, DatabaseLocation)] = []
        let base = URL(fileURLWithPath: folder ?? NSTemporaryDirectory()).appendingPathComponent("roster-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: base) }
        locations.append(("sqlite", .sqlite(path: base.appendingPathComponent("bench.sqlite").path)))
        if let url = postgres ?? ProcessInfo.processInfo.environment["ROSTER_BENCH_POSTGRES_URL"], !url.isEmpty {
            locations.append(("postgres", try DatabaseLocation(url: url)))
        }

        print("roster-bench: \(users) users inserted one per transaction, \(lookups) lookups with \(concurrency) tasks")
        var results: [(String, Figures)] = []
        for (name, location) in locations {
            let figures = try await RosterDatabase.withRunning(location, logger: logger) { database in
                try await database.migrate()
                return try await measure(database)
            }
            results.append((name, figures))
            print(String(format: "%-9@ insert(store) %8.0f users/s | createUser(+audit+event) %8.0f users/s | by userName %8.0f lookups/s | by id %8.0f lookups/s",
                         name as NSString, figures.storeInserts, figures.serviceInserts, figures.userNameLookups, figures.idLookups))
        }
        if results.count == 2 {
            let (a, b) = (results[0].1, results[1].1)
            print(String(format: "ratio sqlite/postgres: insert %.2fx, createUser %.2fx, by userName %.2fx, by id %.2fx",
                         a.storeInserts / b.storeInserts, a.serviceInserts / b.serviceInserts,
                         a.userNameLookups / b.userNameLookups, a.idLookups / b.idLookups))
        }
    }

    struct Figures: Sendable {
        var storeInserts: Double
        var serviceInserts: Double
        var userNameLookups: Double
        var idLookups: Double
    }

    func measure(_ database: RosterDatabase) async throws -> Figures {
        let service = DirectoryService(store: database.store, configuration: .init(baseURL: "http://127.0.0.1:8080"))
        let organization = try await service.createOrganization(name: "Bench", plan: .guard, caller: .operatorCLI)
        let directory = try await service.createDirectory(
            organizationId: organization.id, name: "Okta", identityProvider: .okta, caller: .operatorCLI
        ).directory
        let serviceDirectory = try await service.createDirectory(
            organizationId: organization.id, name: "Entra", identityProvider: .entraId, caller: .operatorCLI
        ).directory
        let store = database.store
        let clock = ContinuousClock()

        // 1. Raw store inserts, one transaction each.
        var ids: [String] = []
        ids.reserveCapacity(users)
        let insertTime = try await clock.measure {
            for index in 0..<users {
                let user = Self.user(index, directoryId: directory.id)
                ids.append(user.id)
                try await store.write { tx in try await tx.insert(user) }
            }
        }

        // 2. Through the domain: validation, uniqueness check, insert, audit entry and event in one transaction.
        let serviceCount = max(1, users / 4)
        let serviceTime = try await clock.measure {
            for index in 0..<serviceCount {
                _ = try await service.createUser(
                    directoryId: serviceDirectory.id,
                    draft: UserDraft(userName: "svc\(index)@bench.example", emails: [.init(value: "svc\(index)@bench.example", primary: true)]),
                    caller: .operatorCLI
                )
            }
        }

        // 3. Lookups by userName (case-insensitive index) and by id, concurrently.
        let userCount = users
        let perTask = max(1, lookups / concurrency)
        let byNameTime = try await clock.measure {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<concurrency {
                    group.addTask {
                        var generator = SystemRandomNumberGenerator()
                        for _ in 0..<perTask {
                            let index = Int.random(in: 0..<userCount, using: &generator)
                            let found = try await store.read { try await $0.user(directoryId: directory.id, userName: "USER\(index)@BENCH.example") }
                            precondition(found != nil, "lookup \(task) missed user\(index)")
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        let allIds = ids
        let byIdTime = try await clock.measure {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<concurrency {
                    group.addTask {
                        var generator = SystemRandomNumberGenerator()
                        for _ in 0..<perTask {
                            let id = allIds[Int.random(in: 0..<allIds.count, using: &generator)]
                            let found = try await store.read { try await $0.user(id: id) }
                            precondition(found != nil)
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        func rate(_ count: Int, _ duration: Duration) -> Double {
            Double(count) / (Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
        }
        return Figures(
            storeInserts: rate(users, insertTime), serviceInserts: rate(serviceCount, serviceTime),
            userNameLookups: rate(perTask * concurrency, byNameTime), idLookups: rate(perTask * concurrency, byIdTime)
        )
    }

    static func user(_ index: Int, directoryId: String) -> User {
        let now = Date()
        return User(
            id: UUID().uuidString.lowercased(), directoryId: directoryId, userName: "user\(index)@bench.example",
            externalId: "ext-\(index)", emails: [.init(value: "user\(index)@bench.example", primary: true)],
            name: .init(familyName: "User", givenName: "Number \(index)"), displayName: "User \(index)",
            department: "Dept \(index % 50)", created: now, lastModified: now
        )
    }
}

