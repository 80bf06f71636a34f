import Foundation

extension DirectoryService {
    /// Creates a local (not synced) group in a directory. Group names are unique per directory, case-insensitively.
    public func createGroup(directoryId: String, displayName: String, caller: Caller) async throws -> Group {
        let displayName = try Validation.name(displayName, field: "displayName")
        return try await mapUniqueViolation(
            DirectoryError(.alreadyExists, "A group named \"\(displayName)\" already exists in this directory.")
        ) {
            try await store.write { tx in
                let directory = try await requireDirectory(tx, directoryId)
                let organization = try await requireOrganization(tx, directory.organizationId)
                try caller.require(.manageDirectoryUsers, in: organization)
                if try await tx.group(directoryId: directoryId, displayName: displayName) != nil {
                    throw DirectoryError(.alreadyExists, "A group named \"\(displayName)\" already exists in this directory.")
                }
                let now = environment.now()
                let group = Group(
                    id: environment.newID(), directoryId: directoryId, displayName: displayName, synced: false,
                    created: now, lastModified: now
                )
                try await tx.insert(group)
                try await record(
                    tx, organizationId: organization.id, caller: caller, action: "group.created", targetType: "group",
                    targetId: group.id, payload: ["directoryId": .string(directoryId), "displayName": .string(displayName)]
                )
                return group
            }
        }
    }

    /// One group.
    public func group(id: String, caller: Caller) async throws -> Group {
        try await store.read { reader in
            let group = try await requireGroup(reader, id)
            let directory = try await requireDirectory(reader, group.directoryId)
            let organization = try await requireOrganization(reader, directory.organizationId)
            try await requireSeeing(group, reader, caller: caller, in: organization)
            return group
        }
    }

    /// The sites whose groups alone a caller may see, nil when it sees every group of the organization: an admin
    /// whose roles are all site-scoped (a site admin, a site's user access admin) sees only the groups that grant
    /// access on their sites.
    func groupSites(_ caller: Caller, in organization: Organization) -> [String]? {
        guard case .admin(let admin) = caller, admin.organizationId == organization.id else { return nil }
        if admin.roles.contains(where: { $0.siteId == nil }) { return nil }
        return admin.roles.compactMap(\.siteId)
    }

    func requireSeeing(_ group: Group, _ reader: any DirectoryReading, caller: Caller, in organization: Organization) async throws {
        try caller.require(.viewOrganization, in: organization)
        if let sites = groupSites(caller, in: organization), !(try await reader.groupGrants(groupId: group.id, onSites: sites)) {
            throw DirectoryError(.notFound, "No group with id \(group.id.prefix(100)).")
        }
    }

    /// The groups of a directory.
    public func groups(directoryId: String, search: String? = nil, page: PageRequest, caller: Caller) async throws -> Page<Group> {
        try await store.read { reader in
            let directory = try await requireDirectory(reader, directoryId)
            let organization = try await requireOrganization(reader, directory.organizationId)
            try caller.require(.viewOrganization, in: organization)
            return try await reader.groups(directoryId: directoryId, search: search, grantingOnSites: groupSites(caller, in: organization), page: page)
        }
    }

    /// The members of a group, one page at a time.
    public func members(groupId: String, page: PageRequest, caller: Caller) async throws -> Page<Membership> {
        try await store.read { reader in
            let group = try await requireGroup(reader, groupId)
            let directory = try await requireDirectory(reader, group.directoryId)
            let organization = try await requireOrganization(reader, directory.organizationId)
            try await requireSeeing(group, reader, caller: caller, in: organization)
            return try await reader.members(groupId: groupId, page: page)
        }
    }

    /// Deletes a local group; its memberships and grants go with it.
    public func deleteGroup(id: String, caller: Caller) async throws {
        try await store.write { tx in
            let (group, organization) = try await requireEditableGroup(tx, id, caller: caller)
            try await revokeGrantsOf(tx, groupId: id, caller: caller)
            try await tx.deleteGroup(id: id)
            try await record(
                tx, organizationId: organization.id, caller: caller, action: "group.deleted", targetType: "group",
                targetId: id, payload: ["directoryId": .string(group.directoryId), "displayName": .string(group.displayName)]
            )
        }
    }

    /// Records the grants a group's deletion takes away (the rows go with the group): consumers of events see each
    /// `access.revoked`.
    func revokeGrantsOf(_ tx: any DirectoryWriting, groupId: String, caller: Caller) async throws {
        for grant in try await tx.accessGrants(principal: .group(groupId)) {
            try await deleteGrant(tx, grant, caller: caller, reason: "group deleted")
        }
    }

    /// Adds a user or a group to a group of the same directory. A group never contains itself, directly or not.
    public func addMember(groupId: String, member: Membership.MemberKind, memberId: String, caller: Caller) async throws {
        try await store.write { tx in
            var (group, organization) = try await requireEditableGroup(tx, groupId, caller: caller)
            let memberDirectory: String
            switch member {
            case .user:
                memberDirectory = try await requireUser(tx, memberId).directoryId
            case .group:
                memberDirectory = try await requireGroup(tx, memberId).directoryId
                // Two concurrent nestings could each pass the check and together make a cycle.
                try await tx.lock("group-nesting:\(group.directoryId)")
                if try await ancestors(tx, of: groupId).union([groupId]).contains(memberId) {
                    throw DirectoryError(.invalidInput, "Adding this group would make a cycle of groups.")
                }
            }
            guard memberDirectory == group.directoryId else {
                throw DirectoryError(.invalidInput, "Members must come from the group's own directory.")
            }
            guard try await tx.insert(Membership(groupId: groupId, memberId: memberId, memberKind: member)) else { return }
            group.version += 1
            group.lastModified = environment.now()
            try await tx.update(group)
            try await record(
                tx, organizationId: organization.id, caller: caller, action: "group.member_added", targetType: "group",
                targetId: groupId, payload: ["memberId": .string(memberId), "memberKind": .string(member.rawValue)]
            )
        }
    }

    /// Removes a member from a group; removing a non-member is not an error.
    public func removeMember(groupId: String, memberId: String, caller: Caller) async throws {
        try await store.write { tx in
            var (group, organization) = try await requireEditableGroup(tx, groupId, caller: caller)
            guard try await tx.deleteMembership(groupId: groupId, memberId: memberId) else { return }
            group.version += 1
            group.lastModified = environment.now()
            try await tx.update(group)
            try await record(
                tx, organizationId: organization.id, caller: caller, action: "group.member_removed", targetType: "group",
                targetId: groupId, payload: ["memberId": .string(memberId)]
            )
        }
    }

    /// Groups that contain `groupId`, directly or through other groups.
    func ancestors(_ reader: any DirectoryReading, of groupId: String) async throws -> Set<String> {
        var seen = Set<String>()
        var frontier = [groupId]
        while let next = frontier.popLast() {
            for parent in try await reader.groups(memberId: next) where seen.insert(parent.id).inserted {
                frontier.append(parent.id)
            }
        }
        return seen
    }

    /// Synced groups change only through their identity provider.
    func requireEditableGroup(
        _ reader: any DirectoryReading, _ id: String, caller: Caller
    ) async throws -> (Group, Organization) {
        let group = try await requireGroup(reader, id)
        let directory = try await requireDirectory(reader, group.directoryId)
        let organization = try await requireOrganization(reader, directory.organizationId)
        try caller.require(.manageDirectoryUsers, in: organization)
        if group.synced, case .admin = caller {
            throw DirectoryError(.forbidden, "This group is synced from \(directory.name); change it in the identity provider.")
        }
        return (group, organization)
    }
}
