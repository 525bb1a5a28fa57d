// SafePickle/TextCodecs: the byte-level decoders of pickle arguments — strict and surrogatepass UTF-8
// validation, Python 2 `S'...'` escape decoding, `V` raw-unicode-escape, INT/LONG/FLOAT text, and
// LONG1/LONG4 two's-complement integers to decimal.
import ByteText

enum TextCodecs {
    /// Every byte ASCII and none a backslash (so raw-unicode-escape text is the same bytes as UTF-8)?
    /// Nil if not; otherwise whether it is also free of JSON escapes (no control byte or `"`).
    static func plainASCII(_ buf: UnsafeRawBufferPointer) -> Bool? {
        var i = 0
        let n = buf.count
        var plainJSON = true
        while i + 8 <= n {
            let w = buf.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            if w & 0x8080_8080_8080_8080 != 0 || hasZeroByte(w ^ 0x5C5C_5C5C_5C5C_5C5C) { return nil }
            if plainJSON && !JSONWriter.plain8(w) { plainJSON = false }
            i += 8
        }
        while i < n {
            let c = buf[i]
            if c >= 0x80 || c == 0x5C { return nil }
            if c < 0x20 || c == 0x22 { plainJSON = false }
            i += 1
        }
        return plainJSON
    }

    /// Does `buf` contain `byte`? (8 bytes at a time.)
    static func contains(_ buf: UnsafeRawBufferPointer, _ byte: UInt8) -> Bool {
        var i = 0
        let n = buf.count
        let pattern = UInt64(byte) &* 0x0101_0101_0101_0101
        while i + 8 <= n {
            if hasZeroByte(buf.loadUnaligned(fromByteOffset: i, as: UInt64.self) ^ pattern) { return true }
            i += 8
        }
        while i < n {
            if buf[i] == byte { return true }
            i += 1
        }
        return false
    }

