import Foundation
import Logging

/// The use cases of the directory: every rule that holds for every caller (HTTP, CLI, SCIM, SAML) lives here.
///
/// Each write runs in one store transaction together with its audit entry and its event.
public struct DirectoryService: Sendable {
    /// Settings the use cases need.
    public struct Configuration: Sendable {
        /// The externally visible base URL of Roster (`https://roster.example.com`), without a trailing slash.
        public var baseURL: String
        /// How long a new SCIM API key lives.
        public var apiKeyLifetime: TimeInterval
        /// How long a new admin API token lives; nil for no expiry.
        public var adminTokenLifetime: TimeInterval?
        /// Webhooks may post to loopback and private addresses (tests, a receiver on the same host); off by default.
        public var allowPrivateWebhooks: Bool

        public init(
            baseURL: String, apiKeyLifetime: TimeInterval = 365 * 86_400, adminTokenLifetime: TimeInterval? = 365 * 86_400,
            allowPrivateWebhooks: Bool = false
        ) {
            self.allowPrivateWebhooks = allowPrivateWebhooks
            var trimmed = baseURL
            while trimmed.hasSuffix("/") { trimmed.removeLast() }
            self.baseURL = trimmed
            self.apiKeyLifetime = apiKeyLifetime
            self.adminTokenLifetime = adminTokenLifetime
        }
    }

    public let store: any DirectoryStore
    public let environment: RosterEnvironment
    public let configuration: Configuration

    public init(store: any DirectoryStore, environment: RosterEnvironment = .live, configuration: Configuration) {
        self.store = store
        self.environment = environment
        self.configuration = configuration
    }

    /// The SCIM base URL an identity provider is given for a directory.
    public func scimBaseURL(directoryId: String) -> String {
        "\(configuration.baseURL)/scim/directory/\(directoryId)"
    }

    // MARK: Shared pieces of every write

    /// Writes the audit entry and the event of one change, in the caller's transaction.
    func record(
        _ tx: any DirectoryWriting, organizationId: String, caller: Caller, action: String,
        targetType: String, targetId: String, detail: String? = nil, payload: [String: JSONValue] = [:]
    ) async throws {
        let now = environment.now()
        try await tx.append(AuditEntry(
            id: environment.newID(), organizationId: organizationId, at: now, actor: caller.actor.description,
            action: action, targetType: targetType, targetId: targetId, detail: detail
        ))
        var body = payload
        body["actor"] = .string(caller.actor.description)
        try await tx.append(Event(
            id: environment.newID(), organizationId: organizationId, type: action, subjectType: targetType,
            subjectId: targetId, payload: body, created: now
        ))
    }

    /// The organization's local directory (every organization has one).
    func requireLocalDirectory(_ reader: any DirectoryReading, organizationId: String) async throws -> Directory {
        guard let local = try await reader.directories(organizationId: organizationId).first(where: { $0.kind == .local }) else {
            throw DirectoryError(.notFound, "The organization has no local directory.")
        }
        return local
    }

    /// Every item of a paged list, read 1,000 at a time.
    func allPages<Item>(_ fetch: (PageRequest) async throws -> Page<Item>) async throws -> [Item] {
        var items: [Item] = []
        while true {
            let page = try await fetch(PageRequest(offset: items.count, limit: 1000))
            items += page.items
            if page.items.count < 1000 { return items }
        }
    }

    /// Takes a user out of `groups`, each group's version moving and a `group.member_removed` written for it; returns
    /// the ids of the groups the user was in.
    func leaveGroups(
        _ tx: any DirectoryWriting, userId: String, groups: [Group], organizationId: String, caller: Caller, at now: Date
    ) async throws -> [String] {
        var left: [String] = []
        for var group in groups {
            guard try await tx.deleteMembership(groupId: group.id, memberId: userId) else { continue }
            left.append(group.id)
            group.version += 1
            group.lastModified = now
            try await tx.update(group)
            try await record(
                tx, organizationId: organizationId, caller: caller, action: "group.member_removed", targetType: "group",
                targetId: group.id, payload: ["memberId": .string(userId), "memberKind": .string("user")]
            )
        }
        return left
    }

    /// Ids are never stored with a NUL, and PostgreSQL refuses one in a bind: such an id names nothing.
    static func requirePlainID(_ id: String, _ kind: String) throws {
        guard !id.unicodeScalars.contains("\u{0}") else { throw DirectoryError(.notFound, "No \(kind) with that id.") }
    }

    func requireOrganization(_ reader: any DirectoryReading, _ id: String) async throws -> Organization {
        try Self.requirePlainID(id, "\("organization")")
        guard let organization = try await reader.organization(id: id) else {
            throw DirectoryError(.notFound, "No organization with id \(id.prefix(100)).")
        }
        return organization
    }

    func requireSite(_ reader: any DirectoryReading, _ id: String) async throws -> Site {
        try Self.requirePlainID(id, "\("site")")
        guard let site = try await reader.site(id: id) else {
            throw DirectoryError(.notFound, "No site with id \(id.prefix(100)).")
        }
        return site
    }

    func requireDirectory(_ reader: any DirectoryReading, _ id: String) async throws -> Directory {
        try Self.requirePlainID(id, "\("directory")")
        guard let directory = try await reader.directory(id: id) else {
            throw DirectoryError(.notFound, "No directory with id \(id.prefix(100)).")
        }
        return directory
    }

    func requireUser(_ reader: any DirectoryReading, _ id: String) async throws -> User {
        try Self.requirePlainID(id, "\("user")")
        guard let user = try await reader.user(id: id) else {
            throw DirectoryError(.notFound, "No user with id \(id.prefix(100)).")
        }
        return user
    }

    func requireGroup(_ reader: any DirectoryReading, _ id: String) async throws -> Group {
        try Self.requirePlainID(id, "\("group")")
        guard let group = try await reader.group(id: id) else {
            throw DirectoryError(.notFound, "No group with id \(id.prefix(100)).")
        }
        return group
    }

    /// Translates a unique-index violation into the domain error the caller should see.
    func mapUniqueViolation<T>(
        _ error: DirectoryError, _ body: () async throws -> T
    ) async throws -> T {
        do {
            return try await body()
        } catch let storeError as StoreError where storeError.code == .uniqueViolation {
            var mapped = error
            mapped.cause = storeError
            throw mapped
        }
    }
}
