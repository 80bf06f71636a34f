import Foundation
import SCIM

/// A window into a list: `offset` items skipped, at most `limit` returned.
public struct PageRequest: Sendable, Hashable {
    public var offset: Int
    public var limit: Int

    public init(offset: Int = 0, limit: Int = 100) {
        self.offset = max(0, offset)
        self.limit = min(max(0, limit), PageRequest.maximumLimit)
    }

    /// The largest page any list returns.
    public static let maximumLimit = 1000
}

/// One page of a list and the total number of items the list holds.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var total: Int

    public init(items: [Item], total: Int) {
        self.items = items
        self.total = total
    }
}

/// What the member events of a bulk membership change carry.
public struct MemberEventTemplate: Sendable {
    public var organizationId: String
    public var actor: String
    public var created: Date

    public init(organizationId: String, actor: String, created: Date) {
        self.organizationId = organizationId
        self.actor = actor
        self.created = created
    }
}

/// A group a user belongs to, as a user's `groups` attribute shows it.
public struct UserGroup: Sendable, Hashable {
    public var groupId: String
    public var displayName: String
    /// False when the membership comes through a nested group.
    public var direct: Bool

    public init(groupId: String, displayName: String, direct: Bool) {
        self.groupId = groupId
        self.displayName = displayName
        self.direct = direct
    }
}

/// The persistence the domain needs. Implementations run every `write` as one transaction:
/// either all of its changes (including audit entries and events) are kept, or none.
public protocol DirectoryStore: Sendable {
    /// Runs `body` with a connection for reads. Each statement sees committed data; a read is not one snapshot, so
    /// decisions that must hold together (a permission check and the change it allows) belong in `write`.
    func read<T: Sendable>(_ body: @Sendable (any DirectoryReading) async throws -> T) async throws -> T
    /// Runs `body` in one transaction; commits when it returns, rolls back when it throws.
    func write<T: Sendable>(_ body: @Sendable (any DirectoryWriting) async throws -> T) async throws -> T
    /// Checks that the database answers.
    func ping() async throws
}

/// Reads of the directory model.
public protocol DirectoryReading: Sendable {
    func organization(id: String) async throws -> Organization?
    func organizations() async throws -> [Organization]

    func site(id: String) async throws -> Site?
    func site(named name: String) async throws -> Site?
    func sites(organizationId: String) async throws -> [Site]

    func product(id: String) async throws -> ProductInstance?
    func products(siteId: String) async throws -> [ProductInstance]

    func directory(id: String) async throws -> Directory?
    func directories(organizationId: String) async throws -> [Directory]
    func portalDirectory(siteId: String) async throws -> Directory?

    func user(id: String) async throws -> User?
    func user(directoryId: String, userName: String) async throws -> User?
    /// A directory's users by userName; `search`, when given, keeps those whose userName, display name or an email
    /// starts with it (case-insensitively).
    func users(directoryId: String, search: String?, page: PageRequest) async throws -> Page<User>
    /// How many users and groups a directory holds.
    func counts(directoryId: String) async throws -> (users: Int, groups: Int)
    /// Users of any directory of the organization whose email matches, case-insensitively.
    func users(organizationId: String, email: String) async throws -> [User]
    /// The organization's accounts with an email in `emailDomain`.
    func users(organizationId: String, emailDomain: String) async throws -> [User]
    /// Accounts with this email in any organization that have a local password.
    func usersWithPassword(email: String) async throws -> [User]
    /// Users with effective access to any product of the site, ordered by userName; `search` as for a directory.
    func users(siteId: String, search: String?, page: PageRequest) async throws -> Page<User>

