import Foundation

extension DirectoryService {
    /// Creates a user in a directory. userName is unique per directory, compared case-insensitively.
    public func createUser(directoryId: String, draft: UserDraft, caller: Caller) async throws -> User {
        let draft = try draft.validated()
        return try await store.write { tx in
            let directory = try await requireDirectory(tx, directoryId)
            let organization = try await requireOrganization(tx, directory.organizationId)
            try caller.require(.manageDirectoryUsers, in: organization)
            return try await insertUser(tx, draft: draft, directory: directory, caller: caller)
        }
    }

    /// Creates a user of a site (the original experience): the user goes to the organization's local directory
    /// and gets the `user` role on the given products of that site.
    public func createSiteUser(
        siteId: String, draft: UserDraft, productIds: [String], caller: Caller
    ) async throws -> User {
        let draft = try draft.validated()
        guard !productIds.isEmpty else {
            throw DirectoryError(.invalidInput, "Give the user access to at least one product of the site.")
        }
        return try await store.write { tx in
            let site = try await requireSite(tx, siteId)
            let organization = try await requireOrganization(tx, site.organizationId)
            try caller.require(.manageSiteUsers(siteId), in: organization)
            let products = try await tx.products(siteId: siteId)
            for productId in productIds where !products.contains(where: { $0.id == productId }) {
                throw DirectoryError(.invalidInput, "The product \(productId) is not on the site \(site.name).")
            }
            let local = try await requireLocalDirectory(tx, organizationId: organization.id)
            let user = try await insertUser(tx, draft: draft, directory: local, caller: caller)
            for productId in Set(productIds).sorted() {
                _ = try await insertGrant(
                    tx, organizationId: organization.id, principal: .user(user.id), siteId: siteId,
                    productId: productId, role: .user, caller: caller
                )
            }
            return user
        }
    }

    func insertUser(_ tx: any DirectoryWriting, draft: UserDraft, directory: Directory, caller: Caller) async throws -> User {
        if try await tx.user(directoryId: directory.id, userName: draft.userName) != nil {
            throw DirectoryError(.userNameTaken, "The userName \(draft.userName) is already taken in this directory.")
        }
        let now = environment.now()
        var user = User(id: environment.newID(), directoryId: directory.id, userName: draft.userName, created: now, lastModified: now)
        try apply(draft, to: &user)
        user.managed = try await isManaged(tx, user: user, organizationId: directory.organizationId)
        try await mapUniqueViolation(
            DirectoryError(.userNameTaken, "The userName \(draft.userName) is already taken in this directory.")
        ) {
            try await tx.insert(user)
        }
        try await record(
            tx, organizationId: directory.organizationId, caller: caller, action: "user.created",
            targetType: "user", targetId: user.id,
            payload: ["directoryId": .string(directory.id), "userName": .string(user.userName)]
        )
        return user
    }

    /// Replaces a user's attributes. The id stays, so an email or userName change keeps groups and access.
    /// `acceptedVersions`, when given, must contain the current version (optimistic concurrency, `If-Match`).
    public func replaceUser(id: String, draft: UserDraft, acceptedVersions: Set<Int>? = nil, caller: Caller) async throws -> User {
        let draft = try draft.validated()
        return try await store.write { tx in
            let user = try await requireUser(tx, id)
            let organization = try await organizationOf(tx, user: user)
            try await requireUserPermission(tx, user: user, organization: organization, caller: caller)
            if let acceptedVersions, !acceptedVersions.contains(user.version) {
                throw DirectoryError(.versionMismatch, "The user is at version \(user.version), not one the request names.")
            }
            return try await write(draft, over: user, organizationId: organization.id, caller: caller, tx: tx)
        }
    }

