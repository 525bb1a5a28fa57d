// MemcacheClient/MetadumpSpool: one `lru_crawler metadump all` listing in an unlinked spool file. The
// crawl task reads the listing at full speed (the crawler is never left waiting on us, DOMAIN §4.8),
// parses it, drops keys the server's listing already yielded, and spools the rest as compact binary
// records — work done on the core that is idle while memcached crawls. The fetch tasks read the
// records, even while a crawl is still being written; only whole records are published.
import MemcacheProtocol
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One poll of a key source.
public enum KeyPoll {
    case key(ListedKey)
    /// No key now, but the listing is still being written: ask again shortly.
    case pending
    case end
}

public final class MetadumpSpool: @unchecked Sendable {
    /// What the crawl task has published (the only state both sides touch).
    struct Written {
        var bytes: Int64 = 0
        var lines = 0
        var yielded = 0
        var ended = false
        var failure: String?
    }

    private let fd: Int32
    private let written = Mutex(Written())
    // Writer side: used only by the crawl task.
    private var out: [UInt8] = []
    private var writerLines = 0
    private var writerYielded = 0
    // Reader side: used only by the key source's caller (the batcher serialises it).
    private var chunk: [UInt8] = []
    private var chunkStart = 0
    private var readOffset: Int64 = 0

    /// An empty spool file in `directory`, already unlinked (it disappears when closed).
    public init(directory: String) throws {
        var template = Array((directory + "/.metadump-spool-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw MemcacheClientError.spoolFailed("cannot create a spool file in \(directory): \(String(cString: strerror(errno)))")
        }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        self.fd = fd
    }

    deinit { close(fd) }

    /// Entry lines listed so far (all of them once the crawl has ended), duplicates included.
    public var lines: Int { written.withLock { $0.lines } }
    /// Keys this spool yielded: listed, and not listed before by this server's listing.
    public var yielded: Int { written.withLock { $0.yielded } }
    /// Entry lines whose key was listed before.
    public var duplicates: Int { written.withLock { $0.lines - $0.yielded } }

    // MARK: - Writer (the crawl task)

    /// Sends `lru_crawler metadump all` on `c` and spools every entry until END. `onStart` is called
    /// once, as soon as the first line shows whether the crawler accepted (nil) or refused (the
    /// answer; nothing more is read then). Ignores stop requests: a listing is always read to its end.
    func crawl(_ c: MemcacheConnection, seen: SeenKeys, onStart: (ServerAnswer?) -> Void) async throws {
        var started = false
        do {
            try await c.send([.metadumpAll])
            var parser = MetadumpParser()
            while true {
                let outcome: MetadumpEvent?
                do {
                    outcome = try ingest(&c.buffer, parser: &parser, seen: seen)
                } catch let e as ProtocolError {
                    throw MemcacheClientError.protocolError(server: c.server, e)
                }
                if case .failed(let answer)? = outcome {
                    if !started && writerLines == 0 {
                        onStart(answer)
                        return
                    }
                    throw MemcacheClientError.serverRefused(server: c.server, request: "lru_crawler metadump all", answer)
                }
                if !started && (writerLines > 0 || outcome != nil) {
                    started = true
                    onStart(nil)
                }
                if outcome != nil { return }
                try await c.receive()
            }
        } catch {
            fail("\(error)")
            throw error
        }
    }

    /// Parses the complete lines in `buffer`, spools the entries whose key `seen` did not have, and
    /// publishes them. Returns `.end` after END (published as ended), `.failed` for a refusal line,
    /// nil when more input is needed.
    func ingest(_ buffer: inout ResponseBuffer, parser: inout MetadumpParser, seen: SeenKeys) throws -> MetadumpEvent? {
        out.removeAll(keepingCapacity: true)
        var outcome: MetadumpEvent?
        while let event = try parser.next(from: &buffer) {
            guard case .entry(let e) = event else {
                outcome = event
                break
            }
            writerLines += 1
            if seen.insert(e.key) {
                writerYielded += 1
                SpoolRecord.append(e, to: &out)
            }
        }
        if case .failed? = outcome { return outcome }
        try MetadumpSpool.writeAll(fd, out)
        let ended = outcome != nil
        written.withLock { [count = out.count, writerLines, writerYielded] in
            $0.bytes += Int64(count)
            $0.lines = writerLines
            $0.yielded = writerYielded
            $0.ended = ended
        }
        return outcome
    }

    /// The listing broke off: the reader throws once it has read what was spooled.
    func fail(_ reason: String) {
        written.withLock {
            $0.failure = reason
            $0.ended = true
        }
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            var off = 0
            while off < raw.count {
                let n = write(fd, base + off, raw.count - off)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw MemcacheClientError.spoolFailed("write failed: \(String(cString: strerror(errno)))") }
                off += n
            }
        }
    }

    // MARK: - Reader (the fetch side)

    /// The next spooled key, `.pending` when the reader has caught up with a crawl still running,
    /// `.end` when the crawl has ended and everything was read.
    func next() throws -> KeyPoll {
        while true {
            if let (entry, used) = SpoolRecord.read(chunk, from: chunkStart) {
                chunkStart += used
                return .key(ListedKey(key: entry.key, metadump: entry))
            }
            let w = written.withLock { $0 }
            if readOffset < w.bytes {
                try refill(upTo: w.bytes)
                continue
            }
            if chunkStart < chunk.count {
                throw MemcacheClientError.spoolFailed("spool record cut at byte \(readOffset - Int64(chunk.count - chunkStart))")
            }
            if let failure = w.failure { throw MemcacheClientError.spoolFailed("the listing broke off: \(failure)") }
            return w.ended ? .end : .pending
        }
    }

    /// Keeps the unread tail of the chunk and reads up to 1 MiB more of the published bytes.
    private func refill(upTo published: Int64) throws {
        chunk.removeSubrange(0..<chunkStart)
        chunkStart = 0
        let want = Int(min(Int64(1 << 20), published - readOffset))
        let old = chunk.count
        chunk.append(contentsOf: repeatElement(0, count: want))
        let n = chunk.withUnsafeMutableBytes { raw -> Int in
            guard let base = raw.baseAddress else { return -1 }
            while true {
                let r = pread(fd, base + old, want, off_t(readOffset))
                if r < 0 && errno == EINTR { continue }
                return r
            }
        }
        guard n > 0 else {
            chunk.removeSubrange(old...)
            throw MemcacheClientError.spoolFailed("cannot read the spool: \(n < 0 ? String(cString: strerror(errno)) : "unexpected end")")
        }
        chunk.removeSubrange((old + n)...)
        readOffset += Int64(n)
    }
}