    /// A SCIM list query (filter, sort, page) over a directory's users; `startIndex` is 1-based.
    func users(directoryId: String, query: ListQuery) async throws -> Page<User>
    /// A SCIM list query over a directory's groups.
    func groups(directoryId: String, query: ListQuery) async throws -> Page<Group>
    /// Which of `ids` are users of the directory.
    func existingUserIds(directoryId: String, ids: [String]) async throws -> Set<String>
    /// Which of `ids` are groups of the directory.
    func existingGroupIds(directoryId: String, ids: [String]) async throws -> Set<String>
    func group(directoryId: String, displayName: String) async throws -> Group?
    /// The groups each user belongs to, directly or through nested groups, in one query.
    func groupsOf(userIds: [String]) async throws -> [String: [UserGroup]]

    func group(id: String) async throws -> Group?
    /// A directory's groups by name; `search` keeps those whose name starts with it (case-insensitively).
    /// The groups of a directory by name; with `grantingOnSites`, only those that a direct access grant on one of
    /// those sites names.
    func groups(directoryId: String, search: String?, grantingOnSites: [String]?, page: PageRequest) async throws -> Page<Group>
    /// Whether a direct access grant on one of `sites` names the group.
    func groupGrants(groupId: String, onSites sites: [String]) async throws -> Bool
    func members(groupId: String, page: PageRequest) async throws -> Page<Membership>
    /// Up to `limit` members whose id sorts after `after`: keyset paging, constant cost per page at any size.
    func members(groupId: String, after: String?, limit: Int) async throws -> [Membership]
    func isMember(groupId: String, memberId: String) async throws -> Bool
    /// Groups the member belongs to directly.
    func groups(memberId: String) async throws -> [Group]

    func accessGrant(id: String) async throws -> AccessGrant?
    func accessGrants(siteId: String) async throws -> [AccessGrant]
    func accessGrants(principal: AccessGrant.Principal) async throws -> [AccessGrant]
    /// Access derived from direct grants and from memberships, nested groups included.
    func effectiveAccess(userId: String) async throws -> [EffectiveAccess]

    func domain(id: String) async throws -> Domain?
    func domains(organizationId: String) async throws -> [Domain]

    func apiKey(prefix: String) async throws -> ApiKey?
    func apiKeys(directoryId: String) async throws -> [ApiKey]

    func admin(id: String) async throws -> AdminAccount?
    func admin(organizationId: String, email: String) async throws -> AdminAccount?
    /// The admin whose console sign-in account this is.
    func admin(userId: String) async throws -> AdminAccount?
    /// Whether an admin unlinked this account from a person of this directory (a record, current or retired, names it).
    func wasUnlinked(accountId: String, directoryId: String) async throws -> Bool
    func adminToken(prefix: String) async throws -> AdminToken?

    func session(tokenHash: String) async throws -> Session?

    func samlConnection(directoryId: String) async throws -> SAMLConnection?
    func authnRequest(id: String) async throws -> PendingAuthnRequest?
    func serviceProviderCredential(directoryId: String) async throws -> ServiceProviderCredential?
    func authenticationPolicy(directoryId: String) async throws -> AuthenticationPolicy?
    func samlTestRun(id: String) async throws -> SAMLTestRun?
    /// The verified domain with this name, in any organization.
    func verifiedDomain(name: String) async throws -> Domain?

    /// Newest first.
    func auditEntries(organizationId: String, page: PageRequest) async throws -> Page<AuditEntry>
    /// A directory's provisioning log, newest first, narrowed by `filter`.
    func provisioningLog(directoryId: String, filter: ProvisioningLogFilter, page: PageRequest) async throws -> Page<ProvisioningLogEntry>
    /// When the directory's newest logged provisioning request arrived.
    func lastProvisioningRequest(directoryId: String) async throws -> Date?

    /// Newest first.
    func unlinkedRecords(directoryId: String) async throws -> [UnlinkedRecord]
    func unlinkedRecord(directoryId: String, scimId: String) async throws -> UnlinkedRecord?

