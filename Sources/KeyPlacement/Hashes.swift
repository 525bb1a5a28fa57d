// Hashes: the exact key-hash functions the memcached clients use, as pure functions over bytes.
// Each one mirrors its client's arithmetic, quirks included (sign-extended chars, truncated "64-bit" FNV,
// python-memcached's 15-bit crc), because a what-if must agree with the client bit for bit.
import Compression
import Crypto

public enum KeyHash {
    /// zlib/binascii CRC-32 (IEEE, reflected), the unsigned 32-bit value (ISA-L's, through Compression).
    public static func crc32(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { Checksum.crc32($0) }
    }

    /// python-memcached `cmemcache_hash`: `((crc32(key) & 0xffffffff) >> 16) & 0x7fff`.
    /// `orOne` adds the `or 1` of versions up to 1.59 (a zero hash became 1).
    public static func cmemcache(_ bytes: [UInt8], orOne: Bool) -> UInt32 {
        let h = (crc32(bytes) >> 16) & 0x7fff
        return (orOne && h == 0) ? 1 : h
    }

    /// libhashkit `hashkit_crc32` (= twemproxy `crc32`): `((~crc) >> 16) & 0x7fff`, the same 15 bits
    /// python-memcached uses, without `or 1`.
    public static func libhashkitCRC(_ bytes: [UInt8]) -> UInt32 {
        (crc32(bytes) >> 16) & 0x7fff
    }

    /// Sign extension of a C `char` on x86: bytes ≥ 0x80 become 0xFFFFFF80…
    @inline(__always)
    static func signExtended(_ byte: UInt8) -> UInt32 {
        UInt32(bitPattern: Int32(Int8(bitPattern: byte)))
    }

    /// libhashkit `hashkit_one_at_a_time` (libmemcached's default hash), chars sign-extended.
    public static func oneAtATime(_ bytes: [UInt8]) -> UInt32 {
        var h: UInt32 = 0
        for b in bytes {
            h = h &+ signExtended(b)
            h = h &+ (h << 10)
            h ^= h >> 6
        }
        h = h &+ (h << 3)
        h ^= h >> 11
        h = h &+ (h << 15)
        return h
    }

    /// libhashkit `fnv1_64`: 64-bit FNV-1 returned truncated to 32 bits. Only the low 32 bits of a
    /// 64-bit product depend on the low 32 bits of its factors, so this is 32-bit arithmetic with the
    /// truncated basis 0x84222325 and prime 0x1b3.
    public static func fnv1_64(_ bytes: [UInt8]) -> UInt32 {
        var h: UInt32 = 0x8422_2325
        for b in bytes {
            h = h &* 0x1b3
            h ^= signExtended(b)
        }
        return h
    }

    /// libhashkit/twemproxy `fnv1a_64`: not real FNV-1a 64; uint32 arithmetic with the truncated basis
    /// 0x84222325 and prime 0x1b3 over sign-extended chars. twemproxy's default key hash.
    public static func fnv1a_64(_ bytes: [UInt8]) -> UInt32 {
        var h: UInt32 = 0x8422_2325
        for b in bytes {
            h ^= signExtended(b)
            h = h &* 0x1b3
        }
        return h
    }

    /// libhashkit `fnv1_32` (basis 2166136261, prime 16777619), sign-extended chars.
    public static func fnv1_32(_ bytes: [UInt8]) -> UInt32 {
        var h: UInt32 = 2_166_136_261
        for b in bytes {
            h = h &* 16_777_619
            h ^= signExtended(b)
        }
        return h
    }

    /// libhashkit `fnv1a_32`, sign-extended chars.
    public static func fnv1a_32(_ bytes: [UInt8]) -> UInt32 {
        var h: UInt32 = 2_166_136_261
        for b in bytes {
            h ^= signExtended(b)
            h = h &* 16_777_619
        }
        return h
    }

    /// MD5 digest bytes.
    public static func md5(_ bytes: [UInt8]) -> [UInt8] {
        Array(Insecure.MD5.hash(data: bytes))
    }

    /// Little-endian uint32 word `index` (0…3) of an MD5 digest: ketama's point and key hash.
    public static func md5Word(_ digest: [UInt8], _ index: Int) -> UInt32 {
        let o = index * 4
        return UInt32(digest[o]) | UInt32(digest[o + 1]) << 8 | UInt32(digest[o + 2]) << 16
            | UInt32(digest[o + 3]) << 24
    }

    /// libhashkit `hashkit_md5`: word 0 of md5(key), little-endian.
    public static func md5First32(_ bytes: [UInt8]) -> UInt32 { md5Word(md5(bytes), 0) }

    /// Standard MurmurHash3_x86_32 over bytes.
    public static func murmur3_32(_ bytes: [UInt8], seed: UInt32 = 0) -> UInt32 {
        let c1: UInt32 = 0xcc9e_2d51
        let c2: UInt32 = 0x1b87_3593
        var h = seed
        let blocks = bytes.count / 4
        for i in 0..<blocks {
            let o = i * 4
            var k =
                UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16
                | UInt32(bytes[o + 3]) << 24
            k = k &* c1
            k = (k << 15) | (k >> 17)
            k = k &* c2
            h ^= k
            h = (h << 13) | (h >> 19)
            h = h &* 5 &+ 0xe654_6b64
        }
        var k: UInt32 = 0
        let tail = blocks * 4
        let rest = bytes.count & 3
        if rest == 3 { k ^= UInt32(bytes[tail + 2]) << 16 }
        if rest >= 2 { k ^= UInt32(bytes[tail + 1]) << 8 }
        if rest >= 1 {
            k ^= UInt32(bytes[tail])
            k = k &* c1
            k = (k << 15) | (k >> 17)
            k = k &* c2
            h ^= k
        }
        h ^= UInt32(truncatingIfNeeded: bytes.count)
        h ^= h >> 16
        h = h &* 0x85eb_ca6b
        h ^= h >> 13
        h = h &* 0xc2b2_ae35
        h ^= h >> 16
        return h
    }

    /// pymemcache `murmur3_32(str)`: feeds `ord(c)` of each Python str character. Its unbounded Python
    /// integers reduce, modulo 2^32, to standard murmur3 over the low byte of each code point, with the
    /// length counted in characters. So: truncate every scalar to 8 bits, then hash.
    public static func pymemcacheMurmur3(scalars: [Unicode.Scalar], seed: UInt32 = 0) -> UInt32 {
        murmur3_32(scalars.map { UInt8(truncatingIfNeeded: $0.value) }, seed: seed)
    }
}