/// The spool's record of one listed entry: key length (u16), key, exp, la (i64), cas (u64),
/// fetched (u8), slab class (u16), ITEM_ntotal (i64), flags present (u8) and flags (u32), all
/// little-endian. Written and read only by this process.
enum SpoolRecord {
    static let fixedSize = 2 + 8 + 8 + 8 + 1 + 2 + 8 + 1 + 4

    static func append(_ e: MetadumpEntry, to out: inout [UInt8]) {
        // A key is at most one listing line (64 KiB, the line limit) long; u16 holds it.
        let keyCount = min(e.key.count, Int(UInt16.max))
        out.reserveCapacity(out.count + fixedSize + keyCount)
        appendLE(UInt16(keyCount), to: &out)
        out.append(contentsOf: e.key[0..<keyCount])
        appendLE(UInt64(bitPattern: e.exp), to: &out)
        appendLE(UInt64(bitPattern: e.lastAccess), to: &out)
        appendLE(e.cas, to: &out)
        out.append(e.fetched ? 1 : 0)
        appendLE(UInt16(clamping: e.slabClass), to: &out)
        appendLE(UInt64(bitPattern: Int64(e.totalSize)), to: &out)
        out.append(e.flags == nil ? 0 : 1)
        appendLE(e.flags ?? 0, to: &out)
    }

    /// The record at `start`, and its length; nil when the bytes there are not a whole record yet.
    static func read(_ bytes: [UInt8], from start: Int) -> (MetadumpEntry, Int)? {
        guard bytes.count - start >= 2 else { return nil }
        return bytes.withUnsafeBytes { raw -> (MetadumpEntry, Int)? in
            let keyCount = Int(raw.loadUnaligned(fromByteOffset: start, as: UInt16.self).littleEndian)
            let total = 2 + keyCount + fixedSize - 2
            guard raw.count - start >= total else { return nil }
            var at = start + 2
            let key = Array(raw[at..<(at + keyCount)])
            at += keyCount
            func u64() -> UInt64 {
                defer { at += 8 }
                return raw.loadUnaligned(fromByteOffset: at, as: UInt64.self).littleEndian
            }
            let exp = Int64(bitPattern: u64())
            let la = Int64(bitPattern: u64())
            let cas = u64()
            let fetched = raw[at] == 1
            let cls = Int(raw.loadUnaligned(fromByteOffset: at + 1, as: UInt16.self).littleEndian)
            at += 3
            let size = Int(Int64(bitPattern: u64()))
            let hasFlags = raw[at] == 1
            let flags = raw.loadUnaligned(fromByteOffset: at + 1, as: UInt32.self).littleEndian
            let entry = MetadumpEntry(
                key: key, exp: exp, lastAccess: la, cas: cas, fetched: fetched, slabClass: cls, totalSize: size,
                flags: hasFlags ? flags : nil)
            return (entry, total)
        }
    }

    static func appendLE<T: FixedWidthInteger>(_ v: T, to out: inout [UInt8]) {
        withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
    }
}
