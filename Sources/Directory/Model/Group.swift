import Foundation

/// A set of users (and groups) in a directory.
public struct Group: Sendable, Hashable, Codable, Identifiable {
    public var id: String
    public var directoryId: String
    public var displayName: String
    public var externalId: String?
    /// Groups synced from an identity provider are read-only for admins.
    public var synced: Bool
    public var version: Int
    public var created: Date
    public var lastModified: Date

    public init(
        id: String, directoryId: String, displayName: String, externalId: String? = nil, synced: Bool = false,
        version: Int = 1, created: Date, lastModified: Date
    ) {
        self.id = id
        self.directoryId = directoryId
        self.displayName = displayName
        self.externalId = externalId
        self.synced = synced
        self.version = version
        self.created = created
        self.lastModified = lastModified
    }
}

/// A member of a group: a user or another group.
public struct Membership: Sendable, Hashable, Codable {
    public enum MemberKind: String, Sendable, Codable, CaseIterable {
        case user
        case group
    }

    public var groupId: String
    public var memberId: String
    public var memberKind: MemberKind

    public init(groupId: String, memberId: String, memberKind: MemberKind) {
        self.groupId = groupId
        self.memberId = memberId
        self.memberKind = memberKind
    }
}
