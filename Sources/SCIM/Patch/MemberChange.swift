/// A member reference in a Group's `members` (RFC 7643 §4.2).
public struct MemberReference: Sendable, Hashable {
    public var value: String
    /// `User` or `Group` when the client says.
    public var type: String?

    public init(value: String, type: String? = nil) {
        self.value = value
        self.type = type
    }
}

/// A change to a group's membership, taken out of a PATCH so that it is applied row by row: its cost never
/// depends on the group's size.
public enum MemberChange: Sendable, Hashable {
    case add([MemberReference])
    case remove([String])
    case removeAll
    /// The complete new member list (PUT, or PATCH `replace` of `members`): the store computes the difference.
    case replace([MemberReference])
}

/// Splits a Group PATCH into membership changes and the operations on the group's other attributes.
public enum MembershipPatch {
    /// Most member ids in one request.
    public static let maximumMembers = 10_000

    public static func split(_ operations: [PatchOperation]) throws(SCIMError) -> (changes: [MemberChange], others: [PatchOperation]) {
        var changes: [MemberChange] = []
        var others: [PatchOperation] = []
        var total = 0
        func references(_ value: SCIMValue?) throws(SCIMError) -> [MemberReference] {
            let result = try memberReferences(value)
            total += result.count
            guard total <= maximumMembers else {
                throw SCIMError(status: 413, detail: "A request may change at most \(maximumMembers) members.")
            }
            return result
        }
        for operation in operations {
            guard let path = operation.path else {
                // Pathless add/replace: `members` inside the value object.
                guard case .object(var members)? = operation.value, let entry = members.member(named: "members") else {
                    others.append(operation)
                    continue
                }
                let refs = try references(entry.value)
                changes.append(operation.op == .add ? .add(refs) : .replace(refs))
                members.removeValue(forKey: entry.key)
                if !members.isEmpty { others.append(PatchOperation(op: operation.op, path: nil, value: .object(members))) }
                continue
            }
            guard path.attribute.attribute.caseInsensitiveEquals("members"), path.attribute.schema == nil
                || path.attribute.schema?.caseInsensitiveEquals(SCIMSchemaURN.group) == true
            else {
                others.append(operation)
                continue
            }
            if path.subAttribute != nil || path.attribute.subAttribute != nil {
                throw SCIMError(status: 400, scimType: .mutability, detail: "Member sub-attributes cannot be changed; add or remove the member.")
            }
            switch (operation.op, path.filter) {
            case (.add, nil):
                changes.append(.add(try references(operation.value)))
            case (.replace, nil):
                changes.append(.replace(try references(operation.value)))
            case (.remove, nil):
                // Entra ID: remove with a list of members removes those; without a value, all of them.
                if let value = operation.value, !value.isNull {
                    changes.append(.remove(try references(value).map(\.value)))
                } else {
                    changes.append(.removeAll)
                }
            case (.remove, let filter?):
                guard let ids = valueEqualities(filter) else {
                    throw SCIMError(status: 400, scimType: .invalidPath,
                                    detail: "Remove members with members[value eq \"id\"] (joined by or); \(filter) is not supported.")
                }
                total += ids.count
                guard total <= maximumMembers else { throw SCIMError(status: 413, detail: "A request may change at most \(maximumMembers) members.") }
                changes.append(.remove(ids))
            case (.add, _?), (.replace, _?):
                throw SCIMError(status: 400, scimType: .invalidPath, detail: "Members are added by value; a filter on members only applies to remove.")
            }
        }
        return (changes, others)
    }

    /// The members a `members` value lists (one member or an array), each with its id. No size limit: a Group
    /// PUT carries the whole list.
    public static func memberReferences(_ value: SCIMValue?) throws(SCIMError) -> [MemberReference] {
        guard let value, !value.isNull else { return [] }
        var result: [MemberReference] = []
        for item in value.arrayValue ?? [value] {
            guard let id = item[attribute: "value"]?.stringValue, !id.isEmpty else {
                throw SCIMError(status: 400, scimType: .invalidValue, detail: "Each member needs a \"value\" with the member's id.")
            }
            result.append(MemberReference(value: id, type: item[attribute: "type"]?.stringValue))
        }
        return result
    }

    /// `value eq "a" or value eq "b"` -> ["a", "b"]. Iterative: a list of a thousand members is a deep tree.
    static func valueEqualities(_ filter: SCIMFilter) -> [String]? {
        var ids: [String] = []
        var pending = [filter]
        while let next = pending.popLast() {
            switch next {
            case .compare(let path, .eq, .string(let id)) where path.attribute.caseInsensitiveEquals("value") && path.subAttribute == nil:
                ids.append(id)
            case .or(let lhs, let rhs):
                pending.append(rhs)
                pending.append(lhs)
            default:
                return nil
            }
        }
        return ids
    }
}
