import Foundation

/// An organization's webhook endpoint: Roster posts every event of the organization to it, in order, signed with
/// the endpoint's secret. Its cursor is the `published` position of the last event it finished (delivered or
/// dead-lettered).
public struct WebhookEndpoint: Sendable, Hashable, Codable, Identifiable {
    public var id: String
    public var organizationId: String
    public var url: String
    /// The HMAC key. Kept in clear because signing needs it; shown to the admin once, never returned again.
    public var secret: String
    public var description: String?
    public var created: Date
    public var cursor: Int64
    /// Failed attempts at the event after the cursor.
    public var attempts: Int
    public var nextAttempt: Date?
    public var lastError: String?

    public init(
        id: String, organizationId: String, url: String, secret: String, description: String?, created: Date, cursor: Int64,
        attempts: Int = 0, nextAttempt: Date? = nil, lastError: String? = nil
    ) {
        self.id = id
        self.organizationId = organizationId
        self.url = url
        self.secret = secret
        self.description = description
        self.created = created
        self.cursor = cursor
        self.attempts = attempts
        self.nextAttempt = nextAttempt
        self.lastError = lastError
    }
}

/// A finished delivery: delivered, or given up on after the last retry (the dead letters the admin sees).
public struct WebhookDelivery: Sendable, Hashable, Codable, Identifiable {
    public enum Status: String, Sendable, Codable {
        case delivered, dead
    }

    public var id: String
    public var endpointId: String
    public var eventId: String
    public var published: Int64
    public var status: Status
    public var attempts: Int
    public var lastStatus: Int?
    public var lastError: String?
    public var completed: Date

    public init(
        id: String, endpointId: String, eventId: String, published: Int64, status: Status, attempts: Int, lastStatus: Int?,
        lastError: String?, completed: Date
    ) {
        self.id = id
        self.endpointId = endpointId
        self.eventId = eventId
        self.published = published
        self.status = status
        self.attempts = attempts
        self.lastStatus = lastStatus
        self.lastError = lastError
        self.completed = completed
    }
}

/// A product API token: it reads who may use one product, nothing else.
public struct ProductToken: Sendable, Hashable, Codable, Identifiable {
    public var id: String
    public var productId: String
    public var prefix: String
    public var hash: String
    public var created: Date
    public var revoked: Date?
    public var lastUsed: Date?

    public init(id: String, productId: String, prefix: String, hash: String, created: Date, revoked: Date? = nil, lastUsed: Date? = nil) {
        self.id = id
        self.productId = productId
        self.prefix = prefix
        self.hash = hash
        self.created = created
        self.revoked = revoked
        self.lastUsed = lastUsed
    }
}

/// A synced group whose name matches a local group of the organization: held until an admin merges the two or keeps
/// them apart, after seeing who would gain or lose which product.
public struct GroupConflict: Sendable, Hashable, Codable, Identifiable {
    public enum Status: String, Sendable, Codable {
        case pending, merged
        case keptApart = "kept_apart"
    }

    public var id: String
    public var organizationId: String
    public var syncedGroupId: String
    public var localGroupId: String
    public var status: Status
    public var created: Date
    public var resolved: Date?

    public init(id: String, organizationId: String, syncedGroupId: String, localGroupId: String, status: Status = .pending,
                created: Date, resolved: Date? = nil) {
        self.id = id
        self.organizationId = organizationId
        self.syncedGroupId = syncedGroupId
        self.localGroupId = localGroupId
        self.status = status
        self.created = created
        self.resolved = resolved
    }
}

/// One person's access to one product before and after a change (nil: no access).
public struct AccessChange: Sendable, Hashable, Codable {
    public var userId: String
    public var userName: String
    public var siteId: String
    public var productId: String
    public var before: ProductRole?
    public var after: ProductRole?

    /// `gains`, `loses` or `changes` (a role change).
    public var kind: String {
        switch (before, after) {
        case (nil, _): "gains"
        case (_, nil): "loses"
        default: "changes"
        }
    }
}
