// MemcacheClient/Listing: the keys to fetch and where they come from. The metadump crawls have their
// own files (MetadumpSpool, MetadumpCrawls); here are the two other sources: `stats cachedump` per
// slab class (the incomplete fallback) and a key list given by the operator.
import ByteText
import MemcacheProtocol

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A key to fetch, with what the listing said about it. The facts hold no references, so a copy of a
/// listed key retains only its key (the fetch path copies every listed key a few times).
public struct ListedKey: Sendable {
    public var key: [UInt8]
    public var metadump: MetadumpFacts?
    public var cachedump: CachedumpFacts?

    public init(key: [UInt8], metadump: MetadumpFacts? = nil, cachedump: CachedumpFacts? = nil) {
        self.key = key
        self.metadump = metadump
        self.cachedump = cachedump
    }

    /// Best estimate of the value's size in bytes (nil when unknown).
    public var sizeEstimate: Int? {
        if let c = cachedump { return c.valueLength }
        if let m = metadump, m.totalSize >= 0 { return m.totalSize }
        return nil
    }
}

/// What a metadump line said about its key (`MetadumpEntry` without the key).
public struct MetadumpFacts: Sendable, Equatable {
    public var exp: Int64  // absolute unix time, -1 = never
    public var lastAccess: Int64  // absolute unix time
    public var cas: UInt64
    public var fetched: Bool
    public var slabClass: Int  // 0 when the server did not say (< 1.5.4)
    public var totalSize: Int  // ITEM_ntotal, -1 when the server did not say
    public var flags: UInt32?  // 1.6.24+

    public init(_ e: MetadumpEntry) {
        exp = e.exp
        lastAccess = e.lastAccess
        cas = e.cas
        fetched = e.fetched
        slabClass = e.slabClass
        totalSize = e.totalSize
        flags = e.flags
    }
}

/// What a `stats cachedump` line said about its key, and the class it was dumped from.
public struct CachedumpFacts: Sendable, Equatable {
    public var valueLength: Int
    public var exp: Int64  // -1 = never
    public var slabClass: Int

    public init(_ e: CachedumpEntry, slabClass: Int) {
        valueLength = e.valueLength
        exp = e.exp
        self.slabClass = slabClass
    }
}

/// Anything that yields listed keys one at a time (not thread-safe; the batcher locks around it).
public protocol KeySource: AnyObject {
    func nextKey() throws -> KeyPoll
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
                    entries.append(ListedKey(key: e.key, cachedump: CachedumpFacts(e, slabClass: cls)))
                case .end: break loop
                case .failed(let a):
                    throw MemcacheClientError.serverRefused(server: c.server, request: "stats cachedump \(cls) 0", a)
                }
            }
            if bytes > (2 << 20) - 4096 { notes.append("class \(cls): cachedump hit its 2 MB output cap") }
        }
    }

    public func nextKey() throws -> KeyPoll {
        guard index < entries.count else { return .end }
        defer { index += 1 }
        return .key(entries[index])
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

    public func nextKey() throws -> KeyPoll {
        while true {
            let line: ArraySlice<UInt8>?
            do { line = try buffer.readLine() } catch { throw MemcacheClientError.spoolFailed("key list: \(error)") }
            if let line {
                if line.isEmpty { continue }
                return .key(ListedKey(key: Array(line)))
            }
            if eof {
                // A last line without a newline.
                if buffer.readableCount > 0 {
                    buffer.append(contentsOf: [0x0A])
                    continue
                }
                return .end
            }
            guard case .success(let n) = FileIO.read(fd, into: &chunk), n > 0 else { eof = true; continue }
            buffer.append(contentsOf: chunk[0..<n])
        }
    }
}
