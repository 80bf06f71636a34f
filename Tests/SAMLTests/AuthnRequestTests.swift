import Foundation
import Testing
@testable import SAML

@Suite("AuthnRequest over HTTP-Redirect")
struct AuthnRequestTests {
    @Test("the redirect URL carries the deflated request and the RelayState, and decodes back")
    func roundTrip() throws {
        let identity = ServiceProviderIdentity(baseURL: "https://roster.test", directoryId: "d1")
        let request = AuthnRequest(
            id: AuthnRequest.newID(randomBytes: Array(repeating: 0xAB, count: 16)), issueInstant: Date(timeIntervalSince1970: 1_800_000_000),
            destination: "https://idp.example/sso?tenant=acme", serviceProvider: identity
        )
        #expect(request.id == "_" + String(repeating: "ab", count: 16))
        let url = try #require(request.redirectURL(relayState: "https://acme.roster.test/a?b=c&d"))
        let components = try #require(URLComponents(url: url, resolvingAgainstBaseURL: false))
        #expect(components.host == "idp.example")
        #expect(components.queryItems?.first { $0.name == "tenant" }?.value == "acme")
        #expect(components.queryItems?.first { $0.name == "RelayState" }?.value == "https://acme.roster.test/a?b=c&d")
        let encoded = try #require(components.queryItems?.first { $0.name == "SAMLRequest" }?.value)
        let xml = try #require(AuthnRequest.decodeRedirect(encoded))
        #expect(xml == request.xml)
        let document = try XMLDocument(bytes: Array(xml.utf8))
        #expect(document.root?.attribute("AssertionConsumerServiceURL") == "https://roster.test/saml/d1/acs")
        #expect(document.root?.attribute("ID") == request.id)
    }

    @Test("inflating refuses garbage and bombs")
    func inflateLimits() {
        #expect(AuthnRequest.decodeRedirect("not base64!") == nil)
        #expect(AuthnRequest.decodeRedirect(Data([1, 2, 3, 4]).base64EncodedString()) == nil)
        let bomb = RawDeflate.compress(Array(repeating: UInt8(ascii: "a"), count: RawDeflate.maximumInflatedSize * 4))!
        #expect(RawDeflate.decompress(bomb) == nil)
    }
}

@Suite("xsd:dateTime")
struct SAMLTimeTests {
    @Test("parses what IdPs write, agrees with Foundation, refuses the rest")
    func parse() throws {
        let formatter = ISO8601DateFormatter()
        for text in ["2026-11-29T09:15:30Z", "2000-02-29T00:00:00Z", "1999-12-31T23:59:59Z", "2038-01-19T03:14:08Z"] {
            #expect(SAMLTime.parse(text) == formatter.date(from: text), "\(text)")
        }
        #expect(SAMLTime.parse("2026-11-29T09:15:30.250Z") == formatter.date(from: "2026-11-29T09:15:30Z")!.addingTimeInterval(0.25))
        #expect(SAMLTime.parse("2026-11-29T10:15:30+01:00") == formatter.date(from: "2026-11-29T09:15:30Z"))
        #expect(SAMLTime.parse("2026-11-29T04:15:30-05:00") == formatter.date(from: "2026-11-29T09:15:30Z"))
        for bad in ["", "2026-11-29", "2026-11-29T09:15:30", "2026-13-01T00:00:00Z", "2026-11-29T24:00:00Z", "2026-11-29T09:15:30Zjunk",
                    "2026-11-29T09:15:30.Z", "２０２６-11-29T09:15:30Z", "2026-11-29 09:15:30Z"] {
            #expect(SAMLTime.parse(bad) == nil, "\(bad)")
        }
    }
}
