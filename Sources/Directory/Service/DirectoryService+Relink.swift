import Foundation

extension DirectoryService {
    /// The provisioning records of an identity provider directory that no longer reach an account, newest first.
    public func unlinkedRecords(directoryId: String, caller: Caller) async throws -> [UnlinkedRecord] {
        try await store.read { reader in
            let directory = try await requireDirectory(reader, directoryId)
            try caller.require(.manageDirectories, in: try await requireOrganization(reader, directory.organizationId))
            return try await reader.unlinkedRecords(directoryId: directoryId)
        }
    }

    /// Takes an account out of its identity provider directory without deleting it: the account gets a new id and
    /// moves to the organization's local directory (its groups, access and history stay; its sessions end), and the
    /// IdP's record is kept as an unlinked record, to be relinked to the right account. For an account that was linked
    /// to the wrong person.
    public func unlinkUser(id: String, caller: Caller) async throws -> User {
        try await mapUniqueViolation(DirectoryError(.alreadyExists, "The account changed while unlinking; reload and try again.")) {
          try await store.write { tx in
            let user = try await requireUser(tx, id)
            let directory = try await requireDirectory(tx, user.directoryId)
            let organization = try await requireOrganization(tx, directory.organizationId)
            try caller.require(.manageDirectories, in: organization)
            guard directory.kind == .identityProvider, user.deprovisioned == nil else {
                throw DirectoryError(.unsupported, "Only an account an identity provider provisions can be unlinked from it.")
            }
            let local = try await requireLocalDirectory(tx, organizationId: organization.id)
            if try await tx.user(directoryId: local.id, userName: user.userName) != nil {
                throw DirectoryError(.userNameTaken, "The local directory already has an account named \(user.userName); rename it first.")
            }
            // The IdP's groups were the IdP's statement about its person, not about this account: the account leaves them
            // (so their access goes), and the record remembers them for a relink.
            let now = environment.now()
            let syncedGroupIds = try await leaveGroups(
                tx, userId: user.id, groups: try await tx.groups(memberId: user.id).filter { $0.directoryId == directory.id && $0.synced },
                organizationId: organization.id, caller: caller, at: now
            )
            var detached = user
            detached.directoryId = local.id
            detached.externalId = nil
            // The IdP could set this account's password over SCIM: it must not become a local password. And if the
            // account signed an admin in, it was the IdP's account: the admin is unbound (an org admin binds again).
            detached.passwordHash = nil
            _ = try await unbindAdmin(
                tx, signingInWith: user.id, organizationId: organization.id, caller: caller,
                reason: "its account was unlinked from \(directory.name)"
            )
            detached.version += 1
            detached.lastModified = now
            let moved = try await tx.rekey(detached, to: environment.newID())
            try await tx.insert(UnlinkedRecord(
                directoryId: directory.id, scimId: user.id, externalId: user.externalId, userName: user.userName,
                unlinked: now, reason: "unlinked by an admin", formerAccountId: moved.id, active: user.active, groupIds: syncedGroupIds
            ))
            try await record(
                tx, organizationId: organization.id, caller: caller, action: "user.unlinked", targetType: "user", targetId: moved.id,
                detail: "taken out of \(directory.name); its provisioning record waits to be relinked",
                payload: ["previousId": .string(user.id), "directoryId": .string(directory.id), "intoDirectoryId": .string(local.id)]
            )
            return moved
          }
        }
    }

