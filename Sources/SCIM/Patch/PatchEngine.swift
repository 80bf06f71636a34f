import Foundation

/// Applies PATCH operations (RFC 7644 §3.5.2) to a resource in its SCIM JSON form, with the schema's
/// mutability rules. Every operation either changes the resource or fails the whole request: nothing is ignored.
///
/// A filtered path that matches no value is 400 `noTarget`; Entra ID's upserts are rewritten into adds before
/// this engine runs (`ClientQuirks`).
public struct PatchEngine: Sendable {
    public let resource: ResourceSchema

    public init(resource: ResourceSchema) {
        self.resource = resource
    }

    /// Applies `operations` in order and returns the new resource.
    public func apply(_ operations: [PatchOperation], to object: [String: SCIMValue]) throws(SCIMError) -> [String: SCIMValue] {
        var result = object
        for (index, operation) in operations.enumerated() {
            do throws(SCIMError) {
                try apply(operation, to: &result)
            } catch {
                var located = error
                located.detail = "Operations[\(index)]: " + error.detail
                throw located
            }
        }
        return result
    }

    private func apply(_ operation: PatchOperation, to object: inout [String: SCIMValue]) throws(SCIMError) {
        // A path naming an extension schema itself targets all of that extension's attributes.
        if let path = operation.path, path.filter == nil,
           let extensionSchema = resource.extensions.first(where: { $0.schema.id.caseInsensitiveEquals(path.description) })?.schema {
            switch operation.op {
            case .remove:
                for attribute in extensionSchema.attributes where object.member(named: extensionSchema.id)?.value[attribute: attribute.name] != nil {
                    try apply(.remove, PatchPath(attribute: AttributePath(schema: extensionSchema.id, attribute: attribute.name), filter: nil, subAttribute: nil), nil, to: &object)
                }
            case .add, .replace:
                try apply(PatchOperation(op: operation.op, path: nil, value: .object([extensionSchema.id: operation.value ?? .null])), to: &object)
            }
            return
        }
        guard let path = operation.path else {
            // Pathless add/replace: each member of the value object is an attribute (or an extension's object).
            guard case .object(let members)? = operation.value else {
                throw SCIMError(status: 400, scimType: .invalidValue, detail: "\(operation.op.rawValue) without a path needs an object value.")
            }
            for (key, value) in members.sorted(by: { $0.key < $1.key }) {
                if key.caseInsensitiveEquals("schemas") { continue }
                if resource.extensions.contains(where: { $0.schema.id.caseInsensitiveEquals(key) }) {
                    guard case .object(let extensionMembers) = value else {
                        throw SCIMError(status: 400, scimType: .invalidValue, detail: "\(key) must be an object of attributes.")
                    }
                    for (name, extensionValue) in extensionMembers.sorted(by: { $0.key < $1.key }) where !name.caseInsensitiveEquals("schemas") {
                        guard let attribute = AttributePath(parsing: name), attribute.schema == nil else {
                            throw SCIMError(status: 400, scimType: .invalidPath, detail: "\"\(name)\" is not an attribute name.")
                        }
                        let qualified = AttributePath(schema: key, attribute: attribute.attribute, subAttribute: attribute.subAttribute)
                        try apply(operation.op, PatchPath(attribute: qualified, filter: nil, subAttribute: nil), extensionValue, to: &object)
                    }
                    continue
                }
                guard let attribute = AttributePath(parsing: key) else {
                    throw SCIMError(status: 400, scimType: .invalidPath, detail: "\"\(key.prefix(100))\" is not an attribute name.")
                }
                try apply(operation.op, PatchPath(attribute: attribute, filter: nil, subAttribute: nil), value, to: &object)
            }
            return
        }
        try apply(operation.op, path, operation.value, to: &object)
    }

