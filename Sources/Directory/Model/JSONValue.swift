import SCIM

/// An arbitrary JSON value, for attributes the directory keeps without interpreting them and for event payloads.
/// It is the SCIM library's value type: integers and decimals stay apart, so numbers round-trip exactly.
public typealias JSONValue = SCIMValue
