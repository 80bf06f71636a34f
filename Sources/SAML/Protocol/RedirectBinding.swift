import Foundation

/// The HTTP-Redirect binding (SAML 2.0 Bindings §3.4): a protocol message deflated, base64-encoded and put in the
/// query of the recipient's URL, optionally signed over the exact query bytes (§3.4.4.1).
public enum RedirectBinding {
    /// RSA-SHA256 (PKCS#1 v1.5), the signature algorithm Roster signs requests with.
    public static let rsaSHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"

    /// Signs the bytes of `SAMLRequest=…&RelayState=…&SigAlg=…` and returns the raw signature.
    public typealias Signer = @Sendable ([UInt8]) throws -> [UInt8]

    /// `destination` with the message as `parameter` (`SAMLRequest` or `SAMLResponse`), `RelayState`, and, with a
    /// signer, `SigAlg` and `Signature`. Nil when the destination is not a URL or signing fails.
    public static func url(destination: String, parameter: String, xml: String, relayState: String?, signer: Signer?) -> URL? {
        guard let deflated = RawDeflate.compress(Array(xml.utf8)), var components = URLComponents(string: destination) else { return nil }
        var signed = "\(parameter)=\(encode(Data(deflated).base64EncodedString()))"
        if let relayState { signed += "&RelayState=\(encode(relayState))" }
        if let signer {
            signed += "&SigAlg=\(encode(rsaSHA256))"
            guard let signature = try? signer(Array(signed.utf8)) else { return nil }
            signed += "&Signature=\(encode(Data(signature).base64EncodedString()))"
        }
        let existing = components.percentEncodedQuery.map { $0.isEmpty ? "" : $0 + "&" } ?? ""
        components.percentEncodedQuery = existing + signed
        return components.url
    }

    /// Strict form encoding: `+`, `/` and `=` of base64 must be escaped in a query.
    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")) ?? text
    }

    /// Decodes a message of the redirect binding (deflated, base64); nil when it is not one.
    public static func decode(_ value: String) -> String? {
        guard let data = Data(base64Encoded: value), let inflated = RawDeflate.decompress(Array(data)) else { return nil }
        return String(decoding: inflated, as: UTF8.self)
    }
}

/// A LogoutRequest from Roster to the identity provider (SP-initiated single logout, SAML 2.0 Core §3.7.1).
public struct LogoutRequest: Sendable, Hashable {
    public var id: String
    public var issueInstant: Date
    public var destination: String
    public var serviceProvider: ServiceProviderIdentity
    public var nameID: String
    public var sessionIndex: String?

    public init(id: String, issueInstant: Date, destination: String, serviceProvider: ServiceProviderIdentity, nameID: String, sessionIndex: String?) {
        self.id = id
        self.issueInstant = issueInstant
        self.destination = destination
        self.serviceProvider = serviceProvider
        self.nameID = nameID
        self.sessionIndex = sessionIndex
    }

    public var xml: String {
        let escape = ServiceProviderMetadata.escape
        return """
            <samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" \
            ID="\(escape(id))" Version="2.0" IssueInstant="\(SAMLTime.format(issueInstant))" Destination="\(escape(destination))">\
            <saml:Issuer>\(escape(serviceProvider.entityID))</saml:Issuer>\
            <saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">\(escape(nameID))</saml:NameID>\
            \(sessionIndex.map { "<samlp:SessionIndex>\(escape($0))</samlp:SessionIndex>" } ?? "")\
            </samlp:LogoutRequest>
            """
    }

    public func redirectURL(relayState: String?, signer: RedirectBinding.Signer?) -> URL? {
        RedirectBinding.url(destination: destination, parameter: "SAMLRequest", xml: xml, relayState: relayState, signer: signer)
    }
}