    /// Writes a validated draft over an existing user, with its audit entry and event: `user.updated`,
    /// `user.deactivated` (its sessions end) or `user.reactivated`, unless the caller names the action (and detail and
    /// payload) of a more particular change.
    func write(
        _ draft: UserDraft, over current: User, organizationId: String, caller: Caller, tx: any DirectoryWriting,
        action named: String? = nil, detail: String? = nil, payload: [String: JSONValue]? = nil
    ) async throws -> User {
        var user = current
        if draft.userName.lowercased() != user.userName.lowercased(),
           try await tx.user(directoryId: user.directoryId, userName: draft.userName) != nil {
            throw DirectoryError(.userNameTaken, "The userName \(draft.userName) is already taken in this directory.")
        }
        let wasActive = user.active
        try apply(draft, to: &user)
        if user.deprovisioned != nil, user.active {
            throw DirectoryError(.invalidInput, "The identity provider deleted this account; provision it again there to bring it back.")
        }
        user.managed = try await isManaged(tx, user: user, organizationId: organizationId)
        user.version += 1
        user.lastModified = environment.now()
        try await mapUniqueViolation(
            DirectoryError(.userNameTaken, "The userName \(draft.userName) is already taken in this directory.")
        ) {
            try await tx.update(user)
        }
        if (wasActive && !user.active) || draft.password != nil { _ = try await tx.revokeSessions(userId: user.id, at: environment.now()) }
        let transition = switch (wasActive, user.active) {
        case (true, false): "user.deactivated"
        case (false, true): "user.reactivated"
        default: "user.updated"
        }
        let action = named ?? transition
        try await record(
            tx, organizationId: organizationId, caller: caller, action: action, targetType: "user", targetId: user.id, detail: detail,
            payload: payload ?? ["directoryId": .string(user.directoryId), "userName": .string(user.userName)]
        )
        return user
    }

    /// Changes a user by a function of its current state, in one transaction (a SCIM PATCH): no concurrent write
    /// is lost between the read and the write.
    public func modifyUser(
        id: String, acceptedVersions: Set<Int>? = nil, caller: Caller, _ transform: @Sendable (User) throws -> UserDraft
    ) async throws -> User {
        try await store.write { tx in
            let user = try await requireUser(tx, id)
            let organization = try await organizationOf(tx, user: user)
            try await requireUserPermission(tx, user: user, organization: organization, caller: caller)
            if let acceptedVersions, !acceptedVersions.contains(user.version) {
                throw DirectoryError(.versionMismatch, "The user is at version \(user.version), not one the request names.")
            }
            let draft = try transform(user).validated()
            return try await write(draft, over: user, organizationId: organization.id, caller: caller, tx: tx)
        }
    }

    /// Deletes a user with their memberships, direct grants and sessions.
    public func deleteUser(id: String, acceptedVersions: Set<Int>? = nil, caller: Caller) async throws {
        try await store.write { tx in
            let user = try await requireUser(tx, id)
            let organization = try await organizationOf(tx, user: user)
            try await requireUserPermission(tx, user: user, organization: organization, caller: caller)
            if let acceptedVersions, !acceptedVersions.contains(user.version) {
                throw DirectoryError(.versionMismatch, "The user is at version \(user.version), not one the request names.")
            }
            // The IdP still holds the person: keep its record (with its active state and synced groups) so an admin can
            // relink it to an account.
            var unlinked: UnlinkedRecord?
            if user.deprovisioned == nil, try await requireDirectory(tx, user.directoryId).kind == .identityProvider {
                unlinked = UnlinkedRecord(
                    directoryId: user.directoryId, scimId: id, externalId: user.externalId, userName: user.userName,
                    unlinked: environment.now(), reason: "account deleted by an admin", formerAccountId: nil, active: user.active,
                    groupIds: try await tx.groups(memberId: id).filter { $0.directoryId == user.directoryId && $0.synced }.map(\.id)
                )
            }
            try await tx.deleteUser(id: id)
            if let unlinked { try await tx.insert(unlinked) }
            try await record(
                tx, organizationId: organization.id, caller: caller, action: "user.deleted", targetType: "user",
                targetId: id, payload: ["directoryId": .string(user.directoryId), "userName": .string(user.userName)]
            )
        }
    }

    /// One user the caller may manage.
    public func user(id: String, caller: Caller) async throws -> User {
        try await store.read { reader in
            let user = try await requireUser(reader, id)
            let organization = try await organizationOf(reader, user: user)
            try await requireUserPermission(reader, user: user, organization: organization, caller: caller, writing: false)
            return user
        }
    }

