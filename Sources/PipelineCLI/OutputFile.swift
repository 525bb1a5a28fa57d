// PipelineCLI/OutputFile: `--output FILE` written through a temporary file and a rename,
// so a reader never sees half a file and a failed run leaves the old file in place.
import Foundation

public final class AtomicOutputFile {
    public let finalPath: String
    public let temporaryPath: String
    public let handle: FileHandle
    private var finished = false

    /// Creates `<dir>/.<name>.tmp-<pid>` with `mode`; `commit()` renames it onto `path`.
    public init(path: String, mode: mode_t = 0o644) throws {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        finalPath = path
        temporaryPath = dir + "/." + url.lastPathComponent + ".tmp-\(getpid())"
        let fd = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC, mode)
        guard fd >= 0 else {
            throw CLIError.io("cannot create \(temporaryPath): \(String(cString: strerror(errno)))")
        }
        handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    }

    public func commit() throws {
        guard !finished else { return }
        finished = true
        try handle.synchronize()
        try handle.close()
        guard rename(temporaryPath, finalPath) == 0 else {
            throw CLIError.io("cannot rename \(temporaryPath) to \(finalPath): \(String(cString: strerror(errno)))")
        }
    }

    public func abandon() {
        guard !finished else { return }
        finished = true
        try? handle.close()
        unlink(temporaryPath)
    }

    deinit { abandon() }
}

/// Errors the shared CLI layer reports (one line each).
public enum CLIError: Error, CustomStringConvertible {
    case io(String)
    case usage(String)
    public var description: String {
        switch self {
        case .io(let s), .usage(let s): return s
        }
    }
}

/// An output directory made ready before any work starts: created (with its parents, `mode`) if
/// missing, and proven writable by creating and removing a probe file in it — so a directory that
/// cannot take the output is found before a server is contacted, with the system's reason.
public enum OutputDirectory {
    public static func prepare(_ path: String, mode: mode_t = 0o700) throws {
        var st = stat()
        if stat(path, &st) == 0 {
            guard (st.st_mode & S_IFMT) == S_IFDIR else { throw CLIError.io("\(path) exists and is not a directory") }
        } else {
            try makeDirectories(path, mode: mode)
        }
        let probe = path + "/.collect-probe-\(getpid())"
        let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw CLIError.io("cannot write in \(path): \(String(cString: strerror(errno)))") }
        close(fd)
        unlink(probe)
    }

    /// `mkdir -p`, with the first failing component and errno's text in the error.
    static func makeDirectories(_ path: String, mode: mode_t) throws {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + part
            if mkdir(prefix, mode) != 0 && errno != EEXIST {
                let reason = String(cString: strerror(errno))
                throw CLIError.io("cannot create \(path): " + (prefix == path ? reason : "\(prefix): \(reason)"))
            }
        }
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else {
            throw CLIError.io("cannot create \(path): \(String(cString: strerror(errno)))")
        }
    }
}
