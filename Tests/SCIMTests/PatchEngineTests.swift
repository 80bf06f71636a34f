import Foundation
import SCIM
import Testing

@Suite("SCIM PATCH engine (RFC 7644 §3.5.2)")
struct PatchEngineTests {
    static let enterprise = SCIMSchemaURN.enterpriseUser
    static let engine = PatchEngine(resource: CoreSchemas.userResource)

    static let user: [String: SCIMValue] = [
        "id": .string("u1"),
        "userName": .string("bjensen"),
        "name": .object(["givenName": .string("Barbara"), "familyName": .string("Jensen")]),
        "emails": .array([
            .object(["value": .string("b@work.example"), "type": .string("work"), "primary": .bool(true)]),
            .object(["value": .string("b@home.example"), "type": .string("home")]),
        ]),
        "active": .bool(true),
    ]

    func patch(_ json: String, to object: [String: SCIMValue] = Self.user, id: String = "u1") throws -> [String: SCIMValue] {
        let body = try SCIMJSON.parseObject(Array(json.utf8))
        let request = try PatchRequest.parse(ClientQuirks.normalize(body, resource: CoreSchemas.userResource, resourceId: id, current: object))
        return try Self.engine.apply(request.operations, to: object)
    }

    func ops(_ operations: String) -> String {
        #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":\#(operations)}"#
    }

