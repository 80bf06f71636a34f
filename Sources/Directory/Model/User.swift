import Foundation

/// An account in a directory. Identity is `id` (and `externalId` within the directory), never the email.
public struct User: Sendable, Hashable, Codable, Identifiable {
    /// An email address of the user (RFC 7643 §4.1.2 `emails`).
    public struct Email: Sendable, Hashable, Codable {
        public var value: String
        public var type: String?
        public var primary: Bool
        /// A human-readable label the identity provider sent.
        public var display: String?

        public init(value: String, type: String? = "work", primary: Bool = false, display: String? = nil) {
            self.value = value
            self.type = type
            self.primary = primary
            self.display = display
        }

        private enum CodingKeys: String, CodingKey {
            case value, type, primary, display
        }

        /// `type` and `primary` are optional in input; `primary` defaults to false.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            value = try container.decode(String.self, forKey: .value)
            type = try container.decodeIfPresent(String.self, forKey: .type)
            primary = try container.decodeIfPresent(Bool.self, forKey: .primary) ?? false
            display = try container.decodeIfPresent(String.self, forKey: .display)
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
    /// True when the identity provider left `active` unassigned (the account then counts as active, and SCIM
    /// reads show no `active` attribute).
    public var activeUnassigned: Bool
    /// A managed account has an email on a verified domain of the organization.
    public var managed: Bool
    /// The scrypt hash of a local password, when one was set (SCIM `password`); never serialized with the user.
    public var passwordHash: String?
    /// Attributes kept beyond the core and enterprise schemas, by schema URN or name.
    public var extensionAttributes: [String: JSONValue]
    /// Bumped by every write; drives ETags.
    public var version: Int
    public var created: Date
    public var lastModified: Date
    /// When the identity provider deleted this account's provisioning record: the account is kept, deactivated and
    /// invisible to SCIM (until the IdP provisions the same userName again, or the directory's purge runs).
    public var deprovisioned: Date?

    public init(
        id: String, directoryId: String, userName: String, externalId: String? = nil,
        emails: [Email] = [], name: Name = Name(), displayName: String? = nil, nickName: String? = nil,
        title: String? = nil, department: String? = nil, organization: String? = nil,
        timezone: String? = nil, locale: String? = nil, preferredLanguage: String? = nil,
        active: Bool = true, activeUnassigned: Bool = false, managed: Bool = false,
        extensionAttributes: [String: JSONValue] = [:], version: Int = 1, created: Date, lastModified: Date
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
        self.activeUnassigned = activeUnassigned
        self.managed = managed
        self.extensionAttributes = extensionAttributes
        self.version = version
        self.created = created
        self.lastModified = lastModified
    }

    private enum CodingKeys: String, CodingKey {
        case id, directoryId, userName, externalId, emails, name, displayName, nickName, title, department, organization
        case timezone, locale, preferredLanguage, active, activeUnassigned, managed, extensionAttributes, version, created, lastModified
        case deprovisioned
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decode(String.self, forKey: .id), directoryId: try c.decode(String.self, forKey: .directoryId),
            userName: try c.decode(String.self, forKey: .userName), externalId: try c.decodeIfPresent(String.self, forKey: .externalId),
            emails: try c.decodeIfPresent([Email].self, forKey: .emails) ?? [], name: try c.decodeIfPresent(Name.self, forKey: .name) ?? Name(),
            displayName: try c.decodeIfPresent(String.self, forKey: .displayName), nickName: try c.decodeIfPresent(String.self, forKey: .nickName),
            title: try c.decodeIfPresent(String.self, forKey: .title), department: try c.decodeIfPresent(String.self, forKey: .department),
            organization: try c.decodeIfPresent(String.self, forKey: .organization), timezone: try c.decodeIfPresent(String.self, forKey: .timezone),
            locale: try c.decodeIfPresent(String.self, forKey: .locale),
            preferredLanguage: try c.decodeIfPresent(String.self, forKey: .preferredLanguage),
            active: try c.decode(Bool.self, forKey: .active),
            activeUnassigned: try c.decodeIfPresent(Bool.self, forKey: .activeUnassigned) ?? false,
            managed: try c.decode(Bool.self, forKey: .managed),
            extensionAttributes: try c.decodeIfPresent([String: JSONValue].self, forKey: .extensionAttributes) ?? [:],
            version: try c.decode(Int.self, forKey: .version), created: try c.decode(Date.self, forKey: .created),
            lastModified: try c.decode(Date.self, forKey: .lastModified)
        )
        deprovisioned = try c.decodeIfPresent(Date.self, forKey: .deprovisioned)
    }

    /// The primary email, else the first one.
    public var primaryEmail: String? {
        (emails.first(where: \.primary) ?? emails.first)?.value
    }
}
