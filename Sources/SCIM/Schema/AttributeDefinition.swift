import Foundation

/// The definition of one attribute (RFC 7643 §7), as served from `/Schemas` and used by filters, PATCH and
/// projection.
public struct AttributeDefinition: Sendable, Hashable, Encodable {
    /// RFC 7643 §2.3.
    public enum DataType: String, Sendable, Hashable, Encodable {
        case string, boolean, decimal, integer, dateTime, reference, complex, binary
    }

    /// RFC 7643 §7 `mutability`.
    public enum Mutability: String, Sendable, Hashable, Encodable {
        case readOnly, readWrite, immutable, writeOnly
    }

    /// RFC 7643 §7 `returned`.
    public enum Returned: String, Sendable, Hashable, Encodable {
        case always, never, `default`, request
    }

    /// RFC 7643 §7 `uniqueness`.
    public enum Uniqueness: String, Sendable, Hashable, Encodable {
        case none, server, global
    }

    public var name: String
    public var type: DataType
    public var multiValued: Bool
    public var description: String
    public var required: Bool
    public var caseExact: Bool
    public var mutability: Mutability
    public var returned: Returned
    public var uniqueness: Uniqueness
    public var subAttributes: [AttributeDefinition]
    public var canonicalValues: [String]
    public var referenceTypes: [String]

    public init(
        _ name: String, _ type: DataType, multiValued: Bool = false, description: String, required: Bool = false,
        caseExact: Bool = false, mutability: Mutability = .readWrite, returned: Returned = .default,
        uniqueness: Uniqueness = .none, subAttributes: [AttributeDefinition] = [], canonicalValues: [String] = [],
        referenceTypes: [String] = []
    ) {
        self.name = name
        self.type = type
        self.multiValued = multiValued
        self.description = description
        self.required = required
        self.caseExact = caseExact
        self.mutability = mutability
        self.returned = returned
        self.uniqueness = uniqueness
        self.subAttributes = subAttributes
        self.canonicalValues = canonicalValues
        self.referenceTypes = referenceTypes
    }

    /// A sub-attribute by name, case-insensitively.
    public func subAttribute(named name: String) -> AttributeDefinition? {
        subAttributes.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }
    }

    private enum CodingKeys: String, CodingKey {
        case name, type, multiValued, description, required, caseExact, mutability, returned, uniqueness
        case subAttributes, canonicalValues, referenceTypes
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(type, forKey: .type)
        try container.encode(multiValued, forKey: .multiValued)
        try container.encode(description, forKey: .description)
        try container.encode(required, forKey: .required)
        if type == .string || type == .reference || type == .binary { try container.encode(caseExact, forKey: .caseExact) }
        try container.encode(mutability, forKey: .mutability)
        try container.encode(returned, forKey: .returned)
        if type != .complex { try container.encode(uniqueness, forKey: .uniqueness) }
        if !subAttributes.isEmpty { try container.encode(subAttributes, forKey: .subAttributes) }
        if !canonicalValues.isEmpty { try container.encode(canonicalValues, forKey: .canonicalValues) }
        if !referenceTypes.isEmpty { try container.encode(referenceTypes, forKey: .referenceTypes) }
    }
}

/// A schema (RFC 7643 §7): its URN id, name and attributes.
public struct SchemaDefinition: Sendable, Hashable {
    public var id: String
    public var name: String
    public var description: String
    public var attributes: [AttributeDefinition]

    public init(id: String, name: String, description: String, attributes: [AttributeDefinition]) {
        self.id = id
        self.name = name
        self.description = description
        self.attributes = attributes
    }

    /// A top-level attribute by name, case-insensitively.
    public func attribute(named name: String) -> AttributeDefinition? {
        attributes.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }
    }
}

/// A resource type: its core schema and extensions (RFC 7643 §6).
public struct ResourceSchema: Sendable, Hashable {
    public var name: String
    public var endpoint: String
    public var core: SchemaDefinition
    /// Extension schemas and whether each is required.
    public var extensions: [(schema: SchemaDefinition, required: Bool)]

    public init(name: String, endpoint: String, core: SchemaDefinition, extensions: [(schema: SchemaDefinition, required: Bool)]) {
        self.name = name
        self.endpoint = endpoint
        self.core = core
        self.extensions = extensions
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.name == rhs.name && lhs.core == rhs.core && lhs.extensions.map(\.schema) == rhs.extensions.map(\.schema)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
    }

    /// The common attributes every resource has (RFC 7643 §3.1).
    public static let commonAttributes: [AttributeDefinition] = [
        AttributeDefinition("id", .string, description: "Unique identifier assigned by the service provider.",
                            caseExact: true, mutability: .readOnly, returned: .always, uniqueness: .server),
        AttributeDefinition("externalId", .string, description: "Identifier assigned by the provisioning client.", caseExact: true),
        AttributeDefinition("meta", .complex, description: "Resource metadata.", mutability: .readOnly, subAttributes: [
            AttributeDefinition("resourceType", .string, description: "The resource type.", caseExact: true, mutability: .readOnly),
            AttributeDefinition("created", .dateTime, description: "When the resource was added.", mutability: .readOnly),
            AttributeDefinition("lastModified", .dateTime, description: "When the resource last changed.", mutability: .readOnly),
            AttributeDefinition("location", .reference, description: "The resource's URI.", caseExact: true, mutability: .readOnly, referenceTypes: ["uri"]),
            AttributeDefinition("version", .string, description: "The resource's version (weak ETag).", caseExact: true, mutability: .readOnly),
        ]),
    ]

    /// Resolves a path to its schema and definition: URN-qualified paths go to that schema; unqualified ones to
    /// the common attributes, then the core schema, then the extensions.
    public func resolve(_ path: AttributePath) -> (schema: String, definition: AttributeDefinition)? {
        if let urn = path.schema {
            if urn.caseInsensitiveCompare(core.id) == .orderedSame {
                return core.attribute(named: path.attribute).map { (core.id, $0) }
                    ?? Self.commonAttributes.first { $0.name.caseInsensitiveCompare(path.attribute) == .orderedSame }.map { (core.id, $0) }
            }
            guard let schema = extensions.first(where: { $0.schema.id.caseInsensitiveCompare(urn) == .orderedSame })?.schema else { return nil }
            return schema.attribute(named: path.attribute).map { (schema.id, $0) }
        }
        if let common = Self.commonAttributes.first(where: { $0.name.caseInsensitiveCompare(path.attribute) == .orderedSame }) {
            return (core.id, common)
        }
        if let attribute = core.attribute(named: path.attribute) { return (core.id, attribute) }
        for (schema, _) in extensions {
            if let attribute = schema.attribute(named: path.attribute) { return (schema.id, attribute) }
        }
        return nil
    }

    /// Whether `urn` is the core schema or one of the extensions.
    public func knows(schema urn: String) -> Bool {
        urn.caseInsensitiveCompare(core.id) == .orderedSame
            || extensions.contains { $0.schema.id.caseInsensitiveCompare(urn) == .orderedSame }
    }
}
