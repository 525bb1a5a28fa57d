// MemcacheClient/SpoolFiles: the scratch files of a listing (metadump spools, fingerprint runs) —
// created already unlinked, written and read whole at given offsets, EINTR retried.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum SpoolFiles {
    /// A new file in `directory`, already unlinked: it disappears when its descriptor is closed.
    static func unlinkedTemporary(in directory: String, prefix: String, what: String) throws -> Int32 {
        var template = Array((directory + "/" + prefix + "-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw MemcacheClientError.spoolFailed("cannot create a \(what) in \(directory): \(String(cString: strerror(errno)))")
        }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        return fd
    }

    /// Writes all of `raw` at `offset`.
    static func write(_ fd: Int32, _ raw: UnsafeRawBufferPointer, at offset: Int64, what: String) throws {
        guard let base = raw.baseAddress else { return }
        try whole(raw.count, at: offset, { pwrite(fd, base + $0, $1, $2) }) { _ in
            MemcacheClientError.spoolFailed("\(what) write failed: \(String(cString: strerror(errno)))")
        }
    }

    /// Fills all of `raw` from `offset`; a file that ends first is an error.
    static func read(_ fd: Int32, into raw: UnsafeMutableRawBufferPointer, at offset: Int64, what: String) throws {
        guard let base = raw.baseAddress else { return }
        try whole(raw.count, at: offset, { pread(fd, base + $0, $1, $2) }) { n in
            MemcacheClientError.spoolFailed("cannot read the \(what): \(n < 0 ? String(cString: strerror(errno)) : "unexpected end")")
        }
    }

    /// Repeats a positioned transfer `io(done, remaining, fileOffset)` until `count` bytes have moved,
    /// retrying EINTR; a call that moves nothing (or fails) ends it with `failure(result)`.
    private static func whole(
        _ count: Int, at offset: Int64, _ io: (Int, Int, off_t) -> Int, failure: (Int) -> MemcacheClientError
    ) throws {
        var done = 0
        while done < count {
            let n = io(done, count - done, off_t(offset) + off_t(done))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw failure(n) }
            done += n
        }
    }
}
