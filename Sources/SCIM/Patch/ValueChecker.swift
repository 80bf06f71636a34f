/// Checks that a JSON value fits an attribute's definition (RFC 7643 §2.3); mismatches are 400 `invalidValue`.
public enum ValueChecker {
    /// - Parameter allowSingleForMultiValued: accept one element where the attribute is multi-valued
    ///   (PATCH `add` of one value, or a value for a filtered element).
    public static func check(
        _ value: SCIMValue, against definition: AttributeDefinition, path: String, allowSingleForMultiValued: Bool = false
    ) throws(SCIMError) {
        if value.isNull { return }
        if definition.multiValued {
            if case .array(let items) = value {
                for (index, item) in items.enumerated() {
                    try checkSingle(item, definition, path: "\(path)[\(index)]")
                }
                return
            }
            guard allowSingleForMultiValued else {
                throw SCIMError(status: 400, scimType: .invalidValue, detail: "\(path) is multi-valued; give an array, not \(value.typeName).")
            }
        }
        try checkSingle(value, definition, path: path)
    }

    private static func checkSingle(_ value: SCIMValue, _ definition: AttributeDefinition, path: String) throws(SCIMError) {
        if value.isNull { return }
        let fits: Bool
        switch definition.type {
        case .string, .reference, .binary:
            fits = value.stringValue != nil
        case .boolean:
            fits = value.boolValue != nil
        case .integer:
            if case .integer = value { fits = true } else { fits = false }
        case .decimal:
            switch value {
            case .integer, .decimal: fits = true
            default: fits = false
            }
        case .dateTime:
            fits = value.stringValue.flatMap(SCIMDateTime.parse) != nil
        case .complex:
            guard case .object(let members) = value else {
                throw SCIMError(status: 400, scimType: .invalidValue, detail: "\(path) must be an object, not \(value.typeName).")
            }
            for (name, member) in members {
                guard let sub = definition.subAttribute(named: name) else {
                    throw SCIMError(status: 400, scimType: .invalidValue, detail: "\(path) has no sub-attribute \"\(name.prefix(100))\".")
                }
                try checkSingle(member, sub, path: "\(path).\(sub.name)")
            }
            return
        }
        guard fits else {
            throw SCIMError(status: 400, scimType: .invalidValue,
                            detail: "\(path) must be \(describe(definition.type)), not \(value.typeName).")
        }
    }

    private static func describe(_ type: AttributeDefinition.DataType) -> String {
        switch type {
        case .string, .reference, .binary: "a string"
        case .boolean: "a boolean"
        case .integer: "an integer"
        case .decimal: "a number"
        case .dateTime: "an xsd:dateTime string"
        case .complex: "an object"
        }
    }
}
