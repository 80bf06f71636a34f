/// An attribute reference: `[schema URN ":"] attribute ["." subAttribute]` (RFC 7644 §3.4.2.2, `attrPath`).
public struct AttributePath: Sendable, Hashable, CustomStringConvertible {
    /// The schema URN when the path was URN-qualified (`urn:...:enterprise:2.0:User`).
    public var schema: String?
    public var attribute: String
    public var subAttribute: String?

    public init(schema: String? = nil, attribute: String, subAttribute: String? = nil) {
        self.schema = schema
        self.attribute = attribute
        self.subAttribute = subAttribute
    }

    /// Parses `name`, `name.sub`, `urn:...:Resource:name` or `urn:...:Resource:name.sub`; nil when malformed.
    public init?(parsing text: String) {
        var schema: String?
        var rest = Substring(text)
        if text.lowercased().hasPrefix("urn:") {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            schema = String(text[..<colon])
            rest = text[text.index(after: colon)...]
        }
        let parts = rest.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.allSatisfy(Self.isAttributeName) else { return nil }
        self.init(schema: schema, attribute: String(parts[0]), subAttribute: parts.count == 2 ? String(parts[1]) : nil)
    }

    /// ATTRNAME = ALPHA *(nameChar), nameChar = "-" / "_" / DIGIT / ALPHA (RFC 7643 §2.1); `$ref` is allowed too.
    static func isAttributeName(_ name: Substring) -> Bool {
        if name == "$ref" { return true }
        guard let first = name.unicodeScalars.first, first.isASCIILetter else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCIILetter || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }
    }

    /// The same path without its schema, lower-cased: the key for case-insensitive comparison.
    public var normalizedName: String {
        (attribute + (subAttribute.map { "." + $0 } ?? "")).lowercased()
    }

    public var description: String {
        (schema.map { $0 + ":" } ?? "") + attribute + (subAttribute.map { "." + $0 } ?? "")
    }

    /// This path inside a value filter of `parent` (`emails[type eq "work"]`): `type` becomes `emails.type`.
    public func qualified(under parent: AttributePath) -> AttributePath {
        AttributePath(schema: parent.schema, attribute: parent.attribute, subAttribute: attribute)
    }
}

extension Unicode.Scalar {
    var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
}
