import Foundation

extension DirectoryService {
    /// The longest purge period an admin can choose.
    public static let maximumPurgeDays = 3650

    /// SCIM DELETE of a user: the provisioning record goes, the account stays. The account is deactivated (its
    /// sessions end and its access is gone at once), it leaves the directory's groups (what the IdP stated), and it
    /// is kept — for good, or until the directory's purge period ends.
    public func deprovisionUser(directoryId: String, id: String, acceptedVersions: Set<Int>? = nil, key: ApiKey) async throws {
        try await store.write { tx in
            let directory = try await requireProvisioningDirectory(tx, key, directoryId)
            guard var user = try await tx.user(id: id), user.directoryId == directoryId, user.deprovisioned == nil else {
                throw DirectoryError(.notFound, "No user with id \(id).")
            }
            if let acceptedVersions, !acceptedVersions.contains(user.version) {
                throw DirectoryError(.versionMismatch, "The user is at version \(user.version), not one the request names.")
            }
            let caller = Caller.provisioning(key)
            let now = environment.now()
            _ = try await leaveGroups(
                tx, userId: id, groups: try await tx.groups(memberId: id).filter { $0.directoryId == directoryId },
                organizationId: directory.organizationId, caller: caller, at: now
            )
            user.active = false
            user.deprovisioned = now
            user.version += 1
            user.lastModified = now
            try await tx.update(user)
            let ended = try await tx.revokeSessions(userId: id, at: now)
            try await record(
                tx, organizationId: directory.organizationId, caller: caller, action: "user.deleted", targetType: "user", targetId: id,
                detail: directory.purgeDeprovisionedAfterDays.map { "kept, deactivated; purged after \($0) days" } ?? "kept, deactivated",
                payload: [
                    "directoryId": .string(directoryId), "userName": .string(user.userName), "kept": .bool(true),
                    "purgeAfterDays": directory.purgeDeprovisionedAfterDays.map { .integer(Int64($0)) } ?? .null,
                    "sessionsEnded": .integer(Int64(ended)),
                ]
            )
        }
    }

    /// When the IdP provisions again a person whose account it deleted, that account comes back (same id, its direct
    /// grants), with the attributes the IdP sends now. The person is the same when the externalId matches, or, without
    /// externalIds on both sides, when the userName does. A deleted account that holds the userName for a *different*
    /// externalId gives the name up (it is renamed) so the new person gets an account of their own. Nil when there
    /// is no account to bring back. A live account that already has the externalId is a uniqueness error.
    func reprovision(_ tx: any DirectoryWriting, draft: UserDraft, directory: Directory, caller: Caller) async throws -> User? {
        var candidate: User?
        if let externalId = draft.externalId, let holder = try await tx.user(directoryId: directory.id, externalId: externalId) {
            guard holder.deprovisioned != nil else {
                throw DirectoryError(.alreadyExists, "The externalId \(externalId.prefix(200)) already belongs to user \(holder.id).")
            }
            candidate = holder
        }
        if candidate == nil, var named = try await tx.user(directoryId: directory.id, userName: draft.userName), named.deprovisioned != nil {
            if let old = named.externalId, let new = draft.externalId, old != new {
                let freed = "\(named.userName)#deprovisioned-\(named.id.prefix(8))"
                named.userName = freed
                named.version += 1
                try await tx.update(named)
                try await record(
                    tx, organizationId: directory.organizationId, caller: caller, action: "user.updated", targetType: "user", targetId: named.id,
                    detail: "a deleted account gave up its userName to a different person", payload: ["userName": .string(freed)]
                )
                return nil
            }
            candidate = named
        }
        guard var user = candidate else { return nil }
        user.deprovisioned = nil
        return try await write(
            draft, over: user, organizationId: directory.organizationId, caller: caller, tx: tx,
            payload: ["directoryId": .string(directory.id), "userName": .string(draft.userName), "reprovisioned": .bool(true)]
        )
    }

