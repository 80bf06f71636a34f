import Directory
import Foundation
import Hummingbird
import SAML

/// The admin side of sign-in: `/api/v1/directories/{dir}/saml` (settings from fields or IdP metadata, the
/// certificates with their expiry, "Test SSO"), `/api/v1/directories/{dir}/authentication-policy`,
/// backup admins and local passwords.
struct SignInSettingsController {
    let service: DirectoryService

    /// `PUT /api/v1/directories/{dir}/saml`: either `idpMetadataXml`, or the IdP's fields.
    struct SAMLInput: Decodable {
        var idpMetadataXml: String?
        var idpEntityId: String?
        var idpSsoUrl: String?
        var idpCertificates: [String]?
        var idpSloUrl: String?
        var allowIdpInitiated: Bool?
        var allowSha1: Bool?
        var signRequests: Bool?
    }

    struct CertificateView: Encodable, Sendable {
        /// `idp-signing` (trusted to sign responses) or `sp` (Roster's own: signs requests, decrypts assertions).
        let use: String
        let subject: String?
        let notAfter: Date?
        let expiresInDays: Int?
        let pem: String
    }

    struct SAMLView: Encodable, Sendable {
        let directoryId: String
        let configured: Bool
        let spEntityId: String
        let acsUrl: String
        let metadataUrl: String
        let idpEntityId: String?
        let idpSsoUrl: String?
        let idpSloUrl: String?
        let idpSsoBinding: String?
        let allowIdpInitiated: Bool
        let allowSha1: Bool
        let signRequests: Bool
        /// Settings made through a setup link that wait for an org admin's confirmation (Test SSO only until then).
        let pendingConfirmation: Bool
        /// What an org admin names when confirming (`POST …/saml/confirmation`).
        let trustDigest: String?
        let certificates: [CertificateView]
    }

    struct ConfirmationInput: Decodable {
        var trustDigest: String
    }

    struct TestRunView: Encodable, Sendable {
        let run: SAMLTestRun
        /// Open this URL in a browser to sign in at the IdP; the answer is checked and reported here.
        let signInUrl: String?
    }

    struct PolicyInput: Decodable {
        var enforceSso: Bool
        var sessionLifetimeSeconds: Double?
        var idleTimeoutSeconds: Double?
    }

    struct PolicyView: Encodable, Sendable {
        let directoryId: String
        let enforceSso: Bool
        let sessionLifetimeSeconds: Int
        let idleTimeoutSeconds: Int

        init(_ policy: AuthenticationPolicy) {
            directoryId = policy.directoryId
            enforceSso = policy.enforceSSO
            sessionLifetimeSeconds = Int(policy.sessionLifetime)
            idleTimeoutSeconds = Int(policy.idleTimeout)
        }
    }

    /// `PUT /api/v1/admins/{admin}/account`: `{"userId": ID | null, "password"?: new local password}`. `userId` must be
    /// there (null unbinds), so a typo never unbinds an admin.
    struct AccountInput: Decodable {
        var userId: String?
        var password: String?

