import Foundation

/// Parses the filter grammar of RFC 7644 §3.4.2.2: precedence `not` > `and` > `or`, parentheses, value paths,
/// URN-qualified attributes. Operators and keywords are case-insensitive.
public struct FilterParser {
    /// Longest filter accepted, in characters.
    public static let maximumLength = 8_192
    /// Most comparisons in one filter.
    public static let maximumTerms = 100
    /// Most comparisons in a PATCH path's value filter: `members[value eq "a" or ...]` removes many members.
    public static let maximumPatchPathTerms = 1_000
    /// Deepest nesting of parentheses, `not` and value paths.
    public static let maximumDepth = 16

    private let tokens: [FilterToken]
    private let length: Int
    private var termLimit = FilterParser.maximumTerms
    private var position = 0
    private var depth = 0
    private var terms = 0

    private init(tokens: [FilterToken], length: Int) {
        self.tokens = tokens
        self.length = length
    }

    /// Parses a whole filter; every error is 400 `invalidFilter` naming the position.
    public static func parse(_ text: String) throws(SCIMError) -> SCIMFilter {
        guard text.unicodeScalars.count <= maximumLength else {
            throw SCIMError(status: 400, scimType: .invalidFilter, detail: "The filter is longer than \(maximumLength) characters.")
        }
        var parser = FilterParser(tokens: try FilterLexer.tokenize(text), length: text.unicodeScalars.count)
        guard !parser.tokens.isEmpty else {
            throw SCIMError(status: 400, scimType: .invalidFilter, detail: "The filter is empty.")
        }
        let filter = try parser.parseOr(insideValuePath: false)
        if let extra = parser.peek() {
            throw .invalidFilter("Unexpected \(describe(extra)) after a complete filter", at: extra.offset)
        }
        return filter
    }

    /// Parses a PATCH `path` (RFC 7644 §3.5.2): `attrPath`, or `valuePath` optionally followed by `.subAttr`.
    public static func parsePatchPath(_ text: String) throws(SCIMError) -> PatchPath {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.unicodeScalars.count <= maximumLength * 16 else {
            throw SCIMError(status: 400, scimType: .invalidPath, detail: "The PATCH path is empty or too long.")
        }
        guard let bracket = trimmed.firstIndex(of: "[") else {
            guard let path = AttributePath(parsing: trimmed) else {
                throw SCIMError(status: 400, scimType: .invalidPath, detail: "\"\(trimmed.prefix(200))\" is not an attribute path.")
            }
            return PatchPath(attribute: path, filter: nil, subAttribute: nil)
        }
        guard let close = trimmed.lastIndex(of: "]"), close > bracket,
              let attribute = AttributePath(parsing: String(trimmed[..<bracket])), attribute.subAttribute == nil
        else {
            throw SCIMError(status: 400, scimType: .invalidPath, detail: "\"\(trimmed.prefix(200))\" is not a valid value path.")
        }
        let filterText = String(trimmed[trimmed.index(after: bracket)..<close])
        let filter: SCIMFilter
        do throws(SCIMError) {
            var parser = FilterParser(tokens: try FilterLexer.tokenize(filterText), length: filterText.count)
            parser.termLimit = maximumPatchPathTerms
            filter = try parser.parseOr(insideValuePath: true)
            if let extra = parser.peek() {
                throw SCIMError.invalidFilter("Unexpected \(describe(extra))", at: extra.offset)
            }
        } catch {
            throw SCIMError(status: 400, scimType: .invalidPath, detail: "Invalid filter in the PATCH path: \(error.detail)")
        }
        var subAttribute: String?
        let tail = trimmed[trimmed.index(after: close)...]
        if !tail.isEmpty {
            guard tail.hasPrefix("."), AttributePath.isAttributeName(tail.dropFirst()) else {
                throw SCIMError(status: 400, scimType: .invalidPath, detail: "Unexpected \"\(tail.prefix(50))\" after the value filter.")
            }
            subAttribute = String(tail.dropFirst())
        }
        return PatchPath(attribute: attribute, filter: filter, subAttribute: subAttribute)
    }

    // MARK: Grammar

    private mutating func parseOr(insideValuePath: Bool) throws(SCIMError) -> SCIMFilter {
        var filter = try parseAnd(insideValuePath: insideValuePath)
        while keyword("or") {
            filter = .or(filter, try parseAnd(insideValuePath: insideValuePath))
        }
        return filter
    }

    private mutating func parseAnd(insideValuePath: Bool) throws(SCIMError) -> SCIMFilter {
        var filter = try parseUnary(insideValuePath: insideValuePath)
        while keyword("and") {
            filter = .and(filter, try parseUnary(insideValuePath: insideValuePath))
        }
        return filter
    }

    private mutating func parseUnary(insideValuePath: Bool) throws(SCIMError) -> SCIMFilter {
        guard let token = peek() else { throw .invalidFilter("The filter ends where an expression was expected", at: length) }
        if case .word(let word) = token.kind, word.lowercased() == "not" {
            position += 1
            try expect(.openParen, "\"(\" after \"not\"")
            let inner = try nested { (parser: inout FilterParser) throws(SCIMError) in try parser.parseOr(insideValuePath: insideValuePath) }
            try expect(.closeParen, "\")\" to close \"not (\"")
            return .not(inner)
        }
        if token.kind == .openParen {
            position += 1
            let inner = try nested { (parser: inout FilterParser) throws(SCIMError) in try parser.parseOr(insideValuePath: insideValuePath) }
            try expect(.closeParen, "\")\"")
            return inner
        }
        return try parseAttributeExpression(insideValuePath: insideValuePath)
    }

