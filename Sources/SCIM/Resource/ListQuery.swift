import Foundation

/// The query of a list request (RFC 7644 §3.4.2): filter, sort and page.
public struct ListQuery: Sendable, Hashable {
    public enum SortOrder: String, Sendable, Hashable {
        case ascending, descending
    }

    public var filter: SCIMFilter?
    public var sortBy: AttributePath?
    public var sortOrder: SortOrder
    /// 1-based (RFC 7644 §3.4.2.4).
    public var startIndex: Int
    public var count: Int

    /// The page size when the client names none, and the most any page holds (advertised in
    /// `/ServiceProviderConfig` as `filter.maxResults`).
    public static let defaultCount = 100
    public static let maximumCount = 1_000

    public init(filter: SCIMFilter? = nil, sortBy: AttributePath? = nil, sortOrder: SortOrder = .ascending, startIndex: Int = 1, count: Int = defaultCount) {
        self.filter = filter
        self.sortBy = sortBy
        self.sortOrder = sortOrder
        self.startIndex = startIndex
        self.count = count
    }

    /// Parses query parameters. Per RFC 7644 §3.4.2.4 a `startIndex` below 1 means 1 and a negative `count`
    /// means 0; a `count` above the maximum is lowered to it. Values that are not integers are 400 `invalidValue`.
    public static func parse(
        filter: String?, sortBy: String?, sortOrder: String?, startIndex: String?, count: String?, resource: ResourceSchema
    ) throws(SCIMError) -> ListQuery {
        func integer(_ text: String?, name: String) throws(SCIMError) -> Int? {
            guard let text else { return nil }
            guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
                throw SCIMError(status: 400, scimType: .invalidValue, detail: "\(name) must be an integer, not \"\(text.prefix(40))\".")
            }
            return value
        }
        var query = ListQuery()
        if let filter, !filter.trimmingCharacters(in: .whitespaces).isEmpty {
            let parsed = try FilterParser.parse(filter)
            try FilterValidator.validate(parsed, for: resource)
            query.filter = parsed
        }
        if let sortBy, !sortBy.isEmpty {
            guard let path = AttributePath(parsing: sortBy), let (_, definition) = resource.resolve(path),
                  path.subAttribute == nil ? definition.type != .complex || definition.multiValued : definition.subAttribute(named: path.subAttribute!) != nil
            else {
                throw SCIMError(status: 400, scimType: .invalidValue, detail: "sortBy: \"\(sortBy.prefix(100))\" is not a sortable attribute.")
            }
            query.sortBy = path
        }
        if let sortOrder, !sortOrder.isEmpty {
            guard let order = SortOrder(rawValue: sortOrder.lowercased()) else {
                throw SCIMError(status: 400, scimType: .invalidValue, detail: "sortOrder must be \"ascending\" or \"descending\".")
            }
            query.sortOrder = order
        }
        query.startIndex = max(1, try integer(startIndex, name: "startIndex") ?? 1)
        query.count = min(max(0, try integer(count, name: "count") ?? defaultCount), maximumCount)
        return query
    }
}

/// A list response (RFC 7644 §3.4.2).
public struct ListResponse: Sendable, Encodable {
    public var totalResults: Int
    public var startIndex: Int
    public var itemsPerPage: Int
    public var resources: [[String: SCIMValue]]

    public init(totalResults: Int, startIndex: Int, resources: [[String: SCIMValue]]) {
        self.totalResults = totalResults
        self.startIndex = startIndex
        self.itemsPerPage = resources.count
        self.resources = resources
    }

    private enum CodingKeys: String, CodingKey {
        case schemas, totalResults, startIndex, itemsPerPage, resources = "Resources"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode([SCIMSchemaURN.listResponse], forKey: .schemas)
        try container.encode(totalResults, forKey: .totalResults)
        try container.encode(startIndex, forKey: .startIndex)
        try container.encode(itemsPerPage, forKey: .itemsPerPage)
        try container.encode(resources, forKey: .resources)
    }
}
