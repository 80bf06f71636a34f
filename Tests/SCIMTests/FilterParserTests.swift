import SCIM
import Testing

@Suite("SCIM filter parser (RFC 7644 §3.4.2.2)")
struct FilterParserTests {
    static let userName = AttributePath(attribute: "userName")

    @Test("every comparison operator parses, case-insensitively", arguments: SCIMFilter.Operator.allCases)
    func operators(op: SCIMFilter.Operator) throws {
        let value: SCIMValue = [.gt, .ge, .lt, .le].contains(op) ? .string("2020-01-01T00:00:00Z") : .string("bjensen")
        let literal = "\"\(value.stringValue!)\""
        #expect(try FilterParser.parse("userName \(op.rawValue) \(literal)") == .compare(Self.userName, op, value))
        #expect(try FilterParser.parse("userName \(op.rawValue.uppercased()) \(literal)") == .compare(Self.userName, op, value))
    }

    @Test("pr, literals and numbers")
    func literals() throws {
        #expect(try FilterParser.parse("title pr") == .present(AttributePath(attribute: "title")))
        #expect(try FilterParser.parse("active eq true") == .compare(AttributePath(attribute: "active"), .eq, .bool(true)))
        #expect(try FilterParser.parse("active eq false") == .compare(AttributePath(attribute: "active"), .eq, .bool(false)))
        #expect(try FilterParser.parse("nickName eq null") == .compare(AttributePath(attribute: "nickName"), .eq, .null))
        #expect(try FilterParser.parse("age gt 42") == .compare(AttributePath(attribute: "age"), .gt, .integer(42)))
        #expect(try FilterParser.parse("score le -1.5") == .compare(AttributePath(attribute: "score"), .le, .decimal(-1.5)))
        #expect(try FilterParser.parse(#"userName eq "a \"quoted\" \\ \u00e9""#)
            == .compare(Self.userName, .eq, .string("a \"quoted\" \\ é")))
    }

    @Test("not binds tighter than and, and tighter than or; parentheses group")
    func precedence() throws {
        let a = SCIMFilter.compare(AttributePath(attribute: "a"), .eq, .string("1"))
        let b = SCIMFilter.compare(AttributePath(attribute: "b"), .eq, .string("2"))
        let c = SCIMFilter.compare(AttributePath(attribute: "c"), .eq, .string("3"))
        #expect(try FilterParser.parse(#"a eq "1" or b eq "2" and c eq "3""#) == .or(a, .and(b, c)))
        #expect(try FilterParser.parse(#"a eq "1" and b eq "2" or c eq "3""#) == .or(.and(a, b), c))
        #expect(try FilterParser.parse(#"(a eq "1" or b eq "2") and c eq "3""#) == .and(.or(a, b), c))
        #expect(try FilterParser.parse(#"not (a eq "1") and b eq "2""#) == .and(.not(a), b))
        #expect(try FilterParser.parse(#"a eq "1" AND NOT (b eq "2" OR c eq "3")"#) == .and(a, .not(.or(b, c))))
        #expect(try FilterParser.parse(#"((a eq "1"))"#) == a)
    }

    @Test("value paths, sub-attributes and URN-qualified names")
    func paths() throws {
        let emails = AttributePath(attribute: "emails")
        #expect(try FilterParser.parse(#"emails[type eq "work" and value co "@example.com"]"#) == .valuePath(
            emails, .and(.compare(AttributePath(attribute: "type"), .eq, .string("work")),
                         .compare(AttributePath(attribute: "value"), .co, .string("@example.com")))
        ))
        #expect(try FilterParser.parse(#"name.familyName co "O'Malley""#)
            == .compare(AttributePath(attribute: "name", subAttribute: "familyName"), .co, .string("O'Malley")))
        let urn = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
        #expect(try FilterParser.parse(#"\#(urn):manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d""#) == .compare(
            AttributePath(schema: urn, attribute: "manager", subAttribute: "value"), .eq, .string("26118915-6090-4610-87e4-49d8ca9f808d")))
        #expect(try FilterParser.parse(#"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J""#)
            == .compare(AttributePath(schema: "urn:ietf:params:scim:schemas:core:2.0:User", attribute: "userName"), .sw, .string("J")))
        #expect(try FilterParser.parse(#"meta.lastModified gt "2011-05-13T04:42:34Z""#)
            == .compare(AttributePath(attribute: "meta", subAttribute: "lastModified"), .gt, .string("2011-05-13T04:42:34Z")))
    }

    @Test("errors are invalidFilter and name the position", arguments: [
        ("userName eq", "Expected a value", 12),
        ("userName xx \"a\"", "is not an operator", 10),
        ("userName eq \"a", "Unterminated string", 13),
        ("(userName eq \"a\"", "Expected \")\"", 17),
        ("userName eq \"a\" and", "ends where an expression", 20),
        ("userName eq \"a\" \"b\"", "Unexpected", 17),
        ("emails[type eq \"work\"", "Expected \"]\"", 22),
        ("emails[type[value eq \"x\"]]", "cannot be nested", 12),
        ("not userName eq \"a\"", "\"(\" after \"not\"", 5),
        ("userName co 3", "compares strings", 13),
        ("userName gt true", "cannot compare", 13),
        ("' OR '1'='1", "is not an attribute path", 1),
        ("userName eq bjensen", "Expected a value", 13),
        ("1abc eq \"x\"", "Expected an attribute", 1),
    ])
    func errors(filter: String, message: String, position: Int) {
        do {
            _ = try FilterParser.parse(filter)
            Issue.record("\(filter) parsed")
        } catch {
            #expect(error.status == 400)
            #expect(error.scimType == .invalidFilter)
            #expect(error.detail.contains(message), "\(error.detail)")
            #expect(error.detail.contains("at character \(position)"), "\(error.detail)")
        }
    }

    @Test("hostile filters are refused, not evaluated")
    func limits() {
        let manyTerms = (0..<10_000).map { "a eq \"\($0)\"" }.joined(separator: " or ")
        let deep = String(repeating: "(", count: 200) + "a eq \"1\"" + String(repeating: ")", count: 200)
        let wide = (0..<150).map { "a eq \"\($0)\"" }.joined(separator: " or ")
        for filter in [manyTerms, deep, wide, "", "   "] {
            #expect(throws: SCIMError.self) { try FilterParser.parse(filter) }
        }
    }

    @Test("PATCH paths: attribute, sub-attribute, value filter, filter then sub-attribute")
    func patchPaths() throws {
        #expect(try FilterParser.parsePatchPath("members").description == "members")
        #expect(try FilterParser.parsePatchPath("name.givenName").attribute.subAttribute == "givenName")
        let filtered = try FilterParser.parsePatchPath(#"members[value eq "2819c223"]"#)
        #expect(filtered.filter == .compare(AttributePath(attribute: "value"), .eq, .string("2819c223")))
        let sub = try FilterParser.parsePatchPath(#"emails[type eq "work"].value"#)
        #expect(sub.attribute.attribute == "emails" && sub.subAttribute == "value")
        let urn = try FilterParser.parsePatchPath("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager")
        #expect(urn.attribute.schema == "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")
        for bad in ["", "emails[type eq]", "emails[type eq \"w\"]x", "na me", "emails.value[type eq \"w\"]"] {
            let error = #expect(throws: SCIMError.self) { try FilterParser.parsePatchPath(bad) }
            #expect(error?.scimType == .invalidPath)
        }
    }
}
