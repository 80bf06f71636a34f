import Foundation

/// What Roster takes from an identity provider's SAML metadata (SAML 2.0 Metadata §2.4.3).
public struct IdentityProviderMetadata: Sendable, Hashable {
    public var entityID: String
    /// The SingleSignOnService for the HTTP-Redirect binding (preferred) or HTTP-POST.
    public var singleSignOnURL: String
    public var singleSignOnBinding: String
    /// Signing certificates as PEM.
    public var signingCertificates: [String]
    /// The SingleLogoutService for the HTTP-Redirect binding, when the IdP has one.
    public var singleLogoutURL: String?

    public static let redirectBinding = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
    public static let postBinding = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
    static let metadataNamespace = "urn:oasis:names:tc:SAML:2.0:metadata"

    /// Why metadata could not be used.
    public struct ImportError: Error, Sendable, Hashable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Parses an `EntityDescriptor` (or the first one with an IdP role inside an `EntitiesDescriptor`).
    public static func parse(_ bytes: [UInt8]) throws(ImportError) -> IdentityProviderMetadata {
        let document: XMLDocument
        do {
            document = try XMLDocument(bytes: bytes)
        } catch {
            throw ImportError(message: "The metadata is not usable XML (\(error)).")
        }
        guard let root = document.root else { throw ImportError(message: "The metadata is empty.") }
        let candidates = root.is("EntityDescriptor", in: metadataNamespace)
            ? [root] : root.descendants.filter { $0.is("EntityDescriptor", in: metadataNamespace) }
        guard let entity = candidates.first(where: { $0.child("IDPSSODescriptor", in: metadataNamespace) != nil }),
              let descriptor = entity.child("IDPSSODescriptor", in: metadataNamespace)
        else {
            throw ImportError(message: "The metadata describes no identity provider (no IDPSSODescriptor).")
        }
        guard let entityID = entity.attribute("entityID"), !entityID.isEmpty else {
            throw ImportError(message: "The identity provider has no entityID.")
        }
        let services = descriptor.children("SingleSignOnService", in: metadataNamespace)
        guard let service = services.first(where: { $0.attribute("Binding") == redirectBinding })
                ?? services.first(where: { $0.attribute("Binding") == postBinding }),
              let location = service.attribute("Location"), let binding = service.attribute("Binding"),
              let url = URL(string: location), url.scheme == "https" || url.scheme == "http"
        else {
            throw ImportError(message: "The identity provider has no SingleSignOnService with the HTTP-Redirect or HTTP-POST binding.")
        }
        var certificates: [String] = []
        for key in descriptor.children("KeyDescriptor", in: metadataNamespace) where key.attribute("use") != "encryption" {
            for element in [key] + key.descendants where element.is("X509Certificate", in: XMLNode.xmlDSig) {
                guard let text = element.pureText else { continue }
                let base64 = text.filter { !$0.isWhitespace }
                guard let der = Data(base64Encoded: base64), !der.isEmpty else {
                    throw ImportError(message: "A signing certificate in the metadata is not valid base64.")
                }
                certificates.append(pem(der))
            }
        }
        guard !certificates.isEmpty else { throw ImportError(message: "The metadata holds no signing certificate.") }
        let logout = descriptor.children("SingleLogoutService", in: metadataNamespace)
            .first { $0.attribute("Binding") == redirectBinding }?.attribute("Location")
            .flatMap { URL(string: $0) }.flatMap { $0.scheme == "https" || $0.scheme == "http" ? $0 : nil }
        return IdentityProviderMetadata(
            entityID: entityID, singleSignOnURL: location, singleSignOnBinding: binding, signingCertificates: certificates,
            singleLogoutURL: logout?.absoluteString
        )
    }

    /// A DER certificate as PEM.
    static func pem(_ der: Data) -> String {
        let body = der.base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return "-----BEGIN CERTIFICATE-----\n\(body)\n-----END CERTIFICATE-----\n"
    }
}
