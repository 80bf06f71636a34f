import SCIM

/// Where each SCIM attribute of a User or Group lives in the schema: a typed column, the emails or memberships
/// child table, or a path in the JSON document.
enum SCIMAttributeLocation: Sendable {
    /// How a column compares.
    enum ColumnKind: Sendable {
        /// Case-insensitive text, compared through a lower-cased column.
        case text(lower: String)
        /// Case-exact text.
        case exactText
        case boolean
        /// Milliseconds since 1970.
        case timestamp
        case integer
    }

    case column(String, ColumnKind)
    /// `emails` of a user: the `user_emails` table; `sub` is value, type or primary.
    case emails(sub: String)
    /// `groups` of a user (memberships by member) or `members` of a group (memberships by group); `sub` is
    /// value or type.
    case memberships(sub: String, ofGroup: Bool)
    /// A scalar in the document: `path` from the root, with the attribute's type.
    case json(path: [String], type: AttributeDefinition.DataType, caseExact: Bool)
    /// Elements of an array in the document; `sub` is the element's member compared (nil for simple arrays).
    case jsonArray(path: [String], sub: String?, type: AttributeDefinition.DataType, caseExact: Bool)
}

/// Maps validated SCIM paths of the User and Group resources to storage locations.
enum SCIMAttributeMap {
    /// The document key holding attributes the domain model keeps without a field of its own.
    static let extensionKey = "extensionAttributes"

    /// The domain-model keys of the User document for the core attributes it models as fields.
    static let userFields: Set<String> = ["nickname", "title", "timezone", "locale", "preferredlanguage"]

    static func user(_ path: AttributePath, resource: ResourceSchema = CoreSchemas.userResource) -> SCIMAttributeLocation? {
        guard let (schemaID, definition) = resource.resolve(path) else { return nil }
        let sub = path.subAttribute.flatMap { definition.subAttribute(named: $0) }
        let isCore = schemaID.caseInsensitiveEquals(SCIMSchemaURN.user)
        let name = definition.name.lowercased()
        if isCore {
            switch (name, sub?.name.lowercased()) {
            case ("id", nil): return .column("id", .exactText)
            case ("externalid", nil): return .column("external_id", .exactText)
            case ("username", nil): return .column("user_name", .text(lower: "user_name_lower"))
            case ("displayname", nil): return .column("display_name", .text(lower: "display_name_lower"))
            case ("active", nil): return .column("active", .boolean)
            case ("meta", "created"): return .column("created_at", .timestamp)
            case ("meta", "lastmodified"): return .column("last_modified_at", .timestamp)
            case ("meta", "version"): return .column("version", .integer)
            case ("meta", _): return nil
            case ("emails", let subName): return .emails(sub: subName ?? "value")
            case ("groups", let subName):
                guard let subName = subName ?? "value" as String?, ["value", "type"].contains(subName) else { return nil }
                return .memberships(sub: subName, ofGroup: false)
            case ("name", let subName?):
                return .json(path: ["name", sub?.name ?? subName], type: .string, caseExact: false)
            case (let field, nil) where userFields.contains(field):
                return .json(path: [definition.name], type: definition.type, caseExact: definition.caseExact)
            default:
                return generic(path: [extensionKey, definition.name], definition: definition, sub: sub)
            }
        }
        if schemaID.caseInsensitiveEquals(SCIMSchemaURN.enterpriseUser) {
            switch name {
            case "department": return .json(path: ["department"], type: .string, caseExact: false)
            case "organization": return .json(path: ["organization"], type: .string, caseExact: false)
            default: return generic(path: [extensionKey, "\(SCIMSchemaURN.enterpriseUser):\(definition.name)"], definition: definition, sub: sub)
            }
        }
        return nil
    }

    static func group(_ path: AttributePath) -> SCIMAttributeLocation? {
        guard let (_, definition) = CoreSchemas.groupResource.resolve(path) else { return nil }
        let sub = path.subAttribute?.lowercased()
        switch (definition.name.lowercased(), sub) {
        case ("id", nil): return .column("id", .exactText)
        case ("externalid", nil): return .column("external_id", .exactText)
        case ("displayname", nil): return .column("display_name", .text(lower: "display_name_lower"))
        case ("meta", "created"): return .column("created_at", .timestamp)
        case ("meta", "lastmodified"): return .column("last_modified_at", .timestamp)
        case ("meta", "version"): return .column("version", .integer)
        case ("members", let subName):
            let member = subName ?? "value"
            guard ["value", "type"].contains(member) else { return nil }
            return .memberships(sub: member, ofGroup: true)
        default: return nil
        }
    }

    private static func generic(path: [String], definition: AttributeDefinition, sub: AttributeDefinition?) -> SCIMAttributeLocation {
        if definition.multiValued {
            if definition.type == .complex {
                let member = sub ?? definition.subAttribute(named: "value")
                return .jsonArray(path: path, sub: member?.name ?? "value", type: member?.type ?? .string, caseExact: member?.caseExact ?? false)
            }
            return .jsonArray(path: path, sub: nil, type: definition.type, caseExact: definition.caseExact)
        }
        if definition.type == .complex {
            let member = sub ?? definition.subAttribute(named: "value")
            return .json(path: path + [member?.name ?? "value"], type: member?.type ?? .string, caseExact: member?.caseExact ?? false)
        }
        return .json(path: path, type: definition.type, caseExact: definition.caseExact)
    }
}

extension String {
    func caseInsensitiveEquals(_ other: String) -> Bool {
        lowercased() == other.lowercased()
    }
}
