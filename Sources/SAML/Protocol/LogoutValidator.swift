import Foundation

/// A LogoutRequest from the identity provider (IdP-initiated single logout), verified.
public struct VerifiedLogoutRequest: Sendable, Hashable {
    public var id: String
    public var nameID: String
    /// The sessions to end; empty means every session of the NameID at this SP.
    public var sessionIndexes: [String]
    public var issueInstant: Date
}

/// The identity provider's answer to Roster's LogoutRequest, verified.
public struct VerifiedLogoutResponse: Sendable, Hashable {
    public var inResponseTo: String
    public var statusCode: String
    public var succeeded: Bool { statusCode == LogoutValidator.success }
}

/// How a logout message arrived.
public enum LogoutBinding: Sendable {
    /// HTTP-Redirect: the raw (still percent-encoded) query string, whose signature covers exact bytes of it.
    case redirect(rawQuery: String)
    /// HTTP-POST: the base64 form field; the message carries an enveloped XML signature.
    case post(base64: String)
}

/// Verifies single-logout messages from the identity provider, failing closed: signed by a configured IdP
/// certificate (over the query in the redirect binding, enveloped in the POST binding), issued by the IdP, addressed
/// to this SP's logout URL when a Destination is given, and fresh.
public enum LogoutValidator {
    public static let success = "urn:oasis:names:tc:SAML:2.0:status:Success"
    /// How far IssueInstant may be from now.
    public static let skew: TimeInterval = 300

    /// Checks a redirect-binding signature: the signed bytes, the SigAlg URI and the raw signature, with the IdP's
    /// certificates. Supplied by the caller (the SAML module does no raw RSA).
    public typealias RedirectSignatureCheck = @Sendable (_ signed: [UInt8], _ algorithm: String, _ signature: [UInt8], _ certificates: [String]) -> Bool