    @Test("replace a simple attribute, and a sub-attribute by path")
    func replaceSimple() throws {
        let result = try patch(ops(#"[{"op":"replace","path":"displayName","value":"Babs"},{"op":"replace","path":"name.givenName","value":"Barb"}]"#))
        #expect(result["displayName"] == .string("Babs"))
        #expect(result["name"]?[attribute: "givenName"] == .string("Barb"))
        #expect(result["name"]?[attribute: "familyName"] == .string("Jensen"))
    }

    @Test("pathless add and replace set each attribute, extension objects included")
    func pathless() throws {
        let result = try patch(ops(#"""
            [{"op":"replace","value":{"displayName":"Babs","active":false,
              "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Sales"}}},
             {"op":"add","value":{"name":{"middleName":"Q"}}}]
            """#))
        #expect(result["displayName"] == .string("Babs"))
        #expect(result["active"] == .bool(false))
        #expect(result[Self.enterprise]?[attribute: "department"] == .string("Sales"))
        #expect(result["name"]?[attribute: "middleName"] == .string("Q"))
        #expect(result["name"]?[attribute: "givenName"] == .string("Barbara"))
    }

    @Test("add to a multi-valued attribute appends, and a new primary demotes the old one")
    func addMultiValued() throws {
        let result = try patch(ops(#"[{"op":"add","path":"emails","value":[{"value":"b@new.example","type":"other","primary":true}]}]"#))
        let emails = try #require(result["emails"]?.arrayValue)
        #expect(emails.count == 3)
        #expect(emails.filter { $0[attribute: "primary"] == .bool(true) }.map { $0[attribute: "value"] } == [.string("b@new.example")])
    }

    @Test("filtered paths: replace a sub-attribute, remove matching values, remove a sub-attribute")
    func filtered() throws {
        var result = try patch(ops(#"[{"op":"replace","path":"emails[type eq \"work\"].value","value":"b@corp.example"}]"#))
        #expect(result["emails"]?.arrayValue?.first?[attribute: "value"] == .string("b@corp.example"))
        result = try patch(ops(#"[{"op":"remove","path":"emails[type eq \"home\"]"}]"#))
        #expect(result["emails"]?.arrayValue?.count == 1)
        result = try patch(ops(#"[{"op":"remove","path":"emails[type eq \"work\"].primary"}]"#))
        #expect(result["emails"]?.arrayValue?.first?[attribute: "primary"] == nil)
        // Removing every value leaves the attribute unassigned.
        result = try patch(ops(#"[{"op":"remove","path":"emails[value ew \"example\"]"}]"#))
        #expect(result["emails"] == nil)
    }

    @Test("Entra ID: a filtered path whose target does not exist yet creates it (in the rewrite step); elsewhere it is noTarget")
    func entraUpsert() throws {
        // Without the rewrite (no current resource known), the engine follows RFC 7644: noTarget.
        let raw = try SCIMJSON.parseObject(Array(ops(#"[{"op":"add","path":"phoneNumbers[type eq \"mobile\"].value","value":"1"}]"#).utf8))
        let strict = #expect(throws: SCIMError.self) {
            try Self.engine.apply(try PatchRequest.parse(raw).operations, to: Self.user)
        }
        #expect(strict?.scimType == .noTarget)
        let result = try patch(ops(#"[{"op":"Add","path":"phoneNumbers[type eq \"mobile\"].value","value":"+1 555 0100"}]"#))
        #expect(result["phoneNumbers"] == .array([.object(["type": .string("mobile"), "value": .string("+1 555 0100")])]))
        let missing = #expect(throws: SCIMError.self) {
            try patch(ops(#"[{"op":"replace","path":"emails[value co \"nowhere\"].type","value":"x"}]"#))
        }
        #expect(missing?.scimType == .noTarget)
    }

    @Test("Entra ID: PascalCase ops, string booleans, dotted and URN keys, manager as a string")
    func entraShapes() throws {
        let result = try patch(ops(#"""
            [{"op":"Replace","path":"active","value":"False"},
             {"op":"Replace","value":{"name.givenName":"Barbie","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager":"m-42",
               "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber":"701984"}},
             {"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"Ops"}]
            """#))
        #expect(result["active"] == .bool(false))
        #expect(result["name"]?[attribute: "givenName"] == .string("Barbie"))
        #expect(result[Self.enterprise]?[attribute: "manager"] == .object(["value": .string("m-42")]))
        #expect(result[Self.enterprise]?[attribute: "employeeNumber"] == .string("701984"))
        #expect(result[Self.enterprise]?[attribute: "department"] == .string("Ops"))
    }

    @Test("errors: read-only, unknown attribute, wrong type, missing path, bad op")
    func errors() {
        let cases: [(String, SCIMError.ScimType?)] = [
            (#"[{"op":"replace","path":"id","value":"x"}]"#, .mutability),
            (#"[{"op":"replace","path":"meta.created","value":"2020-01-01T00:00:00Z"}]"#, .mutability),
            (#"[{"op":"add","path":"groups","value":[{"value":"g"}]}]"#, .mutability),
            (#"[{"op":"remove","path":"userName"}]"#, .mutability),
            (#"[{"op":"replace","path":"shoeSize","value":"9"}]"#, .invalidPath),
            (#"[{"op":"replace","path":"emails[type eq]","value":"x"}]"#, .invalidPath),
            (#"[{"op":"replace","path":"active","value":"maybe"}]"#, .invalidValue),
            (#"[{"op":"replace","path":"emails","value":"x@y.z"}]"#, .invalidValue),
            (#"[{"op":"replace","path":"name","value":{"nickname":"x"}}]"#, .invalidValue),
            (#"[{"op":"remove"}]"#, .noTarget),
            (#"[{"op":"replace"}]"#, .invalidValue),
            (#"[{"op":"move","path":"userName","value":"x"}]"#, .invalidSyntax),
            (#"[]"#, .invalidSyntax),
        ]
        for (operations, scimType) in cases {
            let error = #expect(throws: SCIMError.self, "\(operations)") { try patch(ops(operations)) }
            #expect(error?.status == 400, "\(operations)")
            #expect(error?.scimType == scimType, "\(operations): \(error?.detail ?? "")")
        }
        let noSchemas = #expect(throws: SCIMError.self) { try patch(#"{"Operations":[{"op":"remove","path":"title"}]}"#) }
        #expect(noSchemas?.scimType == .invalidSyntax)
    }

    @Test("a failing operation fails the whole request, naming its index")
    func atomic() {
        let error = #expect(throws: SCIMError.self) {
            try patch(ops(#"[{"op":"replace","path":"displayName","value":"ok"},{"op":"replace","path":"id","value":"x"}]"#))
        }
        #expect(error?.detail.hasPrefix("Operations[1]") == true)
    }
}

@Suite("Group membership PATCH")
struct MembershipPatchTests {
    func split(_ operations: String, id: String = "g1") throws -> (changes: [MemberChange], others: [PatchOperation]) {
        let json = #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":\#(operations)}"#
        let body = try SCIMJSON.parseObject(Array(json.utf8))
        let request = try PatchRequest.parse(ClientQuirks.normalize(body, resource: CoreSchemas.groupResource, resourceId: id))
        return try MembershipPatch.split(request.operations)
    }

    @Test("Entra ID: Remove on members with a value array removes those members")
    func entraRemoveValueArray() throws {
        let (changes, others) = try split(#"[{"op":"Remove","path":"members","value":[{"value":"u1"},{"value":"u2"}]}]"#)
        #expect(changes == [.remove(["u1", "u2"])])
        #expect(others.isEmpty)
    }

    @Test("Entra ID: members[value eq \"id\"] removes one member")
    func entraRemoveFilter() throws {
        #expect(try split(#"[{"op":"remove","path":"members[value eq \"u9\"]"}]"#).changes == [.remove(["u9"])])
    }

    @Test("Okta: group push adds members in batches of up to 256 and renames with its own id in the value")
    func oktaBatch() throws {
        let members = (0..<256).map { #"{"value":"u\#($0)","display":"User \#($0)"}"# }.joined(separator: ",")
        let (changes, others) = try split(#"""
            [{"op":"replace","value":{"id":"g1","displayName":"Engineering"}},{"op":"add","path":"members","value":[\#(members)]}]
            """#)
        #expect(changes == [.add((0..<256).map { MemberReference(value: "u\($0)") })])
        #expect(others == [PatchOperation(op: .replace, path: nil, value: .object(["displayName": .string("Engineering")]))])
    }

    @Test("replace of members is a full replacement; remove without a filter removes all")
    func replaceAndRemoveAll() throws {
        #expect(try split(#"[{"op":"replace","path":"members","value":[{"value":"a","type":"User"}]}]"#).changes
            == [.replace([MemberReference(value: "a", type: "User")])])
        #expect(try split(#"[{"op":"remove","path":"members"}]"#).changes == [.removeAll])
        #expect(try split(#"[{"op":"replace","value":{"members":[{"value":"b"}],"displayName":"X"}}]"#).changes == [.replace([MemberReference(value: "b")])])
    }

    @Test("unsupported member operations are errors, never ignored")
    func unsupported() {
        for operations in [
            #"[{"op":"remove","path":"members[type eq \"Group\"]"}]"#,
            #"[{"op":"add","path":"members","value":[{"display":"no id"}]}]"#,
            #"[{"op":"replace","path":"members[value eq \"a\"].display","value":"x"}]"#,
        ] {
            #expect(throws: SCIMError.self, "\(operations)") { try split(operations) }
        }
    }
}
