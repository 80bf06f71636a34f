/// One operation of a PATCH request (RFC 7644 §3.5.2).
public struct PatchOperation: Sendable, Hashable {
    public enum Op: String, Sendable, Hashable, CaseIterable {
        case add, remove, replace
    }

    public var op: Op
    public var path: PatchPath?
    public var value: SCIMValue?

    public init(op: Op, path: PatchPath? = nil, value: SCIMValue? = nil) {
        self.op = op
        self.path = path
        self.value = value
    }
}

/// A PATCH request body: `schemas` must name PatchOp, `Operations` must be a non-empty array.
public struct PatchRequest: Sendable, Hashable {
    public var operations: [PatchOperation]

    /// Most operations in one request; Okta pushes group members in batches of up to 256.
    public static let maximumOperations = 1_000

    public init(operations: [PatchOperation]) {
        self.operations = operations
    }

    /// Parses an RFC-form body (run `ClientQuirks.normalize` first for real clients' variants).
    public static func parse(_ body: [String: SCIMValue]) throws(SCIMError) -> PatchRequest {
        guard let schemas = body.member(named: "schemas")?.value.arrayValue,
              schemas.contains(where: { $0.stringValue?.caseInsensitiveEquals(SCIMSchemaURN.patchOp) == true })
        else {
            throw .invalidSyntax("A PATCH body needs \"schemas\": [\"\(SCIMSchemaURN.patchOp)\"].")
        }
        guard let operations = body.member(named: "Operations")?.value.arrayValue, !operations.isEmpty else {
            throw .invalidSyntax("A PATCH body needs a non-empty \"Operations\" array.")
        }
        guard operations.count <= maximumOperations else {
            throw SCIMError(status: 413, detail: "A PATCH request may hold at most \(maximumOperations) operations.")
        }
        var parsed: [PatchOperation] = []
        for (index, raw) in operations.enumerated() {
            guard case .object(let operation) = raw else {
                throw .invalidSyntax("Operations[\(index)] must be an object.")
            }
            guard let opText = operation.member(named: "op")?.value.stringValue, let op = PatchOperation.Op(rawValue: opText) else {
                throw .invalidSyntax("Operations[\(index)].op must be \"add\", \"remove\" or \"replace\".")
            }
            var path: PatchPath?
            if let pathValue = operation.member(named: "path")?.value, !pathValue.isNull {
                guard let text = pathValue.stringValue else {
                    throw SCIMError(status: 400, scimType: .invalidPath, detail: "Operations[\(index)].path must be a string.")
                }
                path = try FilterParser.parsePatchPath(text)
            }
            let value = operation.member(named: "value")?.value
            switch op {
            case .add, .replace:
                guard let value, !(value.isNull && path == nil) else {
                    throw SCIMError(status: 400, scimType: .invalidValue, detail: "Operations[\(index)] (\(op.rawValue)) needs a value.")
                }
                if path == nil, value.objectValue == nil {
                    throw SCIMError(status: 400, scimType: .invalidValue,
                                    detail: "Operations[\(index)] (\(op.rawValue)) without a path needs an object of attributes as its value.")
                }
            case .remove:
                guard path != nil else {
                    throw SCIMError(status: 400, scimType: .noTarget, detail: "Operations[\(index)] (remove) needs a path.")
                }
            }
            parsed.append(PatchOperation(op: op, path: path, value: value))
        }
        return PatchRequest(operations: parsed)
    }
}

extension String {
    func caseInsensitiveEquals(_ other: String) -> Bool {
        lowercased() == other.lowercased()
    }
}
