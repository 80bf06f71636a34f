import CXMLSec
import Foundation
import SAML

/// Real keys and real signatures for the tests: an RSA key and a self-signed certificate made with openssl,
/// and enveloped signatures made with libxmlsec1.
public struct TestIdentity: Sendable {
    public let privateKeyPEM: String
    public let certificatePEM: String

    /// A new identity (never one handed out before). RSA identities named `idp` come from a pool that a background
    /// thread keeps filled: making one spawns openssl and waits for it, which on the test process's two-thread
    /// concurrency pool would stall every server in the suite while it runs.
    public static func make(name: String = "idp", ellipticCurve: Bool = false) throws -> TestIdentity {
        if name == "idp", !ellipticCurve { return try IdentityPool.shared.take() }
        return try generate(name: name, ellipticCurve: ellipticCurve)
    }

    static func generate(name: String, ellipticCurve: Bool) throws -> TestIdentity {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("roster-saml-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let key = folder.appendingPathComponent("key.pem").path
        let certificate = folder.appendingPathComponent("cert.pem").path
        try ChildProcess.run(
            "/usr/bin/openssl",
            ["req", "-x509", "-newkey", ellipticCurve ? "ec" : "rsa:2048"]
                + (ellipticCurve ? ["-pkeyopt", "ec_paramgen_curve:prime256v1"] : [])
                + ["-nodes", "-keyout", key, "-out", certificate, "-days", "30", "-subj", "/CN=\(name)"]
        )
        return TestIdentity(privateKeyPEM: try String(contentsOfFile: key, encoding: .utf8),
                            certificatePEM: try String(contentsOfFile: certificate, encoding: .utf8))
    }

    /// Signs the element with `id` in `xml` (enveloped, exclusive C14N, RSA-SHA256 unless told otherwise),
    /// placing the signature after the element's Issuer as SAML requires.
    public func sign(_ xml: String, id: String, sha1: Bool = false) throws -> String {
        XMLSecurity.initialize()
        let document = try TestXML(xml)
        guard let element = document.element(withID: id) else { throw SigningError() }
        let method = sha1 ? xmlSecOpenSSLTransformRsaSha1GetKlass() : xmlSecOpenSSLTransformRsaSha256GetKlass()
        guard let signature = xmlSecTmplSignatureCreate(document.pointer, xmlSecTransformExclC14NGetKlass(), method, nil),
              let reference = xmlSecTmplSignatureAddReference(
                signature, sha1 ? xmlSecOpenSSLTransformSha1GetKlass() : xmlSecOpenSSLTransformSha256GetKlass(), nil, "#" + id, nil)
        else { throw SigningError() }
        xmlSecTmplReferenceAddTransform(reference, xmlSecTransformEnvelopedGetKlass())
        xmlSecTmplReferenceAddTransform(reference, xmlSecTransformExclC14NGetKlass())
        if let keyInfo = xmlSecTmplSignatureEnsureKeyInfo(signature, nil) { xmlSecTmplKeyInfoAddX509Data(keyInfo) }
        if let issuer = TestXML.children(of: element).first(where: { TestXML.name(of: $0) == "Issuer" }) {
            xmlAddNextSibling(issuer, signature)
        } else {
            xmlAddChild(element, signature)
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
        return try document.serialized()
    }

    /// Encrypts the response's Assertion for `certificatePEM` (AES-128-CBC content, RSA-OAEP key transport unless
    /// told otherwise) and wraps it in an EncryptedAssertion. With `keyBeside`, the EncryptedKey is moved next to the
    /// EncryptedData, as AD FS and Entra ID place it.
    public static func encryptAssertion(
        _ xml: String, for certificatePEM: String, keyTransport: String = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p",
        keyBeside: Bool = false
    ) throws -> String {
        XMLSecurity.initialize()
        let document = try TestXML(xml)
        guard let root = xmlDocGetRootElement(document.pointer),
              let assertion = TestXML.children(of: root).first(where: { TestXML.name(of: $0) == "Assertion" })
        else { throw SigningError() }
        let transport = keyTransport.hasSuffix("rsa-1_5") ? xmlSecOpenSSLTransformRsaPkcs1GetKlass() : xmlSecOpenSSLTransformRsaOaepGetKlass()
        guard let data = xmlSecTmplEncDataCreate(
                document.pointer, xmlSecOpenSSLTransformAes128CbcGetKlass(), nil, "http://www.w3.org/2001/04/xmlenc#Element", nil, nil),
              xmlSecTmplEncDataEnsureCipherValue(data) != nil,
              let keyInfo = xmlSecTmplEncDataEnsureKeyInfo(data, nil),
              let encryptedKey = xmlSecTmplKeyInfoAddEncryptedKey(keyInfo, transport, nil, nil, nil),
              xmlSecTmplEncDataEnsureCipherValue(encryptedKey) != nil,
              let manager = xmlSecKeysMngrCreate()
        else { throw SigningError() }
        defer { xmlSecKeysMngrDestroy(manager) }
        let bytes = Array(certificatePEM.utf8)
        guard xmlSecOpenSSLAppDefaultKeysMngrInit(manager) >= 0,
              let key = bytes.withUnsafeBufferPointer({
                  xmlSecOpenSSLAppKeyLoadMemory($0.baseAddress, UInt32($0.count), xmlSecKeyDataFormatCertPem, nil, nil, nil)
              }),
              xmlSecOpenSSLAppDefaultKeysMngrAdoptKey(manager, key) >= 0,
              let context = xmlSecEncCtxCreate(manager)
        else { throw SigningError() }
        defer { xmlSecEncCtxDestroy(context) }
        context.pointee.encKey = xmlSecKeyGenerate(xmlSecOpenSSLKeyDataAesGetKlass(), 128, UInt32(xmlSecKeyDataTypeSession))
        guard xmlSecEncCtxXmlEncrypt(context, data, assertion) >= 0,
              let namespace = xmlSearchNsByHref(document.pointer, root, "urn:oasis:names:tc:SAML:2.0:assertion"),
              let wrapper = xmlNewDocNode(document.pointer, namespace, "EncryptedAssertion", nil)
        else { throw SigningError() }
        xmlReplaceNode(data, wrapper)
        xmlAddChild(wrapper, data)
        if keyBeside {
            xmlUnlinkNode(encryptedKey)
            xmlAddChild(wrapper, encryptedKey)
        }
        return try document.serialized()
    }

    public struct SigningError: Error {}
}

/// A test document straight on libxml2 (the tests make these; they are trusted), with every `ID` registered.
final class TestXML {
    let pointer: xmlDocPtr

    init(_ xml: String) throws {
        XMLSecurity.initialize()
        let bytes = Array(xml.utf8)
        guard let parsed = bytes.withUnsafeBufferPointer({ buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                xmlReadMemory($0, Int32(buffer.count), "test.xml", nil, Int32(XML_PARSE_NONET.rawValue))
            }
        }) else { throw TestIdentity.SigningError() }
        pointer = parsed
        if let root = xmlDocGetRootElement(parsed) { register(root) }
    }

    deinit { xmlFreeDoc(pointer) }

    /// The document as text.
    func serialized() throws -> String {
        var buffer: UnsafeMutablePointer<xmlChar>?
        var size: Int32 = 0
        xmlDocDumpMemory(pointer, &buffer, &size)
        guard let buffer else { throw TestIdentity.SigningError() }
        defer { roster_xml_free(buffer) }
        return String(cString: buffer)
    }

    private func register(_ node: xmlNodePtr) {
        if let attribute = xmlHasProp(node, "ID"), let value = xmlGetNoNsProp(node, "ID") {
            if xmlGetID(pointer, value) == nil { xmlAddID(nil, pointer, value, attribute) }
            roster_xml_free(value)
        }
        for child in Self.children(of: node) { register(child) }
    }

    func element(withID id: String) -> xmlNodePtr? {
        xmlGetID(pointer, id)?.pointee.parent
    }

    static func children(of node: xmlNodePtr) -> [xmlNodePtr] {
        var result: [xmlNodePtr] = []
        var child = node.pointee.children
        while let current = child {
            if current.pointee.type == XML_ELEMENT_NODE { result.append(current) }
            child = current.pointee.next
        }
        return result
    }

    static func name(of node: xmlNodePtr) -> String {
        node.pointee.name.map { String(cString: $0) } ?? ""
    }
}

/// RSA identities made ahead of need on a thread of its own (not the concurrency pool's).
final class IdentityPool: @unchecked Sendable {
    static let shared = IdentityPool()
    private let condition = NSCondition()
    private var ready: [TestIdentity] = []
    private var started = false
    private static let depth = 6

    func take() throws -> TestIdentity {
        condition.lock()
        defer { condition.unlock() }
        if !started {
            started = true
            let thread = Thread { [self] in fill() }
            thread.name = "roster-test-identities"
            thread.start()
        }
        let deadline = Date().addingTimeInterval(120)
        while ready.isEmpty {
            guard condition.wait(until: deadline) || !ready.isEmpty else { throw TestIdentity.SigningError() }
        }
        let identity = ready.removeFirst()
        condition.broadcast()
        return identity
    }

    private func fill() {
        while true {
            condition.lock()
            while ready.count >= Self.depth { condition.wait() }
            condition.unlock()
            guard let identity = try? TestIdentity.generate(name: "idp", ellipticCurve: false) else {
                Thread.sleep(forTimeInterval: 0.1)
                continue
            }
            condition.lock()
            ready.append(identity)
            condition.broadcast()
            condition.unlock()
        }
    }
}
