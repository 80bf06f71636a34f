import Foundation

/// Roster's side of one identity provider connection, as the validator needs it.
public struct ServiceProviderSettings: Sendable, Hashable {
    public var entityID: String
    public var assertionConsumerServiceURL: String
    /// Allowed clock difference with the identity provider.
    public var clockSkew: TimeInterval
    /// The SP's private keys (PEM) for encrypted assertions; several while the SP key rotates.
    public var decryptionKeys: [String]

    public init(entityID: String, assertionConsumerServiceURL: String, clockSkew: TimeInterval = 60, decryptionKeys: [String] = []) {
        self.entityID = entityID
        self.assertionConsumerServiceURL = assertionConsumerServiceURL
        self.clockSkew = clockSkew
        self.decryptionKeys = decryptionKeys
    }
}

/// The identity provider of a connection: who it is and which keys it signs with.
public struct IdentityProviderSettings: Sendable, Hashable {
    public var entityID: String
    /// PEM certificates; several may be active during a rotation.
    public var certificates: [String]
    public var allowSHA1: Bool

    public init(entityID: String, certificates: [String], allowSHA1: Bool = false) {
        self.entityID = entityID
        self.certificates = certificates
        self.allowSHA1 = allowSHA1
    }
}

/// What a verified assertion says, read from the signed tree.
public struct ValidatedAssertion: Sendable, Hashable {
    public var assertionID: String
    public var issuer: String
    public var nameID: String
    public var nameIDFormat: String?
    public var sessionIndex: String?
    /// The AuthnRequest this answers; nil for an IdP-initiated response.
    public var inResponseTo: String?
    /// Until when the assertion could be replayed (the replay guard keeps its ID that long).
    public var notOnOrAfter: Date
    public var attributes: [String: [String]]
    public var responseSigned: Bool
    public var assertionSigned: Bool
    /// The assertion arrived encrypted for this SP.
    public var wasEncrypted: Bool
}

/// Validates a SAML 2.0 Response (HTTP-POST binding), failing closed: every check must pass, and what is read is
/// what was signed. Replay and InResponseTo bookkeeping are the caller's, with the fields returned here.
public enum ResponseValidator {
    public static func validate(
        base64 encoded: String, serviceProvider: ServiceProviderSettings, identityProvider: IdentityProviderSettings, now: Date
    ) throws(SAMLFailure) -> ValidatedAssertion {
        let compact = encoded.filter { !$0.isWhitespace }
        guard compact.count <= XMLDocument.maximumSize * 4 / 3 + 4 else { throw SAMLFailure(.tooLarge, "The SAMLResponse is too large.") }
        guard let data = Data(base64Encoded: compact) else {
            throw SAMLFailure(.malformedBase64, "The SAMLResponse is not valid base64.")
        }
        return try validate(xml: Array(data), serviceProvider: serviceProvider, identityProvider: identityProvider, now: now)
    }

