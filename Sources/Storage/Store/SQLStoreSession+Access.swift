import Directory
import Foundation
import SQLKit

extension SQLStoreSession {
    func accessGrant(id: String) async throws -> AccessGrant? {
        try await db.select().column("*").from("access_grants").where("id", .equal, id).first().map(Self.grant)
    }

    func accessGrants(siteId: String) async throws -> [AccessGrant] {
        try await db.select().column("*").from("access_grants").where("site_id", .equal, siteId)
            .orderBy("created_at").orderBy("id").all().map(Self.grant)
    }

    func accessGrants(principal: AccessGrant.Principal) async throws -> [AccessGrant] {
        try await db.select().column("*").from("access_grants").where("principal_id", .equal, principal.id)
            .where("principal_kind", .equal, principal.kind).orderBy("created_at").all().map(Self.grant)
    }

    func insert(_ grant: AccessGrant) async throws {
        try await mapped {
            try await db.insert(into: "access_grants")
                .columns("id", "organization_id", "principal_kind", "principal_id", "site_id", "product_id", "role", "created_at")
                .values(SQLBind(grant.id), SQLBind(grant.organizationId), SQLBind(grant.principal.kind),
                        SQLBind(grant.principal.id), SQLBind(grant.siteId), SQLBind(grant.productId),
                        SQLBind(grant.role.rawValue), SQLBind(grant.created.millisecondsSince1970))
                .run()
        }
    }

    func deleteAccessGrant(id: String) async throws {
        try await mapped {
            try await db.delete(from: "access_grants").where("id", .equal, id).run()
        }
    }

    func effectiveAccess(userId: String) async throws -> [EffectiveAccess] {
        var best: [String: EffectiveAccess] = [:]
        for grant in try await grantsReaching(userId: userId) {
            if let existing = best[grant.productId], existing.role >= grant.role { continue }
            best[grant.productId] = EffectiveAccess(userId: userId, siteId: grant.siteId, productId: grant.productId, role: grant.role)
        }
        return best.values.sorted { ($0.siteId, $0.productId) < ($1.siteId, $1.productId) }
    }

    func grantsReaching(userId: String) async throws -> [AccessGrant] {
        // Every group the user is in, directly or through nested groups; UNION (not UNION ALL) ends cycles.
        try await db.raw("""
            WITH RECURSIVE ancestry(group_id) AS (
                SELECT group_id FROM memberships WHERE member_id = \(bind: userId) AND member_kind = 'user'
                UNION
                SELECT m.group_id FROM memberships m JOIN ancestry a ON m.member_id = a.group_id WHERE m.member_kind = 'group'
            )
            SELECT * FROM access_grants
            WHERE (principal_kind = 'user' AND principal_id = \(bind: userId))
               OR (principal_kind = 'group' AND principal_id IN (SELECT group_id FROM ancestry))
            """).all().map(Self.grant)
    }

    static func grant(_ row: any SQLRow) throws -> AccessGrant {
        let kind = try row.string("principal_kind")
        let principalId = try row.string("principal_id")
        guard let principal = AccessGrant.Principal(kind: kind, id: principalId) else {
            throw StoreError(.corruptRow, constraint: "principal_kind=\(kind)")
        }
        return AccessGrant(
            id: try row.string("id"), organizationId: try row.string("organization_id"), principal: principal,
            siteId: try row.string("site_id"), productId: try row.string("product_id"),
            role: try row.enumValue("role", as: ProductRole.self), created: try row.date("created_at")
        )
    }
}
