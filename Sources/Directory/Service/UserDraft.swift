/// The attributes of a user that a caller sets; the directory assigns id, version and timestamps.
public struct UserDraft: Sendable, Hashable {
    public var userName: String
    public var externalId: String?
    public var emails: [User.Email]
    public var name: User.Name
    public var displayName: String?
    public var nickName: String?
    public var title: String?
    public var department: String?
    public var organization: String?
    public var timezone: String?
    public var locale: String?
    public var preferredLanguage: String?
    public var active: Bool
    /// `active` was not given (SCIM); the account counts as active.
    public var activeUnassigned: Bool
    public var extensionAttributes: [String: JSONValue]
    /// A new local password in clear, to be hashed; nil keeps the current one.
    public var password: String?

    public init(
        userName: String, externalId: String? = nil, emails: [User.Email] = [], name: User.Name = User.Name(),
        displayName: String? = nil, nickName: String? = nil, title: String? = nil, department: String? = nil,
        organization: String? = nil, timezone: String? = nil, locale: String? = nil,
        preferredLanguage: String? = nil, active: Bool = true, activeUnassigned: Bool = false,
        extensionAttributes: [String: JSONValue] = [:], password: String? = nil
    ) {
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
        self.extensionAttributes = extensionAttributes
        self.password = password
    }

    /// The draft that reproduces an existing user.
    public init(_ user: User) {
        self.init(
            userName: user.userName, externalId: user.externalId, emails: user.emails, name: user.name,
            displayName: user.displayName, nickName: user.nickName, title: user.title, department: user.department,
            organization: user.organization, timezone: user.timezone, locale: user.locale,
            preferredLanguage: user.preferredLanguage, active: user.active, activeUnassigned: user.activeUnassigned,
            extensionAttributes: user.extensionAttributes
        )
    }

    /// Checks the draft and returns it normalized (trimmed userName, at most one primary email).
    func validated() throws -> UserDraft {
        var draft = self
        draft.userName = try Validation.name(userName, field: "userName")
        var sawPrimary = false
        draft.emails = try emails.map { email in
            var email = email
            email.value = try Validation.email(email.value)
            if email.primary {
                guard !sawPrimary else { throw DirectoryError(.invalidInput, "Only one email may be primary.") }
                sawPrimary = true
            }
            return email
        }
        if let externalId, externalId.count > 255 {
            throw DirectoryError(.invalidInput, "externalId is longer than 255 characters.")
        }
        for (field, value) in [
            ("externalId", externalId), ("displayName", displayName), ("nickName", nickName), ("title", title),
            ("department", department), ("organization", organization), ("timezone", timezone), ("locale", locale),
            ("preferredLanguage", preferredLanguage), ("name.formatted", name.formatted), ("name.familyName", name.familyName),
            ("name.givenName", name.givenName), ("name.middleName", name.middleName),
            ("name.honorificPrefix", name.honorificPrefix), ("name.honorificSuffix", name.honorificSuffix),
        ] {
            try Validation.text(value, field: field)
        }
        for email in draft.emails {
            try Validation.text(email.type, field: "emails.type", maximumLength: 64)
            try Validation.text(email.display, field: "emails.display")
        }
        for (key, value) in extensionAttributes {
            try Validation.text(key, field: "extension attribute name", maximumLength: 256)
            try Validation.json(value, field: key)
        }
        if let password {
            guard !password.isEmpty, password.utf8.count <= PasswordHash.maximumLength else {
                throw DirectoryError(.invalidInput, "A password is 1 to \(PasswordHash.maximumLength) bytes.")
            }
        }
        return draft
    }
}
