import CXMLSec
import Foundation

/// Signs Roster's own SAML messages (an AuthnRequest sent with the HTTP-POST binding) with an enveloped XML signature:
/// exclusive C14N, RSA-SHA256, one Reference to the root's ID, placed after the Issuer as SAML requires; the
/// certificate goes in KeyInfo. The message is Roster's own, so it is parsed as trusted input.
public enum XMLSigner {
    public struct Failure: Error, Sendable {}

    public static func sign(_ xml: String, privateKeyPEM: String, certificatePEM: String) throws(Failure) -> String {
        XMLSecurity.initialize()
        let document: XMLDocument
        do { document = try XMLDocument(bytes: Array(xml.utf8)) } catch { throw Failure() }
        guard let root = document.root, let id = root.attribute("ID"), document.registerIDs(),
              let signature = xmlSecTmplSignatureCreate(document.pointer, xmlSecTransformExclC14NGetKlass(), xmlSecOpenSSLTransformRsaSha256GetKlass(), nil),
              let reference = xmlSecTmplSignatureAddReference(signature, xmlSecOpenSSLTransformSha256GetKlass(), nil, "#" + id, nil)
        else { throw Failure() }
        xmlSecTmplReferenceAddTransform(reference, xmlSecTransformEnvelopedGetKlass())
        xmlSecTmplReferenceAddTransform(reference, xmlSecTransformExclC14NGetKlass())
        if let keyInfo = xmlSecTmplSignatureEnsureKeyInfo(signature, nil) { xmlSecTmplKeyInfoAddX509Data(keyInfo) }
        if let issuer = root.child("Issuer", in: XMLNode.samlAssertion) {
            xmlAddNextSibling(issuer.pointer, signature)
        } else {
            xmlAddChild(root.pointer, signature)
        }
        let keyBytes = Array(privateKeyPEM.utf8)
        guard let key = keyBytes.withUnsafeBufferPointer({
            xmlSecOpenSSLAppKeyLoadMemory($0.baseAddress, UInt32($0.count), xmlSecKeyDataFormatPem, nil, nil, nil)
        }) else { throw Failure() }
        let certificateBytes = Array(certificatePEM.utf8)
        _ = certificateBytes.withUnsafeBufferPointer {
            xmlSecOpenSSLAppKeyCertLoadMemory(key, $0.baseAddress, UInt32($0.count), xmlSecKeyDataFormatPem)
        }
        guard let context = xmlSecDSigCtxCreate(nil) else {
            xmlSecKeyDestroy(key)
            throw Failure()
        }
        // The context owns the key from here and frees it with itself.
        defer { xmlSecDSigCtxDestroy(context) }
        context.pointee.signKey = key
        guard xmlSecDSigCtxSign(context, signature) >= 0 else { throw Failure() }
        var buffer: UnsafeMutablePointer<xmlChar>?
        var size: Int32 = 0
        xmlDocDumpMemory(document.pointer, &buffer, &size)
        guard let buffer else { throw Failure() }
        defer { roster_xml_free(buffer) }
        return String(cString: buffer)
    }
}
