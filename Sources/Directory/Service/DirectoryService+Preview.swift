import Foundation

/// A change to grants an admin is about to make, for a dry run.
public enum GrantChange: Sendable, Hashable {
    case grant(AccessGrant.Principal, productId: String, role: ProductRole)
    case revoke(grantId: String)
}

extension DirectoryService {
    // MARK: Dry runs

    /// Who would gain, lose or change which product on which site if the change were made; nothing is written.
    public func previewGrantChange(_ change: GrantChange, caller: Caller) async throws -> [AccessChange] {
        try await store.read { reader in
            switch change {
            case .grant(let principal, let productId, let role):
                guard let product = try await reader.product(id: productId) else { throw DirectoryError(.notFound, "No product with id \(productId).") }
                let site = try await requireSite(reader, product.siteId)
                try caller.require(.manageAccess(site.id), in: try await requireOrganization(reader, site.organizationId))
                let grant = AccessGrant(
                    id: "preview", organizationId: site.organizationId, principal: principal, siteId: site.id, productId: productId,
                    role: role, created: environment.now()
                )
                let users = try await reachedUsers(reader, principal)
                return try await accessDiff(reader, userIds: users, products: [productId]) { _, grants in grants + [grant] }
            case .revoke(let grantId):
                guard let grant = try await reader.accessGrant(id: grantId) else { throw DirectoryError(.notFound, "No access grant with id \(grantId).") }
                try caller.require(.manageAccess(grant.siteId), in: try await requireOrganization(reader, grant.organizationId))
                let users = try await reachedUsers(reader, grant.principal)
                return try await accessDiff(reader, userIds: users, products: [grant.productId]) { _, grants in grants.filter { $0.id != grantId } }
            }
        }
    }

    func reachedUsers(_ reader: any DirectoryReading, _ principal: AccessGrant.Principal) async throws -> [String] {
        switch principal {
        case .user(let id): [id]
        case .group(let id): try await reader.reachedUserIds(groupId: id)
        }
    }

    /// Each active user's best role per product now and after `transform` rewrites the grants reaching them.
    func accessDiff(
        _ reader: any DirectoryReading, userIds: [String], products: Set<String>,
        transform: (String, [AccessGrant]) -> [AccessGrant]
    ) async throws -> [AccessChange] {
        func best(_ grants: [AccessGrant], _ productId: String) -> (ProductRole, String)? {
            grants.filter { $0.productId == productId }.max { $0.role < $1.role }.map { ($0.role, $0.siteId) }
        }
        var changes: [AccessChange] = []
        for userId in Set(userIds).sorted() {
            guard let user = try await reader.user(id: userId), user.active else { continue }
            let now = try await reader.grantsReaching(userId: userId)
            let then = transform(userId, now)
            for productId in products.sorted() {
                let before = best(now, productId), after = best(then, productId)
                guard before?.0 != after?.0, let siteId = before?.1 ?? after?.1 else { continue }
                changes.append(AccessChange(
                    userId: userId, userName: user.userName, siteId: siteId, productId: productId, before: before?.0, after: after?.0
                ))
            }
        }
        return changes
    }

    // MARK: Synced groups that clash with local groups

    /// Holds a new synced group as a conflict when a local group of the organization has its name.
    func detectConflict(_ tx: any DirectoryWriting, synced group: Group, organizationId: String, caller: Caller) async throws {
        guard let local = try await tx.directories(organizationId: organizationId).first(where: { $0.kind == .local }),
              let twin = try await tx.group(directoryId: local.id, displayName: group.displayName)
        else { return }
        let conflict = GroupConflict(
            id: environment.newID(), organizationId: organizationId, syncedGroupId: group.id, localGroupId: twin.id, created: environment.now()
        )
        try await tx.insert(conflict)
        try await record(
            tx, organizationId: organizationId, caller: caller, action: "group.conflict_detected", targetType: "group_conflict",
            targetId: conflict.id, detail: "synced group \(group.displayName) has the name of a local group",
            payload: ["syncedGroupId": .string(group.id), "localGroupId": .string(twin.id)]
        )
    }

    public func groupConflicts(organizationId: String, status: GroupConflict.Status?, caller: Caller) async throws -> [GroupConflict] {
        try await store.read { reader in
            try caller.require(.viewOrganization, in: try await requireOrganization(reader, organizationId))
            return try await reader.groupConflicts(organizationId: organizationId, status: status)
        }
    }

