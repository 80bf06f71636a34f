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
