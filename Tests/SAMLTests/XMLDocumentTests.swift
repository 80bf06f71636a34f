import Foundation
import SAML
import Testing

@Suite("Untrusted XML parsing")
struct XMLDocumentTests {
    @Test("xmlsec starts with its OpenSSL backend")
    func initializes() {
        #expect(XMLSecurity.initialize())
        #expect(!XMLSecurity.version.isEmpty)
    }

    @Test("a plain document parses")
    func parses() throws {
        let document = try XMLDocument(bytes: Array(#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_1"/>"#.utf8))
        #expect(document.rootName == "Response")
    }

    @Test("DTDs, entity bombs, external entities, broken and oversized XML are refused", arguments: [
        (#"<!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><r>&b;</r>"#, XMLDocument.Refusal.doctypeDeclared),
        (#"<?xml version="1.0"?><!doctype r SYSTEM "http://127.0.0.1:1/evil.dtd"><r/>"#, .doctypeDeclared),
        (#"<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>"#, .doctypeDeclared),
        ("<r><unclosed></r>", .malformed),
        ("not xml at all", .malformed),
        ("", .malformed),
    ])
    func refuses(text: String, refusal: XMLDocument.Refusal) {
        #expect(throws: refusal) { try XMLDocument(bytes: Array(text.utf8)) }
    }

    @Test("documents over the size limit are refused before parsing")
    func tooLarge() {
        let huge = Array("<r>".utf8) + Array(repeating: UInt8(ascii: "a"), count: XMLDocument.maximumSize) + Array("</r>".utf8)
        #expect(throws: XMLDocument.Refusal.tooLarge) { try XMLDocument(bytes: huge) }
    }
}
