// MemcacheClient/MetadumpSpool: one `lru_crawler metadump all` listing in an unlinked spool file. The
// crawl task writes it at full speed (the crawler is never left waiting on us, DOMAIN §4.8) while the
// fetch tasks already read the keys spooled so far — listing and fetching overlap. Only whole lines
// reach the file, so the reader never sees half an entry.
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
        var ended = false
        var failure: String?
    }

    private let fd: Int32
    private let written = Mutex(Written())
    // Reader side: used only by the key source's caller (the batcher serialises it).
    private var parser = MetadumpParser()
    private var buffer = ResponseBuffer(maxLineLength: 64 * 1024)
    private var chunk = [UInt8](repeating: 0, count: 1 << 20)
    private var readOffset: Int64 = 0
    public private(set) var duplicates = 0
    /// Keys this spool yielded (listed and not yielded before by this server's listing).
    public private(set) var yielded = 0

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

    /// A spool whose listing is already complete in `fd` (`lines` entries, `bytes` long).
    init(fd: Int32, lines: Int, bytes: Int64) {
        self.fd = fd
        written.withLock { $0 = Written(bytes: bytes, lines: lines, ended: true) }
    }

    deinit { close(fd) }

    /// Entry lines spooled so far (all of them once the crawl has ended).
    public var lines: Int { written.withLock { $0.lines } }

    // MARK: - Writer (the crawl task)

    /// Sends `lru_crawler metadump all` on `c` and spools every line until END. `onStart` is called
    /// once, as soon as the first line shows whether the crawler accepted (nil) or refused (the
    /// answer; nothing more is read then). Ignores stop requests: a listing is always read to its end.
    func crawl(_ c: MemcacheConnection, onStart: (ServerAnswer?) -> Void) async throws {
        var started = false
        do {
            try await c.send([.metadumpAll])
            var parser = MetadumpParser()
            var lines = 0
            var spooledUpTo = c.buffer.offset
            while true {
                var outcome: MetadumpSkim?
                do {
                    while let s = try parser.skim(from: &c.buffer) {
                        if s == .entryLine { lines += 1; continue }
                        outcome = s
                        break
                    }
                } catch let e as ProtocolError {
                    throw MemcacheClientError.protocolError(server: c.server, e)
                }
                if case .failed(let answer)? = outcome {
                    if !started && lines == 0 {
                        onStart(answer)
                        return
                    }
                    throw MemcacheClientError.serverRefused(server: c.server, request: "lru_crawler metadump all", answer)
                }
                let upTo = c.buffer.offset
                let ended = outcome != nil
                try c.buffer.withConsumedTail(count: upTo - spooledUpTo) { raw in
                    try append(raw, linesNow: lines, ended: ended)
                }
                spooledUpTo = upTo
                if !started && (lines > 0 || ended) {
                    started = true
                    onStart(nil)
                }
                if ended { return }
                try await c.receive()
            }
        } catch {
            fail("\(error)")
            throw error
        }
    }

    /// Appends whole lines of the listing and publishes them (with the entry count so far, and
    /// whether END was among them) to the reader.
    func append(_ raw: UnsafeRawBufferPointer, linesNow: Int, ended: Bool) throws {
        try MetadumpSpool.writeAll(fd, raw)
        written.withLock {
            $0.bytes += Int64(raw.count)
            $0.lines = linesNow
            $0.ended = ended
        }
    }

    /// The listing broke off: the reader throws once it has read what was spooled.
    func fail(_ reason: String) {
        written.withLock {
            $0.failure = reason
            $0.ended = true
        }
    }

    static func writeAll(_ fd: Int32, _ raw: UnsafeRawBufferPointer) throws {
        guard let base = raw.baseAddress else { return }
        var off = 0
        while off < raw.count {
            let n = write(fd, base + off, raw.count - off)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw MemcacheClientError.spoolFailed("write failed: \(String(cString: strerror(errno)))") }
            off += n
        }
    }

    // MARK: - Reader (the fetch side)

    /// The next entry whose key `seen` has not had, `.pending` when the reader has caught up with a
    /// crawl still running, `.end` after END.
    func next(seen: SeenKeys) throws -> KeyPoll {
        while true {
            let event: MetadumpEvent?
            do {
                event = try parser.next(from: &buffer)
            } catch let e as ProtocolError {
                throw MemcacheClientError.spoolFailed("\(e)")
            }
            switch event {
            case .entry(let e)?:
                if !seen.insert(e.key) {
                    duplicates += 1
                    continue
                }
                yielded += 1
                return .key(ListedKey(key: e.key, metadump: e))
            case .end?, .failed?: return .end
            case nil:
                let w = written.withLock { $0 }
                if readOffset < w.bytes {
                    let want = Int(min(Int64(chunk.count), w.bytes - readOffset))
                    let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, want, off_t(readOffset)) }
                    if n < 0 && errno == EINTR { continue }
                    guard n > 0 else {
                        throw MemcacheClientError.spoolFailed("cannot read the spool: \(n < 0 ? String(cString: strerror(errno)) : "unexpected end")")
                    }
                    readOffset += Int64(n)
                    buffer.append(contentsOf: chunk[0..<n])
                    continue
                }
                if let failure = w.failure { throw MemcacheClientError.spoolFailed("the listing broke off: \(failure)") }
                return w.ended ? .end : .pending
            }
        }
    }
}