    /// Sets how long accounts the IdP deleted are kept: nil keeps them (deactivated) for good.
    public func setPurgePolicy(directoryId: String, purgeAfterDays: Int?, caller: Caller) async throws -> Directory {
        if let days = purgeAfterDays, !(1...Self.maximumPurgeDays).contains(days) {
            throw DirectoryError(.invalidInput, "Purge after 1 to \(Self.maximumPurgeDays) days, or keep (null).")
        }
        return try await store.write { tx in
            var directory = try await requireDirectory(tx, directoryId)
            try caller.require(.manageDirectories, in: try await requireOrganization(tx, directory.organizationId))
            guard directory.kind != .local else { throw DirectoryError(.unsupported, "The local directory is not provisioned.") }
            directory.purgeDeprovisionedAfterDays = purgeAfterDays
            try await tx.update(directory)
            try await record(
                tx, organizationId: directory.organizationId, caller: caller, action: "directory.deprovisioning_updated",
                targetType: "directory", targetId: directoryId,
                payload: ["purgeAfterDays": purgeAfterDays.map { .integer(Int64($0)) } ?? .null]
            )
            return directory
        }
    }

    /// Deletes deprovisioned accounts whose directory's purge period has passed (the maintenance service runs it);
    /// returns how many.
    public func purgeDeprovisioned() async throws -> Int {
        var purged = 0
        let directories = try await store.read { try await $0.directoriesPurgingDeprovisioned() }
        for directory in directories {
            guard let days = directory.purgeDeprovisionedAfterDays else { continue }
            let cutoff = environment.now().addingTimeInterval(-Double(days) * 86400)
            while true {
                let batch = try await store.write { tx in
                    let users = try await tx.deprovisionedUsers(directoryId: directory.id, before: cutoff, limit: 200)
                    for user in users {
                        try await tx.deleteUser(id: user.id)
                        try await record(
                            tx, organizationId: directory.organizationId, caller: .system, action: "user.purged", targetType: "user",
                            targetId: user.id, payload: ["directoryId": .string(directory.id), "userName": .string(user.userName)]
                        )
                    }
                    return users.count
                }
                purged += batch
                if batch < 200 { break }
            }
        }
        return purged
    }

    /// Disconnects an identity provider directory of members: its accounts move to the organization's local
    /// directory (same ids, so memberships and grants stay; their sessions end and the passwords the IdP could have set
    /// go), its synced groups become local groups with
    /// their grants (renamed when a local group has the name), and the connection, keys and SAML settings go.
    /// Refused, changing nothing, when an account's userName is already taken in the local directory.
    public func removeDirectory(id: String, caller: Caller) async throws {
        try await store.write { tx in
            let directory = try await requireDirectory(tx, id)
            let organization = try await requireOrganization(tx, directory.organizationId)
            try caller.require(.manageDirectories, in: organization)
            switch directory.kind {
            case .local: throw DirectoryError(.unsupported, "The local directory cannot be removed.")
            case .portalCustomers:
                // Customers are not members, so they never move to the local directory: the directory goes only empty.
                let counts = try await tx.counts(directoryId: id)
                guard counts.users == 0 else {
                    throw DirectoryError(
                        .unsupported,
                        "The portal's identity provider still has \(counts.users) customer accounts; delete them first (customers are never merged into members)."
                    )
                }
                let groups = try await allPages { try await tx.groups(directoryId: id, search: nil, grantingOnSites: nil, page: $0) }
                for group in groups {
                    try await revokeGrantsOf(tx, groupId: group.id, caller: caller)
                    try await tx.deleteGroup(id: group.id)
                }
                try await tx.deleteDirectory(id: id)
                try await record(
                    tx, organizationId: organization.id, caller: caller, action: "directory.disconnected", targetType: "directory", targetId: id,
                    payload: ["name": .string(directory.name), "portalSiteId": directory.portalSiteId.map { .string($0) } ?? .null,
                              "customerOrganizationsRemoved": .integer(Int64(groups.count))]
                )
                return
            case .identityProvider: break
            }
            let local = try await requireLocalDirectory(tx, organizationId: organization.id)
            let users = try await allPages { try await tx.users(directoryId: id, search: nil, page: $0) }
            var clashes: [String] = []
            for user in users where try await tx.user(directoryId: local.id, userName: user.userName) != nil {
                clashes.append(user.userName)
            }
            guard clashes.isEmpty else {
                throw DirectoryError(
                    .alreadyExists,
                    "\(clashes.count) accounts have the userName of a local account (\(clashes.prefix(5).joined(separator: ", "))); rename or remove those first."
                )
            }
            var unbound = 0
            for user in users {
                try await tx.move(user, toDirectory: local.id)
                // The IdP could set these accounts' passwords over SCIM: none becomes a local password. An admin bound to
                // one of them was trusting that IdP: the admin is unbound (an org admin binds again, with a new password).
                if user.passwordHash != nil {
                    var moved = user
                    moved.directoryId = local.id
                    moved.passwordHash = nil
                    try await tx.update(moved)
                }
                _ = try await tx.revokeSessions(userId: user.id, at: environment.now())
                if try await unbindAdmin(
                    tx, signingInWith: user.id, organizationId: organization.id, caller: caller,
                    reason: "its account's identity provider \(directory.name) was disconnected"
                ) { unbound += 1 }
            }
            let groups = try await allPages { try await tx.groups(directoryId: id, search: nil, grantingOnSites: nil, page: $0) }
            for group in groups {
                var name = group.displayName
                var suffix = 1
                while try await tx.group(directoryId: local.id, displayName: name) != nil {
                    name = suffix == 1 ? "\(group.displayName) (\(directory.name))" : "\(group.displayName) (\(directory.name) \(suffix))"
                    suffix += 1
                }
                try await tx.move(group, toDirectory: local.id, displayName: name)
            }
            try await tx.deleteDirectory(id: id)
            try await record(
                tx, organizationId: organization.id, caller: caller, action: "directory.disconnected", targetType: "directory", targetId: id,
                payload: ["name": .string(directory.name), "accountsKept": .integer(Int64(users.count)), "adminsUnbound": .integer(Int64(unbound)),
                          "groupsConverted": .integer(Int64(groups.count)), "into": .string(local.id)]
            )
        }
    }

