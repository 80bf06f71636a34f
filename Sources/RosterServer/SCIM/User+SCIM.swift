import Directory
import Foundation
import SCIM

/// The SCIM form of a directory user (RFC 7643 §4.1, §4.3) and back.
enum UserSCIM {
    static let resource = CoreSchemas.userResource
    /// Core attributes the domain keeps as fields of `User`.
    static let modeled: Set<String> = [
        "id", "externalid", "meta", "schemas", "username", "name", "displayname", "nickname", "title", "timezone",
        "locale", "preferredlanguage", "active", "emails", "groups", "password",
    ]

    /// The resource JSON of `user`, with its groups.
    static func object(_ user: User, groups: [UserGroup], baseURL: String) -> [String: SCIMValue] {
        let location = "\(baseURL)/scim/directory/\(user.directoryId)/Users/\(user.id)"
        var object: [String: SCIMValue] = [
            "id": .string(user.id),
            "userName": .string(user.userName),
            "meta": .object([
                "resourceType": .string("User"),
                "created": .string(SCIMDateTime.format(user.created)),
                "lastModified": .string(SCIMDateTime.format(user.lastModified)),
                "location": .string(location),
                "version": .string(etag(user.version)),
            ]),
        ]
        if !user.activeUnassigned { object["active"] = .bool(user.active) }
        object["externalId"] = user.externalId.map(SCIMValue.string)
        object["displayName"] = user.displayName.map(SCIMValue.string)
        object["nickName"] = user.nickName.map(SCIMValue.string)
        object["title"] = user.title.map(SCIMValue.string)
        object["timezone"] = user.timezone.map(SCIMValue.string)
        object["locale"] = user.locale.map(SCIMValue.string)
        object["preferredLanguage"] = user.preferredLanguage.map(SCIMValue.string)
        var name: [String: SCIMValue] = [:]
        name["formatted"] = user.name.formatted.map(SCIMValue.string)
        name["familyName"] = user.name.familyName.map(SCIMValue.string)
        name["givenName"] = user.name.givenName.map(SCIMValue.string)
        name["middleName"] = user.name.middleName.map(SCIMValue.string)
        name["honorificPrefix"] = user.name.honorificPrefix.map(SCIMValue.string)
        name["honorificSuffix"] = user.name.honorificSuffix.map(SCIMValue.string)
        if !name.isEmpty { object["name"] = .object(name) }
        if !user.emails.isEmpty {
            object["emails"] = .array(user.emails.map { email in
                var member: [String: SCIMValue] = ["value": .string(email.value), "primary": .bool(email.primary)]
                member["type"] = email.type.map(SCIMValue.string)
                member["display"] = email.display.map(SCIMValue.string)
                return .object(member)
            })
        }
        if !groups.isEmpty {
            object["groups"] = .array(groups.map { group in
                .object([
                    "value": .string(group.groupId),
                    "display": .string(group.displayName),
                    "$ref": .string("\(baseURL)/scim/directory/\(user.directoryId)/Groups/\(group.groupId)"),
                    "type": .string(group.direct ? "direct" : "indirect"),
                ])
            })
        }
        var enterprise: [String: SCIMValue] = [:]
        enterprise["department"] = user.department.map(SCIMValue.string)
        enterprise["organization"] = user.organization.map(SCIMValue.string)
        let enterprisePrefix = SCIMSchemaURN.enterpriseUser + ":"
        for (key, value) in user.extensionAttributes {
            if key.hasPrefix(enterprisePrefix) {
                enterprise[String(key.dropFirst(enterprisePrefix.count))] = value
            } else {
                object[key] = value
            }
        }
        var schemas: [SCIMValue] = [.string(SCIMSchemaURN.user)]
        if !enterprise.isEmpty {
            object[SCIMSchemaURN.enterpriseUser] = .object(enterprise)
            schemas.append(.string(SCIMSchemaURN.enterpriseUser))
        }
        object["schemas"] = .array(schemas)
        return object
    }