    /// The users of a directory (the centralized experience's Users page).
    public func users(directoryId: String, search: String? = nil, page: PageRequest, caller: Caller) async throws -> Page<User> {
        try await store.read { reader in
            let directory = try await requireDirectory(reader, directoryId)
            let organization = try await requireOrganization(reader, directory.organizationId)
            try caller.require(.manageDirectoryUsers, in: organization)
            return try await reader.users(directoryId: directoryId, search: search, page: page)
        }
    }

    /// The users with access to a site (the original experience's site Users page).
    public func users(siteId: String, search: String? = nil, page: PageRequest, caller: Caller) async throws -> Page<User> {
        try await store.read { reader in
            let site = try await requireSite(reader, siteId)
            let organization = try await requireOrganization(reader, site.organizationId)
            try caller.require(.manageSiteUsers(siteId), in: organization)
            return try await reader.users(siteId: siteId, search: search, page: page)
        }
    }

    // MARK: Rules

    func apply(_ draft: UserDraft, to user: inout User) throws {
        user.userName = draft.userName
        user.externalId = draft.externalId
        user.emails = draft.emails
        user.name = draft.name
        user.displayName = draft.displayName
        user.nickName = draft.nickName
        user.title = draft.title
        user.department = draft.department
        user.organization = draft.organization
        user.timezone = draft.timezone
        user.locale = draft.locale
        user.preferredLanguage = draft.preferredLanguage
        user.active = draft.active
        user.activeUnassigned = draft.activeUnassigned
        if let password = draft.password {
            // Hashing here keeps clear text out of everything after the domain.
            user.passwordHash = try PasswordHash.hash(password, environment: environment)
        }
        user.extensionAttributes = draft.extensionAttributes
    }

    /// A managed account has its primary email on a verified domain of the organization.
    func isManaged(_ reader: any DirectoryReading, user: User, organizationId: String) async throws -> Bool {
        guard let email = user.primaryEmail, let domain = Validation.emailDomain(email) else { return false }
        return try await reader.domains(organizationId: organizationId).contains { $0.name == domain && $0.isVerified }
    }

    func organizationOf(_ reader: any DirectoryReading, user: User) async throws -> Organization {
        let directory = try await requireDirectory(reader, user.directoryId)
        return try await requireOrganization(reader, directory.organizationId)
    }

    /// Directory-wide user admins may act on any user. In the original experience a site admin sees the users who
    /// have access to their site, and changes only users whose every site is one they manage: an account shared with
    /// another site is that site's business too.
    func requireUserPermission(
        _ reader: any DirectoryReading, user: User, organization: Organization, caller: Caller, writing: Bool = true
    ) async throws {
        if case .provisioning(let key) = caller {
            guard key.directoryId == user.directoryId, user.deprovisioned == nil else { throw DirectoryError(.notFound, "No user with id \(user.id).") }
            return
        }
        guard case .admin(let admin) = caller else { return }
        guard admin.organizationId == organization.id else {
            throw DirectoryError(.notFound, "No user with id \(user.id).")
        }
        // The account an admin signs in with: only organization admins may change it (its password, its email), or a
        // site or user access admin could sign in as an organization admin. Checked after the usual rules, so the answer
        // tells nobody which accounts are admins' unless they could manage the account anyway.
        func guardAdminAccount() async throws {
            if writing, !admin.isOrgAdmin, try await reader.admin(userId: user.id) != nil {
                throw DirectoryError(.forbidden, "This account signs an admin in to the console; only an organization admin may change it.")
            }
        }
        if AccessPolicy.allows(admin.roles, .manageDirectoryUsers, in: organization) { return try await guardAdminAccount() }
        let sites = Set(try await reader.effectiveAccess(userId: user.id).map(\.siteId))
        let managed = sites.filter { AccessPolicy.allows(admin.roles, .manageSiteUsers($0), in: organization) }
        if writing ? (!sites.isEmpty && managed == sites) : !managed.isEmpty { return try await guardAdminAccount() }
        throw DirectoryError(
            .forbidden,
            writing && !managed.isEmpty
                ? "This user also has access to sites you do not manage; an organization admin must change them."
                : "Your admin role does not allow managing this user."
        )
    }
}
