// ByteText/JSONString: strict UTF-8 validation and JSON string escaping over raw bytes — the one
// escaping every JSON the project writes uses (records, reports, partials, canonical JSON of decoded
// values, dump headers, the manifest). The rule: `"` `\` and the control bytes below 0x20 are escaped,
// as `\"` `\\` `\b` `\f` `\n` `\r` `\t` where JSON has a short form and as `\u00xx` (lower-case hex)
// otherwise; every other byte — `/`, DEL, any non-ASCII UTF-8 — is written as it is.

public enum JSONString {
    /// True when `bytes` are valid UTF-8 (strict: no overlongs, no surrogates, ≤ U+10FFFF).
    @inlinable
    public static func isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        validPrefixLength(bytes) == bytes.count
    }

    /// Length of the longest valid UTF-8 prefix of `bytes` that ends on a character boundary.
    @inlinable
    public static func validPrefixLength(_ bytes: UnsafeRawBufferPointer) -> Int {
        let n = bytes.count
        var i = 0
        while i < n {
            // Eight ASCII bytes at a time.
            if i + 8 <= n && bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                i += 8
                continue
            }
            let b0 = bytes[i]
            if b0 < 0x80 { i += 1; continue }
            let need: Int
            var lo: UInt8 = 0x80
            var hi: UInt8 = 0xBF
            switch b0 {
            case 0xC2...0xDF: need = 1
            case 0xE0: need = 2; lo = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: need = 2
            case 0xED: need = 2; hi = 0x9F
            case 0xF0: need = 3; lo = 0x90
            case 0xF1...0xF3: need = 3
            case 0xF4: need = 3; hi = 0x8F
            default: return i
            }
            guard i + need < n else { return i }
            let b1 = bytes[i + 1]
            guard b1 >= lo && b1 <= hi else { return i }
            var k = 2
            while k <= need {
                let b = bytes[i + k]
                guard b >= 0x80 && b <= 0xBF else { return i }
                k += 1
            }
            i += need + 1
        }
        return n
    }

    /// True when none of the 8 bytes of `w` needs an escape (a control byte, `"` or `\`). Exact: with
    /// no byte below 0x20 there is no borrow, and a zero byte of `w ^ c` is detected likewise.
    @inlinable @inline(__always)
    public static func plain8(_ w: UInt64) -> Bool {
        let lo: UInt64 = 0x0101_0101_0101_0101
        let hi: UInt64 = 0x8080_8080_8080_8080
        let control = (w &- lo &* 0x20) & ~w & hi
        let q = w ^ (lo &* 0x22), b = w ^ (lo &* 0x5C)
        let quote = (q &- lo) & ~q & hi
        let slash = (b &- lo) & ~b & hi
        return control | quote | slash == 0
    }

    /// Appends `"…"` with `bytes` escaped, if `bytes` are valid UTF-8; returns false (appending
    /// nothing) when they are not.
    @inlinable @discardableResult
    public static func appendQuoted<S: ByteSink & ~Copyable>(_ bytes: UnsafeRawBufferPointer, to out: inout S) -> Bool {
        guard isValidUTF8(bytes) else { return false }
        appendQuotedValid(bytes, to: &out)
        return true
    }

    /// Appends `"…"` for bytes already known to be valid UTF-8.
    @inlinable
    public static func appendQuotedValid<S: ByteSink & ~Copyable>(_ bytes: UnsafeRawBufferPointer, to out: inout S) {
        out.reserveMore(bytes.count + 2)
        out.appendByte(UInt8(ascii: "\""))
        appendEscaped(bytes, to: &out)
        out.appendByte(UInt8(ascii: "\""))
    }

    /// Appends the escaped inside of a JSON string (no quotes) for valid UTF-8 `bytes`.
    @inlinable
    public static func appendEscaped<S: ByteSink & ~Copyable>(_ bytes: UnsafeRawBufferPointer, to out: inout S) {
        var runStart = 0
        let n = bytes.count
        var i = 0
        while i < n {
            if i + 8 <= n && plain8(bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)) {
                i += 8
                continue
            }
            let b = bytes[i]
            if b >= 0x20 && b != UInt8(ascii: "\"") && b != UInt8(ascii: "\\") { i += 1; continue }
            if runStart < i { out.appendBytes(UnsafeRawBufferPointer(rebasing: bytes[runStart..<i])) }
            appendEscape(of: b, to: &out)
            i += 1
            runStart = i
        }
        if runStart < n { out.appendBytes(UnsafeRawBufferPointer(rebasing: bytes[runStart..<n])) }
    }

    /// The escape of one byte that needs one (`"`, `\` or a control byte).
    @inlinable
    static func appendEscape<S: ByteSink & ~Copyable>(of b: UInt8, to out: inout S) {
        out.appendByte(UInt8(ascii: "\\"))
        switch b {
        case UInt8(ascii: "\""): out.appendByte(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): out.appendByte(UInt8(ascii: "\\"))
        case 0x0A: out.appendByte(UInt8(ascii: "n"))
        case 0x0D: out.appendByte(UInt8(ascii: "r"))
        case 0x09: out.appendByte(UInt8(ascii: "t"))
        case 0x08: out.appendByte(UInt8(ascii: "b"))
        case 0x0C: out.appendByte(UInt8(ascii: "f"))
        default:
            out.appendByte(UInt8(ascii: "u"))
            out.appendByte(UInt8(ascii: "0"))
            out.appendByte(UInt8(ascii: "0"))
            out.appendByte(hexDigit(b >> 4))
            out.appendByte(hexDigit(b & 15))
        }
    }

    @inlinable @inline(__always)
    static func hexDigit(_ v: UInt8) -> UInt8 { v < 10 ? 0x30 &+ v : 0x57 &+ v }

    /// Appends a finite double in Swift's shortest round-trip form, which always has a `.` or an
    /// exponent (`1.0`, `1e+16`, `-0.0`); a non-finite value is written as `null` (JSON has none).
    @inlinable
    public static func appendDouble<S: ByteSink & ~Copyable>(_ value: Double, to out: inout S) {
        guard value.isFinite else {
            let null: StaticString = "null"
            out.appendBytes(UnsafeRawBufferPointer(start: null.utf8Start, count: null.utf8CodeUnitCount))
            return
        }
        var s = value.description
        var fraction = false
        s.withUTF8 { u in
            out.appendBytes(UnsafeRawBufferPointer(u))
            fraction = u.contains(UInt8(ascii: ".")) || u.contains(UInt8(ascii: "e"))
        }
        if !fraction {
            out.appendByte(UInt8(ascii: "."))
            out.appendByte(UInt8(ascii: "0"))
        }
    }
}
