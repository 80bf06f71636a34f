import CXMLSec
import Foundation

/// Decrypts the one `EncryptedAssertion` of a response with the service provider's private keys (XML Encryption
/// through libxmlsec1). The plain `Assertion` stays inside the `EncryptedAssertion`, where xmlsec parsed it: moving
/// it would make libxml2 re-declare namespaces and change what its signature covers.
///
/// Only modern algorithms are accepted: AES-CBC or AES-GCM for the content and RSA-OAEP for the key transport.
/// RSA PKCS#1 v1.5 key transport is refused (Bleichenbacher-style oracles). Decryption proves nothing about who
/// wrote the assertion: the validator still requires a signature from the identity provider.
struct AssertionDecryptor {
    /// The SP's private keys, PEM; several while the SP key rotates.
    let privateKeys: [String]

    static let xmlEnc = "http://www.w3.org/2001/04/xmlenc#"
    static let contentAlgorithms: Set<String> = [
        "http://www.w3.org/2001/04/xmlenc#aes128-cbc",
        "http://www.w3.org/2001/04/xmlenc#aes192-cbc",
        "http://www.w3.org/2001/04/xmlenc#aes256-cbc",
        "http://www.w3.org/2009/xmlenc11#aes128-gcm",
        "http://www.w3.org/2009/xmlenc11#aes192-gcm",
        "http://www.w3.org/2009/xmlenc11#aes256-gcm",
    ]
    static let keyTransportAlgorithms: Set<String> = [
        "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p",
        "http://www.w3.org/2009/xmlenc11#rsa-oaep",
    ]

    /// Decrypts `encrypted` (an `EncryptedAssertion` child of the response) in place and returns the assertion, now
    /// its child.
    func decrypt(_ encrypted: XMLNode, in document: XMLDocument) throws(SAMLFailure) -> XMLNode {
        guard !privateKeys.isEmpty else {
            throw SAMLFailure(.decryptionFailed, "The assertion is encrypted, but this connection has no decryption key.")
        }
        let data = encrypted.children("EncryptedData", in: Self.xmlEnc)
        guard data.count == 1, let encryptedData = data.first else {
            throw SAMLFailure(.decryptionFailed, "The EncryptedAssertion must hold exactly one EncryptedData.")
        }
        try checkAlgorithms(encrypted, encryptedData)
        // The EncryptedKey sits in the EncryptedData's KeyInfo (Okta, pysaml2) or beside it (AD FS, Entra ID,
        // Shibboleth); either way it is decrypted directly with the SP key, never looked up from the message.
        let encryptedKeys = encrypted.descendants.filter { $0.is("EncryptedKey", in: Self.xmlEnc) }
        var decrypted = false
        search: for pem in privateKeys {
            for encryptedKey in encryptedKeys where try decrypt(encryptedData, key: encryptedKey, pem: pem) {
                decrypted = true
                break search
            }
        }
        guard decrypted else {
            throw SAMLFailure(.decryptionFailed, "No key of this service provider decrypts the assertion.")
        }
        let assertions = encrypted.children.filter { $0.is("Assertion", in: XMLNode.samlAssertion) }
        guard assertions.count == 1, let assertion = assertions.first,
              encrypted.children.allSatisfy({ $0 == assertion || $0.is("EncryptedKey", in: Self.xmlEnc) })
        else {
            throw SAMLFailure(.assertionCount, "The decrypted content is not exactly one Assertion.")
        }
        return assertion
    }

    /// Every EncryptionMethod in the EncryptedAssertion must be on the allow-lists, before any cryptography.
    private func checkAlgorithms(_ encrypted: XMLNode, _ encryptedData: XMLNode) throws(SAMLFailure) {
        let content = encryptedData.child("EncryptionMethod", in: Self.xmlEnc)?.attribute("Algorithm") ?? ""
        guard Self.contentAlgorithms.contains(content) else {
            throw SAMLFailure(.disallowedAlgorithm, "The content encryption algorithm \(content.prefix(100)) is not allowed.")
        }
        let keys = encrypted.descendants.filter { $0.is("EncryptedKey", in: Self.xmlEnc) }
        guard !keys.isEmpty else { throw SAMLFailure(.decryptionFailed, "The encrypted assertion carries no EncryptedKey.") }
        for key in keys {
            let transport = key.child("EncryptionMethod", in: Self.xmlEnc)?.attribute("Algorithm") ?? ""
            guard Self.keyTransportAlgorithms.contains(transport) else {
                throw SAMLFailure(.disallowedAlgorithm, "The key transport algorithm \(transport.prefix(100)) is not allowed.")
            }
        }
    }

    /// One attempt with one SP key and one EncryptedKey: the session key is unwrapped with the RSA key, then the
    /// content is decrypted with it. False when the key does not fit (the next one is tried).
    private func decrypt(_ encryptedData: XMLNode, key encryptedKey: XMLNode, pem: String) throws(SAMLFailure) -> Bool {
        let bytes = Array(pem.utf8)
        guard let privateKey = bytes.withUnsafeBufferPointer({ buffer in
            xmlSecOpenSSLAppKeyLoadMemory(buffer.baseAddress, UInt32(buffer.count), xmlSecKeyDataFormatPem, nil, nil, nil)
        }) else {
            throw SAMLFailure(.decryptionFailed, "The service provider's decryption key could not be loaded.")
        }
        guard let keyContext = xmlSecEncCtxCreate(nil) else {
            xmlSecKeyDestroy(privateKey)
            throw SAMLFailure(.decryptionFailed, "The decryption context could not be created.")
        }
        defer { xmlSecEncCtxDestroy(keyContext) }
        // The context owns the key from here on, and with a key set it reads no KeyInfo from the message.
        keyContext.pointee.encKey = privateKey
        keyContext.pointee.mode = xmlEncCtxModeEncryptedKey
        guard let unwrapped = xmlSecEncCtxDecryptToBuffer(keyContext, encryptedKey.pointer),
              let sessionKeyBytes = xmlSecBufferGetData(unwrapped)
        else { return false }
        guard let sessionKey = xmlSecKeyReadMemory(xmlSecOpenSSLKeyDataAesGetKlass(), sessionKeyBytes, xmlSecBufferGetSize(unwrapped)) else {
            return false
        }
        guard let dataContext = xmlSecEncCtxCreate(nil) else {
            xmlSecKeyDestroy(sessionKey)
            throw SAMLFailure(.decryptionFailed, "The decryption context could not be created.")
        }
        defer { xmlSecEncCtxDestroy(dataContext) }
        dataContext.pointee.encKey = sessionKey
        guard xmlSecEncCtxDecrypt(dataContext, encryptedData.pointer) >= 0, dataContext.pointee.resultReplaced != 0 else { return false }
        return true
    }
}
