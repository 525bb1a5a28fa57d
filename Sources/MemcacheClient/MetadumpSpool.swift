// MemcacheClient/MetadumpSpool: one `lru_crawler metadump all` listing in an unlinked spool file. The
// crawl task reads the listing at full speed (the crawler is never left waiting on us: docs/collect.md, "Enumeration strategy"),
// parses it as it arrives (on the core that is idle while memcached crawls) and spools compact binary
// records, each with its key's fingerprint; at END it works out which records repeat a key
// (KeyFingerprints, bounded memory) and seals the spool. The fetch tasks read the records of a
// sealed spool, yielding every key once.
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
        /// Set when the spool is sealed: which records to yield.
        var filter: ListingFilter?
        var failure: String?
    }

    private let fd: Int32
    private let written = Mutex(Written())
    // Writer side: used only by the crawl task.
    private var out: [UInt8] = []
    private var writerLines = 0
    private var writerBytes: Int64 = 0
    let fingerprints: FingerprintRuns
    // Reader side: used only by the key source's caller (the batcher serialises it).
    private var chunk: [UInt8] = []
    private var chunkStart = 0
    private var readOffset: Int64 = 0
    private var yieldedRepeats = Set<UInt64>()
    /// The filter and size of the sealed spool, once seen (then no lock is taken per key).
    private var sealed: (filter: ListingFilter, bytes: Int64)?
    private var readerYielded = 0
    private var readerSkipped = 0

    /// An empty spool file in `directory`, already unlinked (it disappears when closed), and the
    /// fingerprint runs beside it (`runCapacity` fingerprints in memory at most).
    public init(directory: String, runCapacity: Int = 1 << 19) throws {
        let fd = try SpoolFiles.unlinkedTemporary(in: directory, prefix: ".metadump-spool", what: "spool file")
        self.fd = fd
        do {
            fingerprints = try FingerprintRuns(directory: directory, runCapacity: runCapacity)
        } catch {
            close(fd)
            throw error
        }
    }

    deinit { close(fd) }

    /// Entry lines listed (all of them once the crawl has ended), repeats included.
    public var lines: Int { written.withLock { $0.lines } }
    /// Keys this spool yielded so far: listed, and not listed before by this server's listing. Read
    /// it once the fetch has ended.
    public var yielded: Int { readerYielded }
    /// Records skipped so far because their key was listed before. Read it once the fetch has ended.
    public var duplicates: Int { readerSkipped }

    // MARK: - Writer (the crawl task)

    /// Sends `lru_crawler metadump all` on `c` and spools every entry until END. `onStart` is called
    /// once, as soon as the first line shows whether the crawler accepted (nil) or refused (the
    /// answer; nothing more is read then). Ignores stop requests: a listing is read to its end unless the
    /// run closes its connections.
    func crawl(_ c: MemcacheConnection, onStart: (ServerAnswer?) -> Void) async throws {
        var started = false
        do {
            try await c.send([.metadumpAll])
            var parser = MetadumpParser()
            // Each listing line is a reply of its own: it must arrive whole within the read timeout.
            var line = ReplyClock()
            while true {
                let outcome: MetadumpEvent?
                let linesBefore = writerLines
                do {
                    outcome = try ingest(&c.buffer, parser: &parser)
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
                if writerLines != linesBefore { line = ReplyClock() }
                try await c.receive(for: &line)
            }
        } catch {
            fail("\(error)")
            throw error
        }
    }

    /// Parses the complete lines in `buffer` and spools their entries. Returns `.end` after END,
    /// `.failed` for a refusal line, nil when more input is needed. The spool is readable only once
    /// `seal` has run.
    func ingest(_ buffer: inout ResponseBuffer, parser: inout MetadumpParser) throws -> MetadumpEvent? {
        out.removeAll(keepingCapacity: true)
        var outcome: MetadumpEvent?
        while let event = try parser.next(from: &buffer) {
            guard case .entry(let e) = event else {
                outcome = event
                break
            }
            writerLines += 1
            let fingerprint = keyFingerprint(e.key)
            try fingerprints.add(fingerprint)
            SpoolRecord.append(e, fingerprint: fingerprint, to: &out)
        }
        if case .failed? = outcome { return outcome }
        try out.withUnsafeBytes { try SpoolFiles.write(fd, $0, at: writerBytes, what: "spool") }
        writerBytes += Int64(out.count)
        written.withLock { [count = out.count, writerLines] in
            $0.bytes += Int64(count)
            $0.lines = writerLines
        }
        return outcome
    }

    /// After END: works out which records repeat a key — of this crawl, or of `earlier` — and makes
    /// the spool readable.
    func seal(after earlier: MetadumpSpool?) throws {
        do {
            try fingerprints.finish()
            let filter =
                try earlier.map { try ListingFilter.later(fingerprints, after: $0.fingerprints) }
                ?? ListingFilter.first(fingerprints)
            written.withLock { $0.filter = filter }
        } catch {
            fail("\(error)")
            throw error
        }
    }

    /// The listing broke off: the reader throws.
    func fail(_ reason: String) {
        written.withLock { $0.failure = reason }
    }

    // MARK: - Reader (the fetch side)

    /// The next key of a sealed spool, `.pending` while the crawl is still being written or sealed,
    /// `.end` when every record was read.
    func next() throws -> KeyPoll {
        if sealed == nil {
            let w = written.withLock { $0 }
            if let failure = w.failure { throw MemcacheClientError.spoolFailed("the listing broke off: \(failure)") }
            guard let filter = w.filter else { return .pending }
            sealed = (filter, w.bytes)
        }
        guard let (filter, bytes) = sealed else { return .pending }
        while true {
            if let (entry, fingerprint, used) = SpoolRecord.read(chunk, from: chunkStart) {
                chunkStart += used
                if let only = filter.onlyNew, !only.contains(fingerprint) {
                    readerSkipped += 1
                    continue
                }
                if filter.repeated.contains(fingerprint) && !yieldedRepeats.insert(fingerprint).inserted {
                    readerSkipped += 1
                    continue
                }
                readerYielded += 1
                return .key(ListedKey(key: entry.key, metadump: MetadumpFacts(entry)))
            }
            if readOffset < bytes {
                try refill(upTo: bytes)
                continue
            }
            if chunkStart < chunk.count {
                throw MemcacheClientError.spoolFailed("spool record cut at byte \(readOffset - Int64(chunk.count - chunkStart))")
            }
            return .end
        }
    }

    /// Keeps the unread tail of the chunk and reads up to 1 MiB more of the published bytes.
    private func refill(upTo published: Int64) throws {
        chunk.removeSubrange(0..<chunkStart)
        chunkStart = 0
        let want = Int(min(Int64(1 << 20), published - readOffset))
        let old = chunk.count
        chunk.append(contentsOf: repeatElement(0, count: want))
        do {
            try chunk.withUnsafeMutableBytes { raw in
                try SpoolFiles.read(fd, into: UnsafeMutableRawBufferPointer(rebasing: raw[old...]), at: readOffset, what: "spool")
            }
        } catch {
            chunk.removeSubrange(old...)
            throw error
        }
        readOffset += Int64(want)
    }
}

