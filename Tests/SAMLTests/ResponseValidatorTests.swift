import Foundation
import RosterTestSupport
import Testing
@testable import SAML

@Suite("SAML Response validation")
struct ResponseValidatorTests {
    static let sp = ServiceProviderSettings(entityID: ResponseFactory.spEntity, assertionConsumerServiceURL: ResponseFactory.acs)

    func validate(_ xml: String, _ idp: TestIdentity, now: Date = ResponseFactory.now) throws(SAMLFailure) -> ValidatedAssertion {
        let settings = IdentityProviderSettings(entityID: ResponseFactory.idpEntity, certificates: [idp.certificatePEM])
        return try ResponseValidator.validate(base64: Data(xml.utf8).base64EncodedString(), serviceProvider: Self.sp, identityProvider: settings, now: now)
    }

    func refusal(_ xml: String, _ idp: TestIdentity, now: Date = ResponseFactory.now) -> SAMLFailure.Code? {
        do {
            _ = try validate(xml, idp, now: now)
            return nil
        } catch {
            return error.code
        }
    }

    @Test("a response signed on the assertion, on the response, or on both is accepted")
    func accepted() throws {
        let idp = try TestIdentity.make()
        let xml = ResponseFactory().xml()
        let onAssertion = try validate(try idp.sign(xml, id: "_a1"), idp)
        #expect(onAssertion.nameID == "alice@example.com" && onAssertion.assertionSigned && !onAssertion.responseSigned)
        #expect(onAssertion.attributes["groups"] == ["eng", "ops"])
        #expect(onAssertion.inResponseTo == "_req1" && onAssertion.sessionIndex == "_s1")
        let onResponse = try validate(try idp.sign(xml, id: "_r1"), idp)
        #expect(onResponse.responseSigned && !onResponse.assertionSigned)
        let both = try validate(try idp.sign(try idp.sign(xml, id: "_a1"), id: "_r1"), idp)
        #expect(both.responseSigned && both.assertionSigned)
    }

