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
    /// Until when this SP would accept the assertion, clock skew included: the replay guard keeps its ID that long.
    public var notOnOrAfter: Date
    public var attributes: [String: [String]]
    public var responseSigned: Bool
    public var assertionSigned: Bool
    /// The assertion arrived encrypted for this SP.
    public var wasEncrypted: Bool
}

extension ResponseValidator {
    /// XML whitespace trimmed from both ends (without Foundation's CharacterSet bridging, which costs more here).
    static func trimmed(_ text: String) -> String {
        let scalars = text.unicodeScalars
        func isSpace(_ scalar: Unicode.Scalar) -> Bool { scalar == " " || scalar == "\n" || scalar == "\r" || scalar == "\t" }
        guard let first = scalars.firstIndex(where: { !isSpace($0) }), let last = scalars.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(scalars[first...last])
    }
}

/// Validates a SAML 2.0 Response (HTTP-POST binding), failing closed: every check must pass, and what is read is
/// what was signed. Replay and InResponseTo bookkeeping are the caller's, with the fields returned here.
public enum ResponseValidator {
    public static func validate(
        base64 encoded: String, serviceProvider: ServiceProviderSettings, identityProvider: IdentityProviderSettings, now: Date
    ) throws(SAMLFailure) -> ValidatedAssertion {
        let compact = Base64Form.compact(encoded)
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
        guard let nameID = nameIDNode.pureText.map(Self.trimmed), !nameID.isEmpty else {
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
        // A time that is present but unreadable fails closed; an absent one leaves the confirmation's window.
        func time(_ name: String) throws(SAMLFailure) -> Date? {
            guard let text = conditions.attribute(name) else { return nil }
            guard let date = SAMLTime.parse(text) else {
                throw SAMLFailure(.expired, "The assertion's \(name) is not a valid time.")
            }
            return date
        }
        if let notBefore = try time("NotBefore"), now.addingTimeInterval(skew) < notBefore {
            throw SAMLFailure(.notYetValid, "The assertion is valid from \(SAMLTime.format(notBefore)).")
        }
        if let end = try time("NotOnOrAfter") {
            guard now < end.addingTimeInterval(skew) else { throw SAMLFailure(.expired, "The assertion expired at \(SAMLTime.format(end)).") }
            notOnOrAfter = min(notOnOrAfter, end)
        }
        // Every AudienceRestriction must name this SP (SAML 2.0 Core §2.5.1.4): they combine with AND.
        let restrictions = conditions.children("AudienceRestriction", in: XMLNode.samlAssertion)
        guard !restrictions.isEmpty, restrictions.allSatisfy({ restriction in
            restriction.children("Audience", in: XMLNode.samlAssertion).contains { $0.pureText == serviceProvider.entityID }
        }) else {
            throw SAMLFailure(.wrongAudience, "The assertion is not meant for \(serviceProvider.entityID).")
        }

        // InResponseTo only from signed content: the Response's attribute counts only when the Response is signed;
        // otherwise the assertion's own confirmation says which request it answers (or none: IdP-initiated).
        let responseInResponseTo = responseSigned ? response.attribute("InResponseTo") : nil
        if let responseInResponseTo, let confirmationInResponseTo, responseInResponseTo != confirmationInResponseTo {
            throw SAMLFailure(.inResponseToMismatch, "The response and its confirmation answer different requests.")
        }
        if !responseSigned, let claimed = response.attribute("InResponseTo"), claimed != confirmationInResponseTo {
            throw SAMLFailure(.inResponseToMismatch, "The unsigned response claims to answer a request its signed assertion does not name.")
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
            notOnOrAfter: notOnOrAfter.addingTimeInterval(skew), attributes: attributes, responseSigned: responseSigned,
            assertionSigned: assertionSigned,
            wasEncrypted: wasEncrypted
        )
    }
}

/// Base64 as form posts carry it: line breaks and spaces (some IdPs wrap at 76 columns) are dropped, byte-wise.
enum Base64Form {
    static func compact(_ encoded: String) -> Data {
        var string = encoded
        return string.withUTF8 { buffer in
            func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 }
            guard buffer.contains(where: isSpace) else { return Data(buffer) }
            var bytes = [UInt8]()
            bytes.reserveCapacity(buffer.count)
            for byte in buffer where !isSpace(byte) { bytes.append(byte) }
            return Data(bytes)
        }
    }
}

/// xsd:dateTime as SAML uses it: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`. Parsed by hand: Foundation's
/// ISO8601DateFormatter costs far more to create than a whole signature check.
enum SAMLTime {
    static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ digits: Int) -> Int? {
            guard index + digits <= bytes.count else { return nil }
            var value = 0
            for _ in 0..<digits {
                let byte = bytes[index]
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
                index += 1
            }
            return value
        }
        func expect(_ character: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == character else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect(45), let month = number(2), expect(45), let day = number(2), expect(84),
              let hour = number(2), expect(58), let minute = number(2), expect(58), let second = number(2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var fraction = 0.0
        if index < bytes.count, bytes[index] == 46 {
            index += 1
            var scale = 0.1
            let start = index
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                fraction += Double(bytes[index] - 48) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        var offset = 0
        if expect(90) {
            offset = 0
        } else if index < bytes.count, bytes[index] == 43 || bytes[index] == 45 {
            let sign = bytes[index] == 45 ? -1 : 1
            index += 1
            guard let hours = number(2), expect(58), let minutes = number(2), hours < 24, minutes < 60 else { return nil }
            offset = sign * (hours * 3600 + minutes * 60)
        } else {
            return nil
        }
        guard index == bytes.count else { return nil }
        // Days from 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's days_from_civil).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        let seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: TimeInterval(seconds) + fraction)
    }

    static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
