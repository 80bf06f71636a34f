import Foundation
import SCIM
import Testing

@Suite("SCIM errors")
struct SCIMErrorTests {
    @Test("errors encode as RFC 7644 §3.12 bodies with a string status")
    func encodesRFCBody() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = String(decoding: try encoder.encode(SCIMError.uniqueness("userName is taken")), as: UTF8.self)
        #expect(body == #"{"detail":"userName is taken","schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"scimType":"uniqueness","status":"409"}"#)
        let plain = String(decoding: try encoder.encode(SCIMError.notFound("no such user")), as: UTF8.self)
        #expect(!plain.contains("scimType"))
    }

    @Test("filter errors name the position, counted from one")
    func filterPosition() {
        #expect(SCIMError.invalidFilter("unexpected token", at: 9).detail == "unexpected token (at character 10)")
        #expect(SCIMError.invalidFilter("x", at: 0).status == 400)
    }
}
