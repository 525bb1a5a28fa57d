// MemcacheClient/Listing: key enumeration. `lru_crawler metadump all` is read to its END at full
// speed into an unlinked spool file (one crawler command per server, never left half-read — see
// DOMAIN §4.8), then replayed in batches with duplicate keys dropped; a second crawl's spool can
// follow the first, yielding only keys the first did not list. `stats cachedump` per slab class is
// the incomplete fallback; a key list given by the operator is the third source.
import MemcacheProtocol

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A key to fetch, with what the listing said about it.
public struct ListedKey: Sendable {
    public var key: [UInt8]
    public var metadump: MetadumpEntry?
    public var cachedump: CachedumpEntry?
    public var cachedumpClass: Int?

    public init(key: [UInt8], metadump: MetadumpEntry? = nil, cachedump: CachedumpEntry? = nil, cachedumpClass: Int? = nil) {
        self.key = key
        self.metadump = metadump
        self.cachedump = cachedump
        self.cachedumpClass = cachedumpClass
    }

    /// Best estimate of the value's size in bytes (nil when unknown).
    public var sizeEstimate: Int? {
        if let c = cachedump { return c.valueLength }
        if let m = metadump, m.totalSize >= 0 { return m.totalSize }
        return nil
    }
}

/// Anything that yields listed keys one at a time (not thread-safe; the batcher locks around it).
public protocol KeySource: AnyObject {
    func nextKey() throws -> ListedKey?
}

/// The result of asking for a metadump.
public enum MetadumpOutcome {
    case spooled(MetadumpSpool)
    case refused(ServerAnswer)
}

/// The raw listing on disk (already unlinked: it disappears when closed).
public final class MetadumpSpool: KeySource {
    private let fd: Int32
    public let lines: Int
    public let bytes: Int64
    private var parser = MetadumpParser()
    private var buffer = ResponseBuffer(maxLineLength: 64 * 1024)
    private var chunk = [UInt8](repeating: 0, count: 1 << 20)
    private var eof = false
    /// Keys already yielded by this spool or an earlier one of the same server.
    public var seen = SeenKeys() {
        didSet { seen.reserve(lines) }
    }
    public private(set) var duplicates = 0
    /// Keys this spool yielded (listed and not seen before).
    public private(set) var yielded = 0

    init(fd: Int32, lines: Int, bytes: Int64) {
        self.fd = fd
        self.lines = lines
        self.bytes = bytes
        seen.reserve(lines)
        lseek(fd, 0, SEEK_SET)
    }

    deinit { close(fd) }

    /// Sends `lru_crawler metadump all` on `connection` and writes every byte to a spool file in
    /// `directory` until END (or a refusal). Ignores stop requests: the listing is always read to its end.
    public static func capture(_ c: MemcacheConnection, directory: String) async throws -> MetadumpOutcome {
        var template = Array((directory + "/.metadump-spool-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw MemcacheClientError.spoolFailed("cannot create a spool file in \(directory): \(String(cString: strerror(errno)))")
        }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        var ok = false
        defer { if !ok { close(fd) } }
        try await c.send([.metadumpAll])
        var parser = MetadumpParser()
        var lines = 0
        var written: Int64 = 0
        var spooledUpTo = c.buffer.offset
        while true {
            // Skim complete lines, then spool the bytes they covered.
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
            let upTo = c.buffer.offset
            if upTo > spooledUpTo {
                try c.buffer.withConsumedTail(count: upTo - spooledUpTo) { raw in
                    try writeAll(fd, raw)
                }
                written += Int64(upTo - spooledUpTo)
                spooledUpTo = upTo
            }
            switch outcome {
            case .end?:
                ok = true
                return .spooled(MetadumpSpool(fd: fd, lines: lines, bytes: written))
            case .failed(let a)?:
                return .refused(a)
            default:
                try await c.receive()
            }
        }
    }

    static func writeAll(_ fd: Int32, _ raw: UnsafeRawBufferPointer) throws {
        var off = 0
        while off < raw.count {
            let n = write(fd, raw.baseAddress! + off, raw.count - off)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw MemcacheClientError.spoolFailed("write failed: \(String(cString: strerror(errno)))") }
            off += n
        }
    }

