import Foundation

/// Evaluates a validated filter against a resource in its SCIM JSON form. This is the reference semantics the
/// SQL translation must agree with:
/// - a comparison on a multi-valued attribute holds when some value satisfies it;
/// - `ne` is the negation of `eq` (an absent attribute is "not equal");
/// - strings compare case-insensitively unless the attribute is `caseExact`; dateTimes compare as instants.
public struct FilterEvaluator: Sendable {
    public let resource: ResourceSchema

    public init(resource: ResourceSchema) {
        self.resource = resource
    }

    public func matches(_ filter: SCIMFilter, _ object: [String: SCIMValue]) -> Bool {
        evaluate(filter, in: [object], parent: nil)
    }

    /// `contexts` are the objects paths are read from: the resource, or the values of a value-path attribute.
    private func evaluate(_ filter: SCIMFilter, in contexts: [[String: SCIMValue]], parent: AttributePath?) -> Bool {
        switch filter {
        case .and(let lhs, let rhs):
            return evaluate(lhs, in: contexts, parent: parent) && evaluate(rhs, in: contexts, parent: parent)
        case .or(let lhs, let rhs):
            return evaluate(lhs, in: contexts, parent: parent) || evaluate(rhs, in: contexts, parent: parent)
        case .not(let inner):
            return !evaluate(inner, in: contexts, parent: parent)
        case .valuePath(let path, let inner):
            // Some single value of the attribute must satisfy the whole inner filter.
            let elements = values(of: AttributePath(schema: path.schema, attribute: path.attribute), in: contexts[0], flattenComplexValue: false)
            return elements.contains { element in
                guard case .object(let member) = element else { return false }
                return evaluate(inner, in: [member], parent: path)
            }
        case .present(let path):
            return leafValues(path, contexts: contexts, parent: parent).contains { !isEmpty($0) }
        case .compare(let path, let op, let literal):
            let definition = (try? FilterValidator.leaf(path, resource: resource, parent: parent))
            let caseExact = definition?.caseExact ?? false
            let type = definition?.type ?? .string
            let leaves = leafValues(path, contexts: contexts, parent: parent).filter { !$0.isNull }
            if op == .ne {
                return !leaves.contains { compare($0, .eq, literal, type: type, caseExact: caseExact) }
                    && !(literal.isNull && leaves.isEmpty)
            }
            if literal.isNull { return op == .eq && leaves.isEmpty }
            return leaves.contains { compare($0, op, literal, type: type, caseExact: caseExact) }
        }
    }

    private func leafValues(_ path: AttributePath, contexts: [[String: SCIMValue]], parent: AttributePath?) -> [SCIMValue] {
        if parent != nil {
            // Inside a value filter: the path is a sub-attribute of the current element.
            return contexts.compactMap { $0.member(named: path.attribute)?.value }.flatMap(flatten)
        }
        return contexts.flatMap { values(of: path, in: $0, flattenComplexValue: true) }
    }

    /// The values at `path`: sub-attributes of every element of a multi-valued attribute, the `value` of complex
    /// multi-valued attributes named without a sub-attribute.
    func values(of path: AttributePath, in object: [String: SCIMValue], flattenComplexValue: Bool) -> [SCIMValue] {
        guard let (schemaID, definition) = resource.resolve(path) else { return [] }
        let container: [String: SCIMValue]
        if schemaID.caseInsensitiveCompare(resource.core.id) == .orderedSame {
            container = object
        } else {
            guard case .object(let extensionObject)? = object.member(named: schemaID)?.value else { return [] }
            container = extensionObject
        }
        guard let top = container.member(named: path.attribute)?.value else { return [] }
        let elements = flatten(top)
        if let sub = path.subAttribute {
            return elements.compactMap { $0[attribute: sub] }.flatMap(flatten)
        }
        if flattenComplexValue, definition.type == .complex {
            return elements.compactMap { $0[attribute: "value"] }
        }
        return elements
    }

    private func flatten(_ value: SCIMValue) -> [SCIMValue] {
        if case .array(let items) = value { return items }
        return [value]
    }

    private func isEmpty(_ value: SCIMValue) -> Bool {
        switch value {
        case .null: true
        case .string(let text): text.isEmpty
        case .array(let items): items.isEmpty
        case .object(let members): members.isEmpty
        default: false
        }
    }

    private func compare(
        _ value: SCIMValue, _ op: SCIMFilter.Operator, _ literal: SCIMValue, type: AttributeDefinition.DataType, caseExact: Bool
    ) -> Bool {
        switch (value, literal) {
        case (.bool(let lhs), .bool(let rhs)):
            return op == .eq ? lhs == rhs : false
        case (.string(let lhs), .string(let rhs)) where type == .dateTime:
            guard let left = SCIMDateTime.parse(lhs), let right = SCIMDateTime.parse(rhs) else { return false }
            return order(left, right, op)
        case (.string(let lhs), .string(let rhs)):
            let left = caseExact ? lhs : lhs.lowercased()
            let right = caseExact ? rhs : rhs.lowercased()
            switch op {
            case .co: return left.contains(right)
            case .sw: return left.hasPrefix(right)
            case .ew: return left.hasSuffix(right)
            default: return order(left, right, op)
            }
        default:
            guard let left = number(value), let right = number(literal) else { return false }
            return order(left, right, op)
        }
    }

    private func number(_ value: SCIMValue) -> Double? {
        switch value {
        case .integer(let number): Double(number)
        case .decimal(let number): number
        default: nil
        }
    }

    private func order<T: Comparable>(_ lhs: T, _ rhs: T, _ op: SCIMFilter.Operator) -> Bool {
        switch op {
        case .eq: lhs == rhs
        case .ne: lhs != rhs
        case .gt: lhs > rhs
        case .ge: lhs >= rhs
        case .lt: lhs < rhs
        case .le: lhs <= rhs
        case .co, .sw, .ew: false
        }
    }
}
