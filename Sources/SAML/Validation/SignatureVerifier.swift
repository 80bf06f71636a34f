import CXMLSec
import Foundation

/// Verifies an enveloped XML signature with libxmlsec1, with keys only from configured certificates, and checks
/// that the signature covers exactly the element that will be read.
struct SignatureVerifier {
    /// The IdP's signing certificates, PEM. Several during a rotation.
    let certificates: [String]
    /// SHA-1 only when the connection explicitly allows it.
    let allowSHA1: Bool

    static let envelopedTransform = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
    static let exclusiveC14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
    static let signatureAlgorithms: Set<String> = [
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
    ]
    static let digestAlgorithms: Set<String> = [
        "http://www.w3.org/2001/04/xmlenc#sha256",
        "http://www.w3.org/2001/04/xmldsig-more#sha384",
        "http://www.w3.org/2001/04/xmlenc#sha512",
    ]
    static let sha1Signature = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
    static let sha1Digest = "http://www.w3.org/2000/09/xmldsig#sha1"

    /// Verifies `signature`, a `ds:Signature` child of `element`, which must be what its one Reference names.
    func verify(_ signature: XMLNode, of element: XMLNode, in document: XMLDocument) throws(SAMLFailure) {
        try checkShape(signature, of: element, in: document)
        var processed = false
        for pem in certificates {
            switch try verify(signature, pem: pem) {
            case .succeeded: return
            case .digestMismatch: throw SAMLFailure(.digestMismatch, "The signed element changed after it was signed.")
            case .keyMismatch: processed = true
            // Another key type (an EC certificate for an RSA signature during a rotation): try the next one.
            case .unusable: continue
            }
        }
        guard processed else {
            throw SAMLFailure(certificates.count > 1 ? .unknownKey : .signatureInvalid,
                              "No configured certificate of the identity provider can check this signature.")
        }
        throw SAMLFailure(.unknownKey, "No configured certificate of the identity provider verifies the signature.")
    }

    /// The structure rules, checked before any cryptography: one Reference, to this element's ID, with only the
    /// allowed transforms and algorithms.
    private func checkShape(_ signature: XMLNode, of element: XMLNode, in document: XMLDocument) throws(SAMLFailure) {
        guard signature.parent == element else {
            throw SAMLFailure(.wrongReference, "The signature is not a child of the element it signs.")
        }
        guard let signedInfo = signature.child("SignedInfo", in: XMLNode.xmlDSig) else {
            throw SAMLFailure(.signatureInvalid, "The signature has no SignedInfo.")
        }
        guard signedInfo.child("CanonicalizationMethod", in: XMLNode.xmlDSig)?.attribute("Algorithm") == Self.exclusiveC14N else {
            throw SAMLFailure(.disallowedTransform, "SignedInfo must be canonicalized with exclusive C14N.")
        }
        let method = signedInfo.child("SignatureMethod", in: XMLNode.xmlDSig)?.attribute("Algorithm") ?? ""
        guard Self.signatureAlgorithms.contains(method) || (allowSHA1 && method == Self.sha1Signature) else {
            throw SAMLFailure(.disallowedAlgorithm, "The signature algorithm \(method.prefix(100)) is not allowed.")
        }
        let references = signedInfo.children("Reference", in: XMLNode.xmlDSig)
        guard references.count == 1, let reference = references.first else {
            throw SAMLFailure(.wrongReference, "The signature must have exactly one Reference (it has \(references.count)).")
        }
        guard let id = element.attribute("ID"), !id.isEmpty, reference.attribute("URI") == "#" + id else {
            throw SAMLFailure(.wrongReference, "The signature's Reference does not name the element it is in.")
        }
        guard document.element(withID: id) == element else {
            throw SAMLFailure(.wrongReference, "The signed ID resolves to another element.")
        }
        let transforms = reference.child("Transforms", in: XMLNode.xmlDSig)?.children("Transform", in: XMLNode.xmlDSig) ?? []
        for transform in transforms {
            let algorithm = transform.attribute("Algorithm") ?? ""
            guard algorithm == Self.envelopedTransform || algorithm == Self.exclusiveC14N else {
                throw SAMLFailure(.disallowedTransform, "The transform \(algorithm.prefix(100)) is not allowed.")
            }
        }
        let digest = reference.child("DigestMethod", in: XMLNode.xmlDSig)?.attribute("Algorithm") ?? ""
        guard Self.digestAlgorithms.contains(digest) || (allowSHA1 && digest == Self.sha1Digest) else {
            throw SAMLFailure(.disallowedAlgorithm, "The digest algorithm \(digest.prefix(100)) is not allowed.")
        }
    }

