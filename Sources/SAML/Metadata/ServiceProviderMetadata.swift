import Foundation

/// Roster's SP metadata for one directory (SAML 2.0 Metadata §2.4.4): entity ID, the ACS with the HTTP-POST
/// binding, the emailAddress NameID format, and the signing and encryption certificate when there is one.
public enum ServiceProviderMetadata {
    public static func xml(
        identity: ServiceProviderIdentity, certificatePEM: String?, signsRequests: Bool = false, wantAssertionsSigned: Bool = true
    ) -> String {
        var keys = ""
        if let certificatePEM {
            let body = certificatePEM.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
            for use in ["signing", "encryption"] {
                keys += """
                    <md:KeyDescriptor use="\(use)"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">\
                    <ds:X509Data><ds:X509Certificate>\(escape(body))</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
                    """
            }
        }
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="\(escape(identity.entityID))">\
            <md:SPSSODescriptor AuthnRequestsSigned="\(signsRequests && certificatePEM != nil)" WantAssertionsSigned="\(wantAssertionsSigned)" \
            protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">\(keys)\
            <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="\(escape(identity.singleLogoutURL))"/>\
            <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="\(escape(identity.singleLogoutURL))"/>\
            <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>\
            <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" \
            Location="\(escape(identity.assertionConsumerServiceURL))" index="0" isDefault="true"/>\
            </md:SPSSODescriptor></md:EntityDescriptor>
            """
    }

    /// XML attribute and text escaping.
    public static func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            default: result.append(character)
            }
        }
        return result
    }
}
