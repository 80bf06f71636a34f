import Foundation
import RosterTestSupport
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Runs the built `roster` executable, as an operator's script would.
enum RosterProcess {
    /// `ROSTER_BINARY`, else the `roster` built beside this test bundle.
    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["ROSTER_BINARY"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        let bundle = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        return bundle.deletingLastPathComponent().appendingPathComponent("roster")
    }

    struct Output {
        let status: Int32
        let stdout: String
        let stderr: String

        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [String: Any] ?? [:]
        }
    }

    /// Runs `roster ARGS` to completion (at most 60 s).
    static func run(_ arguments: [String], environment: [String: String] = [:], in folder: URL) throws -> Output {
        let out = folder.appendingPathComponent(".stdout-\(UUID().uuidString)").path
        let err = folder.appendingPathComponent(".stderr-\(UUID().uuidString)").path
        defer {
            unlink(out)
            unlink(err)
        }
        let process = try SpawnedProcess.spawn(
            binary.path, arguments, environment: ProcessInfo.processInfo.environment.merging(environment) { $1 }, directory: folder.path,
            stdout: out, stderr: err
        )
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning, Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        let status = process.waitUntilExit()
        return Output(status: status, stdout: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
    }

    /// Starts `roster serve` in the background.
    static func start(_ arguments: [String], environment: [String: String] = [:], in folder: URL) throws -> SpawnedProcess {
        try SpawnedProcess.spawn(
            binary.path, arguments, environment: ProcessInfo.processInfo.environment.merging(environment) { $1 }, directory: folder.path
        )
    }

    /// A free loopback port.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// One HTTP request over loopback; nil when nothing answers.
    static func get(_ url: String, token: String? = nil) async -> (Int, String)? {
        var request = URLRequest(url: URL(string: url)!)
        request.timeoutInterval = 5
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        guard let (data, response) = try? await URLSession.shared.data(for: request),
              let http = response as? HTTPURLResponse
        else { return nil }
        return (http.statusCode, String(decoding: data, as: UTF8.self))
    }
}
