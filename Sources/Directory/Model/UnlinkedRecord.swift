import Foundation

/// A provisioning record an identity provider still holds that no longer reaches an account: the IdP keeps sending
/// this SCIM id (and externalId and userName), and Roster answers 404 until an admin relinks it to an account.
///
/// It appears when an admin deletes an account the IdP provisioned, or unlinks one (the account keeps living, under a
/// new id, in the local directory). Relinking gives an account the record's SCIM id, so the IdP's next request
/// reaches it; the IdP re-creating the person over SCIM retires the record.
public struct UnlinkedRecord: Sendable, Hashable, Codable {
    public var directoryId: String
    /// The id the IdP uses in `/Users/{id}`.
    public var scimId: String
    public var externalId: String?
    public var userName: String
    public var unlinked: Date
    /// Why it came apart (`account deleted by an admin`, `unlinked by an admin`).
    public var reason: String
    /// The account it was linked to, when that account still exists (after an unlink).
    public var formerAccountId: String?
    /// Whether the IdP had the person active; a relinked account takes this state.
    public var active: Bool
    /// The directory's synced groups the IdP had the person in; relinking puts the account back in those that remain.
    public var groupIds: [String]

    public init(
        directoryId: String, scimId: String, externalId: String?, userName: String, unlinked: Date, reason: String, formerAccountId: String?,
        active: Bool = true, groupIds: [String] = []
    ) {
        self.active = active
        self.groupIds = groupIds
        self.directoryId = directoryId
        self.scimId = scimId
        self.externalId = externalId
        self.userName = userName
        self.unlinked = unlinked
        self.reason = reason
        self.formerAccountId = formerAccountId
    }
}
