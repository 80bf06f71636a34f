import Foundation
import SCIM
import SQLKit

/// Translates a validated SCIM filter into an SQL condition on `users` or `groups`, with the semantics of
/// `FilterEvaluator` (the reference): some value matches for multi-valued attributes, `ne` is `not eq`, strings
/// compare case-insensitively unless `caseExact`. Every condition is two-valued (never SQL NULL), so `not`
/// inverts exactly. Literals are always binds.
struct SCIMFilterTranslator {
    enum Resource {
        case user, group

        var table: String {
            switch self {
            case .user: "users"
            case .group: "groups"
            }
        }
    }

    let kind: DatabaseKind
    let resource: Resource
    /// The directory the query is scoped to, so that child-table conditions can use their own indexes.
    let directoryId: String

    func translate(_ filter: SCIMFilter) throws(SCIMError) -> SQLQueryString {
        try translate(filter, element: nil)
    }

    /// The value expression an operand reads, and how it compares.
    private struct Operand {
        var expression: SQLQueryString
        var type: AttributeDefinition.DataType
        var caseExact: Bool
        /// A lower-cased copy to compare case-insensitively (an indexed column), when there is one.
        var lowered: SQLQueryString?
        /// Read out of the JSON document (text on PostgreSQL, so numbers need a cast there).
        var isJSON = false
    }

    /// Inside a value filter: the element context (`e` in `user_emails e`, or `j.value` of a JSON array).
    private enum Element {
        case emails
        case memberships(ofGroup: Bool)
        /// Elements of a JSON array of complex values with this definition.
        case json(AttributeDefinition)
    }

    private func translate(_ filter: SCIMFilter, element: Element?) throws(SCIMError) -> SQLQueryString {
        switch filter {
        case .and(let lhs, let rhs):
            return "(\(try translate(lhs, element: element)) AND \(try translate(rhs, element: element)))"
        case .or(let lhs, let rhs):
            return "(\(try translate(lhs, element: element)) OR \(try translate(rhs, element: element)))"
        case .not(let inner):
            return "(NOT \(try translate(inner, element: element)))"
        case .valuePath(let path, let inner):
            return try valuePath(path, inner)
        case .present(let path):
            return try condition(path, element: element) { (operand: Operand) throws(SCIMError) -> SQLQueryString in self.present(operand) }
        case .compare(let path, let op, let literal):
            return try condition(path, element: element) { (operand: Operand) throws(SCIMError) -> SQLQueryString in try self.compare(operand, op, literal) }
        }
    }

    // MARK: Locations

    private func location(_ path: AttributePath) throws(SCIMError) -> SCIMAttributeLocation {
        let found: SCIMAttributeLocation? = switch resource {
        case .user: SCIMAttributeMap.user(path)
        case .group: SCIMAttributeMap.group(path)
        }
        guard let found else {
            throw SCIMError(status: 400, scimType: .invalidFilter, detail: "Filtering on \(path) is not supported.")
        }
        return found
    }

    /// Builds the condition for one path: a direct comparison on the row, or an EXISTS over its values.
    private func condition(
        _ path: AttributePath, element: Element?, _ body: (Operand) throws(SCIMError) -> SQLQueryString
    ) throws(SCIMError) -> SQLQueryString {
        let table = resource.table
        if let element {
            // Inside a value filter the path names a member of the current element.
            return try body(elementOperand(element, member: path.attribute))
        }
        switch try location(path) {
        case .column(let name, let kind):
            return try body(columnOperand(table: table, name: name, kind: kind))
        case .emails(let sub):
            let operand = try elementOperand(.emails, member: sub)
            return emailsCondition(try body(operand))
        case .memberships(let sub, let ofGroup):
            let operand = try elementOperand(.memberships(ofGroup: ofGroup), member: sub)
            return membershipsCondition(try body(operand), ofGroup: ofGroup)
        case .json(let jsonPath, let type, let caseExact):
            return try body(Operand(expression: jsonScalar(jsonPath), type: type, caseExact: caseExact, lowered: nil, isJSON: true))
        case .jsonArray(let jsonPath, let sub, let type, let caseExact):
            let operand = Operand(expression: elementMember(sub), type: type, caseExact: caseExact, lowered: nil, isJSON: true)
            return "EXISTS (SELECT 1 FROM \(jsonElements(jsonPath)) WHERE \(try body(operand)))"
        }
    }

