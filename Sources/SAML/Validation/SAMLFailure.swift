import Foundation

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

/// The checks of response validation as an admin's "Test SSO" report lists them, in order.
public enum ValidationStage: Int, CaseIterable, Sendable {
    case message, decryption, signature, status, destination, issuer, subject, recipient, validity, audience, inResponseTo

    public var name: String {
        switch self {
        case .message: "Well-formed SAML response"
        case .decryption: "Decryption"
        case .signature: "Signature by the IdP's certificate"
        case .status: "Status Success"
        case .destination: "Destination"
        case .issuer: "Issuer"
        case .subject: "Subject and attributes"
        case .recipient: "Recipient"
        case .validity: "Validity window"
        case .audience: "Audience"
        case .inResponseTo: "InResponseTo consistent"
        }
    }

    /// Each stage's outcome when validation stopped at `failure` (nil: every stage passed): passed before it,
    /// failed at it, not run after it.
    public static func report(failure: SAMLFailure?) -> [(stage: ValidationStage, passed: Bool?, detail: String?)] {
        let failedAt = failure?.code.stage
        return allCases.map { stage in
            guard let failedAt, let failure else { return (stage, true, nil) }
            if stage.rawValue < failedAt.rawValue { return (stage, true, nil) }
            if stage == failedAt { return (stage, false, "\(failure.code): \(failure.detail)") }
            return (stage, nil, nil)
        }
    }
}

extension SAMLFailure.Code {
    /// The check this failure belongs to.
    public var stage: ValidationStage {
        switch self {
        case .malformedBase64, .malformedXML, .tooLarge, .doctypeDeclared, .duplicateID, .notAResponse, .assertionCount: .message
        case .decryptionFailed: .decryption
        case .unsigned, .signatureInvalid, .digestMismatch, .unknownKey, .wrongReference, .disallowedTransform, .disallowedAlgorithm: .signature
        case .statusNotSuccess: .status
        case .wrongDestination: .destination
        case .wrongIssuer: .issuer
        case .missingSubject, .nameIDTampered, .attributeTampered: .subject
        case .wrongRecipient: .recipient
        case .expired, .notYetValid: .validity
        case .wrongAudience: .audience
        default: .inResponseTo
        }
    }
}

extension ResponseValidator {
    /// The `InResponseTo` of a response that may not verify: only to file a failure under an admin's test run,
    /// never to grant anything.
    public static func unverifiedInResponseTo(base64 encoded: String) -> String? {
        let compact = Base64Form.compact(encoded)
        guard compact.count <= XMLDocument.maximumSize * 4 / 3 + 4, let data = Data(base64Encoded: compact),
              let document = try? XMLDocument(bytes: Array(data)), let root = document.root,
              root.is("Response", in: XMLNode.samlProtocol)
        else { return nil }
        return root.attribute("InResponseTo")
    }
}
