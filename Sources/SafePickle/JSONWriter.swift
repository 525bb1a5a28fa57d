// SafePickle/JSONWriter: writes JSON straight into a byte buffer (no Foundation): string escaping,
// base64, shortest round-trip floats that always keep a `.` or an exponent, automatic commas, and the
// open-container path used to build `$ref` JSON Pointers.

/// One segment of the path to the value being written.
enum PathKey {
    case none
    case literal(StaticString)
    case node(Int32)
}

struct JSONWriter: ~Copyable {
    struct Container {
        var isObject: Bool
        var count: Int
        var key: PathKey
    }

    var out: RawArray<UInt8>
    var containers = RawArray<Container>()

    init(capacity: Int) { out = RawArray(capacity: capacity) }

    /// A writer that starts empty in `sink`'s allocation.
    init(reusing sink: consuming RawArray<UInt8>) {
        sink.removeAll()
        out = sink
    }

    /// Forgets everything written, keeping the allocations.
    mutating func restart() {
        out.removeAll()
        containers.truncate(to: 0)
    }

    /// Ends the writer and hands its output buffer back.
    consuming func takeSink() -> RawArray<UInt8> { out }

    var depth: Int { containers.count }

    /// The bytes written so far.
    func bytes() -> [UInt8] { out.array() }

    /// Comma before an array element (object members get theirs from `key`).
    @inline(__always) mutating func beforeValue() {
        var comma = false
        containers.updateLast { c in
            if !c.isObject {
                comma = c.count > 0
                c.count += 1
            }
        }
        if comma { out.append(UInt8(ascii: ",")) }
    }

    mutating func beginArray() {
        beforeValue()
        out.append(UInt8(ascii: "["))
        containers.append(Container(isObject: false, count: 0, key: .none))
    }

    mutating func beginObject() {
        beforeValue()
        out.append(UInt8(ascii: "{"))
        containers.append(Container(isObject: true, count: 0, key: .none))
    }

    mutating func end() {
        guard let c = containers.popLast() else { return }
        out.append(c.isObject ? UInt8(ascii: "}") : UInt8(ascii: "]"))
    }

    /// The comma and path bookkeeping of a new object member.
    @inline(__always) mutating func memberStart(_ path: PathKey) {
        var comma = false
        containers.updateLast { c in
            comma = c.count > 0
            c.count += 1
            c.key = path
        }
        if comma { out.append(UInt8(ascii: ",")) }
    }

    /// Starts an object member: comma, `"key":`. `key` bytes are written escaped.
    mutating func key(_ bytes: UnsafeRawBufferPointer, path: PathKey) {
        memberStart(path)
        writeString(bytes)
        out.append(UInt8(ascii: ":"))
    }

    /// A key known to need no escape (see `plainStringValue`).
    mutating func plainKey(_ bytes: UnsafeRawBufferPointer, path: PathKey) {
        memberStart(path)
        out.reserve(bytes.count + 3)
        out.append(UInt8(ascii: "\""))
        out.append(bytes)
        out.append(StaticString("\":"))
    }

    /// A literal key (ASCII, nothing to escape: every caller passes a `$name` or plain word).
    mutating func key(_ s: StaticString) {
        memberStart(.literal(s))
        out.append(UInt8(ascii: "\""))
        out.append(s)
        out.append(UInt8(ascii: "\""))
        out.append(UInt8(ascii: ":"))
    }

    @inline(__always) mutating func raw(_ s: StaticString) { out.append(s) }

    mutating func literal(_ s: StaticString) {
        beforeValue()
        raw(s)
    }

    mutating func stringValue(_ bytes: UnsafeRawBufferPointer) {
        beforeValue()
        writeString(bytes)
    }

    /// `"…"` for bytes known to need no escape (valid UTF-8 without control bytes, `"` or `\`).
    mutating func plainStringValue(_ bytes: UnsafeRawBufferPointer) {
        beforeValue()
        out.reserve(bytes.count + 2)
        out.append(UInt8(ascii: "\""))
        out.append(bytes)
        out.append(UInt8(ascii: "\""))
    }

