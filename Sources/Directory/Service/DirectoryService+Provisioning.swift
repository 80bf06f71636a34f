import Foundation
import SCIM

/// What a provisioning write did to a group's members: how many joined and left.
public struct MembershipOutcome: Sendable, Hashable {
    public var added: Int
    public var removed: Int

    public init(added: Int = 0, removed: Int = 0) {
        self.added = added
        self.removed = removed
    }
}

/// Provisioning use cases: what an identity provider does over SCIM with one directory's API key.
/// Every call is scoped to the key's directory; ids of other directories are "not found".
extension DirectoryService {
    func requireProvisioningDirectory(_ reader: any DirectoryReading, _ key: ApiKey, _ directoryId: String) async throws -> Directory {
        guard key.directoryId == directoryId else { throw DirectoryError(.notFound, "No directory with id \(directoryId).") }
        let directory = try await requireDirectory(reader, directoryId)
        guard directory.acceptsProvisioning else {
            throw DirectoryError(.unsupported, "This directory's identity provider does not provision over SCIM.")
        }
        return directory
    }

    // MARK: Users

    /// A SCIM list of the directory's users.
    public func provisionedUsers(directoryId: String, query: ListQuery, key: ApiKey) async throws -> Page<User> {
        try await store.read { reader in
            _ = try await requireProvisioningDirectory(reader, key, directoryId)
            return try await reader.users(directoryId: directoryId, query: query)
        }
    }

    /// One user of the directory.
    public func provisionedUser(directoryId: String, id: String, key: ApiKey) async throws -> User {
        try await store.read { reader in
            _ = try await requireProvisioningDirectory(reader, key, directoryId)
            guard let user = try await reader.user(id: id), user.directoryId == directoryId, user.deprovisioned == nil else {
                throw DirectoryError(.notFound, "No user with id \(id).")
            }
            return user
        }
    }

    /// Creates a user from the identity provider.
    public func provisionUser(directoryId: String, draft: UserDraft, key: ApiKey) async throws -> User {
        let draft = try draft.validated()
        return try await store.write { tx in
            let directory = try await requireProvisioningDirectory(tx, key, directoryId)
            // The IdP creating the person again retires the record it held for them before. An account an admin unlinked
            // from that record was the wrong person: it is not linked back by email.
            _ = try await tx.retireUnlinkedRecords(
                directoryId: directoryId, externalId: draft.externalId, userName: draft.userName, at: environment.now()
            )
            if let returning = try await reprovision(tx, draft: draft, directory: directory, caller: .provisioning(key)) { return returning }
            if let linked = try await link(tx, draft: draft, directory: directory, caller: .provisioning(key)) { return linked }
            return try await insertUser(tx, draft: draft, directory: directory, caller: .provisioning(key))
        }
    }

    // MARK: Groups

    /// A SCIM list of the directory's groups.
    public func provisionedGroups(directoryId: String, query: ListQuery, key: ApiKey) async throws -> Page<Group> {
        try await store.read { reader in
            _ = try await requireProvisioningDirectory(reader, key, directoryId)
            return try await reader.groups(directoryId: directoryId, query: query)
        }
    }

    /// One group of the directory.
    public func provisionedGroup(directoryId: String, id: String, key: ApiKey) async throws -> Group {
        try await store.read { reader in
            _ = try await requireProvisioningDirectory(reader, key, directoryId)
            guard let group = try await reader.group(id: id), group.directoryId == directoryId else {
                throw DirectoryError(.notFound, "No group with id \(id).")
            }
            return group
        }
    }

    /// One page of a group's members for its SCIM representation, after the member id `after`.
    public func provisionedMembers(groupId: String, after: String?, limit: Int, key: ApiKey) async throws -> [Membership] {
        try await store.read { reader in
            guard let group = try await reader.group(id: groupId), group.directoryId == key.directoryId else {
                throw DirectoryError(.notFound, "No group with id \(groupId.prefix(100)).")
            }
            return try await reader.members(groupId: groupId, after: after, limit: limit)
        }
    }

