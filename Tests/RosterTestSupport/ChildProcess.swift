#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Runs a command to completion without Foundation's `Process`: `waitUntilExit` spins a run loop on the calling
/// thread and depends on a dispatch source to learn of the exit, so two of them on the (two-thread) concurrency pool
/// could wait on each other for ever — the suite's idle hangs. `posix_spawn` and `waitpid` wait on the kernel alone.
public enum ChildProcess {
    /// Runs `path` with `arguments` (stdin, stdout and stderr on /dev/null) and returns its exit status.
    @discardableResult
    public static func run(_ path: String, _ arguments: [String]) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for descriptor: Int32 in [0, 1, 2] {
            posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY, 0)
        }
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, environ)
        guard spawned == 0 else { throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: path]) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else { return -1 }
        }
        // WIFEXITED / WEXITSTATUS by hand (the macros are not imported).
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
    }
}

/// glibc's `posix_spawn_file_actions_addchdir_np` (2.29+), which the Glibc module does not import.
@_silgen_name("posix_spawn_file_actions_addchdir_np")
private func spawnAddChdir(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ path: UnsafePointer<CChar>) -> Int32

/// A child process started with `posix_spawn` (Foundation's `Process.run` crashed once in the parallel suite, inside its
/// own copying while it spawned `roster serve`): the environment, working directory and output files are set up by
/// the kernel's spawn, and the exit is learned with `waitpid` alone.
public final class SpawnedProcess: @unchecked Sendable {
    public let processIdentifier: pid_t
    private let lock = NSLock()
    private var exitStatus: Int32?

    private init(pid: pid_t) { processIdentifier = pid }

    /// Starts `path` with `arguments` and exactly `environment`, in `directory`, stdin from /dev/null, stdout and
    /// stderr to the given files (or /dev/null).
    public static func spawn(
        _ path: String, _ arguments: [String], environment: [String: String], directory: String,
        stdout: String? = nil, stderr: String? = nil
    ) throws -> SpawnedProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderr ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        _ = spawnAddChdir(&actions, directory)
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        // The child starts with no signal blocked and default handlers: a thread of the test process may block
        // SIGTERM, and posix_spawn would pass that mask on (the server would then ignore terminate()).
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGPIPE, SIGHUP] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard spawned == 0 else { throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: path]) }
        return SpawnedProcess(pid: pid)
    }

    /// Whether the child still runs (reaps it when it has ended).
    public var isRunning: Bool {
        lock.lock()
        defer { lock.unlock() }
        guard exitStatus == nil else { return false }
        var status: Int32 = 0
        let result = waitpid(processIdentifier, &status, WNOHANG)
        if result == processIdentifier { exitStatus = Self.decode(status); return false }
        return result == 0
    }

    /// The exit status (-1 for a signal); waits for the child.
    public var terminationStatus: Int32 { waitUntilExit() }

    @discardableResult
    public func waitUntilExit() -> Int32 {
        lock.lock()
        defer { lock.unlock() }
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        while waitpid(processIdentifier, &status, 0) == -1 {
            guard errno == EINTR else { exitStatus = -1; return -1 }
        }
        exitStatus = Self.decode(status)
        return exitStatus ?? -1
    }

    public func terminate() { kill(processIdentifier, SIGTERM) }

    private static func decode(_ status: Int32) -> Int32 { (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1 }
}
