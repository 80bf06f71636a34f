import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where Roster may post webhooks: public addresses only, so an admin's URL cannot reach the server's own loopback,
/// the private network or a cloud metadata service. Checked when the endpoint is saved (literal addresses and local
/// names) and again before each delivery (what the name resolves to then).
public enum WebhookTarget {
    /// Why `host` is refused, or nil when it is not known to be private. Names are checked by `resolvedRefusal`.
    public static func refusal(host: String) -> String? {
        let name = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if name == "localhost" || name.hasSuffix(".localhost") || name.hasSuffix(".local") || name.hasSuffix(".internal") {
            return "a local name (\(name))"
        }
        if let bytes = ipv4(name) { return privateIPv4(bytes) ? "a private address (\(name))" : nil }
        if let bytes = ipv6(name) { return privateIPv6(bytes) ? "a private address (\(name))" : nil }
        return nil
    }

    /// Resolves `host` and refuses it when any address it has is private (loopback, private networks, link-local and
    /// metadata services, multicast, unspecified). Nil when every address is public.
    public static func resolvedRefusal(host: String) -> String? {
        if let literal = refusal(host: host) { return literal }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else { return "a name that does not resolve" }
        defer { freeaddrinfo(first) }
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            if let address = info.pointee.ai_addr {
                if info.pointee.ai_family == AF_INET {
                    let value = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr.s_addr }
                    let bytes = withUnsafeBytes(of: value) { Array($0) }
                    if privateIPv4(bytes) { return "a private address" }
                } else if info.pointee.ai_family == AF_INET6 {
                    let bytes = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                        withUnsafeBytes(of: pointer.pointee.sin6_addr) { Array($0) }
                    }
                    if privateIPv6(bytes) { return "a private address" }
                }
            }
            cursor = info.pointee.ai_next
        }
        return nil
    }

    static func ipv4(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        let bytes = parts.compactMap { UInt8($0) }
        return bytes.count == 4 ? bytes : nil
    }

    static func ipv6(_ text: String) -> [UInt8]? {
        guard text.contains(":") else { return nil }
        var address = in6_addr()
        guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
        return withUnsafeBytes(of: address) { Array($0) }
    }

    static func privateIPv4(_ b: [UInt8]) -> Bool {
        switch (b[0], b[1]) {
        case (0, _), (10, _), (127, _): true
        case (100, 64...127): true
        case (169, 254): true
        case (172, 16...31): true
        case (192, 168): true
        case (198, 18...19): true
        case (192, 0) where b[2] == 0: true
        case (224...255, _): true
        default: false
        }
    }

    static func privateIPv6(_ b: [UInt8]) -> Bool {
        if b.allSatisfy({ $0 == 0 }) { return true }
        if b[0..<15].allSatisfy({ $0 == 0 }) && b[15] == 1 { return true }
        if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xff && b[11] == 0xff { return privateIPv4(Array(b[12..<16])) }
        if b[0] & 0xfe == 0xfc { return true }
        if b[0] == 0xfe && b[1] & 0xc0 == 0x80 { return true }
        if b[0] == 0xff { return true }
        return false
    }
}
