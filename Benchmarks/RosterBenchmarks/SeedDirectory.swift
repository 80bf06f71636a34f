import ArgumentParser
import Directory
import Foundation
import Logging
import Storage

/// `roster-bench seed`: fills a directory with many users and two groups, in large transactions, for the SCIM
/// benchmark. Users are named `seed{N}@bench.example`.
struct SeedDirectory: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "seed", abstract: "Fill a directory with users and groups.")

    @Option(name: .long, help: "Database URL or SQLite path.") var database: String
    @Option(name: .long, help: "The directory id.") var directory: String
    @Option(name: .long, help: "Users to create.") var users = 1_000_000
    @Option(name: .long, help: "Members of the large group (the first N users).") var largeGroup = 250_000
    @Option(name: .long, help: "Members of the small group.") var smallGroup = 1_000
    @Option(name: .long, help: "Users per transaction.") var batch = 10_000

    func run() async throws {
        var logger = Logger(label: "roster.bench.seed")
        logger.logLevel = .error
        let location = try DatabaseLocation(url: database)
        let (directoryId, total, large, small, batchSize) = (directory, users, largeGroup, smallGroup, batch)
        let started = ContinuousClock.now
        let groups = try await RosterDatabase.withRunning(location, logger: logger) { database in
            try await database.migrate()
            let store = database.store
            var ids: [String] = []
            ids.reserveCapacity(total)
            var next = 0
            while next < total {
                let end = min(total, next + batchSize)
                let chunk = (next..<end).map { index -> User in
                    let now = Date()
                    return User(
                        id: UUID().uuidString.lowercased(), directoryId: directoryId, userName: "seed\(index)@bench.example",
                        externalId: "seed-\(index)", emails: [.init(value: "seed\(index)@bench.example", type: "work", primary: true)],
                        name: .init(familyName: "Seed", givenName: "User \(index)"), displayName: "Seed User \(index)",
                        created: now, lastModified: now
                    )
                }
                ids += chunk.map(\.id)
                try await store.write { tx in
                    for user in chunk { try await tx.insert(user) }
                }
                next = end
            }
            let now = Date()
            let largeGroup = Group(id: UUID().uuidString.lowercased(), directoryId: directoryId, displayName: "Large group", synced: true, created: now, lastModified: now)
            let smallGroup = Group(id: UUID().uuidString.lowercased(), directoryId: directoryId, displayName: "Small group", synced: true, created: now, lastModified: now)
            let largeMembers = ids.prefix(large)
            let smallMembers = ids.suffix(small)
            try await store.write { tx in
                try await tx.insert(largeGroup)
                try await tx.insert(smallGroup)
                _ = try await tx.insertMemberships(largeMembers.map { Membership(groupId: largeGroup.id, memberId: $0, memberKind: .user) })
                _ = try await tx.insertMemberships(smallMembers.map { Membership(groupId: smallGroup.id, memberId: $0, memberKind: .user) })
            }
            return (largeGroup.id, smallGroup.id)
        }
        let elapsed = ContinuousClock.now - started
        // One JSON object, for the script that runs the benchmark.
        print(#"{"largeGroup":"\#(groups.0)","smallGroup":"\#(groups.1)","users":\#(total),"seconds":\#(elapsed.components.seconds)}"#)
    }
}
