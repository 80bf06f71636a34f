import Foundation

/// Rewrites the PATCH bodies real identity providers send into RFC 7644 form, in one step before the PATCH
/// engine. Each rewrite is named after the client that needs it; anything not recognized is left for the
/// strict parser to accept or refuse.
public enum ClientQuirks {
    /// Normalizes a PATCH body for a resource of type `resource` whose id is `resourceId`; `current` is the resource
    /// as it is now, which the Entra ID upsert rewrite needs.
    public static func normalize(
        _ body: [String: SCIMValue], resource: ResourceSchema, resourceId: String, current: [String: SCIMValue]? = nil
    ) -> [String: SCIMValue] {
        guard let operationsEntry = body.member(named: "Operations"), case .array(let operations) = operationsEntry.value else {
            return body
        }
        var normalized: [SCIMValue] = []
        for raw in operations {
            guard case .object(var operation) = raw else { normalized.append(raw); continue }
            // Entra ID: "Add", "Replace", "Remove".
            if let op = operation.member(named: "op")?.value.stringValue {
                operation.setMember(named: "op", to: .string(op.lowercased()))
            }
            let op = operation.member(named: "op")?.value.stringValue ?? ""
            let path = operation.member(named: "path")?.value.stringValue

            if path == nil, op == "add" || op == "replace", case .object(let value)? = operation.member(named: "value")?.value {
                normalized.append(contentsOf: splitPathless(op: op, value: value, resource: resource, resourceId: resourceId))
                continue
            }
            if let path, var value = operation.member(named: "value")?.value {
                value = coerce(value, at: path, resource: resource)
                // Entra ID: `emails[type eq "work"].value` on a user with no work email means "add one".
                if op == "add" || op == "replace", let current,
                   let upsert = upsert(path: path, value: value, resource: resource, current: current) {
                    normalized.append(.object(["op": .string("add"), "path": .string(upsert.path), "value": .array([upsert.member])]))
                    continue
                }
                // Entra ID: {"op":"remove","path":"members","value":[{"value":"id"}]} removes those members.
                if op == "remove", let filterPath = removalFilter(path: path, value: value, resource: resource) {
                    operation.setMember(named: "path", to: .string(filterPath))
                    operation.removeMember(named: "value")
                } else {
                    operation.setMember(named: "value", to: value)
                }
            }
            normalized.append(.object(operation))
        }
        var result = body
        result[operationsEntry.key] = .array(normalized)
        return result
    }

    /// Entra ID sends pathless `replace` values keyed by dotted paths (`name.givenName`) and URN-qualified paths
    /// (`urn:...:enterprise:2.0:User:manager`); each becomes an operation with that path. Okta repeats the
    /// resource's `id` in pathless group replaces; an `id` equal to the resource's own is dropped.
    static func splitPathless(op: String, value: [String: SCIMValue], resource: ResourceSchema, resourceId: String) -> [SCIMValue] {
        var plain: [String: SCIMValue] = [:]
        var separate: [SCIMValue] = []
        for (key, member) in value.sorted(by: { $0.key < $1.key }) {
            if key.caseInsensitiveEquals("id"), member.stringValue == resourceId { continue }
            let isExtensionObject = resource.extensions.contains { $0.schema.id.caseInsensitiveEquals(key) }
            if !isExtensionObject, key.contains(".") || key.lowercased().hasPrefix("urn:") {
                separate.append(.object(["op": .string(op), "path": .string(key), "value": coerce(member, at: key, resource: resource)]))
            } else if isExtensionObject, case .object(let extensionMembers) = member {
                var coerced: [String: SCIMValue] = [:]
                for (name, extensionValue) in extensionMembers {
                    coerced[name] = coerce(extensionValue, at: "\(key):\(name)", resource: resource)
                }
                plain[key] = .object(coerced)
            } else {
                plain[key] = coerce(member, at: key, resource: resource)
            }
        }
        var operations: [SCIMValue] = []
        if !plain.isEmpty {
            operations.append(.object(["op": .string(op), "value": .object(plain)]))
        }
        return operations + separate
    }

