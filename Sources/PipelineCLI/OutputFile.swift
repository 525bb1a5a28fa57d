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