    /// A provisioned user whose email is that of exactly one account of the organization's local directory is that
    /// account: it moves into the IdP directory (same id, so its groups, access and sessions stay) and takes the
    /// IdP's attributes, instead of a second account being made. Nil when there is no such single account.
    func link(_ tx: any DirectoryWriting, draft: UserDraft, directory: Directory, caller: Caller) async throws -> User? {
        guard directory.kind == .identityProvider else { return nil }
        let email = draft.emails.first(where: \.primary)?.value ?? draft.emails.first?.value ?? (draft.userName.contains("@") ? draft.userName : nil)
        // Only where the organization proved it owns the email's domain: otherwise any IdP of the organization could
        // take over a local account by naming its email.
        guard let email, let at = email.lastIndex(of: "@"),
              let domain = try await tx.verifiedDomain(name: String(email[email.index(after: at)...])),
              domain.organizationId == directory.organizationId,
              let local = try await tx.directories(organizationId: directory.organizationId).first(where: { $0.kind == .local })
        else { return nil }
        let matches = try await tx.users(organizationId: directory.organizationId, email: email).filter { $0.directoryId == local.id }
        guard matches.count == 1, let existing = matches.first else { return nil }
        // Never: an account an admin unlinked from this directory's person (it was the wrong one), or the account an
        // admin signs in to the console with (the IdP would take over an admin).
        if try await tx.wasUnlinked(accountId: existing.id, directoryId: directory.id) { return nil }
        if try await tx.admin(userId: existing.id) != nil { return nil }
        // Both names must be free in the IdP directory: the account moves in under its own, then takes the IdP's.
        if try await tx.user(directoryId: directory.id, userName: draft.userName) != nil { return nil }
        if try await tx.user(directoryId: directory.id, userName: existing.userName) != nil { return nil }
        try await tx.move(existing, toDirectory: directory.id)
        var moved = existing
        moved.directoryId = directory.id
        return try await write(
            draft, over: moved, organizationId: directory.organizationId, caller: caller, tx: tx, action: "user.linked",
            detail: "provisioned by \(directory.name); matched the local account by email",
            payload: ["directoryId": .string(directory.id), "fromDirectoryId": .string(local.id), "email": .string(email)]
        )
    }
}
