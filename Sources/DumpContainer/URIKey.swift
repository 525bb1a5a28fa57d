// DumpContainer/URIKey: memcached's metadump key encoding, shared by the dump format and collect.
// Every byte except [A-Za-z0-9-._~] becomes %XX with uppercase hex (memcached's uriencode).

public enum URIKey {
    /// Encodes `key`: unreserved bytes stay, every other byte becomes `%XX` (uppercase).
    public static func encode(_ key: [UInt8]) -> String {
        let out = [UInt8](unsafeUninitializedCapacity: key.count * 3) { buffer, n in
            n = buffer.baseAddress.map { write(key, to: $0) } ?? 0
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the encoding of `key` to `out` (MISS records; ITEM lines use `write` directly).
    public static func append(_ key: [UInt8], to out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(1, key.count * 3)) { buffer in
            guard let p = buffer.baseAddress else { return }
            out.append(contentsOf: UnsafeBufferPointer(start: p, count: write(key, to: p)))
        }
    }

    /// Writes the encoding of `key` at `p` (room for 3 bytes per key byte) and returns how many bytes.
    public static func write(_ key: [UInt8], to p: UnsafeMutablePointer<UInt8>) -> Int {
        key.withUnsafeBufferPointer { k -> Int in
            var plain = true
            for b in k where !isUnreserved(b) {
                plain = false
                break
            }
            if plain {  // the common case (hex digests): one copy
                if let src = k.baseAddress { p.initialize(from: src, count: k.count) }
                return k.count
            }
            var n = 0
            for b in k {
                if isUnreserved(b) {
                    p[n] = b
                    n += 1
                } else {
                    p[n] = 0x25  // %
                    p[n + 1] = hexDigit(b >> 4)
                    p[n + 2] = hexDigit(b & 0x0F)
                    n += 3
                }
            }
            return n
        }
    }

    /// Decodes `%XX` escapes (either case). Other bytes are taken literally, except that
    /// space, CR, LF and NUL are rejected. Returns nil on a malformed escape.
    public static func decode(_ s: Substring) -> [UInt8]? {
        decode(bytes: Array(s.utf8))
    }

    /// Byte-level form of `decode(_:)`.
    public static func decode<C: Collection>(bytes: C) -> [UInt8]? where C.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i != bytes.endIndex {
            let b = bytes[i]
            if b == 0x25 {
                let h = bytes.index(after: i)
                guard h != bytes.endIndex else { return nil }
                let l = bytes.index(after: h)
                guard l != bytes.endIndex, let hi = hexValue(bytes[h]), let lo = hexValue(bytes[l]) else { return nil }
                out.append(hi << 4 | lo)
                i = bytes.index(after: l)
            } else {
                if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x00 { return nil }
                out.append(b)
                i = bytes.index(after: i)
            }
        }
        return out
    }

    /// [A-Za-z0-9-._~] as a 128-bit set (bit b of the pair): one shift and mask per byte.
    static let unreservedLow: UInt64 = 0x03FF_6000_0000_0000  // '-' 0x2D, '.' 0x2E, '0'…'9'
    static let unreservedHigh: UInt64 = 0x47FF_FFFE_87FF_FFFE  // 'A'…'Z', '_' 0x5F, 'a'…'z', '~' 0x7E

    @inline(__always)
    static func isUnreserved(_ b: UInt8) -> Bool {
        let word = b < 64 ? unreservedLow : (b < 128 ? unreservedHigh : 0)
        return (word >> UInt64(b & 63)) & 1 == 1
    }

    /// Uppercase hex digit of a nibble (0…15).
    @inline(__always)
    static func hexDigit(_ n: UInt8) -> UInt8 { n < 10 ? 0x30 + n : 0x41 + n - 10 }

    static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: return b - 0x30
        case 0x41...0x46: return b - 0x41 + 10
        case 0x61...0x66: return b - 0x61 + 10
        default: return nil
        }
    }
}
