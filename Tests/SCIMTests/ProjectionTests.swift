import SCIM
import Testing

@Suite("attributes and excludedAttributes (RFC 7644 §3.4.2.5)")
struct ProjectionTests {
    static let resource: [String: SCIMValue] = [
        "schemas": .array([.string(SCIMSchemaURN.user)]),
        "id": .string("u1"),
        "userName": .string("bjensen"),
        "password": .string("secret"),
        "name": .object(["givenName": .string("Barbara"), "familyName": .string("Jensen")]),
        "emails": .array([.object(["value": .string("b@x.example"), "type": .string("work")])]),
        SCIMSchemaURN.enterpriseUser: .object(["department": .string("Tour"), "costCenter": .string("4130")]),
    ]

    func project(_ attributes: String?, _ excluded: String?) throws -> [String: SCIMValue] {
        try Projection.parse(attributes: attributes, excludedAttributes: excluded, resource: CoreSchemas.userResource)
            .apply(to: Self.resource, resource: CoreSchemas.userResource)
    }

    @Test("the default drops only never-returned attributes")
    func defaults() throws {
        let all = try project(nil, nil)
        #expect(all["password"] == nil)
        #expect(all.count == Self.resource.count - 1)
    }

    @Test("attributes keeps what is asked and what is always returned, sub-attributes included")
    func attributes() throws {
        #expect(Set(try project("userName", nil).keys) == ["schemas", "id", "userName"])
        #expect(try project("name.familyName", nil)["name"] == .object(["familyName": .string("Jensen")]))
        #expect(try project("emails.value", nil)["emails"] == .array([.object(["value": .string("b@x.example")])]))
        let enterprise = try project("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", nil)
        #expect(enterprise[SCIMSchemaURN.enterpriseUser] == .object(["department": .string("Tour")]))
        #expect(try project("password", nil)["password"] == nil)
    }

    @Test("excludedAttributes drops what is named, never the always-returned")
    func excluded() throws {
        let result = try project(nil, "name.givenName,emails,id,department")
        #expect(result["name"] == .object(["familyName": .string("Jensen")]))
        #expect(result["emails"] == nil)
        #expect(result["id"] == .string("u1"))
        #expect(result[SCIMSchemaURN.enterpriseUser] == .object(["costCenter": .string("4130")]))
    }

    @Test("unknown attribute names are invalidValue")
    func unknown() {
        let error = #expect(throws: SCIMError.self) { try project("shoeSize", nil) }
        #expect(error?.scimType == .invalidValue)
    }

    @Test("includes tells the server what it may skip loading")
    func includes() throws {
        let groups = CoreSchemas.groupResource
        #expect(try Projection.parse(attributes: nil, excludedAttributes: "members", resource: groups).includes("members", resource: groups) == false)
        #expect(try Projection.parse(attributes: "displayName", excludedAttributes: nil, resource: groups).includes("members", resource: groups) == false)
        #expect(Projection.all.includes("members", resource: groups))
        #expect(Projection.all.includes("id", resource: groups))
    }
}
