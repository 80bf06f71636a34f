import Foundation

/// A DNS domain claimed by an organization.
public struct Domain: Sendable, Hashable, Codable, Identifiable {
    public var id: String
    public var organizationId: String
    /// Lower-case domain name (`acme.com`).
    public var name: String
    /// The value expected in the `roster-verification=` TXT record or the well-known file.
    public var verificationToken: String
    public var verifiedAt: Date?
    /// The identity provider directory this domain routes sign-ins to.
    public var directoryId: String?
    public var created: Date

    public init(
        id: String, organizationId: String, name: String, verificationToken: String, verifiedAt: Date? = nil,
        directoryId: String? = nil, created: Date
    ) {
        self.id = id
        self.organizationId = organizationId
        self.name = name
        self.verificationToken = verificationToken
        self.verifiedAt = verifiedAt
        self.directoryId = directoryId
        self.created = created
    }

    public var isVerified: Bool { verifiedAt != nil }
}
