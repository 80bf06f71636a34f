import Foundation

extension DirectoryService {
    /// Grants a role on a product to a group or a user of the same organization.
    public func grantAccess(
        principal: AccessGrant.Principal, productId: String, role: ProductRole, caller: Caller
    ) async throws -> AccessGrant {
        try await store.write { tx in
            guard let product = try await tx.product(id: productId) else {
                throw DirectoryError(.notFound, "No product with id \(productId).")
            }
            let site = try await requireSite(tx, product.siteId)
            let organization = try await requireOrganization(tx, site.organizationId)
            try caller.require(.manageAccess(site.id), in: organization)
            let principalDirectory: String
            switch principal {
            case .user(let id):
                let user = try await requireUser(tx, id)
                principalDirectory = user.directoryId
                guard try await requireDirectory(tx, principalDirectory).organizationId == organization.id else {
                    throw DirectoryError(.notFound, "No user with id \(id).")
                }
                // Granting a user access would make them "of this site"; a site admin may do it only for users they
                // may already change.
                try await requireUserPermission(tx, user: user, organization: organization, caller: caller)
            case .group(let id):
                principalDirectory = try await requireGroup(tx, id).directoryId
                guard try await requireDirectory(tx, principalDirectory).organizationId == organization.id else {
                    throw DirectoryError(.notFound, "No group with id \(id).")
                }
            }
            return try await insertGrant(
                tx, organizationId: organization.id, principal: principal, siteId: site.id, productId: productId,
                role: role, caller: caller
            )
        }
    }

    func insertGrant(
        _ tx: any DirectoryWriting, organizationId: String, principal: AccessGrant.Principal, siteId: String,
        productId: String, role: ProductRole, caller: Caller
    ) async throws -> AccessGrant {
        if try await tx.accessGrants(principal: principal).contains(where: { $0.productId == productId && $0.role == role }) {
            throw DirectoryError(.alreadyExists, "The \(principal.kind) already has the \(role.rawValue) role on this product.")
        }
        let grant = AccessGrant(
            id: environment.newID(), organizationId: organizationId, principal: principal, siteId: siteId,
            productId: productId, role: role, created: environment.now()
        )
        try await mapUniqueViolation(
            DirectoryError(.alreadyExists, "The \(principal.kind) already has the \(role.rawValue) role on this product.")
        ) {
            try await tx.insert(grant)
        }
        try await record(
            tx, organizationId: organizationId, caller: caller, action: "access.granted", targetType: "access_grant",
            targetId: grant.id,
            payload: ["principalKind": .string(principal.kind), "principalId": .string(principal.id),
                      "siteId": .string(siteId), "productId": .string(productId), "role": .string(role.rawValue)]
        )
        return grant
    }

    /// Removes a grant.
    public func revokeAccess(grantId: String, caller: Caller) async throws {
        try await store.write { tx in
            guard let grant = try await tx.accessGrant(id: grantId) else {
                throw DirectoryError(.notFound, "No access grant with id \(grantId).")
            }
            let organization = try await requireOrganization(tx, grant.organizationId)
            try caller.require(.manageAccess(grant.siteId), in: organization)
            try await deleteGrant(tx, grant, caller: caller)
        }
    }

    /// Deletes a grant with its `access.revoked` audit entry and event; `reason` says why when it is a consequence.
    func deleteGrant(_ tx: any DirectoryWriting, _ grant: AccessGrant, caller: Caller, reason: String? = nil) async throws {
        try await tx.deleteAccessGrant(id: grant.id)
        var payload: [String: JSONValue] = [
            "principalKind": .string(grant.principal.kind), "principalId": .string(grant.principal.id),
            "siteId": .string(grant.siteId), "productId": .string(grant.productId), "role": .string(grant.role.rawValue),
        ]
        if let reason { payload["reason"] = .string(reason) }
        try await record(
            tx, organizationId: grant.organizationId, caller: caller, action: "access.revoked", targetType: "access_grant",
            targetId: grant.id, payload: payload
        )
    }

    /// The grants on a site's products.
    public func accessGrants(siteId: String, caller: Caller) async throws -> [AccessGrant] {
        try await store.read { reader in
            let site = try await requireSite(reader, siteId)
            let organization = try await requireOrganization(reader, site.organizationId)
            try caller.require(.manageAccess(siteId), in: organization)
            return try await reader.accessGrants(siteId: siteId)
        }
    }

    /// A user's effective access, derived from direct grants and (nested) group memberships.
    /// Inactive users have none.
    public func effectiveAccess(userId: String, caller: Caller) async throws -> [EffectiveAccess] {
        try await store.read { reader in
            let user = try await requireUser(reader, userId)
            let organization = try await organizationOf(reader, user: user)
            try await requireUserPermission(reader, user: user, organization: organization, caller: caller, writing: false)
            guard user.active else { return [] }
            return try await reader.effectiveAccess(userId: userId)
        }
    }

    /// Grants a group a role on a product named with its site (the CLI's form).
    public func grantAccess(site siteId: String, product productId: String, group groupId: String, role: ProductRole, caller: Caller) async throws -> AccessGrant {
        _ = try await store.read { reader in try await requireProduct(reader, siteId: siteId, productId: productId) }
        return try await grantAccess(principal: .group(groupId), productId: productId, role: role, caller: caller)
    }

    /// Revokes a group's role on a product named with its site; returns the removed grant.
    public func revokeAccess(site siteId: String, product productId: String, group groupId: String, role: ProductRole, caller: Caller) async throws -> AccessGrant {
        let grant = try await store.read { reader in
            _ = try await requireProduct(reader, siteId: siteId, productId: productId)
            return try await reader.accessGrants(principal: .group(groupId)).first { $0.productId == productId && $0.role == role }
        }
        guard let grant else {
            throw DirectoryError(.notFound, "The group has no \(role.rawValue) role on this product.")
        }
        try await revokeAccess(grantId: grant.id, caller: caller)
        return grant
    }
}
