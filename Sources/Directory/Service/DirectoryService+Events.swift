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
        // Every node asks this several times a second: a read finds out whether there is anything to do, so an idle
        // Roster takes no write transaction (on SQLite, the one writer) for it.
        guard try await store.read({ try await $0.hasUnpublishedEvents() }) else { return 0 }
        var total = 0
        while true {
            let published = try await store.write { tx in try await tx.publishEvents(limit: 1000) }
            total += published
            if published < 1000 { return total }
        }
    }

    /// The organization's events after a cursor (a `published` position), oldest first, for consumers that poll.
    public func events(organizationId: String, after: Int64, limit: Int, caller: Caller) async throws -> [Event] {
        // Events describe every site and directory of the organization: org admins only.
        try await store.read { reader in
            try caller.require(.manageOrganization, in: try await requireOrganization(reader, organizationId))
        }
        try await publishEvents()
        return try await store.read { reader in try await reader.publishedEvents(organizationId: organizationId, after: after, limit: limit) }
    }

    // MARK: Webhook endpoints

    /// Adds a webhook endpoint; it receives the events published from now on.
    public func createWebhook(organizationId: String, url: String, description: String?, caller: Caller) async throws -> IssuedWebhook {
        guard url.count <= 2048, let parsed = URL(string: url), parsed.scheme == "https" || parsed.scheme == "http",
              let host = parsed.host, !host.isEmpty
        else {
            throw DirectoryError(.invalidInput, "The webhook URL must be an http(s) URL.")
        }
        if !configuration.allowPrivateWebhooks, let reason = WebhookTarget.refusal(host: host) {
            throw DirectoryError(.invalidInput, "The webhook URL points at \(reason); Roster only posts to public addresses.")
        }
        let secret = "whsec_" + SecretToken.base64URL(environment.randomBytes(32))
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
        guard try await store.read({ try await $0.hasDueWebhookEndpoints(now: now) }) else { return [] }
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
        return "t=\(timestamp),v1=" + SecretToken.hex(mac)
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

    /// Revokes a product API token at once.
    public func revokeProductToken(id: String, caller: Caller) async throws {
        try await store.write { tx in
            guard var token = try await tx.productToken(id: id), let product = try await tx.product(id: token.productId) else {
                throw DirectoryError(.notFound, "No product token with id \(id.prefix(100)).")
            }
            let site = try await requireSite(tx, product.siteId)
            try caller.require(.manageSite(site.id), in: try await requireOrganization(tx, site.organizationId))
            guard token.revoked == nil else { return }
            token.revoked = environment.now()
            try await tx.update(token)
            try await record(
                tx, organizationId: site.organizationId, caller: caller, action: "product_token.revoked", targetType: "product",
                targetId: product.id, payload: ["tokenId": .string(id)]
            )
        }
    }

    /// A product's tokens (never their secrets).
    public func productTokens(siteId: String, productId: String, caller: Caller) async throws -> [ProductToken] {
        try await store.read { reader in
            let product = try await requireProduct(reader, siteId: siteId, productId: productId)
            let site = try await requireSite(reader, product.siteId)
            try caller.require(.manageSite(site.id), in: try await requireOrganization(reader, site.organizationId))
            return try await reader.productTokens(productId: productId)
        }
    }

    /// Authenticates a product API token; every failure is the same error.
    public func authenticateProductToken(bearer: String) async throws -> ProductToken {
        let failure = DirectoryError(.unauthenticated, "The product API token is missing, wrong or revoked.")
        guard let presented = SecretToken.parse(bearer, as: .productToken) else { throw failure }
        guard var token = try await store.read({ try await $0.productToken(prefix: presented.prefix) }),
              presented.matches(storedHash: token.hash), token.isUsable(at: environment.now())
        else { throw failure }
        let now = environment.now()
        if token.needsLastUsedUpdate(at: now, granularity: Self.lastUsedGranularity) {
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
            // Who may use a site's product is for the admins of that site's access.
            let site = try await requireSite(reader, siteId)
            try caller.require(.manageAccess(site.id), in: try await requireOrganization(reader, site.organizationId))
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

    // MARK: Expiry notices

    /// Days ahead at which `api_key.expiring` and `saml_certificate.expiring` events go out.
    public static let expiryThresholds = [30, 7, 1]

    /// Writes an expiring event for each API key, IdP signing certificate and SP certificate that crossed a threshold
    /// (30, 7, 1 days) since the last run, once per threshold; when several are crossed at once, one event names the
    /// nearest. Returns how many events were written.
    public func noticeExpiries() async throws -> Int {
        let now = environment.now()
        let horizon = now.addingTimeInterval(Double(Self.expiryThresholds.max() ?? 30) * 86400)
        struct Expiring { let type: String; let subjectType: String; let id: String; let directoryId: String; let expires: Date; let extra: [String: JSONValue] }
        var expiring: [Expiring] = []
        let (keys, connections, credentials) = try await store.read { reader in
            (try await reader.apiKeysExpiring(before: horizon), try await reader.allSAMLConnections(),
             try await reader.serviceProviderCredentialsExpiring(before: horizon))
        }
        for key in keys {
            guard let expires = key.expires, expires > now else { continue }
            expiring.append(Expiring(type: "api_key.expiring", subjectType: "api_key", id: key.id, directoryId: key.directoryId, expires: expires,
                                     extra: ["prefix": .string(key.prefix)]))
        }
        for connection in connections {
            for pem in connection.certificates {
                guard let expires = ServiceProviderKeys.expiry(ofCertificatePEM: pem), expires > now, expires < horizon else { continue }
                let fingerprint = SecretToken.hash(pem)
                expiring.append(Expiring(type: "saml_certificate.expiring", subjectType: "idp_certificate", id: "\(connection.directoryId):\(fingerprint)",
                                         directoryId: connection.directoryId, expires: expires, extra: ["use": .string("idp-signing"), "sha256": .string(fingerprint)]))
            }
        }
        for credential in credentials where credential.notAfter > now {
            expiring.append(Expiring(type: "saml_certificate.expiring", subjectType: "sp_certificate", id: credential.directoryId,
                                     directoryId: credential.directoryId, expires: credential.notAfter, extra: ["use": .string("sp")]))
        }
        var written = 0
        for item in expiring {
            let daysLeft = item.expires.timeIntervalSince(now) / 86400
            let crossed = Self.expiryThresholds.filter { daysLeft <= Double($0) }
            guard let nearest = crossed.min() else { continue }
            written += try await store.write { tx in
                var fresh: [Int] = []
                for threshold in crossed where try await tx.recordExpiryNotice(subjectType: item.subjectType, subjectId: item.id, thresholdDays: threshold, at: now) {
                    fresh.append(threshold)
                }
                guard fresh.contains(nearest), let directory = try await tx.directory(id: item.directoryId) else { return 0 }
                var payload = item.extra
                payload["directoryId"] = .string(item.directoryId)
                payload["expires"] = .string(ISO8601DateFormatter().string(from: item.expires))
                payload["daysAhead"] = .integer(Int64(nearest))
                try await record(
                    tx, organizationId: directory.organizationId, caller: .system, action: item.type, targetType: item.subjectType,
                    targetId: item.id, detail: "expires within \(nearest) day\(nearest == 1 ? "" : "s")", payload: payload
                )
                return 1
            }
        }
        return written
    }
}