    private func apply(_ op: PatchOperation.Op, _ path: PatchPath, _ value: SCIMValue?, to object: inout [String: SCIMValue]) throws(SCIMError) {
        guard let (schemaID, definition) = resource.resolve(path.attribute) else {
            throw SCIMError(status: 400, scimType: .invalidPath, detail: "\(path.attribute) is not an attribute of this resource.")
        }
        let isCore = schemaID.caseInsensitiveEquals(resource.core.id)
        var container: [String: SCIMValue]
        if isCore {
            container = object
        } else {
            container = object.member(named: schemaID)?.value.objectValue ?? [:]
        }
        let key = container.member(named: definition.name)?.key ?? definition.name
        let current = container[key]

        // The attribute (or sub-attribute) the operation writes.
        let subName = path.attribute.subAttribute ?? path.subAttribute
        var target = definition
        if let subName {
            guard let sub = definition.subAttribute(named: subName) else {
                throw SCIMError(status: 400, scimType: .invalidPath, detail: "\(definition.name).\(subName) is not an attribute of this resource.")
            }
            target = sub
        }
        try checkMutability(op, definition: definition, target: target, current: current, path: path)
        if let value, op != .remove, !value.isNull {
            try ValueChecker.check(value, against: subName == nil ? definition : target, path: path.description, allowSingleForMultiValued: op == .add || path.filter != nil)
        }

        let updated: SCIMValue?
        if let filter = path.filter {
            updated = try applyFiltered(op, filter: filter, subName: path.subAttribute, value: value, definition: definition, current: current, path: path)
        } else if subName != nil {
            updated = try applySubAttribute(op, subName: target.name, value: value, definition: definition, current: current, path: path)
        } else {
            updated = try applyWhole(op, value: value, definition: definition, current: current)
        }

        if let updated, !isUnassigned(updated) {
            container[key] = updated
        } else {
            container.removeValue(forKey: key)
        }
        if isCore {
            object = container
        } else if container.isEmpty {
            object.removeMember(named: schemaID)
        } else {
            object.setMember(named: schemaID, to: .object(container))
        }
    }

    // MARK: Whole attribute

    private func applyWhole(_ op: PatchOperation.Op, value: SCIMValue?, definition: AttributeDefinition, current: SCIMValue?) throws(SCIMError) -> SCIMValue? {
        switch op {
        case .remove:
            return nil
        case .add where definition.multiValued:
            var items = current?.arrayValue ?? []
            let additions = value?.arrayValue ?? value.map { [$0] } ?? []
            for addition in additions where !items.contains(addition) {
                items.append(addition)
            }
            return .array(enforceSinglePrimary(items, preferring: additions))
        case .replace where definition.multiValued:
            let items = value?.arrayValue ?? value.map { [$0] } ?? []
            return .array(enforceSinglePrimary(items, preferring: items))
        case .add, .replace:
            guard let value, !value.isNull else { return op == .replace ? nil : current }
            if definition.type == .complex, case .object(let newMembers) = value {
                // Sub-attributes given replace or add; the others stay (RFC 7644 §3.5.2.1 and §3.5.2.3).
                var merged = current?.objectValue ?? [:]
                for (name, member) in newMembers {
                    if member.isNull { merged.removeMember(named: name) } else { merged.setMember(named: name, to: member) }
                }
                return .object(merged)
            }
            return value
        }
    }

    // MARK: Sub-attribute without a filter (`name.givenName`)

    private func applySubAttribute(
        _ op: PatchOperation.Op, subName: String, value: SCIMValue?, definition: AttributeDefinition, current: SCIMValue?, path: PatchPath
    ) throws(SCIMError) -> SCIMValue? {
        if definition.multiValued {
            // `emails.type`: every value. Adding to all values at once has no clear meaning, so it is refused.
            guard op != .add else {
                throw SCIMError(status: 400, scimType: .invalidPath, detail: "Add to \(path) would touch every value; use a value filter.")
            }
            let items = (current?.arrayValue ?? []).map { item -> SCIMValue in
                guard case .object(var members) = item else { return item }
                if op == .remove || value?.isNull == true { members.removeMember(named: subName) } else if let value { members.setMember(named: subName, to: value) }
                return .object(members)
            }
            return .array(items)
        }
        var members = current?.objectValue ?? [:]
        if op == .remove || value == nil || value?.isNull == true {
            members.removeMember(named: subName)
        } else if let value {
            members.setMember(named: subName, to: value)
        }
        return .object(members)
    }

    // MARK: Value filter (`emails[type eq "work"]`, `emails[type eq "work"].value`)

