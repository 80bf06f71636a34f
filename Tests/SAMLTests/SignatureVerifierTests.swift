import Foundation
import RosterTestSupport
import Testing
@testable import SAML

@Suite("XML signature verification through libxmlsec1")
struct SignatureVerifierTests {
    static let response = #"""
        <samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r1" Version="2.0" IssueInstant="2026-11-29T06:00:00Z"><saml:Issuer>https://idp.example</saml:Issuer><saml:Assertion ID="_a1" Version="2.0" IssueInstant="2026-11-29T06:00:00Z"><saml:Issuer>https://idp.example</saml:Issuer><saml:Subject><saml:NameID>alice@example.com</saml:NameID></saml:Subject></saml:Assertion></samlp:Response>
        """#

    func verify(_ xml: String, certificates: [String], allowSHA1: Bool = false) throws(SAMLFailure) {
        let document: XMLDocument
        do { document = try XMLDocument(bytes: Array(xml.utf8)) } catch { throw SAMLFailure(.malformedXML, "\(error)") }
        guard document.registerIDs() else { throw SAMLFailure(.duplicateID, "duplicate") }
        guard let assertion = document.root?.child("Assertion", in: XMLNode.samlAssertion),
              let signature = assertion.child("Signature", in: XMLNode.xmlDSig)
        else { throw SAMLFailure(.unsigned, "no signature") }
        try SignatureVerifier(certificates: certificates, allowSHA1: allowSHA1).verify(signature, of: assertion, in: document)
    }

    @Test("a signature made with the configured key verifies; any configured key of several may")
    func valid() throws {
        let idp = try TestIdentity.make()
        let other = try TestIdentity.make(name: "other")
        let signed = try idp.sign(Self.response, id: "_a1")
        try verify(signed, certificates: [idp.certificatePEM])
        try verify(signed, certificates: [other.certificatePEM, idp.certificatePEM])
    }

    @Test("a NameID changed after signing, an unknown key, SHA-1 and a duplicated ID are refused with their reasons")
    func refusals() throws {
        let idp = try TestIdentity.make()
        let other = try TestIdentity.make(name: "attacker")
        let signed = try idp.sign(Self.response, id: "_a1")
        let tampered = signed.replacingOccurrences(of: "alice@example.com", with: "admin@example.com")
        #expect(throws: SAMLFailure(.digestMismatch, "The signed element changed after it was signed.")) {
            try verify(tampered, certificates: [idp.certificatePEM])
        }
        let forged = try other.sign(Self.response, id: "_a1")
        let unknown = #expect(throws: SAMLFailure.self) { try verify(forged, certificates: [idp.certificatePEM]) }
        #expect(unknown?.code == .unknownKey)
        let sha1 = try idp.sign(Self.response, id: "_a1", sha1: true)
        let disallowed = #expect(throws: SAMLFailure.self) { try verify(sha1, certificates: [idp.certificatePEM]) }
        #expect(disallowed?.code == .disallowedAlgorithm)
        try verify(sha1, certificates: [idp.certificatePEM], allowSHA1: true)
        let duplicated = signed.replacingOccurrences(of: "<saml:Subject>", with: #"<saml:Subject ID="_a1">"#)
        let duplicate = #expect(throws: SAMLFailure.self) { try verify(duplicated, certificates: [idp.certificatePEM]) }
        #expect(duplicate?.code == .duplicateID)
    }

    @Test("a signature whose Reference names another element is refused")
    func wrongReference() throws {
        let idp = try TestIdentity.make()
        // Sign the Response, then move its signature into the Assertion: it now sits in an element it does not sign.
        let signedResponse = try idp.sign(Self.response, id: "_r1")
        guard let start = signedResponse.range(of: "<Signature") ?? signedResponse.range(of: "<ds:Signature"),
              let end = signedResponse.range(of: "</Signature>") ?? signedResponse.range(of: "</ds:Signature>") else {
            Issue.record("no signature"); return
        }
        let signatureXML = String(signedResponse[start.lowerBound..<end.upperBound])
        var moved = signedResponse.replacingOccurrences(of: signatureXML, with: "")
        moved = moved.replacingOccurrences(of: "<saml:Subject>", with: signatureXML + "<saml:Subject>")
        let error = #expect(throws: SAMLFailure.self) { try verify(moved, certificates: [idp.certificatePEM]) }
        #expect(error?.code == .wrongReference)
    }
}
