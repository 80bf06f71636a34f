import Crypto
import Foundation

/// A webhook endpoint just created, with its signing secret (shown once).
public struct IssuedWebhook: Sendable {
    public var endpoint: WebhookEndpoint
    public var secret: String
}

/// A product API token just issued (shown once).
public struct IssuedProductToken: Sendable {
    public var token: ProductToken
    public var value: String
}

extension DirectoryService {
    // MARK: Publishing and the events API

    /// Publishes every committed event that has no position yet; returns how many.
    @discardableResult
    public func publishEvents() async throws -> Int {
        var total = 0
        while true {
            let published = try await store.write { tx in try await tx.publishEvents(limit: 1000) }
            total += published
            if published < 1000 { return total }
        }
    }

    /// The organization's events after a cursor (a `published` position), oldest first, for consumers that poll.
    public func events(organizationId: String, after: Int64, limit: Int, caller: Caller) async throws -> [Event] {
        try await store.read { reader in
            try caller.require(.viewOrganization, in: try await requireOrganization(reader, organizationId))
        }
        try await publishEvents()
        return try await store.read { reader in try await reader.publishedEvents(organizationId: organizationId, after: after, limit: limit) }
    }

    // MARK: Webhook endpoints

    /// Adds a webhook endpoint; it receives the events published from now on.
    public func createWebhook(organizationId: String, url: String, description: String?, caller: Caller) async throws -> IssuedWebhook {
        guard url.count <= 2048, let parsed = URL(string: url), parsed.scheme == "https" || parsed.scheme == "http", parsed.host != nil else {
            throw DirectoryError(.invalidInput, "The webhook URL must be an http(s) URL.")
        }
        let secret = "whsec_" + Data(environment.randomBytes(32)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        try await publishEvents()
        return try await store.write { tx in
            let organization = try await requireOrganization(tx, organizationId)
            try caller.require(.manageOrganization, in: organization)
            let endpoint = WebhookEndpoint(
                id: environment.newID(), organizationId: organizationId, url: url, secret: secret,
                description: description.map { String($0.prefix(500)) }, created: environment.now(), cursor: try await tx.maxPublished()
            )
            try await tx.insert(endpoint)
            try await record(
                tx, organizationId: organizationId, caller: caller, action: "webhook.created", targetType: "webhook",
                targetId: endpoint.id, payload: ["url": .string(url)]
            )
            return IssuedWebhook(endpoint: endpoint, secret: secret)
        }
    }

    public func webhooks(organizationId: String, caller: Caller) async throws -> [WebhookEndpoint] {
        try await store.read { reader in
            try caller.require(.manageOrganization, in: try await requireOrganization(reader, organizationId))
            return try await reader.webhookEndpoints(organizationId: organizationId)
        }
    }

    public func deleteWebhook(id: String, caller: Caller) async throws {
        try await store.write { tx in
            guard let endpoint = try await tx.webhookEndpoint(id: id) else { throw DirectoryError(.notFound, "No webhook with id \(id.prefix(100)).") }
            try caller.require(.manageOrganization, in: try await requireOrganization(tx, endpoint.organizationId))
            try await tx.deleteWebhookEndpoint(id: id)
            try await record(tx, organizationId: endpoint.organizationId, caller: caller, action: "webhook.deleted", targetType: "webhook", targetId: id)
        }
    }

    /// Finished deliveries of an endpoint, newest first; `dead` lists the dead letters.
    public func webhookDeliveries(
        endpointId: String, status: WebhookDelivery.Status?, page: PageRequest, caller: Caller
    ) async throws -> (WebhookEndpoint, Page<WebhookDelivery>) {
        try await store.read { reader in
            guard let endpoint = try await reader.webhookEndpoint(id: endpointId) else {
                throw DirectoryError(.notFound, "No webhook with id \(endpointId.prefix(100)).")
            }
            try caller.require(.manageOrganization, in: try await requireOrganization(reader, endpoint.organizationId))
            return (endpoint, try await reader.webhookDeliveries(endpointId: endpointId, status: status, page: page))
        }
    }

    // MARK: Delivery bookkeeping (the dispatcher's side)

    public func claimWebhooks(owner: String, lease: TimeInterval, limit: Int) async throws -> [WebhookEndpoint] {
        let now = environment.now()
        return try await store.write { tx in
            try await tx.claimWebhookEndpoints(owner: owner, now: now, leaseUntil: now.addingTimeInterval(lease), limit: limit)
        }
    }

    public func pendingEvents(for endpoint: WebhookEndpoint, limit: Int) async throws -> [Event] {
        try await store.read { reader in
            try await reader.publishedEvents(organizationId: endpoint.organizationId, after: endpoint.cursor, limit: limit)
        }
    }

    /// Records delivered or dead-lettered events, in order; false when this node lost the lease meanwhile.
    public func finishWebhookEvents(_ deliveries: [WebhookDelivery], owner: String, lease: TimeInterval) async throws -> Bool {
        let until = environment.now().addingTimeInterval(lease)
        return try await store.write { tx in try await tx.finishWebhookEvents(deliveries, owner: owner, leaseUntil: until) }
    }

    public func deferWebhook(endpointId: String, owner: String, attempts: Int, retryAt: Date, error: String) async throws {
        try await store.write { tx in
            try await tx.deferWebhook(endpointId: endpointId, owner: owner, attempts: attempts, nextAttempt: retryAt, error: String(error.prefix(500)))
        }
    }

    public func releaseWebhook(endpointId: String, owner: String) async throws {
        try await store.write { tx in try await tx.releaseWebhook(endpointId: endpointId, owner: owner) }
    }

    public func pruneWebhookDeliveries(olderThan age: TimeInterval) async throws -> Int {
        let cutoff = environment.now().addingTimeInterval(-age)
        return try await store.write { tx in try await tx.pruneWebhookDeliveries(before: cutoff) }
    }

    /// The signature header value of a delivery: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
    public static func webhookSignature(secret: String, timestamp: Int, body: [UInt8]) -> String {
        var message = Array("\(timestamp).".utf8)
        message += body
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Array(secret.utf8)))
        return "t=\(timestamp),v1=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    // MARK: Product tokens and the access API