    func consoleSession(tokenHash: String) async throws -> ConsoleSession?
    func setupLink(id: String) async throws -> SetupLink?
    func setupLink(tokenHash: String) async throws -> SetupLink?
    /// Newest first.
    func setupLinks(directoryId: String) async throws -> [SetupLink]

    /// In outbox order.
    func events(organizationId: String, afterSequence: Int64?, limit: Int) async throws -> [Event]
    /// Published events after a `published` position, in that order; `sequence` carries the position.
    func publishedEvents(organizationId: String, after: Int64, limit: Int) async throws -> [Event]
    /// Whether any committed event still waits for its position.
    func hasUnpublishedEvents() async throws -> Bool
    /// Whether any webhook endpoint is free, due and behind.
    func hasDueWebhookEndpoints(now: Date) async throws -> Bool
    /// The highest `published` position so far (0 when none).
    func maxPublished() async throws -> Int64

    func webhookEndpoint(id: String) async throws -> WebhookEndpoint?
    func webhookEndpoints(organizationId: String) async throws -> [WebhookEndpoint]
    /// Newest first.
    func webhookDeliveries(endpointId: String, status: WebhookDelivery.Status?, page: PageRequest) async throws -> Page<WebhookDelivery>

    func productToken(prefix: String) async throws -> ProductToken?
    func productToken(id: String) async throws -> ProductToken?
    func productTokens(productId: String) async throws -> [ProductToken]
    /// The directory's user with this externalId, if any.
    func user(directoryId: String, externalId: String) async throws -> User?
    /// Accounts of a directory the IdP deleted before `date`.
    func deprovisionedUsers(directoryId: String, before date: Date, limit: Int) async throws -> [User]
    /// Every grant that reaches a user: direct, and through its groups (nested included).
    func grantsReaching(userId: String) async throws -> [AccessGrant]
    /// Users a group reaches: its user members and those of its nested groups.
    func reachedUserIds(groupId: String) async throws -> [String]
    func groupConflict(id: String) async throws -> GroupConflict?
    func groupConflicts(organizationId: String, status: GroupConflict.Status?) async throws -> [GroupConflict]
    /// Unrevoked API keys that expire before `date`.
    func apiKeysExpiring(before date: Date) async throws -> [ApiKey]
    /// Every SAML connection (for certificate expiry notices).
    func allSAMLConnections() async throws -> [SAMLConnection]
    /// SP key pairs whose certificate ends before `date`.
    func serviceProviderCredentialsExpiring(before date: Date) async throws -> [ServiceProviderCredential]
    /// Directories with a purge period for deprovisioned accounts.
    func directoriesPurgingDeprovisioned() async throws -> [Directory]
    /// Active users with access to a product (nested groups included) and their best role, by id after `after`.
    func productUsers(productId: String, role: ProductRole?, after: String?, limit: Int) async throws -> [ProductUser]
    /// An active user's best role on a product, nil without access.
    func productRole(productId: String, userId: String) async throws -> ProductRole?

    /// Sign-in attempts under `key` since `since`.
    func signInAttempts(key: String, since: Date) async throws -> Int
}

/// One user of a product, as the access API lists them.
public struct ProductUser: Sendable, Hashable, Codable {
    public var id: String
    public var userName: String
    public var email: String?
    public var role: ProductRole

    public init(id: String, userName: String, email: String?, role: ProductRole) {
        self.id = id
        self.userName = userName
        self.email = email
        self.role = role
    }
}

/// Writes of the directory model, inside one transaction.
public protocol DirectoryWriting: DirectoryReading {
    /// Serializes this transaction with every other transaction that takes the same lock, until commit (a
    /// transaction-scoped advisory lock on PostgreSQL; SQLite already runs one writer at a time).
    func lock(_ name: String) async throws

    func insert(_ organization: Organization) async throws
    func update(_ organization: Organization) async throws
    func insert(_ site: Site) async throws
    func insert(_ product: ProductInstance) async throws
    func insert(_ directory: Directory) async throws
    func update(_ directory: Directory) async throws

