/// A domain error: a stable `code` for callers and tests, a message safe to show, and an optional cause.
public struct DirectoryError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// Stable error codes. New codes may be added without breaking callers.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The thing named does not exist (or is not visible to the caller).
        public static let notFound = Code(rawValue: "not_found")
        /// Input failed validation.
        public static let invalidInput = Code(rawValue: "invalid_input")
        /// A userName is already used in the directory (compared case-insensitively).
        public static let userNameTaken = Code(rawValue: "user_name_taken")
        /// Some other uniqueness rule failed (site name, group name, product on a site...).
        public static let alreadyExists = Code(rawValue: "already_exists")
        /// The organization's plan does not include the feature.
        public static let planRequired = Code(rawValue: "plan_required")
        /// The caller is authenticated but may not do this.
        public static let forbidden = Code(rawValue: "forbidden")
        /// No valid credential.
        public static let unauthenticated = Code(rawValue: "unauthenticated")
        /// A Jira Service Management site already has its portal-customer identity provider.
        public static let portalDirectoryExists = Code(rawValue: "portal_directory_exists")
        /// The operation does not fit the directory (provisioning into an SSO-only provider, say).
        public static let unsupported = Code(rawValue: "unsupported")
        /// The resource changed since the caller read it.
        public static let versionMismatch = Code(rawValue: "version_mismatch")
        /// Too many attempts in a short time (password sign-in).
        public static let throttled = Code(rawValue: "throttled")
    }

    public var code: Code
    public var message: String
    public var cause: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String { "\(code): \(message)" }

    public var debugDescription: String {
        if let cause { return "\(code): \(message) (cause: \(String(reflecting: cause)))" }
        return description
    }
}

/// Errors a store reports in terms the domain understands.
public struct StoreError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public struct Code: RawRepresentable, Hashable, Sendable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// A unique index rejected the write; `constraint` names it where the database says.
        public static let uniqueViolation = Code(rawValue: "unique_violation")
        /// A referenced row does not exist.
        public static let foreignKeyViolation = Code(rawValue: "foreign_key_violation")
        /// A stored row could not be read back into its type.
        public static let corruptRow = Code(rawValue: "corrupt_row")
    }

    public var code: Code
    /// The constraint or table the database named, when it named one.
    public var constraint: String?
    /// The driver error; may contain SQL, so it is only shown in `debugDescription`.
    public var cause: (any Error & Sendable)?

    public init(_ code: Code, constraint: String? = nil, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.constraint = constraint
        self.cause = cause
    }

    public var description: String { "store error \(code.rawValue)" + (constraint.map { " (\($0))" } ?? "") }

    public var debugDescription: String {
        description + (cause.map { ": \(String(reflecting: $0))" } ?? "")
    }
}