    /// Creates a synced group with its first members.
    public func provisionGroup(
        directoryId: String, displayName: String, externalId: String?, members: [MemberReference], key: ApiKey
    ) async throws -> Group {
        let displayName = try Validation.name(displayName, field: "displayName")
        // Group names are not unique in SCIM (RFC 7643 §4.2); Entra ID has groups of one name.
        return try await store.write { tx in
                let directory = try await requireProvisioningDirectory(tx, key, directoryId)
                let now = environment.now()
                var group = Group(
                    id: environment.newID(), directoryId: directoryId, displayName: displayName, externalId: externalId,
                    synced: true, created: now, lastModified: now
                )
                try await tx.insert(group)
                try await record(
                    tx, organizationId: directory.organizationId, caller: .provisioning(key), action: "group.created",
                    targetType: "group", targetId: group.id,
                    payload: ["directoryId": .string(directoryId), "displayName": .string(displayName)]
                )
                _ = try await applyMemberChanges(tx, group: &group, directory: directory, changes: [.add(members)], caller: .provisioning(key))
                try await detectConflict(tx, synced: group, organizationId: directory.organizationId, caller: .provisioning(key))
                return group
        }
    }

    /// Changes a synced group: its name and external id, and its members by the given changes, in one transaction.
    /// `acceptedVersions`, when given, must contain the current version.
    public func updateProvisionedGroup(
        directoryId: String, id: String, displayName: String?, externalId: String??, changes: [MemberChange],
        acceptedVersions: Set<Int>? = nil, key: ApiKey
    ) async throws -> (Group, MembershipOutcome) {
        let newName = try displayName.map { try Validation.name($0, field: "displayName") }
        return try await store.write { tx in
                let directory = try await requireProvisioningDirectory(tx, key, directoryId)
                guard var group = try await tx.group(id: id), group.directoryId == directoryId else {
                    throw DirectoryError(.notFound, "No group with id \(id).")
                }
                if let acceptedVersions, !acceptedVersions.contains(group.version) {
                    throw DirectoryError(.versionMismatch, "The group is at version \(group.version), not one the request names.")
                }
                var renamed = false
                if let newName, newName != group.displayName {
                    group.displayName = newName
                    renamed = true
                }
                if let externalId, externalId != group.externalId {
                    group.externalId = externalId
                    renamed = true
                }
                if renamed {
                    group.version += 1
                    group.lastModified = environment.now()
                    try await tx.update(group)
                    try await record(
                        tx, organizationId: directory.organizationId, caller: .provisioning(key), action: "group.updated",
                        targetType: "group", targetId: group.id, payload: ["displayName": .string(group.displayName)]
                    )
                }
                let outcome = try await applyMemberChanges(tx, group: &group, directory: directory, changes: changes, caller: .provisioning(key))
                return (group, outcome)
        }
    }

    /// Deletes a synced group; memberships and grants go with it.
    public func deleteProvisionedGroup(directoryId: String, id: String, acceptedVersions: Set<Int>? = nil, key: ApiKey) async throws {
        try await store.write { tx in
            let directory = try await requireProvisioningDirectory(tx, key, directoryId)
            guard let group = try await tx.group(id: id), group.directoryId == directoryId else {
                throw DirectoryError(.notFound, "No group with id \(id).")
            }
            if let acceptedVersions, !acceptedVersions.contains(group.version) {
                throw DirectoryError(.versionMismatch, "The group is at version \(group.version), not one the request names.")
            }
            try await revokeGrantsOf(tx, groupId: id, caller: .provisioning(key))
            try await tx.deleteGroup(id: id)
            try await record(
                tx, organizationId: directory.organizationId, caller: .provisioning(key), action: "group.deleted",
                targetType: "group", targetId: id, payload: ["displayName": .string(group.displayName)]
            )
        }
    }

