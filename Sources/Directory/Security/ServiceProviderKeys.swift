import Crypto
import CryptoExtras
import Foundation
import SwiftASN1
import X509

/// Roster's key pair as a SAML service provider: RSA-2048 with a self-signed certificate. IdPs pin the certificate
/// from the SP metadata, so no CA is involved; it signs requests (RSA-SHA256) and receives encrypted assertions.
public enum ServiceProviderKeys {
    /// How long a generated SP certificate is valid.
    public static let validity: TimeInterval = 5 * 365 * 86400

    public static func generate(directoryId: String, entityID: String, now: Date) throws -> ServiceProviderCredential {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let certificateKey = Certificate.PrivateKey(key)
        let name = try DistinguishedName {
            OrganizationName("Roster")
            CommonName(String(entityID.prefix(64)))
        }
        let notAfter = now.addingTimeInterval(validity)
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: certificateKey.publicKey,
            notValidBefore: now.addingTimeInterval(-300), notValidAfter: notAfter, issuer: name, subject: name,
            signatureAlgorithm: .sha256WithRSAEncryption,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
            },
            issuerPrivateKey: certificateKey
        )
        return ServiceProviderCredential(
            directoryId: directoryId, privateKeyPEM: key.pemRepresentation,
            certificatePEM: try certificate.serializeAsPEM().pemString + "\n", created: now, notAfter: notAfter
        )
    }

    /// Signs `bytes` with RSA-SHA256 (PKCS#1 v1.5), as the redirect binding's `SigAlg` rsa-sha256 means.
    public static func sign(_ bytes: [UInt8], with credential: ServiceProviderCredential) throws -> [UInt8] {
        let key = try _RSA.Signing.PrivateKey(pemRepresentation: credential.privateKeyPEM)
        let signature = try key.signature(for: bytes, padding: .insecurePKCS1v1_5)
        return Array(signature.rawRepresentation)
    }

    /// Checks a redirect-binding signature (SAML Bindings §3.4.4.1) from the identity provider: `signature` over
    /// `signed` with `algorithm` (RSA-SHA256/384/512 PKCS#1 v1.5, ECDSA-SHA256; RSA-SHA1 only when the caller allowed
    /// it), by the key of one of `certificates`.
    public static func verifyRedirectSignature(_ signed: [UInt8], algorithm: String, signature: [UInt8], certificates: [String]) -> Bool {
        for pem in certificates {
            guard let certificate = try? Certificate(pemEncoded: pem) else { continue }
            if let key = _RSA.Signing.PublicKey(certificate.publicKey) {
                let rsa = _RSA.Signing.RSASignature(rawRepresentation: signature)
                let valid: Bool = switch algorithm {
                case "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256": key.isValidSignature(rsa, for: SHA256.hash(data: signed), padding: .insecurePKCS1v1_5)
                case "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384": key.isValidSignature(rsa, for: SHA384.hash(data: signed), padding: .insecurePKCS1v1_5)
                case "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512": key.isValidSignature(rsa, for: SHA512.hash(data: signed), padding: .insecurePKCS1v1_5)
                case "http://www.w3.org/2000/09/xmldsig#rsa-sha1":
                    key.isValidSignature(rsa, for: Insecure.SHA1.hash(data: signed), padding: .insecurePKCS1v1_5)
                default: false
                }
                if valid { return true }
            } else if let key = P256.Signing.PublicKey(certificate.publicKey), algorithm == "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256" {
                let ecdsa = (try? P256.Signing.ECDSASignature(rawRepresentation: signature)) ?? (try? P256.Signing.ECDSASignature(derRepresentation: signature))
                if let ecdsa, key.isValidSignature(ecdsa, for: SHA256.hash(data: signed)) { return true }
            }
        }
        return false
    }

    /// The expiry date of a PEM certificate (for the admin's certificate list), nil when it does not parse.
    public static func expiry(ofCertificatePEM pem: String) -> Date? {
        guard let certificate = try? Certificate(pemEncoded: pem) else { return nil }
        return certificate.notValidAfter
    }

    /// The one certificate of an admin's PEM text, re-encoded as canonical PEM; nil unless the text (whitespace
    /// aside) is exactly one `CERTIFICATE` block of clean base64 holding an X.509 certificate. Stored settings hold
    /// only this form, so every reader (swift-certificates for fingerprints and expiry, OpenSSL for signatures) sees
    /// the same certificate: text before or after the block, a second block, or a header with trailing characters
    /// could otherwise be read one way by one parser and another way by the other.
    public static func canonicalCertificatePEM(_ text: String) -> String? {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard lines.count >= 3, lines.first == "-----BEGIN CERTIFICATE-----", lines.last == "-----END CERTIFICATE-----" else { return nil }
        let body = lines.dropFirst().dropLast().joined()
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")
        guard !body.isEmpty, body.allSatisfy({ alphabet.contains($0) }), let der = Data(base64Encoded: body),
              let certificate = try? Certificate(derEncoded: Array(der))
        else { return nil }
        var serializer = DER.Serializer()
        guard (try? serializer.serialize(certificate)) != nil, serializer.serializedBytes == Array(der) else { return nil }
        let encoded = Data(der).base64EncodedString()
        var pem = "-----BEGIN CERTIFICATE-----\n"
        var index = encoded.startIndex
        while index < encoded.endIndex {
            let end = encoded.index(index, offsetBy: 64, limitedBy: encoded.endIndex) ?? encoded.endIndex
            pem += encoded[index..<end] + "\n"
            index = end
        }
        return pem + "-----END CERTIFICATE-----\n"
    }

    /// The SHA-256 fingerprint of a PEM certificate's DER bytes, as IdP consoles show it (`AB:CD:…`); nil when it does
    /// not parse.
    public static func sha256Fingerprint(ofCertificatePEM pem: String) -> String? {
        guard let certificate = try? Certificate(pemEncoded: pem) else { return nil }
        var serializer = DER.Serializer()
        guard (try? serializer.serialize(certificate)) != nil else { return nil }
        return SHA256.hash(data: serializer.serializedBytes).map { String(format: "%02X", $0) }.joined(separator: ":")
    }

    /// The subject of a PEM certificate, for display.
    public static func subject(ofCertificatePEM pem: String) -> String? {
        guard let certificate = try? Certificate(pemEncoded: pem) else { return nil }
        return String(describing: certificate.subject)
    }
}
