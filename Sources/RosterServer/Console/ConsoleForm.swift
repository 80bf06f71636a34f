import Crypto
import Directory
import Foundation
import Hummingbird

/// The fields of a console form: `application/x-www-form-urlencoded`, or `multipart/form-data` when it carries a file.
struct ConsoleForm: Sendable {
    private(set) var fields: [String: String]

    subscript(_ name: String) -> String? { fields[name] }

    /// A trimmed field, nil when absent or blank.
    func text(_ name: String) -> String? {
        guard let value = fields[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    /// A checkbox: present means on.
    func flag(_ name: String) -> Bool { fields[name] != nil }

    /// Reads the body of a form post (at most 1 MiB: certificates and metadata fit, nothing else needs more).
    static func read(_ request: Request) async throws -> ConsoleForm {
        let buffer = try await request.body.collect(upTo: 1 << 20)
        let contentType = request.headers[.contentType] ?? ""
        if contentType.lowercased().hasPrefix("multipart/form-data"), let boundary = boundary(of: contentType) {
            return ConsoleForm(fields: multipart(Array(buffer.readableBytesView), boundary: boundary))
        }
        return ConsoleForm(fields: SAMLController.formFields(String(buffer: buffer)))
    }

    private static func boundary(of contentType: String) -> String? {
        for parameter in contentType.split(separator: ";").dropFirst() {
            let parts = parameter.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "boundary" {
                let value = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                return value.isEmpty || value.count > 200 ? nil : value
            }
        }
        return nil
    }

    /// RFC 7578 parts: each field's name and its value as UTF-8 text (files included: the console's files are XML).
    private static func multipart(_ body: [UInt8], boundary: String) -> [String: String] {
        let delimiter = Array("--\(boundary)".utf8)
        var fields: [String: String] = [:]
        var starts: [Int] = []
        var index = 0
        while let found = find(delimiter, in: body, from: index) {
            starts.append(found)
            index = found + delimiter.count
        }
        for (start, end) in zip(starts, starts.dropFirst()) {
            var part = Array(body[(start + delimiter.count)..<end])
            if part.starts(with: [13, 10]) { part.removeFirst(2) }
            if part.suffix(2) == [13, 10] { part.removeLast(2) }
            guard let split = find([13, 10, 13, 10], in: part, from: 0) else { continue }
            let head = String(decoding: part[..<split], as: UTF8.self)
            let value = String(decoding: part[(split + 4)...], as: UTF8.self)
            guard let disposition = head.split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("content-disposition:") }),
                  let nameRange = disposition.range(of: "name=\"")
            else { continue }
            let rest = disposition[nameRange.upperBound...]
            guard let close = rest.firstIndex(of: "\"") else { continue }
            let name = String(rest[..<close])
            if fields[name] == nil { fields[name] = value }
        }
        return fields
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard needle.count <= haystack.count, start <= haystack.count - needle.count else { return nil }
        var index = start
        while index <= haystack.count - needle.count {
            if haystack[index] == needle[0], Array(haystack[index..<(index + needle.count)]) == needle { return index }
            index += 1
        }
        return nil
    }
}

/// Cross-site request forgery tokens: the token is an HMAC of the console session's cookie value, so a page of another
/// site, which cannot read the cookie, cannot produce it, and nothing needs storing.
enum ConsoleCSRF {
    static let field = "_csrf"

    static func token(forSession cookie: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("roster-console-csrf".utf8), using: SymmetricKey(data: Data(cookie.utf8)))
        return SecretToken.hex(mac)
    }

    static func verify(_ presented: String?, session cookie: String) -> Bool {
        guard let presented else { return false }
        return SecretToken.constantTimeEquals(token(forSession: cookie), presented)
    }
}
