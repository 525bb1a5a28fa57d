// Attribution/Digests: the hashes attribution needs — SHA-1 (Keystone's key mangler), HMAC-SHA1
// (the token-id redactor's keyed digest), CRC-32 (python-memcached's cmemcache_hash) and
// MurmurHash3 x86_32 (pymemcache's rendezvous). Pure Swift, no traps on any input.
// KeyPlacement (branch placement) will own these; this file goes once its API lands.

/// A SHA-1 digest (20 bytes) kept in three words so it is cheap to store and hash in large maps.
public struct Digest20: Hashable, Sendable {
    public var a: UInt64, b: UInt64, c: UInt32

    public init(_ bytes: [UInt8]) {
        var a: UInt64 = 0, b: UInt64 = 0, c: UInt32 = 0
        for k in 0..<8 { a = a << 8 | UInt64(bytes.count > k ? bytes[k] : 0) }
        for k in 8..<16 { b = b << 8 | UInt64(bytes.count > k ? bytes[k] : 0) }
        for k in 16..<20 { c = c << 8 | UInt32(bytes.count > k ? bytes[k] : 0) }
        self.a = a; self.b = b; self.c = c
    }

    /// Parses 40 hex characters (either case); nil otherwise.
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

    static func nibble(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: return b - 0x30
        case 0x61...0x66: return b - 0x61 + 10
        case 0x41...0x46: return b - 0x41 + 10
        default: return nil
        }
    }

    public var hex: String {
        var s = String(a, radix: 16)
        s = String(repeating: "0", count: 16 - s.count) + s
        var t = String(b, radix: 16)
        t = String(repeating: "0", count: 16 - t.count) + t
        var u = String(c, radix: 16)
        u = String(repeating: "0", count: 8 - u.count) + u
        return s + t + u
    }
}

public enum SHA1 {
    /// The 20-byte SHA-1 of `message`.
    public static func hash<C: Collection>(_ message: C) -> [UInt8] where C.Element == UInt8 {
        var h: [UInt32] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0]
        var msg = Array(message)
        let bitLength = UInt64(msg.count) &* 8
        msg.append(0x80)
        while msg.count % 64 != 56 { msg.append(0) }
        for k in (0..<8).reversed() { msg.append(UInt8(truncatingIfNeeded: bitLength >> (UInt64(k) * 8))) }
        var w = [UInt32](repeating: 0, count: 80)
        var chunk = 0
        while chunk < msg.count {
            for t in 0..<16 {
                let o = chunk + t * 4
                w[t] = UInt32(msg[o]) << 24 | UInt32(msg[o + 1]) << 16 | UInt32(msg[o + 2]) << 8 | UInt32(msg[o + 3])
            }
            for t in 16..<80 {
                let x = w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16]
                w[t] = x << 1 | x >> 31
            }
            var (a, b, c, d, e) = (h[0], h[1], h[2], h[3], h[4])
            for t in 0..<80 {
                let f: UInt32, k: UInt32
                switch t {
                case 0..<20: f = (b & c) | (~b & d); k = 0x5A82_7999
                case 20..<40: f = b ^ c ^ d; k = 0x6ED9_EBA1
                case 40..<60: f = (b & c) | (b & d) | (c & d); k = 0x8F1B_BCDC
                default: f = b ^ c ^ d; k = 0xCA62_C1D6
                }
                let temp = (a << 5 | a >> 27) &+ f &+ e &+ k &+ w[t]
                e = d; d = c; c = b << 30 | b >> 2; b = a; a = temp
            }
            h[0] = h[0] &+ a; h[1] = h[1] &+ b; h[2] = h[2] &+ c; h[3] = h[3] &+ d; h[4] = h[4] &+ e
            chunk += 64
        }
        var out: [UInt8] = []
        out.reserveCapacity(20)
        for v in h { out += [UInt8(v >> 24), UInt8(truncatingIfNeeded: v >> 16), UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)] }
        return out
    }

    public static func digest(_ s: String) -> Digest20 { Digest20(hash(Array(s.utf8))) }
    public static func hex(_ s: String) -> String { digest(s).hex }

    /// HMAC-SHA1 (RFC 2104) of `message` under `key`.
    public static func hmac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var k = key.count > 64 ? hash(key) : key
        k += [UInt8](repeating: 0, count: 64 - k.count)
        let inner = hash(k.map { $0 ^ 0x36 } + message)
        return hash(k.map { $0 ^ 0x5C } + inner)
    }
}

public enum Checksums {
    private static let crcTable: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    /// zlib's / binascii's CRC-32.
    public static func crc32<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes { c = crcTable[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }

    /// MurmurHash3 x86_32 with `seed` (pymemcache's `murmur3_32`).
    public static func murmur3_32<C: Collection>(_ data: C, seed: UInt32 = 0) -> UInt32 where C.Element == UInt8 {
        let bytes = Array(data)
        let c1: UInt32 = 0xCC9E_2D51, c2: UInt32 = 0x1B87_3593
        var h = seed
        let blocks = bytes.count / 4
        for i in 0..<blocks {
            var k = UInt32(bytes[4 * i]) | UInt32(bytes[4 * i + 1]) << 8 | UInt32(bytes[4 * i + 2]) << 16 | UInt32(bytes[4 * i + 3]) << 24
            k = k &* c1; k = k << 15 | k >> 17; k = k &* c2
            h ^= k; h = h << 13 | h >> 19; h = h &* 5 &+ 0xE654_6B64
        }
        var k: UInt32 = 0
        let tail = blocks * 4
        let rest = bytes.count & 3
        if rest >= 3 { k ^= UInt32(bytes[tail + 2]) << 16 }
        if rest >= 2 { k ^= UInt32(bytes[tail + 1]) << 8 }
        if rest >= 1 {
            k ^= UInt32(bytes[tail]); k = k &* c1; k = k << 15 | k >> 17; k = k &* c2; h ^= k
        }
        h ^= UInt32(truncatingIfNeeded: bytes.count)
        h ^= h >> 16; h = h &* 0x85EB_CA6B; h ^= h >> 13; h = h &* 0xC2B2_AE35; h ^= h >> 16
        return h
    }
}
