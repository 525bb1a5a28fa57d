// ByteText/Base64: RFC 4648 standard-alphabet, padded base64, written straight into a byte buffer —
// for the records' keys and strings that are not valid UTF-8 (`key_b64`), `$bytes` markers, and the
// keys `mg … b` sends (and `k` returns with `b`).

public enum Base64 {
    @usableFromInline
    static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Appends the base64 text of `input` to `out` (no quotes).
    @inlinable
    public static func append<S: ByteSink & ~Copyable>(_ input: UnsafeRawBufferPointer, to out: inout S) {
        let n = input.count
        out.reserveMore((n + 2) / 3 * 4)
        alphabet.withUnsafeBufferPointer { a in
            var i = 0
            while i + 3 <= n {
                let v = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2])
                out.appendByte(a[Int(v >> 18 & 63)])
                out.appendByte(a[Int(v >> 12 & 63)])
                out.appendByte(a[Int(v >> 6 & 63)])
                out.appendByte(a[Int(v & 63)])
                i += 3
            }
            let rest = n - i
            if rest == 1 {
                let v = UInt32(input[i]) << 16
                out.appendByte(a[Int(v >> 18 & 63)])
                out.appendByte(a[Int(v >> 12 & 63)])
                out.appendByte(UInt8(ascii: "="))
                out.appendByte(UInt8(ascii: "="))
            } else if rest == 2 {
                let v = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8
                out.appendByte(a[Int(v >> 18 & 63)])
                out.appendByte(a[Int(v >> 12 & 63)])
                out.appendByte(a[Int(v >> 6 & 63)])
                out.appendByte(UInt8(ascii: "="))
            }
        }
    }

    /// The base64 text of `bytes`.
    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        bytes.withUnsafeBytes { append($0, to: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the base64 text of `bytes` to `out`.
    public static func encode(_ bytes: [UInt8], into out: inout [UInt8]) {
        bytes.withUnsafeBytes { append($0, to: &out) }
    }

    /// Decodes standard padded base64 (whitespace not allowed); nil when malformed.
    public static func decode(_ text: String) -> [UInt8]? {
        decode(Array(text.utf8))
    }

    /// Byte form of `decode(_:)`: padding only at the very end, at most two `=`.
    public static func decode<C: Collection>(_ input: C) -> [UInt8]? where C.Element == UInt8 {
        let s = Array(input)
        guard s.count % 4 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(s.count / 4 * 3)
        var i = 0
        while i < s.count {
            var v: UInt32 = 0
            var pad = 0
            for j in 0..<4 {
                let c = s[i + j]
                let d: UInt32
                switch c {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"): d = UInt32(c - UInt8(ascii: "A"))
                case UInt8(ascii: "a")...UInt8(ascii: "z"): d = UInt32(c - UInt8(ascii: "a")) + 26
                case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0")) + 52
                case UInt8(ascii: "+"): d = 62
                case UInt8(ascii: "/"): d = 63
                case UInt8(ascii: "=") where i + 4 == s.count && j >= 2: d = 0; pad += 1
                default: return nil
                }
                if pad > 0 && c != UInt8(ascii: "=") { return nil }
                v = v << 6 | d
            }
            out.append(UInt8(v >> 16 & 0xFF))
            if pad < 2 { out.append(UInt8(v >> 8 & 0xFF)) }
            if pad < 1 { out.append(UInt8(v & 0xFF)) }
            i += 4
        }
        return out
    }
}
