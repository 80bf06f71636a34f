import Foundation

/// What a verified SAML assertion says, as the domain needs it (the SAML library did the verification).
public struct VerifiedAssertion: Sendable, Hashable {
    public var assertionID: String
    public var nameID: String
    public var inResponseTo: String?
    public var notOnOrAfter: Date
    public var attributes: [String: [String]]

    public init(assertionID: String, nameID: String, inResponseTo: String?, notOnOrAfter: Date, attributes: [String: [String]]) {
        self.assertionID = assertionID
        self.nameID = nameID
        self.inResponseTo = inResponseTo
        self.notOnOrAfter = notOnOrAfter
        self.attributes = attributes
    }
}

/// A completed sign-in: the session, its cookie value (shown once) and where to send the browser.
public struct SignIn: Sendable {
    public var session: Session
    public var token: String
    public var user: User
    public var relayState: String?
}

extension DirectoryService {
    /// How long an AuthnRequest waits for its response.
    static let authnRequestLifetime: TimeInterval = 600
    /// Session lifetime until authentication policies set it per directory.
    public static let defaultSessionLifetime: TimeInterval = 8 * 3600

    /// Stores the SAML settings of an identity provider directory.
    public func configureSAML(
        directoryId: String, identityProviderEntityID: String, singleSignOnURL: String, certificates: [String],
        allowSHA1: Bool, allowIdPInitiated: Bool, caller: Caller
    ) async throws -> SAMLConnection {
        let entityID = try Validation.name(identityProviderEntityID, field: "IdP entity ID")
        guard let url = URL(string: singleSignOnURL), url.scheme == "https" || url.scheme == "http", url.host != nil else {
            throw DirectoryError(.invalidInput, "The SSO URL must be an http(s) URL.")
        }
        guard !certificates.isEmpty else { throw DirectoryError(.invalidInput, "Give at least one IdP signing certificate.") }
        return try await store.write { tx in
            let directory = try await requireDirectory(tx, directoryId)
            let organization = try await requireOrganization(tx, directory.organizationId)
            try caller.require(.manageDirectories, in: organization)
            guard directory.kind != .local else { throw DirectoryError(.unsupported, "The local directory has no identity provider.") }
            let connection = SAMLConnection(
                directoryId: directoryId, identityProviderEntityID: entityID, singleSignOnURL: singleSignOnURL,
                certificates: certificates, allowSHA1: allowSHA1, allowIdPInitiated: allowIdPInitiated, updated: environment.now()
            )
            try await tx.upsert(connection)
            try await record(
                tx, organizationId: organization.id, caller: caller, action: "directory.saml_configured", targetType: "directory",
                targetId: directoryId, payload: ["idpEntityId": .string(entityID), "certificates": .integer(Int64(certificates.count))]
            )
            return connection
        }
    }

    /// The SAML settings of a directory, if configured.
    public func samlConnection(directoryId: String) async throws -> SAMLConnection? {
        try await store.read { try await $0.samlConnection(directoryId: directoryId) }
    }

    /// Remembers an AuthnRequest id so that its response can be matched once.
    public func beginSignIn(directoryId: String, requestId: String, relayState: String?) async throws -> SAMLConnection {
        try await store.write { tx in
            guard let connection = try await tx.samlConnection(directoryId: directoryId) else {
                throw DirectoryError(.notFound, "Single sign-on is not set up for this directory.")
            }
            let now = environment.now()
            try await tx.insert(PendingAuthnRequest(
                id: requestId, directoryId: directoryId, relayState: relayState, created: now,
                expires: now.addingTimeInterval(Self.authnRequestLifetime)
            ))
            return connection
        }
    }

    /// Completes a sign-in from a verified assertion: the AuthnRequest it answers is used once (or IdP-initiated
    /// sign-in must be allowed), the assertion is not a replay, and it names an active account of the directory.
    /// Refusals are audited too, with their reason.
    public func completeSignIn(directoryId: String, assertion: VerifiedAssertion, lifetime: TimeInterval = defaultSessionLifetime) async throws -> SignIn {
        do {
            return try await store.write { tx in
                let directory = try await requireDirectory(tx, directoryId)
                guard let connection = try await tx.samlConnection(directoryId: directoryId) else {
                    throw DirectoryError(.notFound, "Single sign-on is not set up for this directory.")
                }
                let now = environment.now()
                var relayState: String?
                if let requestId = assertion.inResponseTo {
                    guard let request = try await tx.authnRequest(id: requestId), request.directoryId == directoryId else {
                        throw DirectoryError(.unauthenticated, "The response answers a request Roster did not send.")
                    }
                    guard request.used == nil else { throw DirectoryError(.unauthenticated, "The request was already answered.") }
                    guard request.expires > now else { throw DirectoryError(.unauthenticated, "The request expired.") }
                    try await tx.markUsed(authnRequestId: requestId, at: now)
                    relayState = request.relayState
                } else if !connection.allowIdPInitiated {
                    throw DirectoryError(.unauthenticated, "IdP-initiated sign-in is off for this directory.")
                }
                guard try await tx.recordAssertion(directoryId: directoryId, assertionId: assertion.assertionID, expires: assertion.notOnOrAfter, now: now) else {
                    throw DirectoryError(.unauthenticated, "The assertion was already used (replay).")
                }
                let byEmail = try await tx.users(organizationId: directory.organizationId, email: assertion.nameID).filter { $0.directoryId == directoryId }
                let byUserName = try await tx.user(directoryId: directoryId, userName: assertion.nameID)
                guard let user = byEmail.first ?? byUserName else {
                    throw DirectoryError(.unauthenticated, "No account of this directory is named \(assertion.nameID.prefix(200)).")
                }
                guard user.active else { throw DirectoryError(.unauthenticated, "The account is deactivated.") }
                let secret = SecretToken.generate(.session, environment: environment)
                let session = Session(id: environment.newID(), userId: user.id, tokenHash: secret.hash, created: now, expires: now.addingTimeInterval(lifetime))
                try await tx.insert(session)
                try await record(
                    tx, organizationId: directory.organizationId, caller: .system, action: "sign_in.succeeded", targetType: "user",
                    targetId: user.id, detail: "SAML via directory \(directoryId)",
                    payload: ["directoryId": .string(directoryId), "sessionId": .string(session.id)]
                )
                return SignIn(session: session, token: secret.value, user: user, relayState: relayState)
            }
        } catch let error as DirectoryError {
            try? await recordRefusedSignIn(directoryId: directoryId, reason: error.message, nameID: assertion.nameID)
            throw error
        }
    }

    /// Audits a refused sign-in (its own transaction: the attempt's own changes were rolled back).
    public func recordRefusedSignIn(directoryId: String, reason: String, nameID: String?) async throws {
        try await store.write { tx in
            guard let directory = try await tx.directory(id: directoryId) else { return }
            try await record(
                tx, organizationId: directory.organizationId, caller: .system, action: "sign_in.refused", targetType: "directory",
                targetId: directoryId, detail: reason,
                payload: ["reason": .string(reason), "nameId": nameID.map { .string(String($0.prefix(200))) } ?? .null]
            )
        }
    }
}
