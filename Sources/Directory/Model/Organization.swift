import Foundation

/// The tenant: owns sites, directories, domains and admins.
public struct Organization: Sendable, Hashable, Codable, Identifiable {
    /// Where admins manage users: under the organization (centralized) or under each site (original).
    public enum UserManagement: String, Sendable, Codable, CaseIterable {
        case original
        case centralized
    }

    /// The subscription plan. Identity provider directories for members need `guard`.
    public enum Plan: String, Sendable, Codable, CaseIterable {
        case free
        case `guard`
    }

    public var id: String
    public var name: String
    public var userManagement: UserManagement
    public var plan: Plan
    public var created: Date

    public init(id: String, name: String, userManagement: UserManagement, plan: Plan, created: Date) {
        self.id = id
        self.name = name
        self.userManagement = userManagement
        self.plan = plan
        self.created = created
    }
}