    /// The conflict and what merging would do: the local group's grants move to the synced group and the local group
    /// goes, so the synced group's members gain its access and members only of the local group lose it.
    public func groupConflict(id: String, caller: Caller) async throws -> (GroupConflict, [AccessChange]) {
        try await store.read { reader in
            let conflict = try await requireConflict(reader, id, caller: caller)
            return (conflict, try await mergePreview(reader, conflict))
        }
    }

    private func requireConflict(_ reader: any DirectoryReading, _ id: String, caller: Caller) async throws -> GroupConflict {
        guard let conflict = try await reader.groupConflict(id: id) else { throw DirectoryError(.notFound, "No group conflict with id \(id.prefix(100)).") }
        try caller.require(.manageDirectoryUsers, in: try await requireOrganization(reader, conflict.organizationId))
        return conflict
    }

    private func mergePreview(_ reader: any DirectoryReading, _ conflict: GroupConflict) async throws -> [AccessChange] {
        let localGrants = try await reader.accessGrants(principal: .group(conflict.localGroupId))
        let syncedMembers = Set(try await reader.reachedUserIds(groupId: conflict.syncedGroupId))
        let users = Array(syncedMembers) + (try await reader.reachedUserIds(groupId: conflict.localGroupId))
        return try await accessDiff(reader, userIds: users, products: Set(localGrants.map(\.productId))) { userId, grants in
            var after = grants.filter { $0.principal != .group(conflict.localGroupId) }
            if syncedMembers.contains(userId) {
                after += localGrants.map { grant in
                    var moved = grant
                    moved.principal = .group(conflict.syncedGroupId)
                    return moved
                }
            }
            return after
        }
    }

    /// Merges: the local group's grants move to the synced group, the local group is deleted. Returns the changes.
    public func mergeConflict(id: String, caller: Caller) async throws -> (GroupConflict, [AccessChange]) {
        try await store.write { tx in
            var conflict = try await requireConflict(tx, id, caller: caller)
            guard conflict.status == .pending else { throw DirectoryError(.invalidInput, "The conflict was already resolved (\(conflict.status.rawValue)).") }
            let changes = try await mergePreview(tx, conflict)
            let synced = try await requireGroup(tx, conflict.syncedGroupId)
            for grant in try await tx.accessGrants(principal: .group(conflict.localGroupId)) {
                try await deleteGrant(tx, grant, caller: caller)
                let existing = try await tx.accessGrants(principal: .group(synced.id))
                if !existing.contains(where: { $0.productId == grant.productId && $0.role == grant.role }) {
                    _ = try await insertGrant(
                        tx, organizationId: conflict.organizationId, principal: .group(synced.id), siteId: grant.siteId,
                        productId: grant.productId, role: grant.role, caller: caller
                    )
                }
            }
            try await tx.deleteGroup(id: conflict.localGroupId)
            try await record(
                tx, organizationId: conflict.organizationId, caller: caller, action: "group.deleted", targetType: "group",
                targetId: conflict.localGroupId, detail: "merged into synced group \(synced.displayName)"
            )
            conflict.status = .merged
            conflict.resolved = environment.now()
            try await tx.update(conflict)
            try await record(
                tx, organizationId: conflict.organizationId, caller: caller, action: "group.conflict_merged", targetType: "group_conflict",
                targetId: conflict.id, payload: ["changes": .integer(Int64(changes.count))]
            )
            return (conflict, changes)
        }
    }

    /// Keeps both groups as they are.
    public func keepConflictApart(id: String, caller: Caller) async throws -> GroupConflict {
        try await store.write { tx in
            var conflict = try await requireConflict(tx, id, caller: caller)
            guard conflict.status == .pending else { throw DirectoryError(.invalidInput, "The conflict was already resolved (\(conflict.status.rawValue)).") }
            conflict.status = .keptApart
            conflict.resolved = environment.now()
            try await tx.update(conflict)
            try await record(
                tx, organizationId: conflict.organizationId, caller: caller, action: "group.conflict_kept_apart", targetType: "group_conflict",
                targetId: conflict.id
            )
            return conflict
        }
    }
}
