// CacheValues/ClientConvention: what the memcached client flags mean for each Python client
// (docs/records.md, "`encoding` layers"), as a table: which bit is zlib, pickle, int, long, text, and what flags 0 holds.

/// How a client stores a value, by the flags it sets.
public enum ClientConvention: String, Sendable, CaseIterable {
    case pythonMemcached = "python-memcached"
    case pymemcache
    case pylibmc
    case bmemcached

    /// The kind of payload the flag bits (without the zlib bit) announce.
    public enum PayloadKind: String, Sendable, Equatable {
        case pickle, int, long, text, bytes
        /// Bits this client never sets (or a combination it never uses).
        case unknown
    }

    public static let zlibBit: UInt32 = 8

    /// The payload kind for `flags` with the zlib bit removed.
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
