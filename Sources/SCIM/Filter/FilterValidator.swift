import Foundation

/// Checks a parsed filter against a resource's schema before it is evaluated or translated to SQL: every path
/// names a defined attribute, and every literal fits its attribute's type. Errors are 400 `invalidFilter`.
public enum FilterValidator {
    public static func validate(_ filter: SCIMFilter, for resource: ResourceSchema) throws(SCIMError) {
        try validate(filter, resource: resource, parent: nil)
    }

    private static func validate(_ filter: SCIMFilter, resource: ResourceSchema, parent: AttributePath?) throws(SCIMError) {
        switch filter {
        case .and(let lhs, let rhs), .or(let lhs, let rhs):
            try validate(lhs, resource: resource, parent: parent)
            try validate(rhs, resource: resource, parent: parent)
        case .not(let inner):
            try validate(inner, resource: resource, parent: parent)
        case .valuePath(let path, let inner):
            guard let (_, definition) = resource.resolve(path) else { throw unknown(path) }
            guard definition.multiValued || definition.type == .complex else {
                throw invalid("\(path) is not multi-valued or complex, so it takes no value filter")
            }
            try validate(inner, resource: resource, parent: path)
        case .present(let path):
            _ = try leaf(path, resource: resource, parent: parent)
        case .compare(let path, let op, let value):
            let definition = try leaf(path, resource: resource, parent: parent)
            try check(value, op: op, against: definition, path: path)
        }
    }

    /// The definition a comparison compares against: a simple attribute, a sub-attribute, or the `value`
    /// sub-attribute of a multi-valued complex attribute named without one.
    static func leaf(_ path: AttributePath, resource: ResourceSchema, parent: AttributePath?) throws(SCIMError) -> AttributeDefinition {
        let full = parent.map { path.qualified(under: $0) } ?? path
        if parent != nil, path.subAttribute != nil { throw invalid("\(path) inside a value filter must be a sub-attribute name") }
        guard let (_, definition) = resource.resolve(full) else { throw unknown(full) }
        if let sub = full.subAttribute {
            guard let subDefinition = definition.subAttribute(named: sub) else { throw unknown(full) }
            return subDefinition
        }
        if definition.type == .complex {
            guard let value = definition.subAttribute(named: "value") else {
                throw invalid("\(full) is complex; name one of its sub-attributes")
            }
            return value
        }
        return definition
    }

    static func check(_ value: SCIMValue, op: SCIMFilter.Operator, against definition: AttributeDefinition, path: AttributePath) throws(SCIMError) {
        if value.isNull {
            guard op == .eq || op == .ne else { throw invalid("\(op.rawValue) cannot compare \(path) with null") }
            return
        }
        switch definition.type {
        case .string, .reference, .binary:
            guard value.stringValue != nil else { throw invalid("\(path) is a string; compare it with a quoted string") }
        case .dateTime:
            guard let text = value.stringValue, SCIMDateTime.parse(text) != nil else {
                throw invalid("\(path) is a dateTime; compare it with an xsd:dateTime string such as \"2026-01-31T12:00:00Z\"")
            }
        case .boolean:
            guard value.boolValue != nil else { throw invalid("\(path) is a boolean; compare it with true or false") }
            guard op == .eq || op == .ne else { throw invalid("\(op.rawValue) does not apply to the boolean \(path)") }
        case .integer:
            guard case .integer = value else { throw invalid("\(path) is an integer; compare it with an integer") }
        case .decimal:
            switch value {
            case .integer, .decimal: break
            default: throw invalid("\(path) is a number; compare it with a number")
            }
        case .complex:
            throw invalid("\(path) is complex; name one of its sub-attributes")
        }
        if [.co, .sw, .ew].contains(op), ![.string, .reference, .binary].contains(definition.type) {
            throw invalid("\(op.rawValue) applies to strings, and \(path) is \(definition.type.rawValue)")
        }
    }

    private static func unknown(_ path: AttributePath) -> SCIMError {
        SCIMError(status: 400, scimType: .invalidFilter, detail: "\(path) is not an attribute of this resource.")
    }

    private static func invalid(_ detail: String) -> SCIMError {
        SCIMError(status: 400, scimType: .invalidFilter, detail: detail + ".")
    }
}

/// xsd:dateTime values as SCIM uses them (RFC 7643 §2.3.5).
public enum SCIMDateTime {
    /// Parses `2026-01-31T12:00:00Z`, with optional fractional seconds and a numeric offset.
    public static func parse(_ text: String) -> Date? {
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = withFraction.date(from: text) { return date }
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        return plain.date(from: text)
    }

    /// Formats with milliseconds in UTC: `2026-01-31T12:00:00.123Z`.
    public static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}