    private mutating func parseAttributeExpression(insideValuePath: Bool) throws(SCIMError) -> SCIMFilter {
        guard let token = next() else { throw .invalidFilter("Expected an attribute", at: length) }
        guard case .word(let word) = token.kind else {
            throw .invalidFilter("Expected an attribute, found \(Self.describe(token))", at: token.offset)
        }
        guard let path = AttributePath(parsing: word), !["and", "or", "not"].contains(word.lowercased()) else {
            throw .invalidFilter("\"\(word.prefix(100))\" is not an attribute path", at: token.offset)
        }
        terms += 1
        guard terms <= termLimit else {
            throw SCIMError(status: 400, scimType: .invalidFilter, detail: "The filter has more than \(termLimit) comparisons.")
        }
        if let bracket = peek(), bracket.kind == .openBracket {
            guard !insideValuePath else { throw .invalidFilter("Value filters cannot be nested", at: bracket.offset) }
            guard path.subAttribute == nil else {
                throw .invalidFilter("A value filter applies to a multi-valued attribute, not \(path)", at: bracket.offset)
            }
            position += 1
            let inner = try nested { (parser: inout FilterParser) throws(SCIMError) in try parser.parseOr(insideValuePath: true) }
            try expect(.closeBracket, "\"]\"")
            return .valuePath(path, inner)
        }
        guard let operatorToken = next() else {
            throw .invalidFilter("Expected an operator after \(path)", at: length)
        }
        guard case .word(let operatorWord) = operatorToken.kind else {
            throw .invalidFilter("Expected an operator after \(path), found \(Self.describe(operatorToken))", at: operatorToken.offset)
        }
        if operatorWord.lowercased() == "pr" { return .present(path) }
        guard let op = SCIMFilter.Operator(rawValue: operatorWord.lowercased()) else {
            throw .invalidFilter("\"\(operatorWord.prefix(20))\" is not an operator (eq ne co sw ew gt ge lt le pr)", at: operatorToken.offset)
        }
        guard let valueToken = next() else { throw .invalidFilter("Expected a value after \"\(operatorWord)\"", at: length) }
        let value: SCIMValue
        switch valueToken.kind {
        case .string(let text): value = .string(text)
        case .number(let number): value = number
        case .word(let literal) where literal == "true": value = .bool(true)
        case .word(let literal) where literal == "false": value = .bool(false)
        case .word(let literal) where literal == "null": value = .null
        default:
            throw .invalidFilter("Expected a value (a quoted string, number, true, false or null), found \(Self.describe(valueToken))", at: valueToken.offset)
        }
        if [.co, .sw, .ew].contains(op), value.stringValue == nil {
            throw .invalidFilter("\"\(op.rawValue)\" compares strings; give a quoted string", at: valueToken.offset)
        }
        if [.gt, .ge, .lt, .le].contains(op), value.isNull || value.boolValue != nil {
            throw .invalidFilter("\"\(op.rawValue)\" cannot compare with \(value.isNull ? "null" : "a boolean")", at: valueToken.offset)
        }
        return .compare(path, op, value)
    }

    // MARK: Tokens

    private func peek() -> FilterToken? {
        position < tokens.count ? tokens[position] : nil
    }

    private mutating func next() -> FilterToken? {
        defer { position += 1 }
        return peek()
    }

    private mutating func keyword(_ word: String) -> Bool {
        guard let token = peek(), case .word(let text) = token.kind, text.lowercased() == word else { return false }
        position += 1
        return true
    }

    private mutating func expect(_ kind: FilterToken.Kind, _ what: String) throws(SCIMError) {
        guard let token = next() else { throw .invalidFilter("Expected \(what) before the end", at: length) }
        guard token.kind == kind else { throw .invalidFilter("Expected \(what), found \(Self.describe(token))", at: token.offset) }
    }

    private mutating func nested(_ body: (inout FilterParser) throws(SCIMError) -> SCIMFilter) throws(SCIMError) -> SCIMFilter {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else {
            throw SCIMError(status: 400, scimType: .invalidFilter, detail: "The filter nests deeper than \(Self.maximumDepth) levels.")
        }
        return try body(&self)
    }

    private static func describe(_ token: FilterToken) -> String {
        switch token.kind {
        case .openParen: "\"(\""
        case .closeParen: "\")\""
        case .openBracket: "\"[\""
        case .closeBracket: "\"]\""
        case .string(let text): "the string \"\(text.prefix(50))\""
        case .number: "a number"
        case .word(let word): "\"\(word.prefix(50))\""
        }
    }
}

/// A PATCH operation's target (RFC 7644 §3.5.2): an attribute, optionally narrowed by a value filter and then
/// a sub-attribute (`emails[type eq "work"].value`).
public struct PatchPath: Sendable, Hashable, CustomStringConvertible {
    public var attribute: AttributePath
    public var filter: SCIMFilter?
    public var subAttribute: String?

    public init(attribute: AttributePath, filter: SCIMFilter?, subAttribute: String?) {
        self.attribute = attribute
        self.filter = filter
        self.subAttribute = subAttribute
    }

    public var description: String {
        attribute.description + (filter.map { "[\($0)]" } ?? "") + (subAttribute.map { ".\($0)" } ?? "")
    }
}
