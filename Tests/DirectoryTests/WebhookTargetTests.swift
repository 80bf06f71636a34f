import Directory
import Testing

@Suite("Webhook targets")
struct WebhookTargetTests {
    @Test("private addresses are refused, IPv4 hidden inside IPv6 included (mapped, compatible, NAT64, 6to4, Teredo)")
    func privateAddresses() {
        for host in ["127.0.0.1", "10.1.2.3", "169.254.169.254", "[::1]", "::ffff:10.0.0.1", "::7f00:1", "64:ff9b::a9fe:a9fe",
                     "64:ff9b:1::1", "2002:7f00:1::1", "2002:a9fe:a9fe::1", "2001:0:4136:e378:8000:63bf:3fff:fdd2", "fd00::1", "fe80::1",
                     "localhost", "db.internal"] {
            #expect(WebhookTarget.refusal(host: host) != nil, "\(host)")
        }
        for host in ["93.184.216.34", "2606:4700:4700::1111", "64:ff9b::5db8:d822", "2002:5db8:d822::1", "hooks.example.com"] {
            #expect(WebhookTarget.refusal(host: host) == nil, "\(host)")
        }
    }

    @Test("a delivery resolves the name once and gets the address it connects to; private answers are refused unless allowed")
    func pinned() throws {
        #expect(throws: WebhookTarget.Refusal.self) { try WebhookTarget.pinnedAddress(host: "localhost", allowPrivate: false).get() }
        #expect(throws: WebhookTarget.Refusal.self) { try WebhookTarget.pinnedAddress(host: "127.0.0.1", allowPrivate: false).get() }
        #expect(throws: WebhookTarget.Refusal.self) { try WebhookTarget.pinnedAddress(host: "no-such-name.invalid", allowPrivate: true).get() }
        let address = try WebhookTarget.pinnedAddress(host: "localhost", allowPrivate: true).get()
        #expect(["127.0.0.1", "::1"].contains(address))
        #expect(try WebhookTarget.pinnedAddress(host: "127.0.0.1", allowPrivate: true).get() == "127.0.0.1")
    }
}