    @Test("each attack and mistake is refused with its own reason")
    func refused() throws {
        let idp = try TestIdentity.make()
        let attacker = try TestIdentity.make(name: "attacker")
        let signed = try idp.sign(ResponseFactory().xml(), id: "_a1")
        func signedWith(_ change: (inout ResponseFactory) -> Void) throws -> String {
            var factory = ResponseFactory()
            change(&factory)
            return try idp.sign(factory.xml(), id: "_a1")
        }
        let assertion = String(signed[signed.range(of: "<saml:Assertion")!.lowerBound..<signed.range(of: "</saml:Assertion>")!.upperBound])
        let evilAssertion = assertion.replacingOccurrences(of: "ID=\"_a1\"", with: "ID=\"_evil\"")
            .replacingOccurrences(of: "alice@example.com", with: "admin@example.com")
        let cases: [(String, String, SAMLFailure.Code)] = [
            ("unsigned", ResponseFactory().xml(), .unsigned),
            ("NameID changed after signing", signed.replacingOccurrences(of: ">alice@example.com</saml:NameID>", with: ">admin@example.com</saml:NameID>"), .digestMismatch),
            ("signed by an unknown key", try attacker.sign(ResponseFactory().xml(), id: "_a1"), .unknownKey),
            ("a second assertion", signed.replacingOccurrences(of: "</samlp:Response>", with: evilAssertion + "</samlp:Response>"), .assertionCount),
            ("the signed assertion moved under Extensions", signed.replacingOccurrences(of: assertion, with: evilAssertion)
                .replacingOccurrences(of: "<samlp:Status>", with: "<samlp:Extensions>\(assertion)</samlp:Extensions><samlp:Status>"), .assertionCount),
            ("the signed element's ID duplicated", signed.replacingOccurrences(of: "SessionIndex=\"_s1\">", with: "SessionIndex=\"_s1\" ID=\"_a1\">"), .duplicateID),
            ("expired", try signedWith { $0.notOnOrAfter = ResponseFactory.now.addingTimeInterval(-120) }, .expired),
            ("not yet valid", try signedWith { $0.notBefore = ResponseFactory.now.addingTimeInterval(600) }, .notYetValid),
            ("wrong audience", try signedWith { $0.audience = "https://other.example" }, .wrongAudience),
            ("wrong recipient", try signedWith { $0.recipient = "https://evil.example/acs" }, .wrongRecipient),
            ("wrong destination", try signedWith { $0.destination = "https://evil.example/acs" }, .wrongDestination),
            ("wrong issuer", try signedWith { $0.issuer = "https://evil.example" }, .wrongIssuer),
            ("status not success", try signedWith { $0.status = "urn:oasis:names:tc:SAML:2.0:status:Requester" }, .statusNotSuccess),
            // The IdP signed "alice@example.com.evil.com"; a comment keeps the signature valid (C14N drops it) while a
            // naive reader would stop at the first text node.
            ("comment-injected NameID", try signedWith { $0.nameID = "alice@example.com.evil.com" }
                .replacingOccurrences(of: ">alice@example.com.evil.com</saml:NameID>", with: ">alice@example.com<!---->.evil.com</saml:NameID>"), .nameIDTampered),
            ("disallowed algorithm", try idp.sign(ResponseFactory().xml(), id: "_a1", sha1: true), .disallowedAlgorithm),
            ("a DTD", "<!DOCTYPE x [<!ENTITY e \"e\">]>" + signed, .doctypeDeclared),
            ("not XML", "<<<", .malformedXML),
            ("a plain assertion wrapped as if encrypted", signed.replacingOccurrences(of: "<saml:Assertion ", with: "<saml:EncryptedAssertion><saml:Assertion ")
                .replacingOccurrences(of: "</saml:Assertion>", with: "</saml:Assertion></saml:EncryptedAssertion>"), .assertionCount),
        ]
        for (name, xml, code) in cases {
            #expect(refusal(xml, idp) == code, "\(name)")
        }
        #expect(throws: SAMLFailure.self) {
            try ResponseValidator.validate(base64: "%%% not base64", serviceProvider: Self.sp,
                                           identityProvider: IdentityProviderSettings(entityID: ResponseFactory.idpEntity, certificates: [idp.certificatePEM]),
                                           now: ResponseFactory.now)
        }
    }

    @Test("clock skew: a minute either way is tolerated, more is not")
    func skew() throws {
        let idp = try TestIdentity.make()
        let signed = try idp.sign(ResponseFactory().xml(), id: "_a1")
        #expect(refusal(signed, idp, now: ResponseFactory.now.addingTimeInterval(330)) == nil)
        #expect(refusal(signed, idp, now: ResponseFactory.now.addingTimeInterval(400)) == .expired)
        #expect(refusal(signed, idp, now: ResponseFactory.now.addingTimeInterval(-80)) == nil)
        #expect(refusal(signed, idp, now: ResponseFactory.now.addingTimeInterval(-120)) == .notYetValid)
    }

    // MARK: Encrypted assertions

    func validateEncrypted(_ xml: String, _ idp: TestIdentity, sp keys: [String]) throws(SAMLFailure) -> ValidatedAssertion {
        var sp = Self.sp
        sp.decryptionKeys = keys
        let settings = IdentityProviderSettings(entityID: ResponseFactory.idpEntity, certificates: [idp.certificatePEM])
        return try ResponseValidator.validate(base64: Data(xml.utf8).base64EncodedString(), serviceProvider: sp, identityProvider: settings, now: ResponseFactory.now)
    }

    @Test("an encrypted, signed assertion is decrypted with the SP key and read from the signed tree")
    func encryptedAccepted() throws {
        let idp = try TestIdentity.make()
        let sp = try TestIdentity.make(name: "sp")
        let other = try TestIdentity.make(name: "sp-old")
        let signed = try idp.sign(ResponseFactory().xml(), id: "_a1")
        let inside = try validateEncrypted(try TestIdentity.encryptAssertion(signed, for: sp.certificatePEM), idp, sp: [sp.privateKeyPEM])
        #expect(inside.wasEncrypted && inside.assertionSigned && inside.nameID == "alice@example.com")
        #expect(inside.attributes["groups"] == ["eng", "ops"])
        // The EncryptedKey beside the EncryptedData (AD FS, Entra ID), and a rotation with two SP keys.
        let beside = try validateEncrypted(
            try TestIdentity.encryptAssertion(signed, for: sp.certificatePEM, keyBeside: true), idp, sp: [other.privateKeyPEM, sp.privateKeyPEM])
        #expect(beside.wasEncrypted && beside.nameID == "alice@example.com")
        // A signature on the response covers the encrypted assertion as it arrived.
        let unsignedAssertion = try TestIdentity.encryptAssertion(ResponseFactory().xml(), for: sp.certificatePEM)
        let responseSigned = try validateEncrypted(try idp.sign(unsignedAssertion, id: "_r1"), idp, sp: [sp.privateKeyPEM])
        #expect(responseSigned.responseSigned && !responseSigned.assertionSigned && responseSigned.wasEncrypted)
    }

    @Test("encrypted assertions: unsigned, for another key, weak key transport, or tampered are refused")
    func encryptedRefused() throws {
        let idp = try TestIdentity.make()
        let sp = try TestIdentity.make(name: "sp")
        let attacker = try TestIdentity.make(name: "attacker")
        let signed = try idp.sign(ResponseFactory().xml(), id: "_a1")
        func code(_ body: () throws -> ValidatedAssertion) -> SAMLFailure.Code? {
            do { _ = try body(); return nil } catch let error as SAMLFailure { return error.code } catch { return nil }
        }
        // Anyone can encrypt for the SP's public certificate: encryption without a signature proves nothing.
        let forged = try TestIdentity.encryptAssertion(ResponseFactory().xml(), for: sp.certificatePEM)
        #expect(code { try validateEncrypted(forged, idp, sp: [sp.privateKeyPEM]) } == .unsigned)
        let attackerSigned = try TestIdentity.encryptAssertion(try attacker.sign(ResponseFactory().xml(), id: "_a1"), for: sp.certificatePEM)
        #expect(code { try validateEncrypted(attackerSigned, idp, sp: [sp.privateKeyPEM]) } == .unknownKey)
        let encrypted = try TestIdentity.encryptAssertion(signed, for: sp.certificatePEM)
        #expect(code { try validateEncrypted(encrypted, idp, sp: [attacker.privateKeyPEM]) } == .decryptionFailed)
        #expect(code { try validateEncrypted(encrypted, idp, sp: []) } == .decryptionFailed)
        let pkcs1 = try TestIdentity.encryptAssertion(signed, for: sp.certificatePEM, keyTransport: "http://www.w3.org/2001/04/xmlenc#rsa-1_5")
        #expect(code { try validateEncrypted(pkcs1, idp, sp: [sp.privateKeyPEM]) } == .disallowedAlgorithm)
        // A flipped ciphertext byte never yields a readable, signed assertion.
        let cipherStart = try #require(encrypted.range(of: "<CipherValue>", options: .backwards)).upperBound
        var tampered = encrypted
        let index = tampered.index(cipherStart, offsetBy: 40)
        tampered.replaceSubrange(index...index, with: tampered[index] == "A" ? "B" : "A")
        #expect(code { try validateEncrypted(tampered, idp, sp: [sp.privateKeyPEM]) } != nil)
        // An encrypted assertion beside a plain one is a wrapping attempt.
        let assertion = String(signed[signed.range(of: "<saml:Assertion")!.lowerBound..<signed.range(of: "</saml:Assertion>")!.upperBound])
        let both = encrypted.replacingOccurrences(of: "</samlp:Response>", with: assertion + "</samlp:Response>")
        #expect(code { try validateEncrypted(both, idp, sp: [sp.privateKeyPEM]) } == .assertionCount)
    }

    // MARK: Review findings: wrapping variants, unsigned claims, audiences, times, rotation

    @Test("more wrapping and tampering: under ds:Object, an attribute changed, an unsigned InResponseTo, a second audience")
    func moreAttacks() throws {
        let idp = try TestIdentity.make()
        let signed = try idp.sign(ResponseFactory().xml(), id: "_a1")
        let assertion = String(signed[signed.range(of: "<saml:Assertion")!.lowerBound..<signed.range(of: "</saml:Assertion>")!.upperBound])
        let evil = assertion.replacingOccurrences(of: "ID=\"_a1\"", with: "ID=\"_evil\"")
        // The genuine signed assertion hidden in the signature's ds:Object, a forged one in its place.
        let underObject = signed.replacingOccurrences(of: assertion, with: evil)
            .replacingOccurrences(of: "</SignatureValue>", with: "</SignatureValue><Object>\(assertion)</Object>")
        #expect(refusal(underObject, idp) != nil)
        #expect(refusal(signed.replacingOccurrences(of: "<saml:AttributeValue>eng</saml:AttributeValue>",
                                                    with: "<saml:AttributeValue>admins</saml:AttributeValue>"), idp) == .digestMismatch)
        // Signed assertion without InResponseTo (unsolicited), unsigned Response claiming to answer a request.
        var unsolicited = ResponseFactory()
        unsolicited.inResponseTo = nil
        let claimed = try idp.sign(unsolicited.xml(), id: "_a1").replacingOccurrences(of: "ID=\"_r1\"", with: "ID=\"_r1\" InResponseTo=\"_req9\"")
        #expect(refusal(claimed, idp) == .inResponseToMismatch)
        // Signed on the assertion only: InResponseTo comes from the signed confirmation.
        #expect(try validate(signed, idp).inResponseTo == "_req1")
        // Two audience restrictions combine with AND.
        var twoAudiences = ResponseFactory()
        twoAudiences.audience = "\(ResponseFactory.spEntity)</saml:Audience></saml:AudienceRestriction><saml:AudienceRestriction><saml:Audience>https://other.example"
        #expect(refusal(try idp.sign(twoAudiences.xml(), id: "_a1"), idp) == .wrongAudience)
        // An unreadable time fails closed.
        let badTime = ResponseFactory().xml().replacingOccurrences(of: "<saml:Conditions NotBefore=\"", with: "<saml:Conditions NotBefore=\"soon")
        #expect(refusal(try idp.sign(badTime, id: "_a1"), idp) == .expired)
    }

    @Test("the replay guard keeps an assertion's ID as long as the SP would accept it, skew included")
    func replayWindow() throws {
        let idp = try TestIdentity.make()
        let accepted = try validate(try idp.sign(ResponseFactory().xml(), id: "_a1"), idp)
        #expect(accepted.notOnOrAfter == ResponseFactory().notOnOrAfter.addingTimeInterval(60))
    }

    @Test("rotation with certificates of different key types: the one that fits verifies")
    func mixedKeyTypes() throws {
        let rsa = try TestIdentity.make()
        let ec = try TestIdentity.make(name: "ec", ellipticCurve: true)
        let signed = try rsa.sign(ResponseFactory().xml(), id: "_a1")
        for certificates in [[ec.certificatePEM, rsa.certificatePEM], [rsa.certificatePEM, ec.certificatePEM]] {
            let settings = IdentityProviderSettings(entityID: ResponseFactory.idpEntity, certificates: certificates)
            let result = try ResponseValidator.validate(
                base64: Data(signed.utf8).base64EncodedString(), serviceProvider: Self.sp, identityProvider: settings, now: ResponseFactory.now)
            #expect(result.assertionSigned)
        }
        let onlyEC = IdentityProviderSettings(entityID: ResponseFactory.idpEntity, certificates: [ec.certificatePEM])
        #expect(throws: SAMLFailure.self) {
            try ResponseValidator.validate(base64: Data(signed.utf8).base64EncodedString(), serviceProvider: Self.sp, identityProvider: onlyEC, now: ResponseFactory.now)
        }
    }
}
