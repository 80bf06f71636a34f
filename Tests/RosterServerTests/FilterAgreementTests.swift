import Directory
import Foundation
import RosterTestSupport
import SCIM
import Storage
import Testing
@testable import RosterServer

/// The SQL translation of filters must agree with the reference evaluator, on every database.
@Suite("SCIM filters: SQL agrees with the reference evaluator")
struct FilterAgreementTests {
    /// A small deterministic generator (SplitMix64), so a failure names a reproducible filter.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let titles = ["Engineer", "engineer", "Manager", "Director of Things", ""]
    static let departments = ["Sales", "Tour Operations", "R&D"]
    static let domains = ["example.com", "Corp.example", "test.org"]

    static func draft(_ index: Int, _ random: inout SplitMix) -> UserDraft {
        var draft = UserDraft(userName: "user\(index)@\(domains[index % 3])")
        if index % 4 != 0 { draft.displayName = "User \(index % 7) \(index)" }
        if index % 3 != 1 { draft.title = titles[Int.random(in: 0..<titles.count, using: &random)] }
        draft.active = index % 5 != 0
        draft.externalId = index % 2 == 0 ? "EXT-\(index)" : nil
        draft.name = User.Name(familyName: ["Jensen", "jensen", "Smith", "O'Hara"][index % 4], givenName: index % 6 == 0 ? nil : "Given\(index % 3)")
        var emails: [User.Email] = []
        if index % 7 != 3 { emails.append(User.Email(value: "u\(index)@\(domains[(index + 1) % 3])", type: "work", primary: index % 2 == 0)) }
        if index % 3 == 0 { emails.append(User.Email(value: "home\(index)@mail.test", type: "home")) }
        draft.emails = emails
        if index % 2 == 1 { draft.department = departments[index % 3] }
        var extras: [String: JSONValue] = [:]
        if index % 3 != 2 {
            extras["phoneNumbers"] = .array([.object(["value": .string("555-01\(index % 10)"), "type": .string(index % 2 == 0 ? "work" : "mobile")])])
        }
        if index % 4 == 1 { extras["\(SCIMSchemaURN.enterpriseUser):employeeNumber"] = .string("E\(index % 5)") }
        draft.extensionAttributes = extras
        return draft
    }

    static func randomFilter(_ random: inout SplitMix, depth: Int = 0) -> String {
        let roll = Int.random(in: 0..<10, using: &random)
        if depth < 2, roll < 2 {
            let op = Bool.random(using: &random) ? "and" : "or"
            return "(\(randomFilter(&random, depth: depth + 1)) \(op) \(randomFilter(&random, depth: depth + 1)))"
        }
        if depth < 2, roll == 2 { return "not (\(randomFilter(&random, depth: depth + 1)))" }
        if roll == 3 {
            let inner = ["type eq \"work\"", "type eq \"home\"", "value co \"example\"", "primary eq true", "value sw \"U1\""]
            let attribute = Bool.random(using: &random) ? "emails" : "phoneNumbers"
            let pick = attribute == "emails" ? inner.randomElement(using: &random)! : ["type eq \"work\"", "value ew \"3\"", "type ne \"mobile\""].randomElement(using: &random)!
            return "\(attribute)[\(pick)]"
        }
        let terms = [
            "userName eq \"USER\(Int.random(in: 0..<30, using: &random))@example.com\"", "userName sw \"user1\"", "userName ew \"TEST.ORG\"",
            "userName co \"er2\"", "displayName co \"user 3\"", "displayName pr", "displayName eq null", "title eq \"engineer\"",
            "title ne \"Manager\"", "title pr", "title sw \"dir\"", "title gt \"F\"", "title le \"manager\"", "active eq true",
            "active ne true", "externalId eq \"EXT-4\"", "externalId eq \"ext-4\"", "externalId pr", "name.familyName eq \"JENSEN\"",
            "name.givenName pr", "name.givenName lt \"Given1\"", "emails co \"corp\"", "emails.value ew \".org\"", "emails.type eq \"home\"",
            "emails pr", "department eq \"sales\"", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department sw \"Tour\"",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq \"E1\"", "phoneNumbers.value co \"01\"",
            "phoneNumbers.type eq \"MOBILE\"", "meta.lastModified ge \"2000-01-01T00:00:00Z\"", "meta.created lt \"2000-01-01T00:00:00Z\"",
            "id pr", "nickName pr",
        ]
        return terms.randomElement(using: &random)!
    }

    @Test("random filters select the same users in SQL and in the evaluator", arguments: TestDatabaseKind.available)
    func agreement(kind: TestDatabaseKind) async throws {
        try await TestDatabase.with(kind) { database in
            let service = DirectoryService(store: database.store, configuration: .init(baseURL: "https://roster.test"))
            let organization = try await service.createOrganization(name: "Acme", plan: .guard, caller: .operatorCLI)
            let created = try await service.createDirectory(organizationId: organization.id, name: "Okta", identityProvider: .okta, caller: .operatorCLI)
            let key = try await service.authenticateApiKey(directoryId: created.directory.id, bearer: try #require(created.apiKey))
            var random = SplitMix(state: 20261129)
            var users: [User] = []
            for index in 0..<40 {
                users.append(try await service.provisionUser(directoryId: created.directory.id, draft: Self.draft(index, &random), key: key))
            }
            let objects = users.map { UserSCIM.object($0, groups: [], baseURL: "https://roster.test") }
            let evaluator = FilterEvaluator(resource: CoreSchemas.userResource)
            var compared = 0
            var nonTrivial = 0
            for _ in 0..<400 {
                let text = Self.randomFilter(&random)
                let filter = try FilterParser.parse(text)
                try FilterValidator.validate(filter, for: CoreSchemas.userResource)
                let expected = Set(zip(users, objects).filter { evaluator.matches(filter, $0.1) }.map(\.0.id))
                let page = try await service.provisionedUsers(
                    directoryId: created.directory.id, query: ListQuery(filter: filter, count: 1000), key: key
                )
                #expect(Set(page.items.map(\.id)) == expected, "filter: \(text)")
                #expect(page.total == expected.count, "filter: \(text)")
                compared += 1
                if !expected.isEmpty && expected.count < users.count { nonTrivial += 1 }
            }
            #expect(compared == 400)
            // The generator must exercise real selections, not only all-or-nothing results.
            #expect(nonTrivial > 150)
        }
    }
}