    /// Applies member changes row by row: the cost follows the change, not the group's size. Writes one event per
    /// member added or removed (in SQL for whole-list changes) and one audit entry for the request.
    func applyMemberChanges(
        _ tx: any DirectoryWriting, group: inout Group, directory: Directory, changes: [MemberChange], caller: Caller
    ) async throws -> MembershipOutcome {
        var outcome = MembershipOutcome()
        let now = environment.now()
        let actor = caller.actor.description
        var events: [Event] = []
        func memberEvents(_ type: String, _ ids: [String]) -> [Event] {
            ids.map { member in
                Event(id: environment.newID(), organizationId: directory.organizationId, type: type, subjectType: "group",
                      subjectId: group.id, payload: ["memberId": .string(member), "actor": .string(actor)], created: now)
            }
        }
        let template = MemberEventTemplate(organizationId: directory.organizationId, actor: actor, created: now)
        for change in changes {
            switch change {
            case .add(let references):
                let added = try await tx.insertMemberships(try await resolveMembers(tx, references, group: group))
                outcome.added += added.count
                events += memberEvents("group.member_added", added)
            case .remove(let ids):
                let removed = try await tx.deleteMemberships(groupId: group.id, memberIds: ids)
                outcome.removed += removed.count
                events += memberEvents("group.member_removed", removed)
            case .removeAll:
                outcome.removed += try await tx.replaceMemberships(groupId: group.id, with: [], events: template).removed
            case .replace(let references):
                let memberships = try await resolveMembers(tx, references, group: group)
                let (added, removed) = try await tx.replaceMemberships(groupId: group.id, with: memberships, events: template)
                outcome.added += added
                outcome.removed += removed
            }
        }
        guard outcome.added > 0 || outcome.removed > 0 else { return outcome }
        group.version += 1
        group.lastModified = now
        try await tx.update(group)
        try await tx.append(events: events)
        try await tx.append(AuditEntry(
            id: environment.newID(), organizationId: directory.organizationId, at: now, actor: actor,
            action: "group.members_changed", targetType: "group", targetId: group.id,
            detail: "\(outcome.added) added, \(outcome.removed) removed"
        ))
        return outcome
    }

    /// Checks that every referenced member is a user or group of the group's directory and that no group would
    /// contain itself.
    private func resolveMembers(_ tx: any DirectoryWriting, _ references: [MemberReference], group: Group) async throws -> [Membership] {
        guard !references.isEmpty else { return [] }
        let ids = references.map(\.value)
        let users = try await tx.existingUserIds(directoryId: group.directoryId, ids: ids)
        let groups = try await tx.existingGroupIds(directoryId: group.directoryId, ids: ids.filter { !users.contains($0) })
        var memberships: [Membership] = []
        var seen = Set<String>()
        var ancestorsOfGroup: Set<String>?
        for reference in references where seen.insert(reference.value).inserted {
            if users.contains(reference.value), reference.type?.lowercased() != "group" {
                memberships.append(Membership(groupId: group.id, memberId: reference.value, memberKind: .user))
            } else if groups.contains(reference.value), reference.type?.lowercased() != "user" {
                if ancestorsOfGroup == nil {
                    // Two concurrent nestings could each pass the check and together make a cycle.
                    try await tx.lock("group-nesting:\(group.directoryId)")
                    ancestorsOfGroup = try await ancestors(tx, of: group.id).union([group.id])
                }
                if ancestorsOfGroup?.contains(reference.value) == true {
                    throw DirectoryError(.invalidInput, "Adding the group \(reference.value) would make a cycle of groups.")
                }
                memberships.append(Membership(groupId: group.id, memberId: reference.value, memberKind: .group))
            } else {
                throw DirectoryError(.invalidInput, "No \(reference.type ?? "user or group") with id \(reference.value) in this directory.")
            }
        }
        return memberships
    }
}
