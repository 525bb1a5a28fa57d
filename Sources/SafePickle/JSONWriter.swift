// SafePickle/JSONWriter: the canonical JSON's structure written straight into the decoder's byte
// buffer (no Foundation): automatic commas and the open-container path used to build `$ref` JSON
// Pointers. Strings, base64, integers and floats are written by ByteText's shared writers
// (`JSONString`, `Base64`, `DecimalText`), the same ones every other JSON of the project uses.
import ByteText

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

    /// True when none of the 8 bytes of `w` needs a JSON escape (control byte, `"` or `\`).
    @inline(__always) static func plain8(_ w: UInt64) -> Bool { JSONString.plain8(w) }

    /// `"…"` with JSON escapes; the bytes must be valid UTF-8.
    mutating func writeString(_ s: UnsafeRawBufferPointer) {
        JSONString.appendQuotedValid(s, to: &out)
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
        DecimalText.append(Int64(v), to: &out)
    }

    /// A finite double, shortest round-trip, always with `.` or an exponent (`1.0`, `1e+16`, `-0.0`).
    mutating func double(_ d: Double) {
        beforeValue()
        JSONString.appendDouble(d, to: &out)
    }

    /// `"<base64>"` (RFC 4648, padded).
    mutating func base64Value(_ s: UnsafeRawBufferPointer) {
        beforeValue()
        out.append(UInt8(ascii: "\""))
        Base64.append(s, to: &out)
        out.append(UInt8(ascii: "\""))
    }
}
