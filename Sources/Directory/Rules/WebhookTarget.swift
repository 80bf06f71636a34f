import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where Roster may post webhooks: public addresses only, so an admin's URL cannot reach the server's own loopback,
/// the private network or a cloud metadata service. Checked when the endpoint is saved (literal addresses and local
/// names) and again at each delivery, which connects to the very address it checked.
public enum WebhookTarget {
    /// Why `host` is refused, or nil when it is not known to be private. Names are checked when a delivery resolves them (`pinnedAddress`).
    public static func refusal(host: String) -> String? {
        let name = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if name == "localhost" || name.hasSuffix(".localhost") || name.hasSuffix(".local") || name.hasSuffix(".internal") {
            return "a local name (\(name))"
        }
        if let bytes = ipv4(name) { return privateIPv4(bytes) ? "a private address (\(name))" : nil }
        if let bytes = ipv6(name) { return privateIPv6(bytes) ? "a private address (\(name))" : nil }
        return nil
    }

    /// Resolves `host` once and returns the address to connect to (the first it has), or why it is refused: a
    /// name that does not resolve, or — unless `allowPrivate` — one with any private address. The delivery connects
    /// to the address returned, so the name cannot resolve to a public address for this check and to a private one
    /// for the connection (DNS rebinding).
    public static func pinnedAddress(host: String, allowPrivate: Bool) -> Result<String, Refusal> {
        if !allowPrivate, let literal = refusal(host: host) { return .failure(Refusal(reason: literal)) }
        let name = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(name, nil, &hints, &result) == 0, let first = result else { return .failure(Refusal(reason: "a name that does not resolve")) }
        defer { freeaddrinfo(first) }
        var addresses: [String] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            defer { cursor = info.pointee.ai_next }
            guard let address = info.pointee.ai_addr else { continue }
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
            if info.pointee.ai_family == AF_INET {
                var value = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                if !allowPrivate, privateIPv4(withUnsafeBytes(of: value.s_addr) { Array($0) }) { return .failure(Refusal(reason: "a private address")) }
                guard inet_ntop(AF_INET, &value, &text, socklen_t(text.count)) != nil else { continue }
            } else if info.pointee.ai_family == AF_INET6 {
                var value = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                if !allowPrivate, privateIPv6(withUnsafeBytes(of: value) { Array($0) }) { return .failure(Refusal(reason: "a private address")) }
                guard inet_ntop(AF_INET6, &value, &text, socklen_t(text.count)) != nil else { continue }
            } else {
                continue
            }
            addresses.append(String(cString: text))
        }
        guard let chosen = addresses.first else { return .failure(Refusal(reason: "a name that does not resolve")) }
        return .success(chosen)
    }

    public struct Refusal: Error, Sendable {
        public let reason: String
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
        // IPv4 inside IPv6 reaches the IPv4 address: IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::/96 and the local
        // 64:ff9b:1::/48), and 6to4 (2002:AABB:CCDD::/16). Teredo (2001::/32) tunnels to an address that cannot be
        // checked here, so it is refused.
        if b[0..<12].allSatisfy({ $0 == 0 }) { return privateIPv4(Array(b[12..<16])) }
        if b[0..<12] == [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0] { return privateIPv4(Array(b[12..<16])) }
        if b[0..<6] == [0x00, 0x64, 0xff, 0x9b, 0x00, 0x01] { return true }
        if b[0] == 0x20 && b[1] == 0x02 { return privateIPv4(Array(b[2..<6])) }
        if b[0..<4] == [0x20, 0x01, 0x00, 0x00] { return true }
        if b[0] & 0xfe == 0xfc { return true }
        if b[0] == 0xfe && b[1] & 0xc0 == 0x80 { return true }
        if b[0] == 0xff { return true }
        return false
    }
}
