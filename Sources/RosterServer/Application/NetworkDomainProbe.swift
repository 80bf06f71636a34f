import AsyncHTTPClient
import Directory
import Foundation
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// Domain verification over the network: TXT records from a DNS server (`ROSTER_DNS_RESOLVER`, else the first
/// nameserver of /etc/resolv.conf) over UDP, and the well-known file over HTTPS (or over a base URL given for tests,
/// with the domain in the Host header).
struct NetworkDomainProbe: DomainProbe {
    let resolverHost: String
    let resolverPort: UInt16
    /// `http://127.0.0.1:PORT` in tests; nil for `https://DOMAIN`.
    let httpBase: String?

    static let timeout: TimeInterval = 3

    init(resolver: String?, httpBase: String?) {
        let configured = resolver ?? Self.systemResolver() ?? "127.0.0.1"
        if let colon = configured.lastIndex(of: ":"), !configured.contains("::") || configured.hasPrefix("["),
           let port = UInt16(configured[configured.index(after: colon)...]) {
            resolverHost = String(configured[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            resolverPort = port
        } else {
            resolverHost = configured
            resolverPort = 53
        }
        self.httpBase = httpBase
    }

    static func systemResolver() -> String? {
        guard let text = try? String(contentsOfFile: "/etc/resolv.conf", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") {
            let parts = line.split(whereSeparator: \.isWhitespace)
            if parts.count >= 2, parts[0] == "nameserver" { return String(parts[1]) }
        }
        return nil
    }

    func txtRecords(name: String) async throws -> [String] {
        let host = resolverHost, port = resolverPort
        let result: Result<[String], DomainProbeFailure> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: Result { () throws(DomainProbeFailure) -> [String] in
                    try DNSQuery.txt(name: name, server: host, port: port, timeout: Self.timeout)
                })
            }
        }
        return try result.get()
    }

    func wellKnownFile(domain: String) async throws -> String {
        let url = (httpBase ?? "https://\(domain)") + "/.well-known/roster-verification.txt"
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        var request = HTTPClientRequest(url: url)
        if httpBase != nil { request.headers.replaceOrAdd(name: "Host", value: domain) }
        // One request per check: no connection is kept for later.
        request.headers.replaceOrAdd(name: "Connection", value: "close")
        let outcome: Result<String, DomainProbeFailure>
        do {
            let response = try await client.execute(request, timeout: .seconds(Int64(Self.timeout)))
            let body = try await response.body.collect(upTo: 4096)
            outcome = response.status == .ok
                ? .success(String(buffer: body))
                : .failure(DomainProbeFailure("https://\(domain)/.well-known/roster-verification.txt answered \(response.status.code)."))
        } catch {
            outcome = .failure(DomainProbeFailure("https://\(domain)/.well-known/roster-verification.txt could not be reached."))
        }
        try? await client.shutdown()
        return try outcome.get()
    }
}

/// A DNS TXT lookup over UDP (RFC 1035): one question, recursion desired, answers read with name compression.
enum DNSQuery {
    static func txt(name: String, server: String, port: UInt16, timeout: TimeInterval) throws(DomainProbeFailure) -> [String] {
        let id = UInt16.random(in: 0...UInt16.max)
        var query: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xff), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]
        for label in name.split(separator: ".") {
            let bytes = Array(label.utf8)
            guard !bytes.isEmpty, bytes.count < 64 else { throw DomainProbeFailure("\(name) is not a domain name.") }
            query.append(UInt8(bytes.count))
            query += bytes
        }
        query += [0, 0, 16, 0, 1]

        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, server, &address.sin_addr) == 1 else {
            throw DomainProbeFailure("The DNS resolver address \(server) is not an IPv4 address.")
        }
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw DomainProbeFailure("No socket for DNS.") }
        defer { close(fd) }
        var wait = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        let length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) } }
        guard connected == 0 else { throw DomainProbeFailure("The DNS server \(server):\(port) cannot be reached.") }
        var answer = [UInt8](repeating: 0, count: 4096)
        for _ in 0..<2 {
            guard send(fd, query, query.count, 0) == query.count else { continue }
            let received = recv(fd, &answer, answer.count, 0)
            guard received >= 12 else { continue }
            let message = Array(answer[0..<received])
            guard message[0] == query[0], message[1] == query[1] else { continue }
            return try parse(message, name: name)
        }
        throw DomainProbeFailure("The DNS server \(server):\(port) did not answer.")
    }

    static func parse(_ message: [UInt8], name: String) throws(DomainProbeFailure) -> [String] {
        let rcode = message[3] & 0x0f
        if rcode == 3 { return [] }
        guard rcode == 0 else { throw DomainProbeFailure("The DNS server answered error \(rcode) for \(name).") }
        if message[2] & 0x02 != 0 { throw DomainProbeFailure("The DNS answer for \(name) was truncated.") }
        let questions = Int(message[4]) << 8 | Int(message[5])
        let answers = Int(message[6]) << 8 | Int(message[7])
        var index = 12
        func skipName() throws(DomainProbeFailure) {
            while true {
                guard index < message.count else { throw DomainProbeFailure("The DNS answer for \(name) is malformed.") }
                let length = message[index]
                if length & 0xc0 == 0xc0 { index += 2; return }
                index += 1
                if length == 0 { return }
                index += Int(length)
            }
        }
        for _ in 0..<questions {
            try skipName()
            index += 4
        }
        var records: [String] = []
        for _ in 0..<answers {
            try skipName()
            guard index + 10 <= message.count else { throw DomainProbeFailure("The DNS answer for \(name) is malformed.") }
            let type = Int(message[index]) << 8 | Int(message[index + 1])
            let length = Int(message[index + 8]) << 8 | Int(message[index + 9])
            index += 10
            guard index + length <= message.count else { throw DomainProbeFailure("The DNS answer for \(name) is malformed.") }
            if type == 16 {
                var text: [UInt8] = []
                var cursor = index
                while cursor < index + length {
                    let size = Int(message[cursor])
                    cursor += 1
                    guard cursor + size <= index + length else { break }
                    text += message[cursor..<(cursor + size)]
                    cursor += size
                }
                records.append(String(decoding: text, as: UTF8.self))
            }
            index += length
        }
        return records
    }
}