    private func valuePath(_ path: AttributePath, _ inner: SCIMFilter) throws(SCIMError) -> SQLQueryString {
        switch try location(path) {
        case .emails:
            return emailsCondition(try translate(inner, element: .emails))
        case .memberships(_, let ofGroup):
            return membershipsCondition(try translate(inner, element: .memberships(ofGroup: ofGroup)), ofGroup: ofGroup)
        case .jsonArray(let jsonPath, _, _, _):
            guard let (_, definition) = CoreSchemas.userResource.resolve(path) else {
                throw SCIMError(status: 400, scimType: .invalidFilter, detail: "\(path) is not an attribute of this resource.")
            }
            return "EXISTS (SELECT 1 FROM \(jsonElements(jsonPath)) WHERE \(try translate(inner, element: .json(definition))))"
        default:
            throw SCIMError(status: 400, scimType: .invalidFilter, detail: "\(path) takes no value filter.")
        }
    }

    /// Users with an email matching `condition`: an uncorrelated `IN`, so the planner starts from the
    /// (directory_id, value_lower) index instead of testing every user of the directory.
    private func emailsCondition(_ condition: SQLQueryString) -> SQLQueryString {
        "users.id IN (SELECT e.user_id FROM user_emails e WHERE e.directory_id = \(bind: directoryId) AND \(condition))"
    }

    /// Groups with a member matching `condition`, or users in a group matching it (direct memberships), through
    /// the memberships indexes.
    private func membershipsCondition(_ condition: SQLQueryString, ofGroup: Bool) -> SQLQueryString {
        ofGroup
            ? "groups.id IN (SELECT m.group_id FROM memberships m WHERE \(condition))"
            : "users.id IN (SELECT m.member_id FROM memberships m WHERE m.member_kind = 'user' AND \(condition))"
    }

    private func columnOperand(table: String, name: String, kind: SCIMAttributeLocation.ColumnKind) throws(SCIMError) -> Operand {
        let column: SQLQueryString = "\(ident: table).\(ident: name)"
        switch kind {
        case .text(let lower):
            return Operand(expression: column, type: .string, caseExact: false, lowered: "\(ident: table).\(ident: lower)")
        case .exactText:
            return Operand(expression: column, type: .string, caseExact: true, lowered: nil)
        case .boolean:
            return Operand(expression: column, type: .boolean, caseExact: true, lowered: nil)
        case .timestamp:
            return Operand(expression: column, type: .dateTime, caseExact: true, lowered: nil)
        case .integer:
            return Operand(expression: column, type: .integer, caseExact: true, lowered: nil)
        }
    }

    private func elementOperand(_ element: Element, member: String) throws(SCIMError) -> Operand {
        switch element {
        case .emails:
            switch member.lowercased() {
            case "value": return Operand(expression: "e.value", type: .string, caseExact: false, lowered: "e.value_lower")
            case "type": return Operand(expression: "e.type", type: .string, caseExact: false, lowered: nil)
            case "primary": return Operand(expression: "e.is_primary", type: .boolean, caseExact: true, lowered: nil)
            default: throw SCIMError(status: 400, scimType: .invalidFilter, detail: "Filtering on emails.\(member) is not supported.")
            }
        case .memberships(let ofGroup):
            switch member.lowercased() {
            case "value":
                return Operand(expression: ofGroup ? "m.member_id" : "m.group_id", type: .string, caseExact: true, lowered: nil)
            case "type":
                // Stored as user/group; SCIM says User/Group.
                let expression: SQLQueryString = ofGroup ? "(CASE m.member_kind WHEN 'group' THEN 'Group' ELSE 'User' END)" : "'direct'"
                return Operand(expression: expression, type: .string, caseExact: false, lowered: nil)
            default:
                throw SCIMError(status: 400, scimType: .invalidFilter, detail: "Filtering on \(ofGroup ? "members" : "groups").\(member) is not supported.")
            }
        case .json(let definition):
            guard let sub = definition.subAttribute(named: member) else {
                throw SCIMError(status: 400, scimType: .invalidFilter, detail: "\(definition.name).\(member) is not an attribute of this resource.")
            }
            return Operand(expression: elementMember(sub.name), type: sub.type, caseExact: sub.caseExact, lowered: nil, isJSON: true)
        }
    }

    // MARK: JSON, the one place the two dialects differ

    private func jsonScalar(_ path: [String]) -> SQLQueryString {
        switch kind {
        case .sqlite:
            return "json_extract(\(ident: resource.table).document, \(bind: Self.sqlitePath(path)))"
        case .postgres:
            return "jsonb_extract_path_text(\(ident: resource.table).document, \(binds: path.map { $0 as any Encodable & Sendable }))"
        }
    }

    private func jsonElements(_ path: [String]) -> SQLQueryString {
        switch kind {
        case .sqlite:
            return "json_each(\(ident: resource.table).document, \(bind: Self.sqlitePath(path))) AS j"
        case .postgres:
            let array: SQLQueryString = "jsonb_extract_path(\(ident: resource.table).document, \(binds: path.map { $0 as any Encodable & Sendable }))"
            return "jsonb_array_elements(CASE WHEN jsonb_typeof(\(array)) = 'array' THEN \(array) ELSE '[]'::jsonb END) AS j(value)"
        }
    }

