// LineBlocks/DeferredRecords: lines held back until the end of a stream, in their input order —
// the records attribute holds (token lists, keys only the whole stream identifies), and the key log a
// report replays to find copies across partials. The first 4 MiB stay in memory; the rest goes to an
// unlinked temporary file, so memory stays bounded however many there are.
import ByteText
import PipelineRecords

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

public final class DeferredRecords {
    public static let memoryLimit = 4 << 20
    private var memory: [UInt8] = []
    private var fd: Int32 = -1
    public private(set) var count = 0
    public private(set) var bytes = 0

    public init() {}
    deinit { if fd >= 0 { _ = close(fd) } }

    /// Appends whole lines (each ending in `\n`).
    public func append(_ lines: [UInt8], count n: Int) throws(ByteReadError) {
        guard n > 0 else { return }
        count += n
        bytes += lines.count
        if fd < 0 && memory.count + lines.count <= DeferredRecords.memoryLimit {
            if memory.isEmpty { memory.reserveCapacity(DeferredRecords.memoryLimit) }
            memory += lines
            return
        }
        if fd < 0 { try openSpool() }
        var failed: ByteReadError?
        lines.withUnsafeBytes { p in
            do throws(ByteReadError) { try writeAll(p) } catch { failed = error }
        }
        if let failed { throw failed }
    }

    private func openSpool() throws(ByteReadError) {
        let dir = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array((dir + "/attribute-held.XXXXXX").utf8CString)
        let f = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard f >= 0 else { throw failure("cannot create a temporary file in \(dir)") }
        _ = template.withUnsafeBufferPointer { unlink($0.baseAddress!) }
        fd = f
    }

    private func writeAll(_ p: UnsafeRawBufferPointer) throws(ByteReadError) {
        if let f = FileIO.writeAll(fd, p).failure { throw failure("cannot write the held records: \(f.message)") }
    }

    private func failure(_ message: String) -> ByteReadError {
        ByteReadError(kind: .io, message: message, name: "held records", offset: Int64(bytes), line: count)
    }

    /// The held lines as sources for LineBlocks: the part in memory, then the spool from its start.
    public func sources() throws(ByteReadError) -> [LineSource] {
        var out: [LineSource] = [.bytes(memory, name: "held records")]
        if fd >= 0 {
            guard lseek(fd, 0, SEEK_SET) == 0 else { throw failure("cannot read the held records back") }
            out.append(.descriptor(fd, name: "held records"))
        }
        return out
    }

    /// Calls `body` with each held line (without `\n`), in order.
    public func forEach(_ body: (UnsafeRawBufferPointer) -> Void) throws(ByteReadError) {
        memory.withUnsafeBytes { p in
            var start = 0
            while start < p.count {
                let end = p[start...].firstIndex(of: 0x0A) ?? p.count
                body(UnsafeRawBufferPointer(rebasing: p[start..<end]))
                start = end + 1
            }
        }
        guard fd >= 0 else { return }
        guard lseek(fd, 0, SEEK_SET) == 0 else { throw failure("cannot read the held records back") }
        let reader = ByteReader(fd: fd, name: "held records")
        while let line = try reader.nextLine() { line.withUnsafeBytes(body) }
    }
}
