import SAML
import Testing

@Suite("SAML service provider identity")
struct ServiceProviderIdentityTests {
    @Test("entity ID and ACS URL derive from the base URL and the directory", arguments: ["https://roster.example.com", "https://roster.example.com///"])
    func derives(base: String) {
        let identity = ServiceProviderIdentity(baseURL: base, directoryId: "d1")
        #expect(identity.entityID == "https://roster.example.com/saml/d1/metadata")
        #expect(identity.assertionConsumerServiceURL == "https://roster.example.com/saml/d1/acs")
        #expect(ServiceProviderIdentity(baseURL: base, directoryId: "d2").entityID != identity.entityID)
    }
}