    /// The draft a SCIM User body describes (POST, PUT, or the result of a PATCH). Read-only attributes are
    /// ignored (RFC 7643 §7); unknown schemas and values of the wrong type are 400.
    static func draft(from object: [String: SCIMValue]) throws(SCIMError) -> UserDraft {
        try checkSchemas(object, resource: resource)
        for (key, value) in object {
            if key.lowercased() == "schemas" { continue }
            if let extensionSchema = resource.extensions.first(where: { $0.schema.id.lowercased() == key.lowercased() })?.schema {
                guard case .object(let members) = value else {
                    throw SCIMError(status: 400, scimType: .invalidValue, detail: "\(key) must be an object.")
                }
                for (name, member) in members {
                    guard let definition = extensionSchema.attribute(named: name) else {
                        throw SCIMError(status: 400, scimType: .invalidValue, detail: "\(extensionSchema.name) has no attribute \"\(name.prefix(100))\".")
                    }
                    try ValueChecker.check(member, against: definition, path: "\(extensionSchema.name).\(definition.name)")
                }
                continue
            }
            guard let definition = resource.core.attribute(named: key) ?? ResourceSchema.commonAttributes.first(where: { $0.name.lowercased() == key.lowercased() }) else {
                // RFC 7644 §3.3: attributes the service provider does not know are ignored.
                continue
            }
            if definition.mutability == .readOnly { continue }
            try ValueChecker.check(value, against: definition, path: definition.name)
        }
        guard let userName = object.member(named: "userName")?.value.stringValue,
              !userName.trimmingCharacters(in: .whitespaces).isEmpty
        else {
            throw SCIMError(status: 400, scimType: .invalidValue, detail: "userName is required.")
        }
        func string(_ name: String) -> String? { object.member(named: name)?.value.stringValue }
        let nameObject = object.member(named: "name")?.value
        let name = User.Name(
            formatted: nameObject?[attribute: "formatted"]?.stringValue, familyName: nameObject?[attribute: "familyName"]?.stringValue,
            givenName: nameObject?[attribute: "givenName"]?.stringValue, middleName: nameObject?[attribute: "middleName"]?.stringValue,
            honorificPrefix: nameObject?[attribute: "honorificPrefix"]?.stringValue,
            honorificSuffix: nameObject?[attribute: "honorificSuffix"]?.stringValue
        )
        var emails: [User.Email] = []
        for item in object.member(named: "emails")?.value.arrayValue ?? [] {
            guard let value = item[attribute: "value"]?.stringValue, !value.isEmpty else {
                throw SCIMError(status: 400, scimType: .invalidValue, detail: "Every email needs a value (the address).")
            }
            emails.append(User.Email(
                value: value, type: item[attribute: "type"]?.stringValue, primary: item[attribute: "primary"]?.boolValue ?? false,
                display: item[attribute: "display"]?.stringValue
            ))
        }
        var extensionAttributes: [String: JSONValue] = [:]
        for (key, value) in object where !modeled.contains(key.lowercased()) && !value.isNull {
            if let definition = resource.core.attribute(named: key) {
                extensionAttributes[definition.name] = value
            }
        }
        let enterprise = object.member(named: SCIMSchemaURN.enterpriseUser)?.value.objectValue ?? [:]
        for (key, value) in enterprise where !value.isNull {
            guard let definition = CoreSchemas.enterpriseUser.attribute(named: key),
                  !["department", "organization"].contains(definition.name.lowercased())
            else { continue }
            extensionAttributes["\(SCIMSchemaURN.enterpriseUser):\(definition.name)"] = value
        }
        return UserDraft(
            userName: userName, externalId: string("externalId"), emails: emails, name: name,
            displayName: string("displayName"), nickName: string("nickName"), title: string("title"),
            department: enterprise.member(named: "department")?.value.stringValue,
            organization: enterprise.member(named: "organization")?.value.stringValue,
            timezone: string("timezone"), locale: string("locale"), preferredLanguage: string("preferredLanguage"),
            active: object.member(named: "active")?.value.boolValue ?? true,
            activeUnassigned: object.member(named: "active")?.value.boolValue == nil, extensionAttributes: extensionAttributes,
            password: object.member(named: "password")?.value.stringValue
        )
    }