    func insert(_ user: User) async throws
    func update(_ user: User) async throws
    func deleteUser(id: String) async throws

    func insert(_ group: Group) async throws
    func update(_ group: Group) async throws
    func deleteGroup(id: String) async throws
    /// Adds a membership; returns false when it already existed.
    func insert(_ membership: Membership) async throws -> Bool
    /// Removes a membership; returns false when there was none.
    func deleteMembership(groupId: String, memberId: String) async throws -> Bool
    /// Adds memberships, skipping existing ones; returns the member ids actually added. One statement per chunk,
    /// whatever the group's size.
    func insertMemberships(_ memberships: [Membership]) async throws -> [String]
    /// Removes the given members; returns the member ids actually removed.
    func deleteMemberships(groupId: String, memberIds: [String]) async throws -> [String]
    /// Makes the group's members exactly `memberships`, by difference, writing one `group.member_added` or
    /// `group.member_removed` event per member changed in SQL (no member list is read back); returns the counts.
    func replaceMemberships(
        groupId: String, with memberships: [Membership], events: MemberEventTemplate
    ) async throws -> (added: Int, removed: Int)

    func insert(_ grant: AccessGrant) async throws
    func deleteAccessGrant(id: String) async throws

    func insert(_ domain: Domain) async throws
    func update(_ domain: Domain) async throws

    func insert(_ key: ApiKey) async throws
    func update(_ key: ApiKey) async throws

    func insert(_ admin: AdminAccount) async throws
    func insert(_ token: AdminToken) async throws
    func update(_ token: AdminToken) async throws

    func insert(_ session: Session) async throws
    func update(_ session: Session) async throws

    func insert(_ record: UnlinkedRecord) async throws
    /// Deletes one record; false when it was not there (another request took it first).
    func deleteUnlinkedRecord(directoryId: String, scimId: String) async throws -> Bool
    /// Retires, and returns, the records of a person the IdP has just provisioned again under a new id: the same
    /// externalId, or the same userName for records without one.
    func retireUnlinkedRecords(directoryId: String, externalId: String?, userName: String, at date: Date) async throws -> [UnlinkedRecord]
    /// Gives an account a new id: the account row, its emails, memberships and direct grants move to `newId`; its
    /// sessions end. `user` carries the new state with the old id, and a version one above the stored one (a
    /// concurrent change to the account makes this fail). Returns the account as stored under the new id.
    func rekey(_ user: User, to newId: String) async throws -> User

    func insert(_ session: ConsoleSession) async throws
    /// Ends a console session.
    func revokeConsoleSession(id: String, at date: Date) async throws
    /// Ends every open console session of an admin, or opened with a setup link. (An account's end with its sessions:
    /// `revokeSessions(userId:)`.)
    func revokeConsoleSessions(adminId: String?, setupLinkId: String?, at date: Date) async throws -> Int
    func insert(_ link: SetupLink) async throws
    /// Marks a link redeemed unless it already was; false when another request redeemed it first.
    func redeem(setupLinkId: String, at date: Date) async throws -> Bool
    func revokeSetupLink(id: String, at date: Date) async throws

    func upsert(_ connection: SAMLConnection) async throws

