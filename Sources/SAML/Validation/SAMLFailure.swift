/// Why a SAML message was refused: a stable code for logs, tests and the admin's "Test SSO" page, and a detail.
public struct SAMLFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let malformedBase64 = Code(rawValue: "malformed_base64")
        public static let malformedXML = Code(rawValue: "malformed_xml")
        public static let tooLarge = Code(rawValue: "too_large")
        public static let doctypeDeclared = Code(rawValue: "doctype_declared")
        public static let duplicateID = Code(rawValue: "duplicate_id")
        public static let unsigned = Code(rawValue: "unsigned")
        public static let signatureInvalid = Code(rawValue: "signature_invalid")
        public static let digestMismatch = Code(rawValue: "digest_mismatch")
        public static let unknownKey = Code(rawValue: "unknown_key")
        public static let wrongReference = Code(rawValue: "wrong_reference")
        public static let disallowedTransform = Code(rawValue: "disallowed_transform")
        public static let disallowedAlgorithm = Code(rawValue: "disallowed_algorithm")
        public static let notAResponse = Code(rawValue: "not_a_response")
        public static let assertionCount = Code(rawValue: "assertion_count")
        public static let decryptionFailed = Code(rawValue: "decryption_failed")
        public static let statusNotSuccess = Code(rawValue: "status_not_success")
        public static let wrongDestination = Code(rawValue: "wrong_destination")
        public static let wrongIssuer = Code(rawValue: "wrong_issuer")
        public static let wrongRecipient = Code(rawValue: "wrong_recipient")
        public static let wrongAudience = Code(rawValue: "wrong_audience")
        public static let expired = Code(rawValue: "expired")
        public static let notYetValid = Code(rawValue: "not_yet_valid")
        public static let inResponseToMismatch = Code(rawValue: "in_response_to_mismatch")
        public static let missingSubject = Code(rawValue: "missing_subject")
        public static let nameIDTampered = Code(rawValue: "name_id_tampered")
        public static let attributeTampered = Code(rawValue: "attribute_tampered")
    }

    public var code: Code
    public var detail: String

    public init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { "\(code): \(detail)" }
}
