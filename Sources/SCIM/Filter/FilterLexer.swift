/// A token of the filter language, with its offset in the filter text.
struct FilterToken: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        case openParen, closeParen, openBracket, closeBracket
        case string(String)
        case number(SCIMValue)
        /// An attribute path, keyword, operator or literal name.
        case word(String)
    }

    let kind: Kind
    let offset: Int
}

/// Splits a filter into tokens; strings follow JSON's escaping rules (RFC 7644 §3.4.2.2 uses JSON values).
struct FilterLexer {
    private let scalars: [Unicode.Scalar]
    private var index = 0

    init(_ text: String) {
        scalars = Array(text.unicodeScalars)
    }

    static func tokenize(_ text: String) throws(SCIMError) -> [FilterToken] {
        var lexer = FilterLexer(text)
        var tokens: [FilterToken] = []
        while let token = try lexer.next() { tokens.append(token) }
        return tokens
    }

    private mutating func next() throws(SCIMError) -> FilterToken? {
        while index < scalars.count, scalars[index].properties.isWhitespace { index += 1 }
        guard index < scalars.count else { return nil }
        let start = index
        let scalar = scalars[index]
        switch scalar {
        case "(": index += 1; return FilterToken(kind: .openParen, offset: start)
        case ")": index += 1; return FilterToken(kind: .closeParen, offset: start)
        case "[": index += 1; return FilterToken(kind: .openBracket, offset: start)
        case "]": index += 1; return FilterToken(kind: .closeBracket, offset: start)
        case "\"": return FilterToken(kind: .string(try string()), offset: start)
        case "-", "0"..."9":
            return FilterToken(kind: .number(try number()), offset: start)
        default:
            var word = String.UnicodeScalarView()
            while index < scalars.count {
                let current = scalars[index]
                if current.properties.isWhitespace || "()[]\"".unicodeScalars.contains(current) { break }
                word.append(current)
                index += 1
            }
            return FilterToken(kind: .word(String(word)), offset: start)
        }
    }

    private mutating func string() throws(SCIMError) -> String {
        let start = index
        index += 1
        var result = String.UnicodeScalarView()
        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            switch scalar {
            case "\"":
                return String(result)
            case "\\":
                guard index < scalars.count else { break }
                let escape = scalars[index]
                index += 1
                switch escape {
                case "\"": result.append("\"")
                case "\\": result.append("\\")
                case "/": result.append("/")
                case "b": result.append("\u{08}")
                case "f": result.append("\u{0C}")
                case "n": result.append("\n")
                case "r": result.append("\r")
                case "t": result.append("\t")
                case "u":
                    guard let code = hex4(), let decoded = try unicodeEscape(code) else {
                        throw .invalidFilter("Invalid \\u escape in a string", at: index)
                    }
                    result.append(decoded)
                default:
                    throw .invalidFilter("Invalid escape \\\(escape) in a string", at: index - 2)
                }
            default:
                guard scalar.value >= 0x20 else { throw .invalidFilter("Control character in a string", at: index - 1) }
                result.append(scalar)
            }
        }
        throw .invalidFilter("Unterminated string", at: start)
    }

    private mutating func hex4() -> UInt32? {
        guard index + 4 <= scalars.count else { return nil }
        var value: UInt32 = 0
        for scalar in scalars[index..<(index + 4)] {
            guard let digit = scalar.properties.numericType != nil ? UInt32(String(scalar)) : hexLetter(scalar) else { return nil }
            value = value * 16 + digit
        }
        index += 4
        return value
    }

    private func hexLetter(_ scalar: Unicode.Scalar) -> UInt32? {
        switch scalar {
        case "a"..."f": scalar.value - 87
        case "A"..."F": scalar.value - 55
        default: nil
        }
    }

    private mutating func unicodeEscape(_ code: UInt32) throws(SCIMError) -> Unicode.Scalar? {
        if (0xD800...0xDBFF).contains(code) {
            // A surrogate pair: \uD83D\uDE00.
            guard index + 6 <= scalars.count, scalars[index] == "\\", scalars[index + 1] == "u" else { return nil }
            index += 2
            guard let low = hex4(), (0xDC00...0xDFFF).contains(low) else { return nil }
            return Unicode.Scalar(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00))
        }
        return Unicode.Scalar(code)
    }

    private mutating func number() throws(SCIMError) -> SCIMValue {
        let start = index
        var text = ""
        while index < scalars.count, "-+.eE0123456789".unicodeScalars.contains(scalars[index]) {
            text.unicodeScalars.append(scalars[index])
            index += 1
        }
        if let integer = Int64(text) { return .integer(integer) }
        if let decimal = Double(text), decimal.isFinite, text.first != "+" { return .decimal(decimal) }
        throw .invalidFilter("\"\(text)\" is not a number", at: start)
    }
}
