// RubyMarshal/Numbers: a Bignum's little-endian magnitude as decimal digits (schoolbook division by
// 10^19 over 32-bit limbs; the payload is at most `maxBignumBytes`, so this stays small).

enum BigDecimalText {
    /// ASCII decimal digits of the unsigned little-endian integer `bytes` (`"0"` for zero).
    static func digits(littleEndian bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var limbs: [UInt32] = []  // little-endian 32-bit limbs
        limbs.reserveCapacity(bytes.count / 4 + 1)
        var i = 0
        while i < bytes.count {
            var limb: UInt32 = 0
            for k in 0..<4 where i + k < bytes.count { limb |= UInt32(bytes[i + k]) << (8 * UInt32(k)) }
            limbs.append(limb)
            i += 4
        }
        while limbs.last == 0 { limbs.removeLast() }
        if limbs.isEmpty { return [UInt8(ascii: "0")] }
        var chunks: [UInt64] = []  // base 10^19, least significant first
        let base: UInt64 = 10_000_000_000_000_000_000
        while !limbs.isEmpty {
            var rem: UInt64 = 0
            for j in stride(from: limbs.count - 1, through: 0, by: -1) {
                // (rem * 2^32 + limb) / base, with rem < base < 2^64: use 128-bit arithmetic.
                let (hi, lo) = rem.multipliedFullWidth(by: 1 << 32)
                let (sum, carry) = lo.addingReportingOverflow(UInt64(limbs[j]))
                let (q, r) = base.dividingFullWidth((hi + (carry ? 1 : 0), sum))
                limbs[j] = UInt32(truncatingIfNeeded: q)
                rem = r
            }
            chunks.append(rem)
            while limbs.last == 0 { limbs.removeLast() }
        }
        var out: [UInt8] = []
        out.reserveCapacity(chunks.count * 19)
        for (n, chunk) in chunks.reversed().enumerated() {
            let s = Array(String(chunk).utf8)
            if n > 0 { out += [UInt8](repeating: UInt8(ascii: "0"), count: 19 - s.count) }
            out += s
        }
        return out
    }
}