    /// A member of the current JSON array element, or the element itself for arrays of scalars.
    private func elementMember(_ member: String?) -> SQLQueryString {
        switch (kind, member) {
        case (.sqlite, let member?): "json_extract(j.value, \(bind: Self.sqlitePath([member])))"
        case (.sqlite, nil): "j.value"
        case (.postgres, let member?): "(j.value ->> \(bind: member))"
        case (.postgres, nil): "(j.value #>> '{}')"
        }
    }

    /// `$."a"."b"`: quoted labels, so URN keys with colons and dots are read as one key.
    static func sqlitePath(_ path: [String]) -> String {
        "$" + path.map { ".\"" + $0.replacingOccurrences(of: "\"", with: "") + "\"" }.joined()
    }

    // MARK: Comparisons

    private func present(_ operand: Operand) -> SQLQueryString {
        switch operand.type {
        case .string, .reference, .binary:
            return "(\(operand.expression) IS NOT NULL AND \(operand.expression) <> '')"
        default:
            return "(\(operand.expression) IS NOT NULL)"
        }
    }

    private func compare(_ operand: Operand, _ op: SCIMFilter.Operator, _ literal: SCIMValue) throws(SCIMError) -> SQLQueryString {
        if op == .ne {
            return "(NOT \(try compare(operand, .eq, literal)))"
        }
        let value = operand.expression
        if literal.isNull {
            return "(\(value) IS NULL)"
        }
        switch operand.type {
        case .boolean:
            guard let flag = literal.boolValue else { throw mismatch(literal) }
            return "(\(value) IS NOT NULL AND \(booleanTest(value, flag)))"
        case .dateTime:
            guard let text = literal.stringValue, let date = SCIMDateTime.parse(text) else { throw mismatch(literal) }
            let millis = Int64((date.timeIntervalSince1970 * 1000).rounded())
            return "(\(value) IS NOT NULL AND \(value) \(unsafeRaw: Self.symbol(op)) \(bind: millis))"
        case .integer, .decimal:
            let number: any Encodable & Sendable
            switch literal {
            case .integer(let integer): number = integer
            case .decimal(let decimal): number = decimal
            default: throw mismatch(literal)
            }
            let numeric: SQLQueryString = kind == .postgres && operand.isJSON ? "CAST(\(value) AS DOUBLE PRECISION)" : value
            return "(\(value) IS NOT NULL AND \(numeric) \(unsafeRaw: Self.symbol(op)) \(bind: number))"
        case .string, .reference, .binary, .complex:
            guard let text = literal.stringValue else { throw mismatch(literal) }
            let (subject, needle): (SQLQueryString, String) = operand.caseExact
                ? (value, text)
                : (operand.lowered ?? "lower(\(value))", text.lowercased())
            let guarded: (SQLQueryString) -> SQLQueryString = { "(\(value) IS NOT NULL AND \($0))" }
            switch op {
            case .co:
                return guarded(kind == .sqlite ? "instr(\(subject), \(bind: needle)) > 0" : "strpos(\(subject), \(bind: needle)) > 0")
            case .sw:
                return guarded("substr(\(subject), 1, length(\(bind: needle))) = \(bind: needle)")
            case .ew:
                return guarded("length(\(subject)) >= length(\(bind: needle)) AND substr(\(subject), length(\(subject)) - length(\(bind: needle)) + 1) = \(bind: needle)")
            default:
                return guarded("\(subject) \(unsafeRaw: Self.symbol(op)) \(bind: needle)")
            }
        }
    }

    private func booleanTest(_ value: SQLQueryString, _ flag: Bool) -> SQLQueryString {
        // SQLite keeps booleans as 0/1 (columns and json_extract alike); PostgreSQL columns are BOOLEAN and
        // JSON text is 'true'/'false'.
        switch kind {
        case .sqlite: return "\(value) = \(unsafeRaw: flag ? "1" : "0")"
        case .postgres: return "CAST(\(value) AS TEXT) = \(unsafeRaw: flag ? "'true'" : "'false'")"
        }
    }

    private func mismatch(_ literal: SCIMValue) -> SCIMError {
        SCIMError(status: 400, scimType: .invalidFilter, detail: "The value \(literal.typeName) does not fit the attribute.")
    }

    private static func symbol(_ op: SCIMFilter.Operator) -> String {
        switch op {
        case .eq: "="
        case .ne: "<>"
        case .gt: ">"
        case .ge: ">="
        case .lt: "<"
        case .le: "<="
        case .co, .sw, .ew: "="
        }
    }
}