    private func applyFiltered(
        _ op: PatchOperation.Op, filter: SCIMFilter, subName: String?, value: SCIMValue?, definition: AttributeDefinition,
        current: SCIMValue?, path: PatchPath
    ) throws(SCIMError) -> SCIMValue? {
        guard definition.multiValued, definition.type == .complex else {
            throw SCIMError(status: 400, scimType: .invalidPath, detail: "\(path.attribute) is not a multi-valued complex attribute; it takes no value filter.")
        }
        do {
            try FilterValidator.validate(.valuePath(path.attribute, filter), for: resource)
        } catch {
            throw SCIMError(status: 400, scimType: .invalidPath, detail: error.detail)
        }
        let evaluator = FilterEvaluator(resource: resource)
        var items = current?.arrayValue ?? []
        let matched = items.indices.filter { index in
            guard case .object(let member) = items[index] else { return false }
            return evaluator.matches(.valuePath(AttributePath(schema: path.attribute.schema, attribute: definition.name), filter),
                                     [definition.name: .array([.object(member)])].withSchemaContainer(path.attribute.schema, resource: resource))
        }
        switch op {
        case .remove:
            if let subName {
                for index in matched {
                    guard case .object(var member) = items[index] else { continue }
                    member.removeMember(named: subName)
                    items[index] = .object(member)
                }
            } else {
                for index in matched.reversed() { items.remove(at: index) }
            }
            return .array(items)
        case .add, .replace:
            guard let value else { throw SCIMError(status: 400, scimType: .invalidValue, detail: "\(op.rawValue) needs a value.") }
            if matched.isEmpty {
                // RFC 7644 §3.5.2.3: no match is noTarget. (Entra ID's upsert is rewritten to an add by ClientQuirks.)
                throw SCIMError(status: 400, scimType: .noTarget, detail: "No value of \(path.attribute) matches \(filter).")
            }
            var changed: [SCIMValue] = []
            for index in matched {
                guard case .object(var member) = items[index] else { continue }
                if let subName {
                    member.setMember(named: subName, to: value)
                } else if case .object(let given) = value {
                    if op == .replace { member = given } else { for (name, element) in given { member.setMember(named: name, to: element) } }
                } else {
                    throw SCIMError(status: 400, scimType: .invalidValue, detail: "The value for \(path) must be an object.")
                }
                items[index] = .object(member)
                changed.append(.object(member))
            }
            return .array(enforceSinglePrimary(items, preferring: changed))
        }
    }

    // MARK: Rules

    private func checkMutability(
        _ op: PatchOperation.Op, definition: AttributeDefinition, target: AttributeDefinition, current: SCIMValue?, path: PatchPath
    ) throws(SCIMError) {
        for attribute in [definition, target] {
            switch attribute.mutability {
            case .readOnly:
                throw SCIMError(status: 400, scimType: .mutability, detail: "\(path) is read-only.")
            case .immutable where current != nil && !(current?.isNull ?? true) && attribute.name == definition.name && !definition.multiValued:
                throw SCIMError(status: 400, scimType: .mutability, detail: "\(path) is immutable once set.")
            default:
                continue
            }
        }
        if op == .remove, definition.required, path.filter == nil, path.subAttribute == nil, path.attribute.subAttribute == nil {
            throw SCIMError(status: 400, scimType: .mutability, detail: "\(path) is required and cannot be removed.")
        }
    }

    /// At most one value has `primary: true` (RFC 7643 §2.4); the values just written win.
    private func enforceSinglePrimary(_ items: [SCIMValue], preferring changed: [SCIMValue]) -> [SCIMValue] {
        let isPrimary: (SCIMValue) -> Bool = { $0[attribute: "primary"]?.boolValue == true }
        let primaries = items.indices.filter { isPrimary(items[$0]) }
        guard primaries.count > 1 else { return items }
        let keep = primaries.last { changed.contains(items[$0]) } ?? primaries.last!
        return items.indices.map { index in
            guard index != keep, primaries.contains(index), case .object(var member) = items[index] else { return items[index] }
            member.setMember(named: "primary", to: .bool(false))
            return .object(member)
        }
    }

    private func isUnassigned(_ value: SCIMValue) -> Bool {
        switch value {
        case .null: true
        case .array(let items): items.isEmpty
        case .object(let members): members.isEmpty
        default: false
        }
    }
}

extension Dictionary where Key == String, Value == SCIMValue {
    /// Wraps an attribute dictionary in its extension's object when `schema` names an extension, so the
    /// evaluator finds it where a full resource would have it.
    func withSchemaContainer(_ schema: String?, resource: ResourceSchema) -> [String: SCIMValue] {
        guard let schema, !schema.caseInsensitiveEquals(resource.core.id) else { return self }
        return [schema: .object(self)]
    }
}