    /// Counts one sign-in attempt under `key` (for example `password:` and the email), before the password is
    /// checked; attempts older than `forgetBefore` are dropped.
    func recordSignInAttempt(id: String, key: String, at date: Date, forgetBefore: Date) async throws
    /// Forgets one attempt (it succeeded: only failures count).
    func forgetSignInAttempt(id: String) async throws
    /// Inserts the credential unless the directory has one; returns the one that is stored.
    func insertIfAbsent(_ credential: ServiceProviderCredential) async throws -> ServiceProviderCredential
    func upsert(_ policy: AuthenticationPolicy) async throws
    func upsert(_ run: SAMLTestRun) async throws
    func setBackupAdmin(adminId: String, _ backup: Bool) async throws
    /// Binds (or unbinds, with nil) the account an admin signs in to the console with.
    func bindAdmin(id: String, userId: String?) async throws
    /// Revokes every open session of a user (deactivation, password change), admin console sessions included.
    func revokeSessions(userId: String, at date: Date) async throws -> Int
    /// Ends the sessions a directory's IdP opened for `nameID` (only those of `sessionIndexes` when any are given), and
    /// the console sessions of their accounts; returns the accounts whose sessions ended.
    func revokeSessions(directoryId: String, nameID: String, sessionIndexes: [String], at date: Date) async throws -> [String]
    /// Remembers a LogoutRequest Roster sent, so that the IdP's answer can be matched once.
    func insertLogoutRequest(id: String, directoryId: String, created: Date, expires: Date) async throws
    /// Marks the LogoutRequest answered; false when Roster did not send it (to this directory), it expired, or it was
    /// answered before.
    func useLogoutRequest(id: String, directoryId: String, at date: Date) async throws -> Bool
    func insert(_ request: PendingAuthnRequest) async throws
    func markUsed(authnRequestId: String, at date: Date) async throws
    /// Records an assertion ID until it expires; false when it was already recorded (a replay).
    func recordAssertion(directoryId: String, assertionId: String, expires: Date, now: Date) async throws -> Bool

    func append(_ entry: AuditEntry) async throws
    func append(_ event: Event) async throws
    /// Appends many events in one statement per chunk.
    func append(events: [Event]) async throws

    /// Gives committed, unpublished events their `published` positions in order (one publisher at a time); returns
    /// how many.
    func publishEvents(limit: Int) async throws -> Int

    func insert(_ endpoint: WebhookEndpoint) async throws
    func deleteWebhookEndpoint(id: String) async throws
    /// Leases up to `limit` endpoints that are due and have events after their cursor; returns them.
    func claimWebhookEndpoints(owner: String, now: Date, leaseUntil: Date, limit: Int) async throws -> [WebhookEndpoint]
    /// Records finished events (delivered or dead, in order) and moves the cursor past the last, if this owner still
    /// holds the lease.
    func finishWebhookEvents(_ deliveries: [WebhookDelivery], owner: String, leaseUntil: Date) async throws -> Bool
    /// Records a failed attempt and releases the lease until `nextAttempt`.
    func deferWebhook(endpointId: String, owner: String, attempts: Int, nextAttempt: Date, error: String) async throws
    /// Gives the lease back (nothing more to deliver now).
    func releaseWebhook(endpointId: String, owner: String) async throws
    /// Deletes finished deliveries older than `date`.
    func pruneWebhookDeliveries(before date: Date) async throws -> Int

    func insert(_ token: ProductToken) async throws
    func insert(_ conflict: GroupConflict) async throws
    func update(_ conflict: GroupConflict) async throws
    /// Records that an expiry notice was sent; false when it already was.
    func recordExpiryNotice(subjectType: String, subjectId: String, thresholdDays: Int, at date: Date) async throws -> Bool
    /// Moves a user (with its emails) to another directory of the same organization.
    func move(_ user: User, toDirectory directoryId: String) async throws
    /// Moves a group to another directory, as a local (not synced) group with the given name.
    func move(_ group: Group, toDirectory directoryId: String, displayName: String) async throws
    func deleteDirectory(id: String) async throws
    func update(_ token: ProductToken) async throws

    /// Appends entries to directories' provisioning logs.
    func append(_ entries: [ProvisioningLogEntry]) async throws
    /// Deletes provisioning log entries older than `date`; returns how many.
    func pruneProvisioningLog(before date: Date) async throws -> Int
    /// Deletes AuthnRequests that expired, and sessions that ended, before `date`.
    func pruneSignInState(before date: Date) async throws -> (authnRequests: Int, sessions: Int)
}
