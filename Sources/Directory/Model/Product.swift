import Foundation

/// The catalog of products a site can host.
public enum ProductKind: String, Sendable, Codable, CaseIterable {
    case jiraSoftware = "jira-software"
    case jiraServiceManagement = "jira-service-management"
    case confluence

    /// Human-readable product name.
    public var displayName: String {
        switch self {
        case .jiraSoftware: "Jira Software"
        case .jiraServiceManagement: "Jira Service Management"
        case .confluence: "Confluence"
        }
    }
}

/// A role on a product instance.
public enum ProductRole: String, Sendable, Codable, CaseIterable, Comparable {
    case user
    case admin

    public static func < (lhs: Self, rhs: Self) -> Bool {
        lhs == .user && rhs == .admin
    }
}

/// An instance of a catalog product on a site.
public struct ProductInstance: Sendable, Hashable, Codable, Identifiable {
    public var id: String
    public var siteId: String
    public var product: ProductKind
    public var created: Date

    public init(id: String, siteId: String, product: ProductKind, created: Date) {
        self.id = id
        self.siteId = siteId
        self.product = product
        self.created = created
    }
}
