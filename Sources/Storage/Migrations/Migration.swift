import SQLKit

/// One versioned step of the schema. Versions only grow; a released migration is never edited.
struct Migration: Sendable {
    let version: Int
    let name: String
    let apply: @Sendable (any SQLDatabase, SQLDialectTypes) async throws -> Void
}

/// Every migration Roster knows, in order.
enum Migrations {
    static let all: [Migration] = [
        Migration(version: 1, name: "initial schema", apply: InitialSchema.apply),
        Migration(version: 2, name: "scim provisioning", apply: SCIMSchema.apply),
        Migration(version: 3, name: "local password hashes", apply: PasswordColumn.apply),
        Migration(version: 4, name: "saml single sign-on", apply: SAMLSchema.apply),
        Migration(version: 5, name: "sign-in policies, sp keys, single logout", apply: SignInSchema.apply),
        Migration(version: 6, name: "event publishing, webhooks, product tokens", apply: EventDeliverySchema.apply),
        Migration(version: 7, name: "admin console sessions, setup links", apply: ConsoleSchema.apply),
        Migration(version: 8, name: "unlinked provisioning records", apply: RelinkSchema.apply),
        Migration(version: 9, name: "admins bound to their sign-in account, retired unlinked records", apply: AdminBindingSchema.apply),
        Migration(version: 10, name: "pending setup-link SAML settings, shared sign-in throttle", apply: TrustSchema.apply),
    ]
}
