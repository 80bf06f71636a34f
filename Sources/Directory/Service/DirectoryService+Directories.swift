import Foundation

/// A directory just created, with the secrets that are shown only now.
public struct CreatedDirectory: Sendable {
    public var directory: Directory
    /// Where the identity provider sends SCIM requests; nil for SSO-only providers.
    public var scimBaseURL: String?
    /// The first SCIM API key, in clear, once; nil for SSO-only providers.
    public var apiKey: String?
    public var apiKeyRecord: ApiKey?
}

/// A new SCIM API key, in clear, once.
public struct IssuedApiKey: Sendable {
    public var key: ApiKey
    public var token: String
}

extension DirectoryService {
    /// Connects an identity provider: creates its directory and, where the provider provisions, a first API key.
    ///
    /// Rules: identity provider directories of members need the Guard plan; a portal-customer directory belongs to
    /// a site of the organization that hosts Jira Service Management, and each such site has at most one.
    public func createDirectory(
        organizationId: String, name: String, identityProvider: IdentityProviderType, portalSiteId: String? = nil,
        caller: Caller
    ) async throws -> CreatedDirectory {
        let name = try Validation.name(name, field: "Directory name")
        return try await mapUniqueViolation(
            DirectoryError(.alreadyExists, "A directory with that name, or for that portal, already exists.")
        ) {
            try await store.write { tx in
                let organization = try await requireOrganization(tx, organizationId)
                try caller.require(.manageDirectories, in: organization)
                let kind: Directory.Kind
                if let portalSiteId {
                    let site = try await requireSite(tx, portalSiteId)
                    guard site.organizationId == organizationId else {
                        throw DirectoryError(.notFound, "No site with id \(portalSiteId).")
                    }
                    guard try await tx.products(siteId: portalSiteId).contains(where: { $0.product == .jiraServiceManagement }) else {
                        throw DirectoryError(
                            .invalidInput,
                            "Portal-only customers need Jira Service Management on the site \(site.name); add it first."
                        )
                    }
                    if try await tx.portalDirectory(siteId: portalSiteId) != nil {
                        throw DirectoryError(
                            .portalDirectoryExists,
                            "The site \(site.name) already has an identity provider for its portal-only customers."
                        )
                    }
                    kind = .portalCustomers
                } else {
                    guard organization.plan == .guard else {
                        throw DirectoryError(
                            .planRequired,
                            "Identity provider directories need the Guard plan; this organization is on the \(organization.plan.rawValue) plan."
                        )
                    }
                    kind = .identityProvider
                }
                if try await tx.directories(organizationId: organizationId).contains(where: {
                    $0.name.lowercased() == name.lowercased()
                }) {
                    throw DirectoryError(.alreadyExists, "A directory named \"\(name)\" already exists.")
                }
                let directory = Directory(
                    id: environment.newID(), organizationId: organizationId, kind: kind,
                    identityProvider: identityProvider, name: name, portalSiteId: portalSiteId, created: environment.now()
                )
                try await tx.insert(directory)
                try await record(
                    tx, organizationId: organizationId, caller: caller, action: "directory.connected",
                    targetType: "directory", targetId: directory.id,
                    payload: ["name": .string(name), "identityProvider": .string(identityProvider.rawValue),
                              "kind": .string(kind.rawValue)]
                )
                guard identityProvider.supportsProvisioning else {
                    return CreatedDirectory(directory: directory, scimBaseURL: nil, apiKey: nil, apiKeyRecord: nil)
                }
                let issued = try await issueApiKey(tx, directory: directory, caller: caller)
                return CreatedDirectory(
                    directory: directory, scimBaseURL: scimBaseURL(directoryId: directory.id),
                    apiKey: issued.token, apiKeyRecord: issued.key
                )
            }
        }
    }

    /// The directories of an organization.
    public func directories(organizationId: String, caller: Caller) async throws -> [Directory] {
        try await store.read { reader in
            let organization = try await requireOrganization(reader, organizationId)
            try caller.require(.viewOrganization, in: organization)
            return try await reader.directories(organizationId: organizationId)
        }
    }

    /// One directory the caller may see.
    public func directory(id: String, caller: Caller) async throws -> Directory {
        try await store.read { reader in
            let directory = try await requireDirectory(reader, id)
            let organization = try await requireOrganization(reader, directory.organizationId)
            try caller.requireManaging(directory, in: organization, readOnly: true)
            return directory
        }
    }

    /// The API keys of a directory (hashes are never returned by the API layer).
    public func apiKeys(directoryId: String, caller: Caller) async throws -> [ApiKey] {
        try await store.read { reader in
            let directory = try await requireDirectory(reader, directoryId)
            let organization = try await requireOrganization(reader, directory.organizationId)
            try caller.requireManaging(directory, in: organization)
            return try await reader.apiKeys(directoryId: directoryId)
        }
    }

