import Foundation
import RosterTestSupport
import Testing
@testable import SAML

@Suite("SAML metadata")
struct MetadataTests {
    @Test("IdP metadata import takes the entity ID, the redirect SSO URL and the signing certificates")
    func importsIdP() throws {
        let idp = try TestIdentity.make()
        let body = idp.certificatePEM.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined(separator: "\n")
        let xml = """
            <md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="http://www.okta.com/exk1">
              <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
                <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>\(body)</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
                <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
                <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://acme.okta.com/app/sso/saml"/>
                <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://acme.okta.com/app/sso/saml/redirect"/>
              </md:IDPSSODescriptor>
            </md:EntityDescriptor>
            """
        let metadata = try IdentityProviderMetadata.parse(Array(xml.utf8))
        #expect(metadata.entityID == "http://www.okta.com/exk1")
        #expect(metadata.singleSignOnURL == "https://acme.okta.com/app/sso/saml/redirect")
        #expect(metadata.singleSignOnBinding == IdentityProviderMetadata.redirectBinding)
        #expect(metadata.signingCertificates.count == 1)
        // The imported certificate verifies what that IdP signs.
        let signed = try idp.sign(ResponseFactory().xml(), id: "_a1")
        let settings = IdentityProviderSettings(entityID: ResponseFactory.idpEntity, certificates: metadata.signingCertificates)
        _ = try ResponseValidator.validate(
            xml: Array(signed.utf8), serviceProvider: ServiceProviderSettings(entityID: ResponseFactory.spEntity,
            assertionConsumerServiceURL: ResponseFactory.acs), identityProvider: settings, now: ResponseFactory.now
        )
    }

    @Test("unusable IdP metadata is refused with a reason", arguments: [
        "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" entityID=\"x\"/>",
        "<!DOCTYPE x><x/>",
        "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" entityID=\"x\"><md:IDPSSODescriptor><md:SingleSignOnService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\" Location=\"https://x\"/></md:IDPSSODescriptor></md:EntityDescriptor>",
    ])
    func refuses(xml: String) {
        #expect(throws: IdentityProviderMetadata.ImportError.self) { try IdentityProviderMetadata.parse(Array(xml.utf8)) }
    }

    @Test("SP metadata names the entity ID, the POST ACS and the emailAddress format, escaped")
    func spMetadata() throws {
        let identity = ServiceProviderIdentity(baseURL: "https://roster.example/a&b", directoryId: "d1")
        let xml = ServiceProviderMetadata.xml(identity: identity, certificatePEM: nil)
        let document = try XMLDocument(bytes: Array(xml.utf8))
        #expect(document.root?.attribute("entityID") == "https://roster.example/a&b/saml/d1/metadata")
        #expect(xml.contains("HTTP-POST") && xml.contains("nameid-format:emailAddress"))
        #expect(xml.contains("a&amp;b/saml/d1/acs"))
    }
}