    /// `schemas` must be present and name only schemas of the resource, the core one included.
    static func checkSchemas(_ object: [String: SCIMValue], resource: ResourceSchema) throws(SCIMError) {
        guard let schemas = object.member(named: "schemas")?.value.arrayValue, !schemas.isEmpty else {
            throw SCIMError(status: 400, scimType: .invalidValue, detail: "The body needs \"schemas\": [\"\(resource.core.id)\"].")
        }
        var sawCore = false
        for schema in schemas {
            guard let urn = schema.stringValue, resource.knows(schema: urn) else {
                throw SCIMError(status: 400, scimType: .invalidValue, detail: "Unknown schema \(schema.stringValue.map { "\"\($0.prefix(200))\"" } ?? schema.typeName) for \(resource.name).")
            }
            if urn.lowercased() == resource.core.id.lowercased() { sawCore = true }
        }
        guard sawCore else {
            throw SCIMError(status: 400, scimType: .invalidValue, detail: "\"schemas\" must include \(resource.core.id).")
        }
    }

    /// The weak ETag of a version (RFC 7644 §3.14).
    static func etag(_ version: Int) -> String { "W/\"\(version)\"" }
}

/// The SCIM form of a group (RFC 7643 §4.2).
enum GroupSCIM {
    static let resource = CoreSchemas.groupResource

    static func object(_ group: Group, members: [Membership]?, baseURL: String) -> [String: SCIMValue] {
        var object: [String: SCIMValue] = [
            "schemas": .array([.string(SCIMSchemaURN.group)]),
            "id": .string(group.id),
            "displayName": .string(group.displayName),
            "meta": .object([
                "resourceType": .string("Group"),
                "created": .string(SCIMDateTime.format(group.created)),
                "lastModified": .string(SCIMDateTime.format(group.lastModified)),
                "location": .string("\(baseURL)/scim/directory/\(group.directoryId)/Groups/\(group.id)"),
                "version": .string(UserSCIM.etag(group.version)),
            ]),
        ]
        object["externalId"] = group.externalId.map(SCIMValue.string)
        if let members, !members.isEmpty {
            object["members"] = .array(members.map { member in
                let type = member.memberKind == .user ? "User" : "Group"
                return .object([
                    "value": .string(member.memberId),
                    "type": .string(type),
                    "$ref": .string("\(baseURL)/scim/directory/\(group.directoryId)/\(type)s/\(member.memberId)"),
                ])
            })
        }
        return object
    }

    /// displayName, externalId and members of a Group body (POST or PUT).
    static func parse(_ object: [String: SCIMValue]) throws(SCIMError) -> (displayName: String, externalId: String?, members: [MemberReference]) {
        try UserSCIM.checkSchemas(object, resource: resource)
        for (key, value) in object where key.lowercased() != "schemas" {
            guard let definition = resource.core.attribute(named: key) ?? ResourceSchema.commonAttributes.first(where: { $0.name.lowercased() == key.lowercased() }),
                  definition.mutability != .readOnly
            else { continue }
            try ValueChecker.check(value, against: definition, path: definition.name)
        }
        guard let displayName = object.member(named: "displayName")?.value.stringValue, !displayName.isEmpty else {
            throw SCIMError(status: 400, scimType: .invalidValue, detail: "displayName is required.")
        }
        // A full member list (Okta's PUT) may be as long as the group: no per-request member cap here.
        let members = try MembershipPatch.memberReferences(object.member(named: "members")?.value)
        return (displayName, object.member(named: "externalId")?.value.stringValue, members)
    }
}
