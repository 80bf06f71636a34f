import Directory
import Foundation
import SQLKit

extension SQLStoreSession {
    func samlConnection(directoryId: String) async throws -> SAMLConnection? {
        guard let row = try await db.select()
            .columns("directory_id", "idp_entity_id", "sso_url", "allow_sha1", "allow_idp_initiated", "updated_at")
            .column(SQLAlias(SQLJSONText(column: "certificates"), as: SQLIdentifier("certificates")))
            .from("saml_connections").where("directory_id", .equal, directoryId).first()
        else { return nil }
        return SAMLConnection(
            directoryId: try row.string("directory_id"), identityProviderEntityID: try row.string("idp_entity_id"),
            singleSignOnURL: try row.string("sso_url"), certificates: try fromJSON([String].self, try row.string("certificates")),
            allowSHA1: try row.bool("allow_sha1"), allowIdPInitiated: try row.bool("allow_idp_initiated"), updated: try row.date("updated_at")
        )
    }

    func upsert(_ connection: SAMLConnection) async throws {
        try await mapped {
            try await db.delete(from: "saml_connections").where("directory_id", .equal, connection.directoryId).run()
            try await db.insert(into: "saml_connections")
                .columns("directory_id", "idp_entity_id", "sso_url", "certificates", "allow_sha1", "allow_idp_initiated", "updated_at")
                .values(SQLBind(connection.directoryId), SQLBind(connection.identityProviderEntityID), SQLBind(connection.singleSignOnURL),
                        try json(connection.certificates), SQLBind(connection.allowSHA1), SQLBind(connection.allowIdPInitiated),
                        SQLBind(connection.updated.millisecondsSince1970))
                .run()
        }
    }

    func authnRequest(id: String) async throws -> PendingAuthnRequest? {
        try await db.select().column("*").from("authn_requests").where("id", .equal, id).first().map { row in
            PendingAuthnRequest(
                id: try row.string("id"), directoryId: try row.string("directory_id"), relayState: try row.optionalString("relay_state"),
                created: try row.date("created_at"), expires: try row.date("expires_at"), used: try row.optionalDate("used_at")
            )
        }
    }

    func insert(_ request: PendingAuthnRequest) async throws {
        try await mapped {
            try await db.insert(into: "authn_requests")
                .columns("id", "directory_id", "relay_state", "created_at", "expires_at", "used_at")
                .values(SQLBind(request.id), SQLBind(request.directoryId), SQLBind(request.relayState),
                        SQLBind(request.created.millisecondsSince1970), SQLBind(request.expires.millisecondsSince1970), SQLBind(request.used.millis))
                .run()
        }
    }

    func markUsed(authnRequestId: String, at date: Date) async throws {
        try await db.update("authn_requests").set("used_at", to: date.millisecondsSince1970).where("id", .equal, authnRequestId).run()
    }

    func recordAssertion(directoryId: String, assertionId: String, expires: Date, now: Date) async throws -> Bool {
        try await db.delete(from: "saml_replay_guard").where("expires_at", .lessThan, now.millisecondsSince1970).run()
        let rows = try await db.insert(into: "saml_replay_guard").columns("assertion_id", "directory_id", "expires_at")
            .values(SQLBind(assertionId), SQLBind(directoryId), SQLBind(expires.millisecondsSince1970))
            .ignoringConflicts(with: ["directory_id", "assertion_id"]).returning("assertion_id").all()
        return !rows.isEmpty
    }
}