    /// Entra ID: booleans as the strings "True"/"False"; `manager` as a plain id string.
    static func coerce(_ value: SCIMValue, at path: String, resource: ResourceSchema) -> SCIMValue {
        guard let patchPath = try? FilterParser.parsePatchPath(path), let (_, definition) = resource.resolve(patchPath.attribute) else {
            return value
        }
        var target = definition
        if let sub = patchPath.attribute.subAttribute ?? patchPath.subAttribute, let subDefinition = definition.subAttribute(named: sub) {
            target = subDefinition
        }
        if target.type == .boolean, let text = value.stringValue {
            switch text.lowercased() {
            case "true": return .bool(true)
            case "false": return .bool(false)
            default: return value
            }
        }
        if target.type == .complex, !target.multiValued, let text = value.stringValue, target.subAttribute(named: "value") != nil {
            return .object(["value": .string(text)])
        }
        if target.type == .complex, !target.multiValued, case .object(var members) = value {
            for (name, member) in members {
                if let sub = target.subAttribute(named: name), sub.type == .boolean, let text = member.stringValue {
                    if text.lowercased() == "true" { members[name] = .bool(true) } else if text.lowercased() == "false" { members[name] = .bool(false) }
                }
            }
            return .object(members)
        }
        if case .object(let members) = value {
            return .object(coerceMembers(members, definition: target))
        }
        if target.multiValued, case .array(let items) = value {
            return .array(items.map { item in
                guard case .object(let members) = item else { return item }
                return .object(coerceMembers(members, definition: target))
            })
        }
        return value
    }

    private static func coerceMembers(_ members: [String: SCIMValue], definition: AttributeDefinition) -> [String: SCIMValue] {
        var result = members
        for (name, member) in members {
            guard let sub = definition.subAttribute(named: name), sub.type == .boolean, let text = member.stringValue else { continue }
            if text.lowercased() == "true" { result[name] = .bool(true) } else if text.lowercased() == "false" { result[name] = .bool(false) }
        }
        return result
    }

    /// The add that an upsert through a filtered path means, when nothing matches and the filter pins the new value
    /// down (`a eq x and b eq y`); nil otherwise, leaving the operation to the engine (which answers noTarget).
    static func upsert(path: String, value: SCIMValue, resource: ResourceSchema, current: [String: SCIMValue]) -> (path: String, member: SCIMValue)? {
        guard let patchPath = try? FilterParser.parsePatchPath(path), let filter = patchPath.filter,
              let (_, definition) = resource.resolve(patchPath.attribute), definition.multiValued, definition.type == .complex,
              (try? FilterValidator.validate(.valuePath(patchPath.attribute, filter), for: resource)) != nil,
              !FilterEvaluator(resource: resource).matches(.valuePath(patchPath.attribute, filter), current),
              var member = equalities(filter)
        else { return nil }
        if let sub = patchPath.subAttribute {
            member.setMember(named: sub, to: value)
        } else if case .object(let given) = value {
            for (name, element) in given { member.setMember(named: name, to: element) }
        } else {
            return nil
        }
        return (patchPath.attribute.description, .object(member))
    }

    /// The sub-attribute values a filter pins down when it is `a eq x and b eq y ...`; nil otherwise.
    static func equalities(_ filter: SCIMFilter) -> [String: SCIMValue]? {
        switch filter {
        case .compare(let path, .eq, let value) where path.subAttribute == nil && !value.isNull:
            return [path.attribute: value]
        case .and(let lhs, let rhs):
            guard let left = equalities(lhs), let right = equalities(rhs) else { return nil }
            return left.merging(right) { first, _ in first }
        default:
            return nil
        }
    }

    /// `remove` of a multi-valued complex attribute with a value list: the RFC form is a filter on `value`.
    /// Group `members` keep the list: `MembershipPatch` removes them by id, however many there are.
    static func removalFilter(path: String, value: SCIMValue, resource: ResourceSchema) -> String? {
        guard !path.contains("["), let attribute = AttributePath(parsing: path), attribute.subAttribute == nil,
              !(attribute.attribute.caseInsensitiveEquals("members") && resource.name == "Group"),
              let (_, definition) = resource.resolve(attribute), definition.multiValued, definition.type == .complex
        else { return nil }
        let items = value.arrayValue ?? [value]
        let ids = items.compactMap { $0[attribute: "value"]?.stringValue }
        guard !ids.isEmpty, ids.count == items.count else { return nil }
        let terms = ids.map { "value eq \"\($0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\""))\"" }
        return "\(path)[\(terms.joined(separator: " or "))]"
    }
}
