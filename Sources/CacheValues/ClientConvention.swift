// CacheValues/ClientConvention: what the memcached client flags mean for each client (docs/records.md,
// "`encoding` layers"): for the Python clients, a table of which bit is zlib, pickle, int, long, text and
// what flags 0 holds; Dalli and php-memcached (OtherEcosystems); and `auto`, which decides per item.

/// How a client stores a value, by the flags it sets.
public enum ClientConvention: String, Sendable, CaseIterable {
    /// Each item by its own flags and bytes (and its key's family where two clients fit alike).
    case auto
    case pythonMemcached = "python-memcached"
    case pymemcache
    case pylibmc
    case bmemcached
    /// Dalli (Ruby; ActiveSupport's MemCacheStore stores through it).
    case dalli
    /// php-memcached (PHP; libmemcached underneath).
    case phpMemcached = "php-memcached"

    /// The kind of payload the flag bits (without the zlib bit) announce.
    public enum PayloadKind: String, Sendable, Equatable {
        case pickle, int, long, text, bytes
        /// Bits this client never sets (or a combination it never uses).
        case unknown
    }

    public static let zlibBit: UInt32 = 8

    /// The payload kind for `flags` with the zlib bit removed (the Python clients' table; `auto` reads it
    /// as python-memcached's).
    public func kind(forFlags flags: UInt32) -> PayloadKind {
        switch flags & ~ClientConvention.zlibBit {
        case 0: return self == .bmemcached ? .text : .bytes
        case 1: return .pickle
        case 2: return .int
        case 4: return .long
        case 16: return self == .bmemcached ? .bytes : .text
        default: return .unknown
        }
    }

    /// True when the zlib bit is set.
    public static func isCompressed(_ flags: UInt32) -> Bool { flags & zlibBit != 0 }
}
