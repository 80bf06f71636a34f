/// The schemas Roster serves: core User and Group (RFC 7643 §4) and the Enterprise User extension (§4.3).
public enum CoreSchemas {
    private static func multiValued(
        _ name: String, _ description: String, types: [String], value: AttributeDefinition.DataType = .string,
        caseExactValue: Bool = false, extra: [AttributeDefinition] = []
    ) -> AttributeDefinition {
        AttributeDefinition(name, .complex, multiValued: true, description: description, subAttributes: [
            AttributeDefinition("value", value, description: "The value.", caseExact: caseExactValue),
            AttributeDefinition("display", .string, description: "A human-readable name.", mutability: .readWrite),
            AttributeDefinition("type", .string, description: "A label for the value's function.", canonicalValues: types),
            AttributeDefinition("primary", .boolean, description: "Whether this is the primary value."),
        ] + extra)
    }

    /// `urn:ietf:params:scim:schemas:core:2.0:User` (RFC 7643 §4.1).
    public static let user = SchemaDefinition(
        id: SCIMSchemaURN.user, name: "User", description: "User Account",
        attributes: [
            AttributeDefinition("userName", .string, description: "Unique identifier for the user, used to sign in.",
                                required: true, uniqueness: .server),
            AttributeDefinition("name", .complex, description: "The components of the user's name.", subAttributes: [
                AttributeDefinition("formatted", .string, description: "The full name, formatted for display."),
                AttributeDefinition("familyName", .string, description: "The family name."),
                AttributeDefinition("givenName", .string, description: "The given name."),
                AttributeDefinition("middleName", .string, description: "The middle name(s)."),
                AttributeDefinition("honorificPrefix", .string, description: "The honorific prefix (Ms.)."),
                AttributeDefinition("honorificSuffix", .string, description: "The honorific suffix (III)."),
            ]),
            AttributeDefinition("displayName", .string, description: "The name to display."),
            AttributeDefinition("nickName", .string, description: "The casual name."),
            AttributeDefinition("profileUrl", .reference, description: "A URI of the user's profile.", referenceTypes: ["external"]),
            AttributeDefinition("title", .string, description: "The user's title."),
            AttributeDefinition("userType", .string, description: "The relationship to the organization."),
            AttributeDefinition("preferredLanguage", .string, description: "The preferred language (Accept-Language form)."),
            AttributeDefinition("locale", .string, description: "The default location for localization."),
            AttributeDefinition("timezone", .string, description: "The time zone (IANA name)."),
            AttributeDefinition("active", .boolean, description: "Whether the account may be used."),
            AttributeDefinition("password", .string, description: "Never returned.", mutability: .writeOnly, returned: .never),
            multiValued("emails", "Email addresses.", types: ["work", "home", "other"]),
            multiValued("phoneNumbers", "Phone numbers.", types: ["work", "home", "mobile", "fax", "pager", "other"]),
            multiValued("ims", "Instant messaging addresses.", types: ["aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"]),
            multiValued("photos", "URLs of photos.", types: ["photo", "thumbnail"], value: .reference, caseExactValue: true),
            AttributeDefinition("addresses", .complex, multiValued: true, description: "Physical mailing addresses.", subAttributes: [
                AttributeDefinition("formatted", .string, description: "The full address."),
                AttributeDefinition("streetAddress", .string, description: "The street."),
                AttributeDefinition("locality", .string, description: "The city or locality."),
                AttributeDefinition("region", .string, description: "The state or region."),
                AttributeDefinition("postalCode", .string, description: "The zip or postal code."),
                AttributeDefinition("country", .string, description: "The country (ISO 3166-1 alpha-2)."),
                AttributeDefinition("type", .string, description: "work, home or other.", canonicalValues: ["work", "home", "other"]),
                AttributeDefinition("primary", .boolean, description: "Whether this is the primary address."),
            ]),
            AttributeDefinition("groups", .complex, multiValued: true, description: "Groups the user belongs to, directly or not.",
                                mutability: .readOnly, subAttributes: [
                AttributeDefinition("value", .string, description: "The group's id.", mutability: .readOnly),
                AttributeDefinition("$ref", .reference, description: "The group's URI.", mutability: .readOnly, referenceTypes: ["Group"]),
                AttributeDefinition("display", .string, description: "The group's displayName.", mutability: .readOnly),
                AttributeDefinition("type", .string, description: "direct or indirect.", mutability: .readOnly, canonicalValues: ["direct", "indirect"]),
            ]),
            multiValued("entitlements", "Entitlements.", types: []),
            multiValued("roles", "Roles.", types: []),
            multiValued("x509Certificates", "X.509 certificates (DER, base64).", types: [], value: .binary, caseExactValue: true),
        ]
    )

    /// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User` (RFC 7643 §4.3).
    public static let enterpriseUser = SchemaDefinition(
        id: SCIMSchemaURN.enterpriseUser, name: "EnterpriseUser", description: "Enterprise User",
        attributes: [
            AttributeDefinition("employeeNumber", .string, description: "The employee number."),
            AttributeDefinition("costCenter", .string, description: "The cost center."),
            AttributeDefinition("organization", .string, description: "The organization."),
            AttributeDefinition("division", .string, description: "The division."),
            AttributeDefinition("department", .string, description: "The department."),
            AttributeDefinition("manager", .complex, description: "The user's manager.", subAttributes: [
                AttributeDefinition("value", .string, description: "The manager's id.", caseExact: true),
                AttributeDefinition("$ref", .reference, description: "The manager's URI.", referenceTypes: ["User"]),
                AttributeDefinition("displayName", .string, description: "The manager's displayName.", mutability: .readOnly),
            ]),
        ]
    )

    /// `urn:ietf:params:scim:schemas:core:2.0:Group` (RFC 7643 §4.2).
    public static let group = SchemaDefinition(
        id: SCIMSchemaURN.group, name: "Group", description: "Group",
        attributes: [
            AttributeDefinition("displayName", .string, description: "The group's name.", required: true),
            AttributeDefinition("members", .complex, multiValued: true, description: "Members of the group: users and groups.",
                                returned: .default, subAttributes: [
                AttributeDefinition("value", .string, description: "The member's id.", caseExact: true, mutability: .immutable),
                AttributeDefinition("$ref", .reference, description: "The member's URI.", mutability: .immutable, referenceTypes: ["User", "Group"]),
                AttributeDefinition("display", .string, description: "The member's name.", mutability: .readOnly),
                AttributeDefinition("type", .string, description: "User or Group.", mutability: .immutable, canonicalValues: ["User", "Group"]),
            ]),
        ]
    )

    /// The User resource type.
    public static let userResource = ResourceSchema(
        name: "User", endpoint: "/Users", core: user,
        extensions: [(enterpriseUser, false)]
    )

    /// The Group resource type.
    public static let groupResource = ResourceSchema(name: "Group", endpoint: "/Groups", core: group, extensions: [])

    /// Every schema, for `/Schemas`.
    public static let all: [SchemaDefinition] = [user, enterpriseUser, group]
}
