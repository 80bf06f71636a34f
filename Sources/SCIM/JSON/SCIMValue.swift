import Foundation

/// A JSON value as SCIM carries it. Integers and decimals stay apart so numbers round-trip exactly.
public enum SCIMValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case integer(Int64)
    case decimal(Double)
    case string(String)
    case array([SCIMValue])
    case object([String: SCIMValue])

    /// The string, if this is one.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The boolean, if this is one.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The array, if this is one.
    public var arrayValue: [SCIMValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The object, if this is one.
    public var objectValue: [String: SCIMValue]? {
        if case .object(let value) = self { return value }
        return nil
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// A member of an object by SCIM attribute name, which is case-insensitive (RFC 7643 §2.1).
    public subscript(attribute name: String) -> SCIMValue? {
        guard case .object(let members) = self else { return nil }
        return members.member(named: name)?.value
    }

    /// The JSON type name, for error messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .integer, .decimal: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

extension Dictionary where Key == String, Value == SCIMValue {
    /// The member whose key equals `name` ignoring case: the exact key first, else the first match.
    public func member(named name: String) -> (key: String, value: SCIMValue)? {
        if let value = self[name] { return (name, value) }
        for (key, value) in self where key.caseInsensitiveCompare(name) == .orderedSame {
            return (key, value)
        }
        return nil
    }

    /// Sets the member named `name` (case-insensitively), keeping an existing key's spelling.
    public mutating func setMember(named name: String, to value: SCIMValue) {
        if let existing = member(named: name) {
            self[existing.key] = value
        } else {
            self[name] = value
        }
    }

    /// Removes the member named `name` (case-insensitively).
    @discardableResult
    public mutating func removeMember(named name: String) -> SCIMValue? {
        guard let existing = member(named: name) else { return nil }
        return removeValue(forKey: existing.key)
    }
}

extension SCIMValue: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .decimal(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([SCIMValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: SCIMValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .decimal(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}

/// Reads and writes SCIM JSON bodies with the limits a server needs against hostile input.
public enum SCIMJSON {
    /// Deepest nesting of arrays and objects accepted in a request body.
    public static let maximumDepth = 32

    /// Parses a request body: valid UTF-8 JSON, at most `maximumDepth` levels deep, an object at the top.
    public static func parseObject(_ bytes: some Collection<UInt8>) throws(SCIMError) -> [String: SCIMValue] {
        guard !bytes.isEmpty else { throw .invalidSyntax("The request body is empty; send a JSON object.") }
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw .invalidSyntax("The request body is not valid UTF-8.")
        }
        try checkDepth(bytes)
        let value: SCIMValue
        do {
            value = try JSONDecoder().decode(SCIMValue.self, from: Data(bytes))
        } catch {
            throw .invalidSyntax("The request body is not valid JSON.")
        }
        guard case .object(let object) = value else {
            throw .invalidSyntax("The request body must be a JSON object, not \(value.typeName).")
        }
        try rejectNUL(value)
        return object
    }

    /// NUL cannot be stored alike by every database, and no attribute needs it.
    static func rejectNUL(_ value: SCIMValue) throws(SCIMError) {
        switch value {
        case .string(let text):
            if text.unicodeScalars.contains("\u{0}") {
                throw SCIMError(status: 400, scimType: .invalidValue, detail: "Strings must not contain the NUL character.")
            }
        case .array(let items): for item in items { try rejectNUL(item) }
        case .object(let members):
            for (key, member) in members {
                try rejectNUL(.string(key))
                try rejectNUL(member)
            }
        default: return
        }
    }

    /// Refuses nesting deeper than `maximumDepth` before any recursive decoder sees it.
    static func checkDepth(_ bytes: some Collection<UInt8>) throws(SCIMError) {
        var depth = 0
        var inString = false
        var escaped = false
        for byte in bytes {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > maximumDepth {
                    throw .invalidSyntax("The request body is nested more than \(maximumDepth) levels deep.")
                }
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
    }

    /// Encodes a value as compact JSON with sorted keys.
    public static func encode(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }
}