    /// Issues a token that reads who may use one product (shown once).
    public func issueProductToken(siteId: String, productId: String, caller: Caller) async throws -> IssuedProductToken {
        let secret = SecretToken.generate(.productToken, environment: environment)
        return try await store.write { tx in
            let product = try await requireProduct(tx, siteId: siteId, productId: productId)
            let site = try await requireSite(tx, product.siteId)
            try caller.require(.manageSite(site.id), in: try await requireOrganization(tx, site.organizationId))
            let token = ProductToken(id: environment.newID(), productId: productId, prefix: secret.prefix, hash: secret.hash, created: environment.now())
            try await tx.insert(token)
            try await record(
                tx, organizationId: site.organizationId, caller: caller, action: "product_token.issued", targetType: "product",
                targetId: productId, payload: ["tokenId": .string(token.id), "siteId": .string(siteId)]
            )
            return IssuedProductToken(token: token, value: secret.value)
        }
    }

    /// Authenticates a product API token; every failure is the same error.
    public func authenticateProductToken(bearer: String) async throws -> ProductToken {
        let failure = DirectoryError(.unauthenticated, "The product API token is missing, wrong or revoked.")
        guard let presented = SecretToken.parse(bearer, as: .productToken) else { throw failure }
        guard var token = try await store.read({ try await $0.productToken(prefix: presented.prefix) }),
              presented.matches(storedHash: token.hash), token.revoked == nil
        else { throw failure }
        let now = environment.now()
        if now.timeIntervalSince(token.lastUsed ?? .distantPast) >= Self.lastUsedGranularity {
            token.lastUsed = now
            let used = token
            try await store.write { tx in try await tx.update(used) }
        }
        return token
    }

    func requireProduct(_ reader: any DirectoryReading, siteId: String, productId: String) async throws -> ProductInstance {
        guard let product = try await reader.product(id: productId), product.siteId == siteId else {
            throw DirectoryError(.notFound, "No product \(productId.prefix(100)) on site \(siteId.prefix(100)).")
        }
        return product
    }

    /// Who may read a product's access: that product's own token, or an admin who may view the site.
    public enum AccessReader: Sendable {
        case product(ProductToken)
        case admin(Caller)
    }

    private func authorize(_ reader: any DirectoryReading, _ who: AccessReader, siteId: String, productId: String) async throws {
        let product = try await requireProduct(reader, siteId: siteId, productId: productId)
        switch who {
        case .product(let token):
            // A token of another product learns nothing, not even whether this one exists.
            guard token.productId == product.id else { throw DirectoryError(.notFound, "No product \(productId.prefix(100)) on site \(siteId.prefix(100)).") }
        case .admin(let caller):
            let site = try await requireSite(reader, siteId)
            try caller.require(.viewOrganization, in: try await requireOrganization(reader, site.organizationId))
        }
    }

    /// Active users with access to the product, by id, `limit` after the cursor `after`.
    public func productUsers(
        siteId: String, productId: String, role: ProductRole?, after: String?, limit: Int, reader who: AccessReader
    ) async throws -> [ProductUser] {
        try await store.read { reader in
            try await authorize(reader, who, siteId: siteId, productId: productId)
            return try await reader.productUsers(productId: productId, role: role, after: after, limit: max(1, min(limit, PageRequest.maximumLimit)))
        }
    }

    /// The role an active user has on the product, or nil.
    public func productAccess(siteId: String, productId: String, userId: String, reader who: AccessReader) async throws -> ProductRole? {
        try await store.read { reader in
            try await authorize(reader, who, siteId: siteId, productId: productId)
            return try await reader.productRole(productId: productId, userId: userId)
        }
    }
}