/// The spool's record of one listed entry: key fingerprint (u64), key length (u16), key, exp, la
/// (i64), cas (u64), fetched (u8), slab class (u16), ITEM_ntotal (i64), flags present (u8) and flags
/// (u32), all little-endian. Written and read only by this process.
enum SpoolRecord {
    static let fixedSize = 8 + 2 + 8 + 8 + 8 + 1 + 2 + 8 + 1 + 4

    static func append(_ e: MetadumpEntry, fingerprint: UInt64, to out: inout [UInt8]) {
        // A key is at most one listing line (64 KiB, the line limit) long; u16 holds it.
        let keyCount = min(e.key.count, Int(UInt16.max))
        // Built in a temporary buffer (on the stack for every real key) and appended in one call.
        withUnsafeTemporaryAllocation(byteCount: fixedSize + keyCount, alignment: 8) { buffer in
            guard let p = buffer.baseAddress else { return }
            var at = 0
            func put<T: FixedWidthInteger>(_ v: T) {
                p.storeBytes(of: v.littleEndian, toByteOffset: at, as: T.self)
                at += MemoryLayout<T>.size
            }
            put(fingerprint)
            put(UInt16(keyCount))
            e.key.withUnsafeBytes { k in
                if let src = k.baseAddress { (p + at).copyMemory(from: src, byteCount: keyCount) }
            }
            at += keyCount
            put(UInt64(bitPattern: e.exp))
            put(UInt64(bitPattern: e.lastAccess))
            put(e.cas)
            put(UInt8(e.fetched ? 1 : 0))
            put(UInt16(clamping: e.slabClass))
            put(UInt64(bitPattern: Int64(e.totalSize)))
            put(UInt8(e.flags == nil ? 0 : 1))
            put(e.flags ?? 0)
            out.append(contentsOf: UnsafeRawBufferPointer(start: p, count: at))
        }
    }

    /// The record at `start`, its fingerprint and its length; nil when the bytes there are not a
    /// whole record yet.
    static func read(_ bytes: [UInt8], from start: Int) -> (MetadumpEntry, UInt64, Int)? {
        guard bytes.count - start >= 10 else { return nil }
        return bytes.withUnsafeBytes { raw -> (MetadumpEntry, UInt64, Int)? in
            let keyCount = Int(raw.loadUnaligned(fromByteOffset: start + 8, as: UInt16.self).littleEndian)
            let total = fixedSize + keyCount
            guard raw.count - start >= total else { return nil }
            var at = start
            func u64() -> UInt64 {
                defer { at += 8 }
                return raw.loadUnaligned(fromByteOffset: at, as: UInt64.self).littleEndian
            }
            let fingerprint = u64()
            at += 2
            let key = Array(raw[at..<(at + keyCount)])
            at += keyCount
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
            return (entry, fingerprint, total)
        }
    }
}