    public static func validateRequest(
        _ binding: LogoutBinding, identityProvider: IdentityProviderSettings, destination: String, now: Date,
        redirectCheck: RedirectSignatureCheck
    ) throws(SAMLFailure) -> VerifiedLogoutRequest {
        let (document, root) = try message(binding, parameter: "SAMLRequest", element: "LogoutRequest", identityProvider: identityProvider,
                                           redirectCheck: redirectCheck)
        try common(root, identityProvider: identityProvider, destination: destination, now: now)
        guard let id = root.attribute("ID"), !id.isEmpty else { throw SAMLFailure(.notAResponse, "The LogoutRequest has no ID.") }
        if let notOnOrAfter = root.attribute("NotOnOrAfter") {
            guard let end = SAMLTime.parse(notOnOrAfter) else { throw SAMLFailure(.expired, "The LogoutRequest's NotOnOrAfter is not a date.") }
            guard now < end.addingTimeInterval(skew) else { throw SAMLFailure(.expired, "The LogoutRequest expired at \(SAMLTime.format(end)).") }
        }
        let names = root.children("NameID", in: XMLNode.samlAssertion)
        guard names.count == 1, let nameID = names[0].pureText?.trimmingCharacters(in: .whitespacesAndNewlines), !nameID.isEmpty else {
            throw SAMLFailure(.missingSubject, "The LogoutRequest must name exactly one NameID (encrypted NameIDs are not accepted).")
        }
        var indexes: [String] = []
        for index in root.children("SessionIndex", in: XMLNode.samlProtocol) {
            guard let text = index.pureText else { throw SAMLFailure(.nameIDTampered, "A SessionIndex holds more than text.") }
            indexes.append(text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        withExtendedLifetime(document) {}
        return VerifiedLogoutRequest(id: id, nameID: nameID, sessionIndexes: indexes, issueInstant: SAMLTime.parse(root.attribute("IssueInstant") ?? "") ?? now)
    }

    public static func validateResponse(
        _ binding: LogoutBinding, identityProvider: IdentityProviderSettings, destination: String, now: Date,
        redirectCheck: RedirectSignatureCheck
    ) throws(SAMLFailure) -> VerifiedLogoutResponse {
        let (document, root) = try message(binding, parameter: "SAMLResponse", element: "LogoutResponse", identityProvider: identityProvider,
                                           redirectCheck: redirectCheck)
        try common(root, identityProvider: identityProvider, destination: destination, now: now)
        guard let inResponseTo = root.attribute("InResponseTo"), !inResponseTo.isEmpty else {
            throw SAMLFailure(.inResponseToMismatch, "The LogoutResponse answers no request (no InResponseTo).")
        }
        guard let code = root.child("Status", in: XMLNode.samlProtocol)?.child("StatusCode", in: XMLNode.samlProtocol)?.attribute("Value") else {
            throw SAMLFailure(.statusNotSuccess, "The LogoutResponse has no StatusCode.")
        }
        withExtendedLifetime(document) {}
        return VerifiedLogoutResponse(inResponseTo: inResponseTo, statusCode: code)
    }

    /// The parsed message, its signature verified.
    private static func message(
        _ binding: LogoutBinding, parameter: String, element: String, identityProvider: IdentityProviderSettings,
        redirectCheck: RedirectSignatureCheck
    ) throws(SAMLFailure) -> (XMLDocument, XMLNode) {
        let bytes: [UInt8]
        var redirectSigned = false
        switch binding {
        case .redirect(let rawQuery):
            let fields = try redirectFields(rawQuery)
            guard let encoded = fields.values[parameter], let data = Data(base64Encoded: Base64Form.compact(encoded)) else {
                throw SAMLFailure(.malformedBase64, "The \(parameter) is missing or not valid base64.")
            }
            guard data.count <= XMLDocument.maximumSize, let inflated = RawDeflate.decompress(Array(data)),
                  inflated.count <= XMLDocument.maximumSize
            else { throw SAMLFailure(.tooLarge, "The \(parameter) does not inflate to a message of at most \(XMLDocument.maximumSize) bytes.") }
            guard let algorithm = fields.values["SigAlg"], let signatureText = fields.values["Signature"],
                  let signature = Data(base64Encoded: Base64Form.compact(signatureText))
            else { throw SAMLFailure(.unsigned, "The \(parameter) is not signed (no SigAlg and Signature).") }
            let allowed = SignatureVerifier.signatureAlgorithms.union(identityProvider.allowSHA1 ? [SignatureVerifier.sha1Signature] : [])
            guard allowed.contains(algorithm) else { throw SAMLFailure(.disallowedAlgorithm, "The signature algorithm \(algorithm.prefix(100)) is not allowed.") }
            // SAML Bindings §3.4.4.1: the signature covers `PARAM=v&RelayState=v&SigAlg=v` exactly as they arrived.
            var signed = "\(parameter)=\(fields.raw[parameter] ?? "")"
            if let relay = fields.raw["RelayState"] { signed += "&RelayState=\(relay)" }
            signed += "&SigAlg=\(fields.raw["SigAlg"] ?? "")"
            guard redirectCheck(Array(signed.utf8), algorithm, Array(signature), identityProvider.certificates) else {
                throw SAMLFailure(.unknownKey, "No configured certificate of the identity provider verifies the \(parameter)'s signature.")
            }
            redirectSigned = true
            bytes = inflated
        case .post(let encoded):
            let compact = Base64Form.compact(encoded)
            guard compact.count <= XMLDocument.maximumSize * 4 / 3 + 4 else { throw SAMLFailure(.tooLarge, "The \(parameter) is too large.") }
            guard let data = Data(base64Encoded: compact) else { throw SAMLFailure(.malformedBase64, "The \(parameter) is not valid base64.") }
            bytes = Array(data)
        }
        let document: XMLDocument
        do {
            document = try XMLDocument(bytes: bytes)
        } catch .doctypeDeclared {
            throw SAMLFailure(.doctypeDeclared, "The \(parameter) declares a DTD.")
        } catch {
            throw SAMLFailure(.malformedXML, "The \(parameter) is not well-formed XML.")
        }
        guard let root = document.root, root.is(element, in: XMLNode.samlProtocol) else {
            throw SAMLFailure(.notAResponse, "The \(parameter) is not a SAML 2.0 \(element).")
        }
        guard document.registerIDs() else { throw SAMLFailure(.duplicateID, "An ID appears twice in the \(parameter).") }
        let signatures = root.children("Signature", in: XMLNode.xmlDSig)
        guard signatures.count <= 1 else { throw SAMLFailure(.wrongReference, "The \(element) carries more than one signature.") }
        if let signature = signatures.first {
            try SignatureVerifier(certificates: identityProvider.certificates, allowSHA1: identityProvider.allowSHA1)
                .verify(signature, of: root, in: document)
        } else if !redirectSigned {
            throw SAMLFailure(.unsigned, "The \(element) is not signed.")
        }
        // Nothing below the root may carry a signature of its own (the node read is the node signed).
        guard !root.descendants.contains(where: { $0.is("Signature", in: XMLNode.xmlDSig) && $0.parent != root }) else {
            throw SAMLFailure(.wrongReference, "The \(element) carries a nested signature.")
        }
        return (document, root)
    }

    private static func common(_ root: XMLNode, identityProvider: IdentityProviderSettings, destination: String, now: Date) throws(SAMLFailure) {
        guard root.attribute("Version") == "2.0" else { throw SAMLFailure(.notAResponse, "The message is not SAML 2.0.") }
        let issuers = root.children("Issuer", in: XMLNode.samlAssertion)
        guard issuers.count == 1, issuers[0].pureText?.trimmingCharacters(in: .whitespacesAndNewlines) == identityProvider.entityID else {
            throw SAMLFailure(.wrongIssuer, "The message is not issued by \(identityProvider.entityID.prefix(200)).")
        }
        // A signed message sent through a browser must name its Destination (SAML Bindings §3.4.5.2, §3.5.5.2).
        guard let target = root.attribute("Destination") else {
            throw SAMLFailure(.wrongDestination, "The message names no Destination.")
        }
        guard target == destination else {
            throw SAMLFailure(.wrongDestination, "The message is addressed to \(target.prefix(200)), not \(destination.prefix(200)).")
        }
        guard let instant = root.attribute("IssueInstant").flatMap(SAMLTime.parse) else {
            throw SAMLFailure(.notAResponse, "The message has no IssueInstant.")
        }
        guard abs(instant.timeIntervalSince(now)) <= skew else {
            throw SAMLFailure(.expired, "The message was issued at \(SAMLTime.format(instant)), too far from now.")
        }
    }

    /// The fields of a raw query: values decoded (`+` is a space) and as they arrived. A repeated field is refused.
    static func redirectFields(_ rawQuery: String) throws(SAMLFailure) -> (values: [String: String], raw: [String: String]) {
        var values: [String: String] = [:]
        var raw: [String: String] = [:]
        for pair in rawQuery.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            let value = parts.count > 1 ? String(parts[1]) : ""
            guard raw[name] == nil else { throw SAMLFailure(.malformedXML, "The query repeats \(name.prefix(50)).") }
            raw[name] = value
            values[name] = value.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? value
        }
        return (values, raw)
    }
}

/// Roster's answer to an IdP-initiated LogoutRequest (SAML 2.0 Core §3.7.2), sent with the redirect binding.
public struct LogoutResponse: Sendable, Hashable {
    public var id: String
    public var inResponseTo: String
    public var issueInstant: Date
    public var destination: String
    public var serviceProvider: ServiceProviderIdentity
    public var statusCode: String

    public init(id: String, inResponseTo: String, issueInstant: Date, destination: String, serviceProvider: ServiceProviderIdentity,
                statusCode: String = LogoutValidator.success) {
        self.id = id
        self.inResponseTo = inResponseTo
        self.issueInstant = issueInstant
        self.destination = destination
        self.serviceProvider = serviceProvider
        self.statusCode = statusCode
    }

    public var xml: String {
        let escape = ServiceProviderMetadata.escape
        return """
            <samlp:LogoutResponse xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" \
            ID="\(escape(id))" Version="2.0" IssueInstant="\(SAMLTime.format(issueInstant))" Destination="\(escape(destination))" \
            InResponseTo="\(escape(inResponseTo))"><saml:Issuer>\(escape(serviceProvider.entityID))</saml:Issuer>\
            <samlp:Status><samlp:StatusCode Value="\(escape(statusCode))"/></samlp:Status></samlp:LogoutResponse>
            """
    }

    public func redirectURL(relayState: String?, signer: RedirectBinding.Signer?) -> URL? {
        RedirectBinding.url(destination: destination, parameter: "SAMLResponse", xml: xml, relayState: relayState, signer: signer)
    }
}
