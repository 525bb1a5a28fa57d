// ByteText/FileIO: the project's one way to read and write a file descriptor — read(2), pread(2),
// write(2) and pwrite(2) retried when a signal interrupts them (EINTR), and whole writes retried after
// short ones. Failures come back with their errno (never read from the global afterwards).
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

public enum FileIO {
    /// A failed call's errno, with its message.
    public struct Failure: Error, Sendable, Equatable {
        public var errno: Int32
        public init(errno: Int32) { self.errno = errno }
        public var message: String { String(cString: strerror(errno)) }
    }

    /// Up to `count` bytes into `buffer` (at `offset` when given, else at the file position): how many
    /// were read, 0 at end of file.
    public static func read(_ fd: Int32, into buffer: UnsafeMutableRawPointer, count: Int, at offset: Int64? = nil) -> Result<Int, Failure> {
        while true {
            let n = offset.map { pread(fd, buffer, count, off_t($0)) } ?? systemRead(fd, buffer, count)
            if n >= 0 { return .success(n) }
            let e = errno
            if e != EINTR { return .failure(Failure(errno: e)) }
        }
    }

    /// Reads into the whole of `buffer` (an array of bytes), returning how many bytes were read.
    public static func read(_ fd: Int32, into buffer: inout [UInt8], at offset: Int64? = nil) -> Result<Int, Failure> {
        buffer.withUnsafeMutableBytes { p in
            guard let base = p.baseAddress else { return .success(0) }
            return read(fd, into: base, count: p.count, at: offset)
        }
    }

    /// The whole content of the file at `path`, read to its end whatever it is — a regular file, a pipe
    /// (`<(…)`), a character device (`/dev/null`) — up to `limit` bytes (more is an `EFBIG` failure).
    public static func readWholeFile(_ path: String, limit: Int = 1 << 30) -> Result<[UInt8], Failure> {
        let fd = open(path, O_RDONLY)
        if fd < 0 { return .failure(Failure(errno: errno)) }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            switch read(fd, into: &chunk) {
            case .failure(let f): return .failure(f)
            case .success(0): return .success(out)
            case .success(let n):
                if out.count + n > limit { return .failure(Failure(errno: EFBIG)) }
                out.append(contentsOf: chunk[0..<n])
            }
        }
    }

    /// All of `bytes` (at `offset` when given, else at the file position), short writes continued.
    /// On failure, `written` says how many bytes went out before it.
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int64? = nil) -> (written: Int, failure: Failure?) {
        guard let base = bytes.baseAddress else { return (0, nil) }
        var done = 0
        while done < bytes.count {
            let n =
                offset.map { pwrite(fd, base + done, bytes.count - done, off_t($0) + off_t(done)) }
                ?? systemWrite(fd, base + done, bytes.count - done)
            if n > 0 {
                done += n
                continue
            }
            let e = n < 0 ? errno : EIO  // a write of 0 bytes makes no progress
            if n < 0 && e == EINTR { continue }
            return (done, Failure(errno: e))
        }
        return (done, nil)
    }

    @inline(__always)
    static func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
            Glibc.read(fd, buffer, count)
        #else
            Darwin.read(fd, buffer, count)
        #endif
    }

    @inline(__always)
    static func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
            Glibc.write(fd, buffer, count)
        #else
            Darwin.write(fd, buffer, count)
        #endif
    }
}