    mutating func stringValue(_ s: StaticString) {
        stringValue(UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    mutating func stringValue(_ s: String) {
        var s = s
        s.withUTF8 { stringValue(UnsafeRawBufferPointer($0)) }
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// True when none of the 8 bytes of `w` needs a JSON escape (control byte, `"` or `\`). Exact:
    /// with no byte below 0x20 there is no borrow, and a zero byte of `w ^ c` is detected likewise.
    @inline(__always) static func plain8(_ w: UInt64) -> Bool {
        let lo: UInt64 = 0x0101_0101_0101_0101
        let hi: UInt64 = 0x8080_8080_8080_8080
        let control = (w &- lo &* 0x20) & ~w & hi
        let q = w ^ (lo &* 0x22), b = w ^ (lo &* 0x5C)
        let quote = (q &- lo) & ~q & hi
        let slash = (b &- lo) & ~b & hi
        return control | quote | slash == 0
    }

    /// `"…"` with JSON escapes; the bytes must be valid UTF-8.
    mutating func writeString(_ s: UnsafeRawBufferPointer) {
        out.append(UInt8(ascii: "\""))
        var runStart = 0
        var i = 0
        let n = s.count
        while i < n {
            if i + 8 <= n && JSONWriter.plain8(s.loadUnaligned(fromByteOffset: i, as: UInt64.self)) {
                i += 8
                continue
            }
            let c = s[i]
            if c >= 0x20 && c != 0x22 && c != 0x5C { i += 1; continue }
            if i > runStart { out.append(UnsafeRawBufferPointer(rebasing: s[runStart..<i])) }
            switch c {
            case 0x22: raw("\\\"")
            case 0x5C: raw("\\\\")
            case 0x0A: raw("\\n")
            case 0x0D: raw("\\r")
            case 0x09: raw("\\t")
            default:
                raw("\\u00")
                out.append(JSONWriter.hex[Int(c >> 4)])
                out.append(JSONWriter.hex[Int(c & 15)])
            }
            i += 1
            runStart = i
        }
        if n > runStart { out.append(UnsafeRawBufferPointer(rebasing: s[runStart..<n])) }
        out.append(UInt8(ascii: "\""))
    }

    /// Exactly `width` decimal digits of a non-negative `v` (zero-padded), raw (inside a string being written).
    @inline(__always) mutating func digits(_ v: Int, _ width: Int) {
        var div = 1
        for _ in 1..<width { div *= 10 }
        while div > 0 {
            out.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: v / div % 10))
            div /= 10
        }
    }

    mutating func int(_ v: Int) {
        beforeValue()
        if v >= 0 && v < 10 {
            out.append(UInt8(ascii: "0") + UInt8(v))
            return
        }
        var buf: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &buf) { b in
            var p = 24
            var m = v.magnitude
            repeat {
                p -= 1
                b[p] = UInt8(ascii: "0") + UInt8(m % 10)
                m /= 10
            } while m > 0
            if v < 0 { out.append(UInt8(ascii: "-")) }
            out.append(UnsafeRawBufferPointer(rebasing: b[p..<24]))
        }
    }

    /// A finite double, shortest round-trip, always with `.` or an exponent (`1.0`, `1e+16`, `-0.0`).
    mutating func double(_ d: Double) {
        beforeValue()
        var s = d.description
        s.withUTF8 { out.append(UnsafeRawBufferPointer($0)) }
        if !s.utf8.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") }) {
            raw(".0")
        }
        s = ""
    }

    private static let b64: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// `"<base64>"` (RFC 4648, padded).
    mutating func base64Value(_ s: UnsafeRawBufferPointer) {
        beforeValue()
        out.append(UInt8(ascii: "\""))
        var i = 0
        let n = s.count
        let t = JSONWriter.b64
        out.reserve((n + 2) / 3 * 4 + 2)
        while i + 3 <= n {
            let v = UInt32(s[i]) << 16 | UInt32(s[i + 1]) << 8 | UInt32(s[i + 2])
            out.append(t[Int(v >> 18)])
            out.append(t[Int((v >> 12) & 63)])
            out.append(t[Int((v >> 6) & 63)])
            out.append(t[Int(v & 63)])
            i += 3
        }
        if n - i == 1 {
            let v = UInt32(s[i]) << 16
            out.append(t[Int(v >> 18)])
            out.append(t[Int((v >> 12) & 63)])
            raw("==")
        } else if n - i == 2 {
            let v = UInt32(s[i]) << 16 | UInt32(s[i + 1]) << 8
            out.append(t[Int(v >> 18)])
            out.append(t[Int((v >> 12) & 63)])
            out.append(t[Int((v >> 6) & 63)])
            raw("=")
        }
        out.append(UInt8(ascii: "\""))
    }
}
