import Foundation

/// `attributes` and `excludedAttributes` (RFC 7644 §3.4.2.5), with the schema's `returned` rules (RFC 7643 §7):
/// `always` attributes are always there, `never` ones never, `request` ones only when asked for.
public struct Projection: Sendable, Hashable {
    public var attributes: [AttributePath]?
    public var excluded: [AttributePath]

    public init(attributes: [AttributePath]? = nil, excluded: [AttributePath] = []) {
        self.attributes = attributes
        self.excluded = excluded
    }

    /// Everything returned by default.
    public static let all = Projection()

    /// Parses the comma-separated query parameters; unknown attributes are 400 `invalidValue`.
    public static func parse(attributes: String?, excludedAttributes: String?, resource: ResourceSchema) throws(SCIMError) -> Projection {
        func list(_ text: String?, name: String) throws(SCIMError) -> [AttributePath]? {
            guard let text, !text.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
            var paths: [AttributePath] = []
            for item in text.split(separator: ",") {
                let trimmed = item.trimmingCharacters(in: .whitespaces)
                guard let path = AttributePath(parsing: trimmed), resource.resolve(path) != nil else {
                    throw SCIMError(status: 400, scimType: .invalidValue, detail: "\(name): \"\(trimmed.prefix(100))\" is not an attribute of this resource.")
                }
                paths.append(path)
            }
            return paths
        }
        return Projection(
            attributes: try list(attributes, name: "attributes"),
            excluded: try list(excludedAttributes, name: "excludedAttributes") ?? []
        )
    }

    /// Whether the projection returns `name` (a top-level attribute of the core schema or an extension), so that
    /// callers can skip loading what will not be returned (a group's members, say).
    public func includes(_ name: String, resource: ResourceSchema) -> Bool {
        guard let (schemaID, definition) = resource.resolve(AttributePath(attribute: name)) else { return false }
        if definition.returned == .always { return true }
        if definition.returned == .never { return false }
        let matches: (AttributePath) -> Bool = { path in
            path.attribute.caseInsensitiveEquals(definition.name)
                && (path.schema == nil || path.schema!.caseInsensitiveEquals(schemaID))
        }
        if let attributes { return attributes.contains(where: matches) }
        if definition.returned == .request { return false }
        return !excluded.contains { matches($0) && $0.subAttribute == nil }
    }

    /// Applies the projection to a resource in SCIM JSON form.
    public func apply(to object: [String: SCIMValue], resource: ResourceSchema) -> [String: SCIMValue] {
        var result: [String: SCIMValue] = [:]
        for (key, value) in object {
            if key.caseInsensitiveEquals("schemas") {
                result[key] = value
                continue
            }
            if let extensionSchema = resource.extensions.first(where: { $0.schema.id.caseInsensitiveEquals(key) })?.schema {
                guard case .object(let members) = value else { continue }
                var kept: [String: SCIMValue] = [:]
                for (name, member) in members {
                    guard let definition = extensionSchema.attribute(named: name) else { continue }
                    if let projected = project(member, definition: definition, schema: extensionSchema.id) { kept[name] = projected }
                }
                if !kept.isEmpty { result[key] = .object(kept) }
                continue
            }
            guard let (schemaID, definition) = resource.resolve(AttributePath(attribute: key)),
                  schemaID.caseInsensitiveEquals(resource.core.id) || ResourceSchema.commonAttributes.contains(definition)
            else { continue }
            if let projected = project(value, definition: definition, schema: resource.core.id) { result[key] = projected }
        }
        return result
    }

    private func project(_ value: SCIMValue, definition: AttributeDefinition, schema: String) -> SCIMValue? {
        if definition.returned == .never { return nil }
        if definition.returned == .always { return value }
        let named: (AttributePath) -> Bool = { path in
            path.attribute.caseInsensitiveEquals(definition.name) && (path.schema == nil || path.schema!.caseInsensitiveEquals(schema))
        }
        if let attributes {
            let requested = attributes.filter(named)
            guard !requested.isEmpty else { return nil }
            if requested.contains(where: { $0.subAttribute == nil }) { return value }
            return keepSubAttributes(value, Set(requested.compactMap { $0.subAttribute?.lowercased() }), definition: definition)
        }
        if definition.returned == .request { return nil }
        let dropped = excluded.filter(named)
        if dropped.contains(where: { $0.subAttribute == nil }) { return nil }
        guard !dropped.isEmpty else { return value }
        return dropSubAttributes(value, Set(dropped.compactMap { $0.subAttribute?.lowercased() }), definition: definition)
    }

    private func keepSubAttributes(_ value: SCIMValue, _ names: Set<String>, definition: AttributeDefinition) -> SCIMValue? {
        filterMembers(value) { name in
            names.contains(name.lowercased()) || definition.subAttribute(named: name)?.returned == .always
        }
    }

    private func dropSubAttributes(_ value: SCIMValue, _ names: Set<String>, definition: AttributeDefinition) -> SCIMValue? {
        filterMembers(value) { name in
            !names.contains(name.lowercased()) || definition.subAttribute(named: name)?.returned == .always
        }
    }

    private func filterMembers(_ value: SCIMValue, keep: (String) -> Bool) -> SCIMValue? {
        switch value {
        case .object(let members):
            let kept = members.filter { keep($0.key) }
            return kept.isEmpty ? nil : .object(kept)
        case .array(let items):
            let kept = items.compactMap { filterMembers($0, keep: keep) }
            return kept.isEmpty ? nil : .array(kept)
        default:
            return value
        }
    }
}
