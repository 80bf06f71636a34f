import CXMLSec
import Foundation
@testable import SAML

/// Real keys and real signatures for the tests: an RSA key and a self-signed certificate made with openssl,
/// and enveloped signatures made with libxmlsec1.
public struct TestIdentity: Sendable {
    public let privateKeyPEM: String
    public let certificatePEM: String

    public static func make(name: String = "idp") throws -> TestIdentity {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("roster-saml-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let key = folder.appendingPathComponent("key.pem").path
        let certificate = folder.appendingPathComponent("cert.pem").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate,
                             "-days", "30", "-subj", "/CN=\(name)"]
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        process.waitUntilExit()
        return TestIdentity(privateKeyPEM: try String(contentsOfFile: key, encoding: .utf8),
                            certificatePEM: try String(contentsOfFile: certificate, encoding: .utf8))
    }

    /// Signs the element with `id` in `xml` (enveloped, exclusive C14N, RSA-SHA256 unless told otherwise),
    /// placing the signature after the element's Issuer as SAML requires.
    public func sign(_ xml: String, id: String, sha1: Bool = false) throws -> String {
        XMLSecurity.initialize()
        let document = try XMLDocument(bytes: Array(xml.utf8))
        guard document.registerIDs(), let element = document.element(withID: id) else { throw SigningError() }
        let method = sha1 ? xmlSecOpenSSLTransformRsaSha1GetKlass() : xmlSecOpenSSLTransformRsaSha256GetKlass()
        guard let signature = xmlSecTmplSignatureCreate(document.pointer, xmlSecTransformExclC14NGetKlass(), method, nil),
              let reference = xmlSecTmplSignatureAddReference(
                signature, sha1 ? xmlSecOpenSSLTransformSha1GetKlass() : xmlSecOpenSSLTransformSha256GetKlass(), nil, "#" + id, nil)
        else { throw SigningError() }
        xmlSecTmplReferenceAddTransform(reference, xmlSecTransformEnvelopedGetKlass())
        xmlSecTmplReferenceAddTransform(reference, xmlSecTransformExclC14NGetKlass())
        if let keyInfo = xmlSecTmplSignatureEnsureKeyInfo(signature, nil) { xmlSecTmplKeyInfoAddX509Data(keyInfo) }
        if let issuer = element.children.first(where: { $0.localName == "Issuer" }) {
            xmlAddNextSibling(issuer.pointer, signature)
        } else {
            xmlAddChild(element.pointer, signature)
        }
        let keyBytes = Array(privateKeyPEM.utf8)
        guard let key = keyBytes.withUnsafeBufferPointer({
            xmlSecOpenSSLAppKeyLoadMemory($0.baseAddress, UInt32($0.count), xmlSecKeyDataFormatPem, nil, nil, nil)
        }) else { throw SigningError() }
        let certificateBytes = Array(certificatePEM.utf8)
        _ = certificateBytes.withUnsafeBufferPointer {
            xmlSecOpenSSLAppKeyCertLoadMemory(key, $0.baseAddress, UInt32($0.count), xmlSecKeyDataFormatPem)
        }
        guard let context = xmlSecDSigCtxCreate(nil) else { throw SigningError() }
        defer { xmlSecDSigCtxDestroy(context) }
        context.pointee.signKey = key
        guard xmlSecDSigCtxSign(context, signature) >= 0 else { throw SigningError() }
        var buffer: UnsafeMutablePointer<xmlChar>?
        var size: Int32 = 0
        xmlDocDumpMemory(document.pointer, &buffer, &size)
        guard let buffer else { throw SigningError() }
        defer { roster_xml_free(buffer) }
        return String(cString: buffer)
    }

    public struct SigningError: Error {}
}
