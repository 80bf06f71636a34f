import Foundation
import SCIM
import Testing

@Suite("SCIM filter evaluation and validation")
struct FilterEvaluatorTests {
    static let enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    static let babs: [String: SCIMValue] = [
        "schemas": .array([.string(SCIMSchemaURN.user)]),
        "id": .string("2819c223"),
        "userName": .string("bjensen@example.com"),
        "name": .object(["givenName": .string("Barbara"), "familyName": .string("Jensen")]),
        "active": .bool(true),
        "emails": .array([
            .object(["value": .string("bjensen@example.com"), "type": .string("work"), "primary": .bool(true)]),
            .object(["value": .string("babs@jensen.org"), "type": .string("home")]),
        ]),
        "meta": .object(["lastModified": .string("2026-05-13T04:42:34Z"), "created": .string("2026-01-01T00:00:00Z")]),
        enterprise: .object(["department": .string("Tour Operations"), "manager": .object(["value": .string("26118915")])]),
    ]

    func matches(_ filter: String) throws -> Bool {
        let parsed = try FilterParser.parse(filter)
        try FilterValidator.validate(parsed, for: CoreSchemas.userResource)
        return FilterEvaluator(resource: CoreSchemas.userResource).matches(parsed, Self.babs)
    }

    @Test("matching filters", arguments: [
        #"userName eq "BJENSEN@example.com""#,
        #"userName sw "bjen""#,
        #"userName ew "EXAMPLE.COM""#,
        #"userName co "jensen""#,
        #"userName ne "someone""#,
        #"name.familyName eq "jensen""#,
        #"emails co "jensen.org""#,
        #"emails.value eq "babs@jensen.org""#,
        #"emails[type eq "work" and value co "example"]"#,
        #"emails[type eq "home"] and active eq true"#,
        #"active eq true"#,
        #"active ne false"#,
        #"title pr or userName pr"#,
        #"not (title pr)"#,
        #"title eq null"#,
        #"title ne "Boss""#,
        #"meta.lastModified gt "2026-05-13T04:00:00Z""#,
        #"meta.lastModified ge "2026-05-13T06:42:34+02:00""#,
        #"meta.created lt "2026-01-01T00:00:01.500Z""#,
        #"id eq "2819c223""#,
        #"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "tour operations""#,
        #"department sw "Tour""#,
        #"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "26118915""#,
    ])
    func matching(filter: String) throws {
        #expect(try matches(filter))
    }

    @Test("non-matching filters", arguments: [
        #"userName eq "bjensen""#,
        #"id eq "2819C223""#,
        #"emails[type eq "work" and value co "jensen.org"]"#,
        #"emails.type eq "other""#,
        #"active eq false"#,
        #"title pr"#,
        #"name.middleName pr"#,
        #"userName pr and not (emails pr)"#,
        #"meta.lastModified lt "2026-05-13T04:42:34Z""#,
        #"title ne null"#,
    ])
    func notMatching(filter: String) throws {
        #expect(try !matches(filter))
    }

    @Test("filters that do not fit the schema are invalidFilter", arguments: [
        #"shoeSize eq "9""#,
        #"active eq "true""#,
        #"active gt true"#,
        #"userName eq 5"#,
        #"meta.lastModified gt "yesterday""#,
        #"name eq "Barbara""#,
        #"emails.bogus eq "x""#,
        #"userName[value eq "x"]"#,
        #"active co "t""#,
        #"urn:example:unknown:Thing:color eq "red""#,
    ])
    func invalid(filter: String) {
        let error = #expect(throws: SCIMError.self) { _ = try matches(filter) }
        #expect(error?.scimType == .invalidFilter)
    }
}