    /// Relinks an unlinked provisioning record to an account of the organization: the account takes the record's SCIM
    /// id (products learn the change from the `user.relinked` event, which names both ids), moves into the identity
    /// provider directory with the record's userName and externalId, and is active; its groups and access stay; its
    /// sessions end. Refused for an account another identity provider provisions, or one this directory provisions
    /// under a record of its own.
    public func relink(directoryId: String, scimId: String, userId: String, caller: Caller) async throws -> User {
        // Two admins relinking at once: the loser's account changed under it (or the record is gone) — a conflict.
        try await mapUniqueViolation(DirectoryError(.alreadyExists, "The record or the account changed while relinking; reload and try again.")) {
          try await store.write { tx in
            let directory = try await requireDirectory(tx, directoryId)
            let organization = try await requireOrganization(tx, directory.organizationId)
            try caller.require(.manageDirectories, in: organization)
            guard let unlinked = try await tx.unlinkedRecord(directoryId: directoryId, scimId: scimId) else {
                throw DirectoryError(.notFound, "No unlinked provisioning record \(scimId.prefix(100)) in this directory.")
            }
            try Self.requirePlainID(userId, "user")
            guard var account = try await tx.user(id: userId) else { throw DirectoryError(.notFound, "No user with id \(userId.prefix(100)).") }
            let home = try await requireDirectory(tx, account.directoryId)
            guard home.organizationId == organization.id else { throw DirectoryError(.notFound, "No user with id \(userId.prefix(100)).") }
            switch home.kind {
            case .local: break
            case .portalCustomers:
                throw DirectoryError(.unsupported, "A portal-only customer cannot become a member account.")
            case .identityProvider where home.id != directoryId:
                // Another IdP may still provision it again (it keeps its record there): never make one person two accounts.
                throw DirectoryError(.alreadyExists, "\(account.userName) belongs to \(home.name); unlink it there first.")
            case .identityProvider where account.deprovisioned == nil:
                throw DirectoryError(.alreadyExists, "\(account.userName) already has a provisioning record of its own in this directory.")
            case .identityProvider: break
            }
            if try await tx.admin(userId: account.id) != nil {
                throw DirectoryError(.alreadyExists, "\(account.userName) signs an admin in to the console; it is never handed to an identity provider.")
            }
            if let holder = try await tx.user(directoryId: directoryId, userName: unlinked.userName), holder.id != account.id {
                throw DirectoryError(.userNameTaken, "\(holder.userName) is already an account of this directory (\(holder.id)).")
            }
            if let externalId = unlinked.externalId, let holder = try await tx.user(directoryId: directoryId, externalId: externalId),
               holder.id != account.id, holder.deprovisioned == nil {
                throw DirectoryError(.alreadyExists, "The externalId \(externalId.prefix(200)) already belongs to \(holder.userName).")
            }
            guard try await tx.deleteUnlinkedRecord(directoryId: directoryId, scimId: scimId) else {
                throw DirectoryError(.notFound, "No unlinked provisioning record \(scimId.prefix(100)) in this directory.")
            }
            let previousId = account.id
            account.directoryId = directoryId
            account.userName = unlinked.userName
            account.externalId = unlinked.externalId
            account.active = unlinked.active
            account.deprovisioned = nil
            account.managed = try await isManaged(tx, user: account, organizationId: organization.id)
            account.version += 1
            account.lastModified = environment.now()
            let relinked = try await tx.rekey(account, to: scimId)
            // Back in the synced groups the IdP had the person in, as far as they remain.
            for groupId in unlinked.groupIds {
                guard var group = try await tx.group(id: groupId), group.directoryId == directoryId, group.synced,
                      try await tx.insert(Membership(groupId: groupId, memberId: scimId, memberKind: .user))
                else { continue }
                group.version += 1
                group.lastModified = environment.now()
                try await tx.update(group)
                try await record(
                    tx, organizationId: organization.id, caller: caller, action: "group.member_added", targetType: "group",
                    targetId: groupId, payload: ["memberId": .string(scimId), "memberKind": .string("user")]
                )
            }
            try await record(
                tx, organizationId: organization.id, caller: caller, action: "user.relinked", targetType: "user", targetId: scimId,
                detail: "the provisioning record of \(unlinked.userName) in \(directory.name) now reaches this account",
                payload: ["previousId": .string(previousId), "directoryId": .string(directoryId), "fromDirectoryId": .string(home.id)]
            )
            return relinked
          }
        }
    }

    /// The organization's accounts with this email (any directory), for an admin choosing the account to relink.
    public func accounts(organizationId: String, email: String, caller: Caller) async throws -> [User] {
        try await store.read { reader in
            try caller.require(.manageDirectories, in: try await requireOrganization(reader, organizationId))
            return try await reader.users(organizationId: organizationId, email: email)
        }
    }
}
