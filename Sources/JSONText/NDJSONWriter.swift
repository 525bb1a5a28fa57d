// JSONText/NDJSONWriter: the project's one JSON writer — records, reports, partials, dump headers and
// the manifest (through JSONTextEncoder). Builds JSON straight into a byte buffer: keys in the order
// they are written (stable key order), commas handled, strings escaped by `JSONString` (the rule is
// there), raw JSON embedded as is. The caller drains `buffer` into its output whenever it grows past
// a threshold.
import ByteText

public struct NDJSONWriter: Sendable {
    /// The bytes written so far (complete lines after `endLine()`).
    public var buffer: [UInt8] = []
    /// Per open container: has it an element already (a comma is due before the next one)?
    private var hasElement: [Bool] = []
    private var afterKey = false

    public init(capacity: Int = 1 << 20) { buffer.reserveCapacity(capacity) }

    /// Current nesting depth (0 between lines).
    public var depth: Int { hasElement.count }

    /// Drops the buffered bytes, keeping the allocation (after draining them to a sink).
    public mutating func clear() {
        buffer.removeAll(keepingCapacity: true)
        hasElement.removeAll(keepingCapacity: true)
        afterKey = false
    }

    // MARK: structure

    @inline(__always) private mutating func separate() {
        if afterKey { afterKey = false; return }
        if let last = hasElement.last {
            if last { buffer.append(UInt8(ascii: ",")) } else { hasElement[hasElement.count - 1] = true }
        }
    }

    public mutating func beginObject() {
        separate()
        buffer.append(UInt8(ascii: "{"))
        hasElement.append(false)
    }

    public mutating func endObject() {
        buffer.append(UInt8(ascii: "}"))
        if !hasElement.isEmpty { hasElement.removeLast() }
    }

    /// Goes on writing members into an object whose first bytes (up to, not including, its closing
    /// brace, with at least one member) are already in `buffer` — e.g. fields added to a record.
    public mutating func continueObject() {
        hasElement.append(true)
        afterKey = false
    }

    public mutating func beginArray() {
        separate()
        buffer.append(UInt8(ascii: "["))
        hasElement.append(false)
    }

    public mutating func endArray() {
        buffer.append(UInt8(ascii: "]"))
        if !hasElement.isEmpty { hasElement.removeLast() }
    }

    /// Ends the current line (call at depth 0, after the record's `endObject()`).
    public mutating func endLine() {
        buffer.append(UInt8(ascii: "\n"))
        hasElement.removeAll(keepingCapacity: true)
        afterKey = false
    }

    /// Writes an object key. `name` must be plain ASCII needing no escapes (the schema's field names).
    public mutating func key(_ name: StaticString) {
        separate()
        buffer.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { buffer.append(contentsOf: $0) }
        buffer.append(UInt8(ascii: "\""))
        buffer.append(UInt8(ascii: ":"))
        afterKey = true
    }

    /// Writes an arbitrary object key, escaped.
    public mutating func key(_ name: String) {
        separate()
        var s = name
        s.withUTF8 { JSONString.appendQuotedValid(UnsafeRawBufferPointer($0), to: &buffer) }
        buffer.append(UInt8(ascii: ":"))
        afterKey = true
    }

    // MARK: values

    public mutating func string(_ value: String) {
        separate()
        var s = value
        s.withUTF8 { JSONString.appendQuotedValid(UnsafeRawBufferPointer($0), to: &buffer) }
    }

    /// Writes `bytes` as a JSON string if they are valid UTF-8; returns false (writing nothing) otherwise.
    public mutating func string(utf8 bytes: UnsafeRawBufferPointer) -> Bool {
        guard JSONString.isValidUTF8(bytes) else { return false }
        separate()
        JSONString.appendQuotedValid(bytes, to: &buffer)
        return true
    }

    /// Writes `"<base64 of bytes>"`.
    public mutating func base64(_ bytes: UnsafeRawBufferPointer) {
        separate()
        buffer.append(UInt8(ascii: "\""))
        Base64.append(bytes, to: &buffer)
        buffer.append(UInt8(ascii: "\""))
    }

    /// Writes the key/value pair `name: "<utf8>"`, or `name_b64: "<base64>"` when the bytes are not
    /// valid UTF-8 (the schema's rule for keys and strings: never a lossy conversion).
    public mutating func bytesField(_ name: StaticString, b64Name: StaticString, _ bytes: UnsafeRawBufferPointer) {
        if JSONString.isValidUTF8(bytes) {
            key(name)
            JSONString.appendQuotedValid(bytes, to: &buffer)
            afterKey = false
        } else {
            key(b64Name)
            base64(bytes)
        }
    }

    public mutating func int(_ value: Int64) {
        separate()
        DecimalText.append(value, to: &buffer)
    }

    public mutating func int(_ value: Int) { int(Int64(value)) }

    public mutating func uint(_ value: UInt64) {
        separate()
        DecimalText.append(value, to: &buffer)
    }

    /// A finite double in Swift's shortest round-trip form (always with `.` or an exponent);
    /// non-finite values are written as null (JSON has none).
    public mutating func double(_ value: Double) {
        separate()
        JSONString.appendDouble(value, to: &buffer)
    }

    public mutating func bool(_ value: Bool) {
        separate()
        buffer.append(contentsOf: value ? "true".utf8 : "false".utf8)
    }

    public mutating func null() {
        separate()
        buffer.append(contentsOf: "null".utf8)
    }

    /// Embeds one complete, valid JSON value as is (e.g. a decoded pickle's canonical JSON).
    public mutating func raw(_ json: UnsafeRawBufferPointer) {
        separate()
        buffer.append(contentsOf: json)
    }

    public mutating func raw(_ json: [UInt8]) { json.withUnsafeBytes { raw($0) } }
}

// MARK: reports and partials

extension NDJSONWriter {
    /// The bytes written so far, as text.
    public var text: String { String(decoding: buffer, as: UTF8.self) }

    /// A string, or null.
    public mutating func string(_ value: String?) {
        if let value { string(value) } else { null() }
    }

    /// A number as reports write it: a whole number below 10^15 without a fraction (`3`, not `3.0`),
    /// any other finite number in Swift's shortest round-trip form; null for nil or non-finite.
    public mutating func number(_ value: Double?) {
        guard let value, value.isFinite else { null(); return }
        if value == value.rounded(), abs(value) < 1e15 { int(Int64(value)) } else { double(value) }
    }

    public mutating func int(_ value: Int?) {
        if let value { int(value) } else { null() }
    }

    public mutating func bool(_ value: Bool?) {
        if let value { bool(value) } else { null() }
    }

    public mutating func field(_ name: String, _ value: String?) { key(name); string(value) }
    public mutating func field(_ name: String, _ value: Double?) { key(name); number(value) }
    public mutating func field(_ name: String, _ value: Int?) { key(name); int(value) }
    public mutating func field(_ name: String, _ value: Bool?) { key(name); bool(value) }
}
