import Foundation

/// Input rules shared by every use case.
enum Validation {
    /// A display name: trimmed, 1...255 characters, no control characters.
    static func name(_ raw: String, field: String) throws -> String {
        let value = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !value.isEmpty else { throw DirectoryError(.invalidInput, "\(field) must not be empty.") }
        guard value.count <= 255 else { throw DirectoryError(.invalidInput, "\(field) is longer than 255 characters.") }
        guard !value.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) else {
            throw DirectoryError(.invalidInput, "\(field) must not contain control characters.")
        }
        return value
    }

    /// Free text kept as given: no NUL (neither database can store it the same way) and a sane length.
    static func text(_ value: String?, field: String, maximumLength: Int = 4_096) throws {
        guard let value else { return }
        guard !value.unicodeScalars.contains("\u{0}") else {
            throw DirectoryError(.invalidInput, "\(field) must not contain the NUL character.")
        }
        guard value.count <= maximumLength else {
            throw DirectoryError(.invalidInput, "\(field) is longer than \(maximumLength) characters.")
        }
    }

    /// Every string inside a JSON value, checked as `text`.
    static func json(_ value: JSONValue, field: String) throws {
        switch value {
        case .string(let text): try Self.text(text, field: field)
        case .array(let items): for item in items { try json(item, field: field) }
        case .object(let members):
            for (key, member) in members {
                try Self.text(key, field: field, maximumLength: 256)
                try json(member, field: "\(field).\(key)")
            }
        default: return
        }
    }

    /// A site name: a lower-case DNS label.
    static func siteName(_ raw: String) throws -> String {
        let value = raw.trimmingCharacters(in: .whitespaces).lowercased()
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyz0123456789-")
        guard (1...63).contains(value.count), value.unicodeScalars.allSatisfy({ allowed.contains($0) }),
              !value.hasPrefix("-"), !value.hasSuffix("-")
        else {
            throw DirectoryError(
                .invalidInput, "A site name is 1 to 63 lower-case letters, digits or hyphens (\"acme\")."
            )
        }
        return value
    }

    /// An email address: one `@`, a non-empty local part and a domain with a dot.
    static func email(_ raw: String) throws -> String {
        let value = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."),
              !parts[1].hasSuffix("."), value.count <= 320,
              !value.unicodeScalars.contains(where: { CharacterSet.whitespacesAndNewlines.contains($0) || CharacterSet.controlCharacters.contains($0) })
        else {
            throw DirectoryError(.invalidInput, "\"\(value.prefix(64))\" is not an email address.")
        }
        return value
    }

    /// The domain part of an email, lower-cased.
    static func emailDomain(_ email: String) -> String? {
        email.split(separator: "@").last.map { $0.lowercased() }
    }

    /// A domain name: lower-case labels separated by dots.
    static func domainName(_ raw: String) throws -> String {
        let value = raw.trimmingCharacters(in: .whitespaces).lowercased()
        let labels = value.split(separator: ".", omittingEmptySubsequences: false)
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyz0123456789-")
        guard labels.count >= 2, value.count <= 253,
              labels.allSatisfy({ (1...63).contains($0.count) && $0.unicodeScalars.allSatisfy { allowed.contains($0) } })
        else {
            throw DirectoryError(.invalidInput, "\"\(value.prefix(64))\" is not a domain name.")
        }
        return value
    }
}