    private enum Outcome {
        case succeeded, digestMismatch, keyMismatch, unusable
    }

    private func verify(_ signature: XMLNode, pem: String) throws(SAMLFailure) -> Outcome {
        guard let key = CertificateKeys.shared.key(pem) else {
            throw SAMLFailure(.unknownKey, "A configured certificate could not be loaded.")
        }
        guard let context = xmlSecDSigCtxCreate(nil) else {
            throw SAMLFailure(.signatureInvalid, "The signature context could not be created.")
        }
        // The cached key is lent to the context, which must not free it.
        defer {
            context.pointee.signKey = nil
            xmlSecDSigCtxDestroy(context)
            withExtendedLifetime(key) {}
        }
        // The key comes from configuration alone: a KeyInfo certificate in the message is never trusted.
        context.pointee.signKey = key.pointer
        context.pointee.enabledReferenceUris = UInt32(xmlSecTransformUriTypeSameDocument)
        context.pointee.flags = UInt32(XMLSEC_DSIG_FLAGS_STORE_SIGNEDINFO_REFERENCES)
        for transform in [xmlSecTransformEnvelopedGetKlass(), xmlSecTransformExclC14NGetKlass(),
                          xmlSecOpenSSLTransformSha256GetKlass(), xmlSecOpenSSLTransformSha384GetKlass(),
                          xmlSecOpenSSLTransformSha512GetKlass()] + (allowSHA1 ? [xmlSecOpenSSLTransformSha1GetKlass()] : []) {
            _ = xmlSecDSigCtxEnableReferenceTransform(context, transform)
        }
        for transform in [xmlSecTransformExclC14NGetKlass(), xmlSecOpenSSLTransformRsaSha256GetKlass(),
                          xmlSecOpenSSLTransformRsaSha384GetKlass(), xmlSecOpenSSLTransformRsaSha512GetKlass(),
                          xmlSecOpenSSLTransformEcdsaSha256GetKlass()] + (allowSHA1 ? [xmlSecOpenSSLTransformRsaSha1GetKlass()] : []) {
            _ = xmlSecDSigCtxEnableSignatureTransform(context, transform)
        }
        guard xmlSecDSigCtxVerify(context, signature.pointer) >= 0 else { return .unusable }
        if context.pointee.status == xmlSecDSigStatusSucceeded { return .succeeded }
        // Which part failed: a reference digest (the content changed) or the signature value (another key).
        let references = withUnsafeMutablePointer(to: &context.pointee.signedInfoReferences) { $0 }
        for index in 0..<xmlSecPtrListGetSize(references) {
            guard let raw = xmlSecPtrListGetItem(references, index) else { continue }
            let reference = raw.assumingMemoryBound(to: xmlSecDSigReferenceCtx.self)
            if reference.pointee.status != xmlSecDSigStatusSucceeded { return .digestMismatch }
        }
        return .keyMismatch
    }
}

/// Public keys of configured IdP certificates, parsed once: loading a PEM certificate costs more than checking a
/// signature with it. Keys are only read while lent to a signature context (xmlsec takes its own reference to the
/// OpenSSL key), and a key leaves memory when the last user lets go of it.
final class CertificateKeys: @unchecked Sendable {
    static let shared = CertificateKeys()
    /// Bounded: connections are few, but a PEM that keeps changing must not grow the cache forever.
    private static let capacity = 256
    private let lock = NSLock()
    private var keys: [String: CachedKey] = [:]

    final class CachedKey: @unchecked Sendable {
        let pointer: xmlSecKeyPtr
        init(_ pointer: xmlSecKeyPtr) { self.pointer = pointer }
        deinit { xmlSecKeyDestroy(pointer) }
    }

    func key(_ pem: String) -> CachedKey? {
        lock.lock()
        defer { lock.unlock() }
        if let cached = keys[pem] { return cached }
        let bytes = Array(pem.utf8)
        guard let loaded = bytes.withUnsafeBufferPointer({ buffer in
            xmlSecOpenSSLAppKeyLoadMemory(buffer.baseAddress, UInt32(buffer.count), xmlSecKeyDataFormatCertPem, nil, nil, nil)
        }) else { return nil }
        if keys.count >= Self.capacity { keys.removeAll() }
        let key = CachedKey(loaded)
        keys[pem] = key
        return key
    }
}
