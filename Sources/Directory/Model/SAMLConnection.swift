import Crypto
import Foundation

/// The SAML settings of an identity provider directory.
public struct SAMLConnection: Sendable, Hashable {
    public var directoryId: String
    public var identityProviderEntityID: String
    public var singleSignOnURL: String
    /// The IdP's binding for the SSO URL: HTTP-Redirect (default) or HTTP-POST.
    public var singleSignOnBinding: SingleSignOnBinding
    /// PEM certificates the IdP signs with; several during a rotation.
    public var certificates: [String]
    public var allowSHA1: Bool
    public var allowIdPInitiated: Bool
    /// The IdP's SingleLogoutService (HTTP-Redirect), when it has one: sign-out then ends the IdP session too.
    public var singleLogoutURL: String?
    /// Sign AuthnRequests and LogoutRequests with the directory's SP key (redirect-binding signature).
    public var signAuthnRequests: Bool
    public var updated: Date
    /// When an org admin (or the operator) last confirmed these settings; nil while settings made through a setup link
    /// wait for an org admin. Pending settings serve Test SSO only: nobody signs in through them.
    public var confirmed: Date?
    /// What was confirmed last, while newer settings wait for confirmation (so the admin sees what changed).
    public var previous: SAMLSettingsSummary?

    public init(
        directoryId: String, identityProviderEntityID: String, singleSignOnURL: String, certificates: [String],
        allowSHA1: Bool = false, allowIdPInitiated: Bool = false, singleLogoutURL: String? = nil, signAuthnRequests: Bool = false,
        singleSignOnBinding: SingleSignOnBinding = .redirect, updated: Date, confirmed: Date? = nil, previous: SAMLSettingsSummary? = nil
    ) {
        self.confirmed = confirmed
        self.previous = previous
        self.singleSignOnBinding = singleSignOnBinding
        self.singleLogoutURL = singleLogoutURL
        self.signAuthnRequests = signAuthnRequests
        self.directoryId = directoryId
        self.identityProviderEntityID = identityProviderEntityID
        self.singleSignOnURL = singleSignOnURL
        self.certificates = certificates
        self.allowSHA1 = allowSHA1
        self.allowIdPInitiated = allowIdPInitiated
        self.updated = updated
    }
}

/// The settings that decide who signs in and where browsers go, as an admin reviews them.
public struct SAMLSettingsSummary: Sendable, Hashable, Codable {
    public var entityID: String
    public var ssoURL: String
    public var binding: String
    public var certificateFingerprints: [String]
    public var allowIdPInitiated: Bool
    public var allowSHA1: Bool
    public var singleLogoutURL: String?
    public var signAuthnRequests: Bool
}

extension SAMLConnection {
    /// What an admin reviews before confirming.
    public var summary: SAMLSettingsSummary {
        SAMLSettingsSummary(
            entityID: identityProviderEntityID, ssoURL: singleSignOnURL, binding: singleSignOnBinding == .post ? "HTTP-POST" : "HTTP-Redirect",
            certificateFingerprints: certificateFingerprints.map { $0 ?? "(not a certificate)" }, allowIdPInitiated: allowIdPInitiated,
            allowSHA1: allowSHA1, singleLogoutURL: singleLogoutURL, signAuthnRequests: signAuthnRequests
        )
    }

    /// Settings made through a setup link that no org admin has confirmed yet.
    public var isPending: Bool { confirmed == nil }

    /// SHA-256 fingerprints (colon-separated hex) of the IdP certificates, in order; nil for one that does not parse.
    public var certificateFingerprints: [String?] {
        certificates.map { ServiceProviderKeys.sha256Fingerprint(ofCertificatePEM: $0) }
    }

    /// A digest of what decides who may sign in and where browsers are sent: entity ID, SSO URL and binding,
    /// certificates, IdP-initiated and SHA-1 switches, the logout URL and request signing. An org admin's confirmation names the digest it saw, so settings changed meanwhile are not confirmed.
    public var trustDigest: String {
        var text = [identityProviderEntityID, singleSignOnURL, singleSignOnBinding.rawValue, "\(allowIdPInitiated)", "\(allowSHA1)",
                    singleLogoutURL ?? "", "\(signAuthnRequests)"]
        text += certificateFingerprints.map { $0 ?? "?" }
        return SHA256.hash(data: Data(text.joined(separator: "\n").utf8)).map { String(format: "%02x", $0) }.joined()
    }
}

