import HTTPTypes
import Hummingbird
import NIOCore
import SCIM
import Testing
@testable import RosterServer

@Suite("ETag matching")
struct ETagTests {
    @Test("If-None-Match: weak and strong forms, lists and *")
    func ifNoneMatch() {
        #expect(SCIMResponses.matches(#"W/"3""#, version: 3))
        #expect(SCIMResponses.matches(#""3""#, version: 3))
        #expect(SCIMResponses.matches(#"W/"1", W/"3""#, version: 3))
        #expect(SCIMResponses.matches("*", version: 9))
        #expect(!SCIMResponses.matches(#"W/"4""#, version: 3))
        #expect(!SCIMResponses.matches(nil, version: 3))
        #expect(UserSCIM.etag(12) == #"W/"12""#)
    }

    @Test("If-Match: absent or * means no check, a listed version passes, anything else is 412")
    func ifMatch() throws {
        func request(_ ifMatch: String?) -> Request {
            var fields: HTTPFields = [:]
            if let ifMatch { fields[.ifMatch] = ifMatch }
            return Request(head: HTTPRequest(method: .put, scheme: nil, authority: nil, path: "/x", headerFields: fields), body: .init(buffer: ByteBuffer()))
        }
        #expect(try SCIMResponses.expectedVersion(request(nil), current: 5) == nil)
        #expect(try SCIMResponses.expectedVersion(request("*"), current: 5) == nil)
        #expect(try SCIMResponses.expectedVersion(request(#"W/"4", W/"5""#), current: 5) == 5)
        let stale = #expect(throws: SCIMError.self) { try SCIMResponses.expectedVersion(request(#"W/"4""#), current: 5) }
        #expect(stale?.status == 412)
    }
}
