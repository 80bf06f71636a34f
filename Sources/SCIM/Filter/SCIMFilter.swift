/// A parsed SCIM filter (RFC 7644 §3.4.2.2).
public indirect enum SCIMFilter: Sendable, Hashable, CustomStringConvertible {
    /// The comparison operators of Table 3.
    public enum Operator: String, Sendable, Hashable, CaseIterable {
        case eq, ne, co, sw, ew, gt, ge, lt, le
    }

    /// `attrPath op value`.
    case compare(AttributePath, Operator, SCIMValue)
    /// `attrPath pr`.
    case present(AttributePath)
    case and(SCIMFilter, SCIMFilter)
    case or(SCIMFilter, SCIMFilter)
    case not(SCIMFilter)
    /// `attrPath[valFilter]`: some value of the multi-valued attribute matches `valFilter`, whose paths are
    /// sub-attributes of `attrPath`.
    case valuePath(AttributePath, SCIMFilter)

    public var description: String {
        switch self {
        case .compare(let path, let op, let value): "\(path) \(op.rawValue) \(Self.literal(value))"
        case .present(let path): "\(path) pr"
        case .and(let lhs, let rhs): "(\(lhs) and \(rhs))"
        case .or(let lhs, let rhs): "(\(lhs) or \(rhs))"
        case .not(let inner): "not (\(inner))"
        case .valuePath(let path, let inner): "\(path)[\(inner)]"
        }
    }

    private static func literal(_ value: SCIMValue) -> String {
        switch value {
        case .string(let text):
            "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        case .bool(let flag): flag ? "true" : "false"
        case .integer(let number): String(number)
        case .decimal(let number): String(number)
        default: "null"
        }
    }

    /// Every comparison in the filter, for limits and for planning.
    public var termCount: Int {
        switch self {
        case .compare, .present: 1
        case .and(let lhs, let rhs), .or(let lhs, let rhs): lhs.termCount + rhs.termCount
        case .not(let inner), .valuePath(_, let inner): inner.termCount
        }
    }
}
