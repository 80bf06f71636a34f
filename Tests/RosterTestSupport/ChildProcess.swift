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
