/// Schema URNs of RFC 7643 and RFC 7644.
public enum SCIMSchemaURN {
    /// RFC 7643 §4.1.
    public static let user = "urn:ietf:params:scim:schemas:core:2.0:User"
    /// RFC 7643 §4.2.
    public static let group = "urn:ietf:params:scim:schemas:core:2.0:Group"
    /// RFC 7643 §4.3.
    public static let enterpriseUser = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    /// RFC 7644 §3.4.2.
    public static let listResponse = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
    /// RFC 7644 §3.5.2.
    public static let patchOp = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
    /// RFC 7644 §3.7.
    public static let bulkRequest = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
    /// RFC 7644 §3.7.
    public static let bulkResponse = "urn:ietf:params:scim:api:messages:2.0:BulkResponse"
    /// RFC 7644 §3.12.
    public static let error = "urn:ietf:params:scim:api:messages:2.0:Error"

    /// The media type of SCIM messages (RFC 7644 §3.1).
    public static let mediaType = "application/scim+json"
}