        private enum CodingKeys: String, CodingKey { case userId, password }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            guard container.contains(.userId) else {
                throw DecodingError.keyNotFound(CodingKeys.userId, .init(codingPath: [], debugDescription: "userId is required (null unbinds)."))
            }
            userId = try container.decodeNil(forKey: .userId) ? nil : try container.decode(String.self, forKey: .userId)
            password = try container.decodeIfPresent(String.self, forKey: .password)
        }
    }

    struct BackupInput: Decodable {
        var backupAdmin: Bool
    }

    struct PasswordInput: Decodable {
        var password: String
    }

    func addRoutes(to group: RouterGroup<RosterRequestContext>) {
        group.get("directories/:dir/saml") { _, context in
            JSONBody(try await view(directoryId: try context.parameter("dir"), caller: try context.caller()))
        }
        group.put("directories/:dir/saml") { request, context in
            let input = try await request.decode(as: SAMLInput.self, context: context)
            let directoryId = try context.parameter("dir")
            let caller = try context.caller()
            try await apply(input, directoryId: directoryId, caller: caller)
            return JSONBody(try await view(directoryId: directoryId, caller: caller))
        }
        group.post("directories/:dir/saml/confirmation") { request, context in
            let input = try await request.decode(as: ConfirmationInput.self, context: context)
            let directoryId = try context.parameter("dir")
            let caller = try context.caller()
            _ = try await service.confirmSAML(directoryId: directoryId, digest: input.trustDigest, caller: caller)
            return JSONBody(try await view(directoryId: directoryId, caller: caller))
        }
        group.get("directories/:dir/saml/certificates") { _, context in
            JSONBody(ListBody(all: try await view(directoryId: try context.parameter("dir"), caller: try context.caller()).certificates))
        }
        group.post("directories/:dir/saml/tests") { _, context in
            let directoryId = try context.parameter("dir")
            let requestId = AuthnRequest.newID(randomBytes: service.environment.randomBytes(16))
            let (run, start) = try await service.beginTestRun(directoryId: directoryId, requestId: requestId, caller: try context.caller())
            // An IdP that takes POST only gets the request through Roster's self-submitting form page.
            let url = start.connection.singleSignOnBinding == .post
                ? URL(string: "\(service.configuration.baseURL)/saml/\(directoryId)/tests/\(requestId)/start")
                : SAMLController.authnRequestURL(requestId: requestId, directoryId: directoryId, start: start, relayState: nil, service: service)
            return JSONBody(TestRunView(run: run, signInUrl: url?.absoluteString), status: .created)
        }
        group.get("directories/:dir/saml/tests/:run") { _, context in
            let run = try await service.testRun(id: try context.parameter("run"), directoryId: try context.parameter("dir"), caller: try context.caller())
            return JSONBody(TestRunView(run: run, signInUrl: nil))
        }
        group.get("directories/:dir/authentication-policy") { _, context in
            let directoryId = try context.parameter("dir")
            _ = try await service.directory(id: directoryId, caller: try context.caller())
            return JSONBody(PolicyView(try await service.authenticationPolicy(directoryId: directoryId)))
        }
        group.put("directories/:dir/authentication-policy") { request, context in
            let input = try await request.decode(as: PolicyInput.self, context: context)
            let policy = try await service.setAuthenticationPolicy(
                directoryId: try context.parameter("dir"), enforceSSO: input.enforceSso,
                sessionLifetime: input.sessionLifetimeSeconds ?? AuthenticationPolicy.defaultSessionLifetime,
                idleTimeout: input.idleTimeoutSeconds ?? AuthenticationPolicy.defaultIdleTimeout, caller: try context.caller()
            )
            return JSONBody(PolicyView(policy))
        }
        group.put("admins/:admin/account") { request, context in
            let input = try await request.decode(as: AccountInput.self, context: context)
            return JSONBody(try await service.bindAdminAccount(
                adminId: try context.parameter("admin"), userId: input.userId, password: input.password, caller: try context.caller()
            ))
        }
        group.put("admins/:admin/backup") { request, context in
            let input = try await request.decode(as: BackupInput.self, context: context)
            return JSONBody(try await service.setBackupAdmin(adminId: try context.parameter("admin"), backup: input.backupAdmin, caller: try context.caller()))
        }
        group.put("users/:user/password") { request, context in
            let input = try await request.decode(as: PasswordInput.self, context: context)
            try await service.setPassword(userId: try context.parameter("user"), password: input.password, caller: try context.caller())
            return Response(status: .noContent)
        }
    }

    /// Stores SAML settings given as the IdP's metadata or field by field (the API and the console both come here).
    func apply(_ input: SAMLInput, directoryId: String, caller: Caller) async throws {
        var entityID = input.idpEntityId
        var ssoURL = input.idpSsoUrl
        var certificates = input.idpCertificates ?? []
        var sloURL = input.idpSloUrl
        var binding = SingleSignOnBinding.redirect
        if let xml = input.idpMetadataXml {
            let metadata = try Self.importMetadata(xml)
            entityID = metadata.entityID
            ssoURL = metadata.singleSignOnURL
            certificates = metadata.signingCertificates
            sloURL = sloURL ?? metadata.singleLogoutURL
            binding = SingleSignOnBinding(rawValue: metadata.singleSignOnBinding) ?? .redirect
        }
        guard let entityID, let ssoURL, !certificates.isEmpty else {
            throw APIError(.badRequest, code: "invalid_input",
                           message: "Give idpMetadataXml, or idpEntityId, idpSsoUrl and idpCertificates (PEM).")
        }
        _ = try await service.configureSAML(
            directoryId: directoryId, identityProviderEntityID: entityID, singleSignOnURL: ssoURL, certificates: certificates,
            allowSHA1: input.allowSha1 ?? false, allowIdPInitiated: input.allowIdpInitiated ?? false, singleLogoutURL: sloURL,
            signAuthnRequests: input.signRequests ?? false, singleSignOnBinding: binding, caller: caller
        )
    }

    /// The IdP's metadata, or a 400 that says what is wrong with it. (Synchronous: Swift 6.3 crashes compiling a typed
    /// catch inside the async `apply`.)
    static func importMetadata(_ xml: String) throws -> IdentityProviderMetadata {
        do {
            return try IdentityProviderMetadata.parse(Array(xml.utf8))
        } catch {
            throw APIError(.badRequest, code: "invalid_metadata", message: error.message)
        }
    }

    func view(directoryId: String, caller: Caller) async throws -> SAMLView {
        let directory = try await service.directory(id: directoryId, caller: caller)
        guard directory.kind != .local else {
            throw APIError(.badRequest, code: "unsupported", message: "The local directory has no identity provider.")
        }
        let connection = try await service.samlConnection(directoryId: directoryId, caller: caller)
        let credential = try await service.serviceProviderCredential(directoryId: directoryId)
        let identity = ServiceProviderIdentity(baseURL: service.configuration.baseURL, directoryId: directoryId)
        let now = service.environment.now()
        func certificate(_ pem: String, use: String) -> CertificateView {
            let expiry = ServiceProviderKeys.expiry(ofCertificatePEM: pem)
            return CertificateView(
                use: use, subject: ServiceProviderKeys.subject(ofCertificatePEM: pem), notAfter: expiry,
                expiresInDays: expiry.map { Int(($0.timeIntervalSince(now) / 86400).rounded(.down)) }, pem: pem
            )
        }
        return SAMLView(
            directoryId: directoryId, configured: connection != nil, spEntityId: identity.entityID,
            acsUrl: identity.assertionConsumerServiceURL, metadataUrl: identity.metadataURL,
            idpEntityId: connection?.identityProviderEntityID, idpSsoUrl: connection?.singleSignOnURL, idpSloUrl: connection?.singleLogoutURL,
            idpSsoBinding: connection?.singleSignOnBinding.rawValue,
            allowIdpInitiated: connection?.allowIdPInitiated ?? false, allowSha1: connection?.allowSHA1 ?? false,
            signRequests: connection?.signAuthnRequests ?? false,
            pendingConfirmation: connection?.isPending ?? false, trustDigest: connection?.trustDigest,
            certificates: (connection?.certificates ?? []).map { certificate($0, use: "idp-signing") }
                + [certificate(credential.certificatePEM, use: "sp")]
        )
    }
}
