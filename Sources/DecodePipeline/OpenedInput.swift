// DecodePipeline/OpenedInput: opens one input (a path or `-`), sniffs its first bytes to tell the formats
// apart, and arranges for its SHA-256. Stdin that is a pipe is pumped through a pipe of our own so
// that the sniffed bytes are not lost and the hash covers every byte.
import ByteText
import DecodeInputs
import Crypto
import Foundation

struct OpenedInput {
    let name: String
    let fd: Int32
    let format: InputFormat
    let hash: InputHash
    private let ownsFD: Bool

    func close() { if ownsFD { _ = Foundation.close(fd) } }

    /// Detects the format from the first bytes: gzip magic → mcdump; `VALUE ` → nc;
    /// `key=` → metadump; `ITEM ` → cachedump (after any `OK`/`END`/empty lines).
    static func detect(_ head: [UInt8]) -> InputFormat? {
        if head.count >= 2 && head[0] == 0x1F && head[1] == 0x8B { return .mcdump }
        // Text: the first line that is not empty, `OK` or `END` (an empty cachedump class or get).
        var sawEnd = false
        for line in head.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            let s = String(decoding: line.prefix(16), as: UTF8.self)
            if s == "END\r" || s == "END" { sawEnd = true; continue }
            if s == "OK\r" || s == "OK" || s == "\r" { continue }
            if s.hasPrefix("VALUE ") { return .nc }
            if s.hasPrefix("key=") { return .metadump }
            if s.hasPrefix("ITEM ") { return .cachedump }
            return nil
        }
        return sawEnd ? .nc : nil
    }

    static let detectBytes = 4096

    static func open(_ name: String, forced: InputFormat) -> Result<OpenedInput, InputFailure> {
        if name == "-" {
            var st = stat()
            if fstat(0, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG {
                return fromSeekable(fd: 0, name: "-", owns: false, forced: forced, hash: hashSeekable(fd: 0))
            }
            return fromPipe(forced: forced)
        }
        let fd = Foundation.open(name, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            return .failure(InputFailure(kind: "io", message: "cannot open: \(String(cString: strerror(errno)))", offset: nil, fatal: true))
        }
        var st = stat()
        if fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR {
            _ = Foundation.close(fd)
            return .failure(InputFailure(kind: "io", message: "is a directory", offset: nil, fatal: true))
        }
        return fromSeekable(fd: fd, name: name, owns: true, forced: forced, hash: InputHash.ofFile(name))
    }

    private static func fromSeekable(fd: Int32, name: String, owns: Bool, forced: InputFormat, hash: InputHash) -> Result<OpenedInput, InputFailure> {
        var head = [UInt8](repeating: 0, count: detectBytes)
        let start = lseek(fd, 0, SEEK_CUR)
        let n = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, detectBytes, max(0, start)) }
        head = Array(head.prefix(max(0, n)))
        guard let format = forced == .auto ? detect(head) : forced else {
            if owns { _ = Foundation.close(fd) }
            _ = hash.wait()
            let what = head.isEmpty ? "empty input" : "not a .mcdump.gz dump, a get capture, a metadump or a cachedump listing"
            return .failure(InputFailure(kind: "unknown_format", message: what + " (use --input-format)", offset: 0, fatal: true))
        }
        return .success(OpenedInput(name: name, fd: fd, format: format, hash: hash, ownsFD: owns))
    }

    /// Hashes a regular file open on `fd` with pread, leaving the descriptor's offset alone.
    private static func hashSeekable(fd: Int32) -> InputHash {
        let h = InputHash()
        let start = max(0, lseek(fd, 0, SEEK_CUR))
        Thread.detachNewThread {
            var hasher = SHA256()
            var buf = [UInt8](repeating: 0, count: 1 << 20)
            var off = start
            while true {
                guard case .success(let n) = FileIO.read(fd, into: &buf, at: Int64(off)) else { h.finish(nil); return }
                if n == 0 { break }
                off += off_t(n)
                buf.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            }
            h.finish(InputHash.hex(hasher.finalize()))
        }
        return h
    }

    /// Stdin as a pipe: read the first chunk here (to detect), then a pump thread copies that chunk
    /// and the rest of stdin into a new pipe, hashing as it goes.
    private static func fromPipe(forced: InputFormat) -> Result<OpenedInput, InputFailure> {
        var first = [UInt8](repeating: 0, count: 64 << 10)
        var got = 0
        while got < detectBytes {
            let r = first.withUnsafeMutableBytes { FileIO.read(0, into: $0.baseAddress! + got, count: $0.count - got) }
            guard case .success(let n) = r, n > 0 else { break }
            got += n
        }
        first = Array(first.prefix(got))
        guard let format = forced == .auto ? detect(first) : forced else {
            let what = first.isEmpty ? "empty input" : "not a .mcdump.gz dump, a get capture, a metadump or a cachedump listing"
            return .failure(InputFailure(kind: "unknown_format", message: what + " (use --input-format)", offset: 0, fatal: true))
        }
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else {
            return .failure(InputFailure(kind: "io", message: "pipe: \(String(cString: strerror(errno)))", offset: nil, fatal: true))
        }
        let readEnd = fds[0], writeEnd = fds[1]
        let h = InputHash()
        let initial = first
        Thread.detachNewThread {
            var hasher = SHA256()
            var ok = true
            func put(_ p: UnsafeRawBufferPointer) -> Bool {
                hasher.update(bufferPointer: p)
                return FileIO.writeAll(writeEnd, p).failure == nil
            }
            ok = initial.withUnsafeBytes { put($0) }
            var buf = [UInt8](repeating: 0, count: 1 << 20)
            while ok {
                guard case .success(let n) = FileIO.read(0, into: &buf) else { ok = false; break }
                if n == 0 { break }
                ok = buf.withUnsafeBytes { put(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            }
            _ = Foundation.close(writeEnd)
            h.finish(ok ? InputHash.hex(hasher.finalize()) : nil)
        }
        return .success(OpenedInput(name: "-", fd: readEnd, format: format, hash: h, ownsFD: true))
    }
}