/// How an AuthnRequest reaches the IdP's SSO URL.
public enum SingleSignOnBinding: String, Sendable, Hashable, Codable {
    case redirect = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
    case post = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
}

/// An AuthnRequest Roster sent, remembered until its response arrives (once) or it expires.
public struct PendingAuthnRequest: Sendable, Hashable {
    public var id: String
    public var directoryId: String
    public var relayState: String?
    public var created: Date
    public var expires: Date
    public var used: Date?
    /// An admin's "Test SSO" run: the response is checked and reported, and no session is opened.
    public var testRun: Bool

    public init(id: String, directoryId: String, relayState: String?, created: Date, expires: Date, used: Date? = nil, testRun: Bool = false) {
        self.testRun = testRun
        self.id = id
        self.directoryId = directoryId
        self.relayState = relayState
        self.created = created
        self.expires = expires
        self.used = used
    }
}

/// Roster's own key pair as the service provider of one directory: it signs requests and decrypts assertions.
/// The certificate is self-signed; IdPs pin it from the SP metadata.
public struct ServiceProviderCredential: Sendable, Hashable {
    public var directoryId: String
    public var privateKeyPEM: String
    public var certificatePEM: String
    public var created: Date
    public var notAfter: Date

    public init(directoryId: String, privateKeyPEM: String, certificatePEM: String, created: Date, notAfter: Date) {
        self.directoryId = directoryId
        self.privateKeyPEM = privateKeyPEM
        self.certificatePEM = certificatePEM
        self.created = created
        self.notAfter = notAfter
    }
}

/// How the people of one directory may sign in, and for how long.
public struct AuthenticationPolicy: Sendable, Hashable, Codable {
    public var directoryId: String
    /// Members must use single sign-on; local passwords are refused (backup admins excepted).
    public var enforceSSO: Bool
    /// How long a session lasts at most.
    public var sessionLifetime: TimeInterval
    /// How long a session survives without a request.
    public var idleTimeout: TimeInterval
    public var updated: Date

    public static let defaultSessionLifetime: TimeInterval = 8 * 3600
    public static let defaultIdleTimeout: TimeInterval = 3600
    /// Bounds an admin can choose within: five minutes to thirty days.
    public static let lifetimeRange: ClosedRange<TimeInterval> = 300...(30 * 86400)

    public init(directoryId: String, enforceSSO: Bool = false, sessionLifetime: TimeInterval = defaultSessionLifetime,
                idleTimeout: TimeInterval = defaultIdleTimeout, updated: Date) {
        self.directoryId = directoryId
        self.enforceSSO = enforceSSO
        self.sessionLifetime = sessionLifetime
        self.idleTimeout = idleTimeout
        self.updated = updated
    }
}

/// One check of an admin's "Test SSO" run, in the order the SP performs them.
public struct SignInCheck: Sendable, Hashable, Codable {
    public enum Outcome: String, Sendable, Codable {
        case passed, failed, notRun = "not_run"
    }

    public var name: String
    public var outcome: Outcome
    public var detail: String?

    public init(name: String, outcome: Outcome, detail: String? = nil) {
        self.name = name
        self.outcome = outcome
        self.detail = detail
    }
}

/// An admin's "Test SSO" run: started by the admin, completed by the IdP's response at the ACS.
public struct SAMLTestRun: Sendable, Hashable, Codable {
    public var id: String
    public var directoryId: String
    public var created: Date
    public var completed: Date?
    /// The NameID the IdP sent, when the response got that far.
    public var nameID: String?
    public var succeeded: Bool?
    public var checks: [SignInCheck]

    public init(id: String, directoryId: String, created: Date, completed: Date? = nil, nameID: String? = nil,
                succeeded: Bool? = nil, checks: [SignInCheck] = []) {
        self.id = id
        self.directoryId = directoryId
        self.created = created
        self.completed = completed
        self.nameID = nameID
        self.succeeded = succeeded
        self.checks = checks
    }
}
