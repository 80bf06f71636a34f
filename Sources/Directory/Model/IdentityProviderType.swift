/// The identity providers Roster has guided setups for.
public enum IdentityProviderType: String, Sendable, Codable, CaseIterable {
    case okta
    case entraId = "entra-id"
    case googleWorkspace = "google-workspace"
    case onelogin
    case jumpcloud
    case ping
    case auth0
    case cyberark
    case adfs
    case otherSAML = "other-saml"

    /// Whether the provider can provision users over SCIM. AD FS and other SAML providers are SSO only.
    public var supportsProvisioning: Bool {
        switch self {
        case .adfs, .otherSAML: false
        default: true
        }
    }

    /// The provider's product name as admins know it.
    public var displayName: String {
        switch self {
        case .okta: "Okta"
        case .entraId: "Microsoft Entra ID"
        case .googleWorkspace: "Google Workspace"
        case .onelogin: "OneLogin"
        case .jumpcloud: "JumpCloud"
        case .ping: "Ping Identity"
        case .auth0: "Auth0"
        case .cyberark: "CyberArk"
        case .adfs: "Active Directory Federation Services (AD FS)"
        case .otherSAML: "Other SAML 2.0 provider"
        }
    }
}
