import Foundation

/// An account in a directory. Identity is `id` (and `externalId` within the directory), never the email.
public struct User: Sendable, Hashable, Codable, Identifiable {
    /// An email address of the user (RFC 7643 §4.1.2 `emails`).
    public struct Email: Sendable, Hashable, Codable {
        public var value: String
        public var type: String?
        public var primary: Bool

        public init(value: String, type: String? = "work", primary: Bool = false) {
            self.value = value
            self.type = type
            self.primary = primary
        }

        private enum CodingKeys: String, CodingKey {
            case value, type, primary
        }

        /// `type` and `primary` are optional in input; `primary` defaults to false.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            value = try container.decode(String.self, forKey: .value)
            type = try container.decodeIfPresent(String.self, forKey: .type)
            primary = try container.decodeIfPresent(Bool.self, forKey: .primary) ?? false
        }
    }

    /// The components of the user's name (RFC 7643 §4.1.1 `name`).
    public struct Name: Sendable, Hashable, Codable {
        public var formatted: String?
        public var familyName: String?
        public var givenName: String?
        public var middleName: String?
        public var honorificPrefix: String?
        public var honorificSuffix: String?

        public init(
            formatted: String? = nil, familyName: String? = nil, givenName: String? = nil,
            middleName: String? = nil, honorificPrefix: String? = nil, honorificSuffix: String? = nil
        ) {
            self.formatted = formatted
            self.familyName = familyName
            self.givenName = givenName
            self.middleName = middleName
            self.honorificPrefix = honorificPrefix
            self.honorificSuffix = honorificSuffix
        }
    }

    public var id: String
    public var directoryId: String
    public var userName: String
    public var externalId: String?
    public var emails: [Email]
    public var name: Name
    public var displayName: String?
    public var nickName: String?
    public var title: String?
    public var department: String?
    public var organization: String?
    public var timezone: String?
    public var locale: String?
    public var preferredLanguage: String?
    public var active: Bool
    /// A managed account has an email on a verified domain of the organization.
    public var managed: Bool
    /// Attributes kept beyond the core and enterprise schemas, by schema URN or name.
    public var extensionAttributes: [String: JSONValue]
    /// Bumped by every write; drives ETags.
    public var version: Int
    public var created: Date
    public var lastModified: Date

    public init(
        id: String, directoryId: String, userName: String, externalId: String? = nil,
        emails: [Email] = [], name: Name = Name(), displayName: String? = nil, nickName: String? = nil,
        title: String? = nil, department: String? = nil, organization: String? = nil,
        timezone: String? = nil, locale: String? = nil, preferredLanguage: String? = nil,
        active: Bool = true, managed: Bool = false, extensionAttributes: [String: JSONValue] = [:],
        version: Int = 1, created: Date, lastModified: Date
    ) {
        self.id = id
        self.directoryId = directoryId
        self.userName = userName
        self.externalId = externalId
        self.emails = emails
        self.name = name
        self.displayName = displayName
        self.nickName = nickName
        self.title = title
        self.department = department
        self.organization = organization
        self.timezone = timezone
        self.locale = locale
        self.preferredLanguage = preferredLanguage
        self.active = active
        self.managed = managed
        self.extensionAttributes = extensionAttributes
        self.version = version
        self.created = created
        self.lastModified = lastModified
    }

    /// The primary email, else the first one.
    public var primaryEmail: String? {
        (emails.first(where: \.primary) ?? emails.first)?.value
    }
}
