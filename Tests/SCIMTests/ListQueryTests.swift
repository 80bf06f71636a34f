import SCIM
import Testing

@Suite("Sort and paging parameters (RFC 7644 §3.4.2.3, §3.4.2.4)")
struct ListQueryTests {
    func parse(filter: String? = nil, sortBy: String? = nil, sortOrder: String? = nil, startIndex: String? = nil, count: String? = nil) throws(SCIMError) -> ListQuery {
        try ListQuery.parse(filter: filter, sortBy: sortBy, sortOrder: sortOrder, startIndex: startIndex, count: count, resource: CoreSchemas.userResource)
    }

    @Test("defaults, clamping and the documented maximum page")
    func paging() throws {
        let defaults = try parse()
        #expect(defaults.startIndex == 1 && defaults.count == ListQuery.defaultCount && defaults.sortOrder == .ascending)
        #expect(try parse(startIndex: "0").startIndex == 1)
        #expect(try parse(startIndex: "-7").startIndex == 1)
        #expect(try parse(count: "-1").count == 0)
        #expect(try parse(count: "5000").count == ListQuery.maximumCount)
        #expect(try parse(startIndex: "9223372036854775807").startIndex == Int.max)
    }

    @Test("sortBy names a sortable attribute; sortOrder is ascending or descending")
    func sorting() throws {
        #expect(try parse(sortBy: "userName", sortOrder: "DESCENDING").sortOrder == .descending)
        #expect(try parse(sortBy: "name.familyName").sortBy == AttributePath(attribute: "name", subAttribute: "familyName"))
        #expect(try parse(sortBy: "meta.lastModified").sortBy?.subAttribute == "lastModified")
        for (sortBy, sortOrder) in [("shoeSize", nil), ("name", nil), ("userName", "sideways")] as [(String, String?)] {
            let error = #expect(throws: SCIMError.self) { try parse(sortBy: sortBy, sortOrder: sortOrder) }
            #expect(error?.scimType == .invalidValue)
        }
    }

    @Test("non-integers are invalidValue; filters are parsed and validated")
    func errors() throws {
        for (start, count) in [("abc", nil), (nil, "1e9"), ("99999999999999999999", nil)] as [(String?, String?)] {
            let error = #expect(throws: SCIMError.self) { try parse(startIndex: start, count: count) }
            #expect(error?.scimType == .invalidValue)
        }
        #expect(try parse(filter: "userName pr").filter == .present(AttributePath(attribute: "userName")))
        #expect(try parse(filter: "  ").filter == nil)
        let invalid = #expect(throws: SCIMError.self) { try parse(filter: "active eq \"yes\"") }
        #expect(invalid?.scimType == .invalidFilter)
    }
}