    public static func validate(
        xml bytes: [UInt8], serviceProvider: ServiceProviderSettings, identityProvider: IdentityProviderSettings, now: Date
    ) throws(SAMLFailure) -> ValidatedAssertion {
        let document: XMLDocument
        do {
            document = try XMLDocument(bytes: bytes)
        } catch .tooLarge {
            throw SAMLFailure(.tooLarge, "The response is larger than \(XMLDocument.maximumSize) bytes.")
        } catch .doctypeDeclared {
            throw SAMLFailure(.doctypeDeclared, "The response declares a DTD.")
        } catch {
            throw SAMLFailure(.malformedXML, "The response is not well-formed XML.")
        }
        guard let response = document.root, response.is("Response", in: XMLNode.samlProtocol) else {
            throw SAMLFailure(.notAResponse, "The document is not a SAML 2.0 Response.")
        }
        guard document.registerIDs() else {
            throw SAMLFailure(.duplicateID, "An ID appears twice in the response.")
        }

        // Signatures: any present must verify; at least one must cover the assertion. A response signature is
        // verified first, because it covers an encrypted assertion as it arrived.
        let verifier = SignatureVerifier(certificates: identityProvider.certificates, allowSHA1: identityProvider.allowSHA1)
        let responseSignatures = response.children("Signature", in: XMLNode.xmlDSig)
        guard responseSignatures.count <= 1 else {
            throw SAMLFailure(.wrongReference, "An element carries more than one signature.")
        }
        var responseSigned = false
        if let signature = responseSignatures.first {
            try verifier.verify(signature, of: response, in: document)
            responseSigned = true
        }

        // Exactly one assertion in the whole document, plain or encrypted, as a direct child of the Response.
        let arrived = response.descendants
        let encrypted = arrived.filter { $0.is("EncryptedAssertion", in: XMLNode.samlAssertion) }
        var decrypted: XMLNode?
        if !encrypted.isEmpty {
            guard encrypted.count == 1, let only = encrypted.first, only.parent == response,
                  !arrived.contains(where: { $0.is("Assertion", in: XMLNode.samlAssertion) })
            else {
                throw SAMLFailure(.assertionCount, "The response must hold exactly one assertion, plain or encrypted, directly.")
            }
            decrypted = try AssertionDecryptor(privateKeys: serviceProvider.decryptionKeys).decrypt(only, in: document)
            guard document.registerIDs() else {
                throw SAMLFailure(.duplicateID, "An ID of the decrypted assertion appears twice in the response.")
            }
        }
        let wasEncrypted = decrypted != nil
        let everywhere = response.descendants
        let assertions = everywhere.filter { $0.is("Assertion", in: XMLNode.samlAssertion) }
        // A decrypted assertion sits inside its EncryptedAssertion, which is a direct child of the Response.
        guard assertions.count == 1, let assertion = assertions.first,
              decrypted.map({ $0 == assertion }) ?? (assertion.parent == response)
        else {
            throw SAMLFailure(.assertionCount, "The response must hold exactly one Assertion, directly (it has \(assertions.count)).")
        }
        let assertionSignatures = assertion.children("Signature", in: XMLNode.xmlDSig)
        guard assertionSignatures.count <= 1 else {
            throw SAMLFailure(.wrongReference, "An element carries more than one signature.")
        }
        var assertionSigned = false
        if let signature = assertionSignatures.first {
            try verifier.verify(signature, of: assertion, in: document)
            assertionSigned = true
        }
        guard responseSigned || assertionSigned else {
            throw SAMLFailure(.unsigned, wasEncrypted
                ? "The assertion was encrypted but neither it nor the response is signed."
                : "Neither the response nor the assertion is signed.")
        }
        // Any other signature in the document signs something that is not read: refuse rather than guess.
        let signatures = everywhere.filter { $0.is("Signature", in: XMLNode.xmlDSig) }
        guard signatures.count == responseSignatures.count + assertionSignatures.count else {
            throw SAMLFailure(.wrongReference, "The response carries a signature on an element that is not read.")
        }

        let acs = serviceProvider.assertionConsumerServiceURL
        let skew = serviceProvider.clockSkew
        let status = response.child("Status", in: XMLNode.samlProtocol)?.child("StatusCode", in: XMLNode.samlProtocol)?.attribute("Value")
        guard status == "urn:oasis:names:tc:SAML:2.0:status:Success" else {
            throw SAMLFailure(.statusNotSuccess, "The identity provider answered \(status?.prefix(120) ?? "no status").")
        }
        if let destination = response.attribute("Destination") {
            guard destination == acs else { throw SAMLFailure(.wrongDestination, "The response is addressed to \(destination.prefix(200)).") }
        } else if responseSigned {
            throw SAMLFailure(.wrongDestination, "A signed response must name its Destination.")
        }
        if let issuer = response.child("Issuer", in: XMLNode.samlAssertion)?.pureText, issuer != identityProvider.entityID {
            throw SAMLFailure(.wrongIssuer, "The response was issued by \(issuer.prefix(200)).")
        }
        guard let issuer = assertion.child("Issuer", in: XMLNode.samlAssertion)?.pureText, issuer == identityProvider.entityID else {
            throw SAMLFailure(.wrongIssuer, "The assertion was not issued by \(identityProvider.entityID).")
        }

        // Subject and its bearer confirmation.
        guard let subject = assertion.child("Subject", in: XMLNode.samlAssertion),
              let nameIDNode = subject.child("NameID", in: XMLNode.samlAssertion)
        else { throw SAMLFailure(.missingSubject, "The assertion names no subject.") }
        guard let nameID = nameIDNode.pureText?.trimmingCharacters(in: .whitespacesAndNewlines), !nameID.isEmpty else {
            throw SAMLFailure(.nameIDTampered, "The NameID holds a comment, a processing instruction or markup.")
        }
        let confirmations = subject.children("SubjectConfirmation", in: XMLNode.samlAssertion)
            .filter { $0.attribute("Method") == "urn:oasis:names:tc:SAML:2.0:cm:bearer" }
        var recipientOK = false
        var confirmationExpiry: Date?
        var confirmationInResponseTo: String?
        for confirmation in confirmations {
            guard let data = confirmation.child("SubjectConfirmationData", in: XMLNode.samlAssertion) else { continue }
            guard data.attribute("Recipient") == acs else { continue }
            guard let expiry = data.attribute("NotOnOrAfter").flatMap(SAMLTime.parse) else { continue }
            guard now < expiry.addingTimeInterval(skew) else {
                throw SAMLFailure(.expired, "The bearer confirmation expired at \(SAMLTime.format(expiry)).")
            }
            recipientOK = true
            confirmationExpiry = expiry
            confirmationInResponseTo = data.attribute("InResponseTo")
            break
        }
        guard recipientOK, let confirmationExpiry else {
            throw SAMLFailure(.wrongRecipient, "No bearer confirmation names \(acs) as its recipient.")
        }

        // Conditions: time window and audience.
        guard let conditions = assertion.child("Conditions", in: XMLNode.samlAssertion) else {
            throw SAMLFailure(.wrongAudience, "The assertion has no Conditions.")
        }
        var notOnOrAfter = confirmationExpiry
        if let notBefore = conditions.attribute("NotBefore").flatMap(SAMLTime.parse), now.addingTimeInterval(skew) < notBefore {
            throw SAMLFailure(.notYetValid, "The assertion is valid from \(SAMLTime.format(notBefore)).")
        }
        if let end = conditions.attribute("NotOnOrAfter").flatMap(SAMLTime.parse) {
            guard now < end.addingTimeInterval(skew) else { throw SAMLFailure(.expired, "The assertion expired at \(SAMLTime.format(end)).") }
            notOnOrAfter = min(notOnOrAfter, end)
        }
        let audiences = conditions.children("AudienceRestriction", in: XMLNode.samlAssertion)
            .flatMap { $0.children("Audience", in: XMLNode.samlAssertion) }.compactMap(\.pureText)
        guard audiences.contains(serviceProvider.entityID) else {
            throw SAMLFailure(.wrongAudience, "The assertion is not meant for \(serviceProvider.entityID).")
        }

        let responseInResponseTo = response.attribute("InResponseTo")
        if let responseInResponseTo, let confirmationInResponseTo, responseInResponseTo != confirmationInResponseTo {
            throw SAMLFailure(.inResponseToMismatch, "The response and its confirmation answer different requests.")
        }
        guard let assertionID = assertion.attribute("ID"), !assertionID.isEmpty else {
            throw SAMLFailure(.assertionCount, "The assertion has no ID.")
        }

        var attributes: [String: [String]] = [:]
        for statement in assertion.children("AttributeStatement", in: XMLNode.samlAssertion) {
            for attribute in statement.children("Attribute", in: XMLNode.samlAssertion) {
                guard let name = attribute.attribute("Name") else { continue }
                for value in attribute.children("AttributeValue", in: XMLNode.samlAssertion) {
                    guard let text = value.pureText else {
                        throw SAMLFailure(.attributeTampered, "The attribute \(name.prefix(100)) holds a comment or markup.")
                    }
                    attributes[name, default: []].append(text)
                }
            }
        }
        let sessionIndex = assertion.child("AuthnStatement", in: XMLNode.samlAssertion)?.attribute("SessionIndex")
        return ValidatedAssertion(
            assertionID: assertionID, issuer: issuer, nameID: nameID, nameIDFormat: nameIDNode.attribute("Format"),
            sessionIndex: sessionIndex, inResponseTo: responseInResponseTo ?? confirmationInResponseTo,
            notOnOrAfter: notOnOrAfter, attributes: attributes, responseSigned: responseSigned, assertionSigned: assertionSigned,
            wasEncrypted: wasEncrypted
        )
    }
}

/// xsd:dateTime as SAML uses it (UTC, optional fractional seconds).
enum SAMLTime {
    static func parse(_ text: String) -> Date? {
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = fractional.date(from: text) { return date }
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        return plain.date(from: text)
    }

    static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