    /// The next entry whose key was not seen before, or nil at END.
    public func nextKey() throws -> ListedKey? {
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
                return ListedKey(key: e.key, metadump: e)
            case .end?, .failed?: return nil
            case nil:
                if eof { return nil }
                let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { eof = true; continue }
                buffer.append(contentsOf: chunk[0..<n])
            }
        }
    }
}

/// Keys from `stats cachedump <class> 0` for every class that has items (COLD LRU only, ≤2 MB per class).
public final class CachedumpListing: KeySource {
    public private(set) var entries: [ListedKey] = []
    private var index = 0
    /// Classes whose answer reached the 2 MB cap (approximately) or that refused.
    public private(set) var notes: [String] = []

    public init() {}

    /// Reads the classes from `stats items` (`items:<cls>:number`) and dumps each.
    public func capture(_ c: MemcacheConnection, itemsStats: StatsSample?) async throws {
        var classes: [Int] = []
        for (name, value) in itemsStats?.values ?? [] {
            let parts = name.split(separator: ":")
            if parts.count == 3, parts[0] == "items", parts[2] == "number", let cls = Int(parts[1]), (Int(value) ?? 0) > 0 {
                classes.append(cls)
            }
        }
        for cls in classes {
            try await c.send([.cachedump(slabClass: cls, limit: 0)])
            var parser = CachedumpParser()
            var bytes = 0
            loop: while true {
                switch try await c.read({ try parser.next(from: &$0) }) {
                case .entry(let e):
                    bytes += e.key.count + 20
                    entries.append(ListedKey(key: e.key, cachedump: e, cachedumpClass: cls))
                case .end: break loop
                case .failed(let a):
                    throw MemcacheClientError.serverRefused(server: c.server, request: "stats cachedump \(cls) 0", a)
                }
            }
            if bytes > (2 << 20) - 4096 { notes.append("class \(cls): cachedump hit its 2 MB output cap") }
        }
    }

    public func nextKey() throws -> ListedKey? {
        guard index < entries.count else { return nil }
        defer { index += 1 }
        return entries[index]
    }
}

/// Keys given by the operator, one per line (raw bytes; a trailing `\r` is dropped; blank lines skipped).
public final class KeyListSource: KeySource {
    private let fd: Int32
    private let closeOnDeinit: Bool
    private var buffer = ResponseBuffer(maxLineLength: 4096)
    private var chunk = [UInt8](repeating: 0, count: 1 << 16)
    private var eof = false

    /// `path` "-" reads standard input.
    public init(path: String) throws {
        if path == "-" {
            fd = 0
            closeOnDeinit = false
        } else {
            fd = open(path, O_RDONLY)
            guard fd >= 0 else { throw MemcacheClientError.spoolFailed("cannot open key list \(path): \(String(cString: strerror(errno)))") }
            closeOnDeinit = true
        }
    }

    deinit { if closeOnDeinit { close(fd) } }

    public func nextKey() throws -> ListedKey? {
        while true {
            let line: ArraySlice<UInt8>?
            do { line = try buffer.readLine() } catch { throw MemcacheClientError.spoolFailed("key list: \(error)") }
            if let line {
                if line.isEmpty { continue }
                return ListedKey(key: Array(line))
            }
            if eof {
                // A last line without a newline.
                if buffer.readableCount > 0 {
                    buffer.append(contentsOf: [0x0A])
                    continue
                }
                return nil
            }
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { eof = true; continue }
            buffer.append(contentsOf: chunk[0..<n])
        }
    }
}

/// Several sources read one after the other (the first crawl's spool, then the second's).
public final class ChainedKeySource: KeySource {
    private let sources: [KeySource]
    private var index = 0

    public init(_ sources: [KeySource]) { self.sources = sources }

    public func nextKey() throws -> ListedKey? {
        while index < sources.count {
            if let k = try sources[index].nextKey() { return k }
            index += 1
        }
        return nil
    }
}
