// PipelineRecords/JSONEscaping: strict UTF-8 validation and JSON string escaping in one pass over
// raw bytes, appending to a byte buffer (no String round trip on the hot path).

public enum JSONEscaping {
    /// True when `bytes` are valid UTF-8 (strict: no overlongs, no surrogates, ≤ U+10FFFF).
    public static func isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        validPrefixLength(bytes) == bytes.count
    }

    /// Length of the longest valid UTF-8 prefix of `bytes` that ends on a character boundary.
    public static func validPrefixLength(_ bytes: UnsafeRawBufferPointer) -> Int {
        let n = bytes.count
        var i = 0
        while i < n {
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

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends `"…"` with `bytes` escaped as a JSON string, if `bytes` are valid UTF-8.
    /// Returns false (and leaves `out` unchanged) when they are not.
    @discardableResult
    public static func appendQuoted(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) -> Bool {
        guard isValidUTF8(bytes) else { return false }
        appendQuotedValid(bytes, to: &out)
        return true
    }

    /// Appends `"…"` for bytes already known to be valid UTF-8.
    public static func appendQuotedValid(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var runStart = 0
        let n = bytes.count
        var i = 0
        while i < n {
            let b = bytes[i]
            if b >= 0x20 && b != UInt8(ascii: "\"") && b != UInt8(ascii: "\\") { i += 1; continue }
            if runStart < i { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart..<i])) }
            out.append(UInt8(ascii: "\\"))
            switch b {
            case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
            case 0x0A: out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(UInt8(ascii: "r"))
            case 0x09: out.append(UInt8(ascii: "t"))
            case 0x08: out.append(UInt8(ascii: "b"))
            case 0x0C: out.append(UInt8(ascii: "f"))
            default:
                out.append(UInt8(ascii: "u"))
                out.append(UInt8(ascii: "0"))
                out.append(UInt8(ascii: "0"))
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 15)])
            }
            i += 1
            runStart = i
        }
        if runStart < n { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart..<n])) }
        out.append(UInt8(ascii: "\""))
    }
}