    /// Issues a new SCIM API key and retires the current ones: at once, or after `overlap` seconds so the
    /// identity provider can be switched over without failed requests.
    public func rotateApiKey(directoryId: String, overlap: TimeInterval = 0, caller: Caller) async throws -> IssuedApiKey {
        guard overlap >= 0, overlap <= 30 * 86_400 else {
            throw DirectoryError(.invalidInput, "The overlap must be between 0 and 30 days.")
        }
        return try await store.write { tx in
            let directory = try await requireDirectory(tx, directoryId)
            let organization = try await requireOrganization(tx, directory.organizationId)
            try caller.requireManaging(directory, in: organization)
            guard directory.acceptsProvisioning else {
                throw DirectoryError(.unsupported, "This directory's identity provider does not provision users over SCIM.")
            }
            // Two concurrent rotations must not both leave a live key behind.
            try await tx.lock("api-keys:\(directoryId)")
            let retireAt = environment.now().addingTimeInterval(overlap)
            // A setup link's key waits for an org admin and replaces only the link's earlier unconfirmed keys: whoever
            // holds the link can neither provision nor cut off the identity provider that works today.
            let fromSetupLink = if case .setupLink = caller { true } else { false }
            for var key in try await tx.apiKeys(directoryId: directoryId)
            where key.isUsable(at: environment.now()) && (!fromSetupLink || key.pendingConfirmation) {
                let revokedAt = min(retireAt, key.expires ?? retireAt)
                key.revoked = revokedAt
                try await tx.update(key)
                try await record(
                    tx, organizationId: organization.id, caller: caller, action: "api_key.revoked",
                    targetType: "api_key", targetId: key.id,
                    payload: ["directoryId": .string(directoryId), "revokedAt": .string(ISO8601DateFormatter().string(from: revokedAt))]
                )
            }
            return try await issueApiKey(tx, directory: directory, caller: caller, pending: fromSetupLink)
        }
    }

    /// An org admin confirms a SCIM key made through a setup link; from then on it provisions.
    public func confirmApiKey(directoryId: String, keyId: String, caller: Caller) async throws -> ApiKey {
        try await store.write { tx in
            let directory = try await requireDirectory(tx, directoryId)
            let organization = try await requireOrganization(tx, directory.organizationId)
            try caller.require(.manageDirectories, in: organization)
            guard var key = try await tx.apiKeys(directoryId: directoryId).first(where: { $0.id == keyId }) else {
                throw DirectoryError(.notFound, "No API key with id \(keyId.prefix(100)) in this directory.")
            }
            guard key.pendingConfirmation else { return key }
            guard key.isUsable(at: environment.now()) else { throw DirectoryError(.invalidInput, "The key is revoked or expired; make a new one.") }
            key.pendingConfirmation = false
            try await tx.update(key)
            try await record(
                tx, organizationId: organization.id, caller: caller, action: "api_key.confirmed", targetType: "api_key", targetId: key.id,
                payload: ["directoryId": .string(directoryId), "prefix": .string(key.prefix)]
            )
            return key
        }
    }

    /// Revokes one API key at once.
    public func revokeApiKey(directoryId: String, keyId: String, caller: Caller) async throws {
        try await store.write { tx in
            let directory = try await requireDirectory(tx, directoryId)
            let organization = try await requireOrganization(tx, directory.organizationId)
            try caller.requireManaging(directory, in: organization)
            guard var key = try await tx.apiKeys(directoryId: directoryId).first(where: { $0.id == keyId }) else {
                throw DirectoryError(.notFound, "No API key with id \(keyId) in this directory.")
            }
            if let revoked = key.revoked, revoked <= environment.now() { return }
            key.revoked = environment.now()
            try await tx.update(key)
            try await record(
                tx, organizationId: organization.id, caller: caller, action: "api_key.revoked",
                targetType: "api_key", targetId: key.id, payload: ["directoryId": .string(directoryId)]
            )
        }
    }

    func issueApiKey(_ tx: any DirectoryWriting, directory: Directory, caller: Caller, pending: Bool = false) async throws -> IssuedApiKey {
        let token = SecretToken.generate(.scimKey, environment: environment)
        let now = environment.now()
        let key = ApiKey(
            id: environment.newID(), directoryId: directory.id, prefix: token.prefix, hash: token.hash,
            created: now, expires: now.addingTimeInterval(configuration.apiKeyLifetime), pendingConfirmation: pending
        )
        try await tx.insert(key)
        try await record(
            tx, organizationId: directory.organizationId, caller: caller, action: "api_key.created",
            targetType: "api_key", targetId: key.id,
            payload: ["directoryId": .string(directory.id), "prefix": .string(key.prefix), "pending": .bool(pending)]
        )
        return IssuedApiKey(key: key, token: token.value)
    }
}