    /// Byte-wise equality, 8 bytes at a time.
    static func bytesEqual(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        let n = a.count
        guard n == b.count else { return false }
        var i = 0
        while i + 8 <= n {
            if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) {
                return false
            }
            i += 8
        }
        while i < n {
            if a[i] != b[i] { return false }
            i += 1
        }
        return true
    }

    /// Exact test for a zero byte in `w`.
    @inline(__always) static func hasZeroByte(_ w: UInt64) -> Bool {
        (w &- 0x0101_0101_0101_0101) & ~w & 0x8080_8080_8080_8080 != 0
    }

    /// UTF-8 check. Returns nil if invalid; otherwise whether surrogates (ED A0..BF xx) occurred.
    /// With `surrogatePass` false, surrogates are invalid (strict UTF-8). (ByteText's JSONString has
    /// the project's strict check; this one also does Python's `surrogatepass` and, in the same pass,
    /// tells whether a JSON escape is needed — the pickle decoder's hot path.)
    static func validateUTF8(_ buf: UnsafeRawBufferPointer, surrogatePass: Bool) -> Bool? {
        scanUTF8(buf, surrogatePass: surrogatePass, checkPlain: false).map { $0.surrogates }
    }

    /// What a scan of valid UTF-8 found: surrogates, and whether any byte needs a JSON escape.
    struct UTF8Scan {
        var surrogates = false
        /// No control byte, `"` or `\` (only computed when asked for; true otherwise).
        var plainJSON = true
    }

    /// `validateUTF8` that also tells, when `checkPlain`, whether the text can be written into a JSON
    /// string as it is (in the same pass).
    @inline(__always)
    static func scanUTF8(_ buf: UnsafeRawBufferPointer, surrogatePass: Bool, checkPlain: Bool) -> UTF8Scan? {
        var i = 0
        let n = buf.count
        var scan = UTF8Scan()
        while i < n {
            // ASCII fast path, 8 bytes at a time.
            while i + 8 <= n {
                let w = buf.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                if w & 0x8080_8080_8080_8080 != 0 { break }
                if checkPlain && scan.plainJSON && !JSONWriter.plain8(w) { scan.plainJSON = false }
                i += 8
            }
            if i >= n { break }
            let c = buf[i]
            if c < 0x80 {
                if checkPlain && (c < 0x20 || c == 0x22 || c == 0x5C) { scan.plainJSON = false }
                i += 1
                continue
            }
            if c < 0xC2 { return nil }
            if c < 0xE0 {
                guard i + 1 < n, buf[i + 1] & 0xC0 == 0x80 else { return nil }
                i += 2
            } else if c < 0xF0 {
                guard i + 2 < n, buf[i + 1] & 0xC0 == 0x80, buf[i + 2] & 0xC0 == 0x80 else { return nil }
                let c1 = buf[i + 1]
                if c == 0xE0 && c1 < 0xA0 { return nil }
                if c == 0xED && c1 >= 0xA0 {
                    if !surrogatePass { return nil }
                    scan.surrogates = true
                }
                i += 3
            } else if c < 0xF5 {
                guard i + 3 < n, buf[i + 1] & 0xC0 == 0x80, buf[i + 2] & 0xC0 == 0x80, buf[i + 3] & 0xC0 == 0x80
                else { return nil }
                let c1 = buf[i + 1]
                if c == 0xF0 && c1 < 0x90 { return nil }
                if c == 0xF4 && c1 >= 0x90 { return nil }
                i += 4
            } else {
                return nil
            }
        }
        return scan
    }

    /// Writes code point `cp` (≤ 0x10FFFF) as generalised UTF-8 at `p`; returns the byte count (1–4).
    @inline(__always) static func writeUTF8(_ cp: UInt32, to p: UnsafeMutablePointer<UInt8>) -> Int {
        switch cp {
        case 0..<0x80:
            p[0] = UInt8(cp)
            return 1
        case 0x80..<0x800:
            p[0] = UInt8(0xC0 | (cp >> 6))
            p[1] = UInt8(0x80 | (cp & 0x3F))
            return 2
        case 0x800..<0x10000:
            p[0] = UInt8(0xE0 | (cp >> 12))
            p[1] = UInt8(0x80 | ((cp >> 6) & 0x3F))
            p[2] = UInt8(0x80 | (cp & 0x3F))
            return 3
        default:
            p[0] = UInt8(0xF0 | (cp >> 18))
            p[1] = UInt8(0x80 | ((cp >> 12) & 0x3F))
            p[2] = UInt8(0x80 | ((cp >> 6) & 0x3F))
            p[3] = UInt8(0x80 | (cp & 0x3F))
            return 4
        }
    }

    /// Appends code point `cp` as (generalised, surrogates allowed) UTF-8.
    @inline(__always) static func appendUTF8(_ cp: UInt32, to out: inout [UInt8]) {
        switch cp {
        case 0..<0x80: out.append(UInt8(cp))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | (cp >> 6)))
            out.append(UInt8(0x80 | (cp & 0x3F)))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | (cp >> 12)))
            out.append(UInt8(0x80 | ((cp >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (cp & 0x3F)))
        default:
            out.append(UInt8(0xF0 | (cp >> 18)))
            out.append(UInt8(0x80 | ((cp >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((cp >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (cp & 0x3F)))
        }
    }

    @inline(__always) static func hexValue(_ c: UInt8) -> UInt32? { Hex.value(c).map(UInt32.init) }

    /// Python `codecs.escape_decode` of the inside of a quoted STRING argument, appended to `out`.
    /// False on a bad escape (then `out` is unchanged). The output is never longer than the input.
    static func escapeDecode(_ s: UnsafeRawBufferPointer, into out: inout RawArray<UInt8>) -> Bool {
        let n = s.count
        return out.tryWrite(maxBytes: n) { o in
            var i = 0, w = 0
            @inline(__always) func put(_ b: UInt8) { o[w] = b; w += 1 }
            while i < n {
                let c = s[i]
                if c != UInt8(ascii: "\\") { put(c); i += 1; continue }
                guard i + 1 < n else { return nil }
                let e = s[i + 1]
                i += 2
                switch e {
                case UInt8(ascii: "\n"): break
                case UInt8(ascii: "\\"): put(0x5C)
                case UInt8(ascii: "'"): put(0x27)
                case UInt8(ascii: "\""): put(0x22)
                case UInt8(ascii: "a"): put(0x07)
                case UInt8(ascii: "b"): put(0x08)
                case UInt8(ascii: "f"): put(0x0C)
                case UInt8(ascii: "n"): put(0x0A)
                case UInt8(ascii: "r"): put(0x0D)
                case UInt8(ascii: "t"): put(0x09)
                case UInt8(ascii: "v"): put(0x0B)
                case UInt8(ascii: "x"):
                    guard i + 1 < n, let h = hexValue(s[i]), let l = hexValue(s[i + 1]) else { return nil }
                    put(UInt8(h << 4 | l))
                    i += 2
                case UInt8(ascii: "0")...UInt8(ascii: "7"):
                    var v = UInt32(e - UInt8(ascii: "0"))
                    var k = 0
                    while k < 2, i < n, s[i] >= UInt8(ascii: "0"), s[i] <= UInt8(ascii: "7") {
                        v = v * 8 + UInt32(s[i] - UInt8(ascii: "0"))
                        i += 1
                        k += 1
                    }
                    put(UInt8(v & 0xFF))
                default:
                    put(0x5C)
                    put(e)
                }
            }
            return w
        }
    }

    /// raw-unicode-escape decoding of a `V` line into UTF-8 (surrogates kept as 3-byte sequences),
    /// appended to `out`. Returns nil on a bad escape (then `out` is unchanged), else whether surrogates
    /// occurred. The output is at most twice the input (a byte ≥ 0x80 becomes two).
    static func rawUnicodeEscape(_ s: UnsafeRawBufferPointer, into out: inout RawArray<UInt8>) -> Bool? {
        let n = s.count
        var sur = false
        let ok = out.tryWrite(maxBytes: n * 2) { o in
            var i = 0, w = 0
            while i < n {
                let c = s[i]
                if c >= 0x80 {  // a Latin-1 character: two UTF-8 bytes
                    o[w] = 0xC0 | c >> 6
                    o[w &+ 1] = 0x80 | c & 0x3F
                    w &+= 2
                    i &+= 1
                    continue
                }
                if c != UInt8(ascii: "\\") || i &+ 1 >= n {
                    o[w] = c
                    w &+= 1
                    i &+= 1
                    continue
                }
                let e = s[i &+ 1]
                guard e == UInt8(ascii: "u") || e == UInt8(ascii: "U") else {
                    // A backslash before anything else stays, and so does the character after it.
                    o[w] = c
                    w &+= 1
                    w &+= writeUTF8(UInt32(e), to: o + w)
                    i &+= 2
                    continue
                }
                let width = e == UInt8(ascii: "u") ? 4 : 8
                guard i &+ 2 &+ width <= n else { return nil }
                var v: UInt32 = 0
                var k = i &+ 2
                let end = k &+ width
                while k < end {
                    guard let h = hexValue(s[k]) else { return nil }
                    v = v << 4 | h
                    k &+= 1
                }
                guard v <= 0x10FFFF else { return nil }
                if v & 0xFFFF_F800 == 0xD800 { sur = true }
                w &+= writeUTF8(v, to: o + w)
                i = end
            }
            return w
        }
        return ok ? sur : nil
    }

    /// Result of INT/LONG text: a machine integer, or normalised decimal digits (with '-' sign) for big ones.
    enum IntText { case small(Int), big([UInt8]) }

    /// `[+-]?digits`, with a trailing `L` when `allowL`. Nil when malformed.
    static func parseDecimal(_ s: UnsafeRawBufferPointer, allowL: Bool) -> IntText? {
        var end = s.count
        if allowL && end > 0 && s[end - 1] == UInt8(ascii: "L") { end -= 1 }
        var i = 0
        var neg = false
        if i < end && (s[i] == UInt8(ascii: "-") || s[i] == UInt8(ascii: "+")) {
            neg = s[i] == UInt8(ascii: "-")
            i += 1
        }
        guard i < end else { return nil }
        var v = 0
        var overflow = false
        for k in i..<end {
            let c = s[k]
            guard c >= 0x30 && c <= 0x39 else { return nil }
            if !overflow {
                let (m, o1) = v.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int(c - 0x30))
                if o1 || o2 { overflow = true } else { v = a }
            }
        }
        if !overflow { return .small(neg ? -v : v) }
        var digits: [UInt8] = neg ? [UInt8(ascii: "-")] : []
        for k in i..<end where !(digits.count <= (neg ? 1 : 0) && s[k] == 0x30) { digits.append(s[k]) }
        return .big(digits)
    }

    /// Little-endian two's-complement bytes (LONG1/LONG4) to a machine integer or decimal digits.
    static func longFromBytes(_ b: UnsafeRawBufferPointer) -> IntText {
        let n = b.count
        if n == 0 { return .small(0) }
        let negative = b[n - 1] & 0x80 != 0
        if n <= 8 {
            var v: UInt64 = 0
            for k in stride(from: n - 1, through: 0, by: -1) { v = v << 8 | UInt64(b[k]) }
            if negative && n < 8 { v |= ~0 << (UInt64(n) * 8) }
            return .small(Int(Int64(bitPattern: v)))
        }
        // Magnitude as base-2^32 limbs, little-endian.
        var bytes = Array(b)
        if negative {  // two's complement negate
            var carry: UInt16 = 1
            for k in 0..<n {
                let s = UInt16(~bytes[k]) + carry
                bytes[k] = UInt8(s & 0xFF)
                carry = s >> 8
            }
        }
        var limbs: [UInt32] = []
        var k = 0
        while k < n {
            var limb: UInt32 = 0
            for j in 0..<4 where k + j < n { limb |= UInt32(bytes[k + j]) << (8 * UInt32(j)) }
            limbs.append(limb)
            k += 4
        }
        while let last = limbs.last, last == 0 { limbs.removeLast() }
        if limbs.count <= 2 {
            let mag = UInt64(limbs.first ?? 0) | (limbs.count > 1 ? UInt64(limbs[1]) << 32 : 0)
            if !negative && mag <= UInt64(Int.max) { return .small(Int(mag)) }
            if negative && mag <= UInt64(Int.max) + 1 { return .small(mag == UInt64(Int.max) + 1 ? Int.min : -Int(mag)) }
        }
        // Repeated division by 10^9.
        var chunks: [UInt32] = []
        while !limbs.isEmpty {
            var rem: UInt64 = 0
            for j in stride(from: limbs.count - 1, through: 0, by: -1) {
                let cur = rem << 32 | UInt64(limbs[j])
                limbs[j] = UInt32(cur / 1_000_000_000)
                rem = cur % 1_000_000_000
            }
            chunks.append(UInt32(rem))
            while let last = limbs.last, last == 0 { limbs.removeLast() }
        }
        var out: [UInt8] = negative ? [UInt8(ascii: "-")] : []
        for (idx, chunk) in chunks.reversed().enumerated() {
            let s = Array(String(chunk).utf8)
            if idx > 0 { out.append(contentsOf: [UInt8](repeating: 0x30, count: 9 - s.count)) }
            out.append(contentsOf: s)
        }
        return .big(out)
    }

    /// Python float literal (no spaces/underscores): decimal, `inf`, `infinity`, `nan`, any case, signed.
    /// Nil when malformed, or when a finite literal overflows.
    static func parseFloat(_ s: UnsafeRawBufferPointer) -> Double? {
        var text = String(decoding: s, as: UTF8.self)
        var sign = 1.0
        if let f = text.first, f == "+" || f == "-" {
            sign = f == "-" ? -1 : 1
            text.removeFirst()
        }
        switch text.lowercased() {
        case "inf", "infinity": return sign * .infinity
        case "nan": return .nan
        default: break
        }
        // digits [. digits] | . digits, then optional exponent
        var u = Array(text.utf8)[...]
        var mantissaDigits = 0
        while let c = u.first, c >= 0x30 && c <= 0x39 { u.removeFirst(); mantissaDigits += 1 }
        if u.first == UInt8(ascii: ".") {
            u.removeFirst()
            while let c = u.first, c >= 0x30 && c <= 0x39 { u.removeFirst(); mantissaDigits += 1 }
        }
        guard mantissaDigits > 0 else { return nil }
        if let e = u.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            u.removeFirst()
            if let sg = u.first, sg == UInt8(ascii: "+") || sg == UInt8(ascii: "-") { u.removeFirst() }
            var expDigits = 0
            while let c = u.first, c >= 0x30 && c <= 0x39 { u.removeFirst(); expDigits += 1 }
            guard expDigits > 0 else { return nil }
        }
        guard u.isEmpty, let d = Double(text), d.isFinite else { return nil }
        return sign * d
    }
}
