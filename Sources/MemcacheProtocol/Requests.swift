// MemcacheProtocol/Requests: the ONE allowlist of requests the collector can send. Every byte that
// reaches a server is produced by `ReadOnlyRequest.encode(into:)`; nothing else in the package
// formats commands. No case can express a storage, touch, flush, `stats sizes_enable`, or an `mg`
// with a mutating flag (N, R, T, E, I …): the types have no place to put one.
import ByteText

/// A key as the server stores it (raw bytes, 1…250 of them).
public struct MemcacheKey: Hashable, Sendable {
    public let bytes: [UInt8]
    /// True when the text protocol can carry the key as it is: printable ASCII or high bytes,
    /// no space, no control character, no DEL (worked out once: every request asks).
    public let isTextSafe: Bool
    /// The server's key length limit (`KEY_MAX_LENGTH`).
    public static let maxLength = 250

    /// nil when empty or longer than 250 bytes.
    public init?(_ bytes: [UInt8]) {
        guard !bytes.isEmpty, bytes.count <= MemcacheKey.maxLength else { return nil }
        self.bytes = bytes
        isTextSafe = bytes.allSatisfy { ($0 > 0x20 && $0 != 0x7F) }
    }

    /// True when `mg` can address the key: as text, or in base64 whose encoded form must itself fit
    /// in 250 bytes (1.6.18 answers `CLIENT_ERROR bad command line format` otherwise).
    public var isMetaAddressable: Bool {
        isTextSafe || (bytes.count + 2) / 3 * 4 <= MemcacheKey.maxLength
    }
}

/// Sub-commands of `stats` the collector may send. `sizes`, `sizes_enable`, `reset`, `detail on`
/// and friends are deliberately absent.
public enum StatsSection: String, Sendable, CaseIterable {
    case general
    case settings
    case items
    case slabs
    /// `stats conns`: each connection's address and state (logs nothing, changes nothing).
    case conns
}

/// The event streams a `watch` may ask for: reads, stores, evictions and connection openings and
/// closings. A watching connection can send nothing else; watching changes nothing on the server.
public enum WatchStream: String, Sendable, CaseIterable {
    case fetchers
    case mutations
    case evictions
    case connevents
}

/// What an `mg` (meta get) may ask for. The flags `u` (no LRU bump, no fetched mark) and
/// `f t c` are always sent, and `s` when the value is not (the answer is matched to its key by the
/// opaque, so `k` is not asked for); `v`, `q` and `O` are optional; `b` is added when the key needs it.
public struct MetaGet: Sendable, Equatable {
    public var key: MemcacheKey
    public var wantValue: Bool
    public var quiet: Bool
    public var opaque: UInt32?

    public init(key: MemcacheKey, wantValue: Bool, quiet: Bool = true, opaque: UInt32? = nil) {
        self.key = key
        self.wantValue = wantValue
        self.quiet = quiet
        self.opaque = opaque
    }
}

/// Proof that the operator asked for `gets` (which bumps the LRU and marks items fetched).
/// Only `LRUBumpPermission.grantedByOperator()` makes one; call it only behind `--allow-lru-bump`.
public struct LRUBumpPermission: Sendable, Equatable {
    private init() {}
    public static func grantedByOperator() -> LRUBumpPermission { LRUBumpPermission() }
}

/// The allowlist. Encoding is total: a key that cannot be written is sent in base64 (`mg`) or
/// refused by construction (`gets` takes only text-safe keys; others are dropped by the caller).
public enum ReadOnlyRequest: Sendable, Equatable {
    case version
    case stats(StatsSection)
    /// `lru_crawler metadump all`
    case metadumpAll
    /// `stats cachedump <class> <limit>` (limit 0 = as much as the server's 2 MB cap allows)
    case cachedump(slabClass: Int, limit: Int)
    case metaGet(MetaGet)
    /// `mn`: answers `MN`, marks the end of a pipelined batch.
    case metaNoop
    /// `gets <keys>`: bumps the LRU; needs the operator's permission.
    case gets([MemcacheKey], LRUBumpPermission)
    /// `watch <streams>`: the connection then only receives event lines.
    case watch([WatchStream])

    /// The request line(s), `\r\n`-terminated.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        encode(into: &out)
        return out
    }

    public func encode(into out: inout [UInt8]) {
        switch self {
        case .version:
            out.append(contentsOf: "version".utf8)
        case .stats(let section):
            out.append(contentsOf: "stats".utf8)
            if section != .general {
                out.append(0x20)
                out.append(contentsOf: section.rawValue.utf8)
            }
        case .metadumpAll:
            out.append(contentsOf: "lru_crawler metadump all".utf8)
        case .cachedump(let cls, let limit):
            out.append(contentsOf: "stats cachedump \(max(0, cls)) \(max(0, limit))".utf8)
        case .metaGet(let mg):
            out.append(contentsOf: "mg ".utf8)
            let base64 = !mg.key.isTextSafe
            if base64 {
                Base64.encode(mg.key.bytes, into: &out)
                out.append(contentsOf: " b".utf8)
            } else {
                out.append(contentsOf: mg.key.bytes)
            }
            if mg.wantValue { out.append(contentsOf: " v".utf8) }
            // With `v` the VA line carries the size; without it, `s` asks for it.
            out.append(contentsOf: mg.wantValue ? " f t c u".utf8 : " f t s c u".utf8)
            if mg.quiet { out.append(contentsOf: " q".utf8) }
            if let o = mg.opaque {
                out.append(contentsOf: " O".utf8)
                DecimalText.append(UInt64(o), to: &out)
            }
        case .metaNoop:
            out.append(contentsOf: "mn".utf8)
        case .gets(let keys, _):
            out.append(contentsOf: "gets".utf8)
            for k in keys where k.isTextSafe {
                out.append(0x20)
                out.append(contentsOf: k.bytes)
            }
        case .watch(let streams):
            out.append(contentsOf: "watch".utf8)
            for s in streams {
                out.append(0x20)
                out.append(contentsOf: s.rawValue.utf8)
            }
        }
        out.append(0x0D)
        out.append(0x0A)
    }
}
