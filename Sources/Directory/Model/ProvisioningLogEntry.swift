import Foundation

/// One provisioning request in a directory's troubleshooting log: never the token, never a password.
public struct ProvisioningLogEntry: Sendable, Hashable, Codable {
    public var sequence: Int64?
    public var directoryId: String
    public var at: Date
    public var method: String
    /// The request path and query.
    public var path: String
    public var status: Int
    public var scimType: String?
    public var detail: String?
    public var durationMilliseconds: Int
    /// `User` or `Group`, when the request concerned one resource.
    public var resourceType: String?
    public var resourceId: String?
    public var apiKeyId: String?

    public init(
        sequence: Int64? = nil, directoryId: String, at: Date, method: String, path: String, status: Int, scimType: String?,
        detail: String?, durationMilliseconds: Int, resourceType: String?, resourceId: String?, apiKeyId: String?
    ) {
        self.sequence = sequence
        self.directoryId = directoryId
        self.at = at
        self.method = method
        self.path = path
        self.status = status
        self.scimType = scimType
        self.detail = detail
        self.durationMilliseconds = durationMilliseconds
        self.resourceType = resourceType
        self.resourceId = resourceId
        self.apiKeyId = apiKeyId
    }
}

/// Which entries of a troubleshooting log an admin wants to see.
public struct ProvisioningLogFilter: Sendable, Hashable {
    /// Only requests answered with a status of 400 or more.
    public var failuresOnly: Bool
    /// Only this HTTP method (`POST`, `PATCH`, ...).
    public var method: String?
    /// Only requests about this resource type (`User`, `Group`).
    public var resourceType: String?
    /// Only requests whose path or resource id contains this text.
    public var search: String?

    public init(failuresOnly: Bool = false, method: String? = nil, resourceType: String? = nil, search: String? = nil) {
        self.failuresOnly = failuresOnly
        self.method = method?.uppercased()
        self.resourceType = resourceType
        self.search = search.flatMap { $0.isEmpty ? nil : $0 }
    }
}
