// Attribution/KeyDigest: a sha1-mangled memcached key held as three words, so the join tables
// (user list keys, one entry per token id met in a token list) stay small and cheap to hash.
// The hashing itself is KeyPlacement's (`KeystoneKeys`); this is only the compact form.
import ByteText
import KeyPlacement

/// A SHA-1 digest (20 bytes) of a logical key, e.g. `usertokens-<id>`.
public struct Digest20: Hashable, Sendable {
    public var a: UInt64, b: UInt64, c: UInt32

    /// From 20 raw bytes (shorter input is zero-padded; the extra bytes of longer input are ignored).
    public init(_ bytes: [UInt8]) {
        var a: UInt64 = 0, b: UInt64 = 0, c: UInt32 = 0
        for k in 0..<8 { a = a << 8 | UInt64(bytes.count > k ? bytes[k] : 0) }
        for k in 8..<16 { b = b << 8 | UInt64(bytes.count > k ? bytes[k] : 0) }
        for k in 16..<20 { c = c << 8 | UInt32(bytes.count > k ? bytes[k] : 0) }
        self.a = a
        self.b = b
        self.c = c
    }

    /// The digest of the mangled form of `logical` (dogpile's sha1 mangler).
    public init(logicalKey logical: String) {
        self.init(KeystoneKeys.sha1(Array(logical.utf8)))
    }

    /// Parses 40 hex characters (either case), i.e. a mangled key as found in memcached; nil otherwise.
    public init?<S: StringProtocol>(hex: S) {
        let u = Array(hex.utf8)
        guard u.count == 40 else { return nil }
        var bytes = [UInt8](repeating: 0, count: 20)
        for k in 0..<20 {
            guard let hi = Digest20.nibble(u[2 * k]), let lo = Digest20.nibble(u[2 * k + 1]) else { return nil }
            bytes[k] = hi << 4 | lo
        }
        self.init(bytes)
    }

    @inline(__always) static func nibble(_ b: UInt8) -> UInt8? { Hex.value(b) }

    /// Lower-case hex, as the key appears in memcached.
    public var hex: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(20)
        for k in (0..<8).reversed() { bytes.append(UInt8(truncatingIfNeeded: a >> (8 * UInt64(k)))) }
        for k in (0..<8).reversed() { bytes.append(UInt8(truncatingIfNeeded: b >> (8 * UInt64(k)))) }
        for k in (0..<4).reversed() { bytes.append(UInt8(truncatingIfNeeded: c >> (8 * UInt32(k)))) }
        return KeystoneKeys.hex(bytes)
    }
}
