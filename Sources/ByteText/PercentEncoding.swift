// ByteText/PercentEncoding: memcached's key escapes (`uriencode` in its metadump output, and the
// dump format's keys): every byte except [A-Za-z0-9-._~] becomes `%XX` with upper-case hex. Two
// decoders, named for what they do with a malformed escape: `decodeStrict` refuses the text (the dump
// reader and collect's metadump parser: a malformed key is damage), `decodeLenient` keeps it as it is
// (key shapes of text an operator pasted, where a `%` may be part of the key).

public enum PercentEncoding {
    /// Encodes `key`: unreserved bytes stay, every other byte becomes `%XX` (upper case).
    public static func encode(_ key: [UInt8]) -> String {
        let out = [UInt8](unsafeUninitializedCapacity: key.count * 3) { buffer, n in
            n = buffer.baseAddress.map { write(key, to: $0) } ?? 0
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the encoding of `key` to `out`.
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
                    p[n + 1] = Hex.upperDigit(b >> 4)
                    p[n + 2] = Hex.upperDigit(b & 0x0F)
                    n += 3
                }
            }
            return n
        }
    }

    /// Decodes `%XX` escapes (either case); other bytes are taken literally, except that space, CR, LF
    /// and NUL — which no encoder leaves in a key — are refused. nil on a malformed escape or such a byte.
    public static func decodeStrict<C: Collection>(_ bytes: C) -> [UInt8]? where C.Element == UInt8 {
        // The common case (hex digests): nothing escaped, nothing refused — one copy.
        let plain = bytes.withContiguousStorageIfAvailable { p in
            !p.contains { $0 == 0x25 || $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x00 }
        }
        if plain == true { return Array(bytes) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i != bytes.endIndex {
            let b = bytes[i]
            if b == 0x25 {
                let h = bytes.index(after: i)
                guard h != bytes.endIndex else { return nil }
                let l = bytes.index(after: h)
                guard l != bytes.endIndex, let hi = Hex.value(bytes[h]), let lo = Hex.value(bytes[l]) else { return nil }
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

    /// Decodes `%XX` escapes (either case); a `%` that does not start one is kept as it is, and so is
    /// every other byte.
    public static func decodeLenient(_ key: [UInt8]) -> [UInt8] {
        guard key.contains(UInt8(ascii: "%")) else { return key }
        var out: [UInt8] = []
        out.reserveCapacity(key.count)
        var i = 0
        while i < key.count {
            if key[i] == UInt8(ascii: "%"), i + 2 < key.count, let hi = Hex.value(key[i + 1]), let lo = Hex.value(key[i + 2]) {
                out.append(hi << 4 | lo)
                i += 3
            } else {
                out.append(key[i])
                i += 1
            }
        }
        return out
    }

    /// [A-Za-z0-9-._~] as a 128-bit set (bit b of the pair): one shift and mask per byte.
    static let unreservedLow: UInt64 = 0x03FF_6000_0000_0000  // '-' 0x2D, '.' 0x2E, '0'…'9'
    static let unreservedHigh: UInt64 = 0x47FF_FFFE_87FF_FFFE  // 'A'…'Z', '_' 0x5F, 'a'…'z', '~' 0x7E

    @inline(__always)
    public static func isUnreserved(_ b: UInt8) -> Bool {
        let word = b < 64 ? unreservedLow : (b < 128 ? unreservedHigh : 0)
        return (word >> UInt64(b & 63)) & 1 == 1
    }
}
