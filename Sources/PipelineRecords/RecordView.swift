// PipelineRecords/RecordView: on-demand reading of one NDJSON record. One scan finds where each
// top-level member's name and value lie; nothing is built. A field is read (and checked) only when a
// stage asks for it, by its `RecordField`; a nested object is walked the same way (`JSONSlice`), and a
// subtree becomes a `JSONValue` only where a stage needs one (a token body's user, a source's stats).
// The bytes of everything else — above all `value` — are stepped over and can be passed on as they are.
import ByteText
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where a record is not a JSON object at all: why, and the byte offset in the line.
public struct RecordSyntaxError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var offset: Int
    public var description: String { "\(message) at byte \(offset)" }
}

/// A JSON value inside a record's bytes (valid while those bytes are).
public struct JSONSlice {
    public let bytes: UnsafeRawBufferPointer
    /// The value's bytes in `bytes`, from its first to its last character.
    public let range: Range<Int>

    public init(bytes: UnsafeRawBufferPointer, range: Range<Int>) {
        self.bytes = bytes
        self.range = range
    }

    @inline(__always) var first: UInt8 { bytes[range.lowerBound] }

    public var raw: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[range]) }
    public var isNull: Bool { range.count == 4 && first == UInt8(ascii: "n") }
    public var isObject: Bool { first == UInt8(ascii: "{") }
    public var isArray: Bool { first == UInt8(ascii: "[") }
    public var isString: Bool { first == UInt8(ascii: "\"") }

    /// The string's content bytes (without quotes) when it has no escapes; nil otherwise.
    public var plainStringBytes: UnsafeRawBufferPointer? {
        guard isString, range.count >= 2 else { return nil }
        let inner = UnsafeRawBufferPointer(rebasing: bytes[(range.lowerBound + 1)..<(range.upperBound - 1)])
        if inner.isEmpty { return inner }
        return memchr(inner.baseAddress!, 0x5C, inner.count) == nil ? inner : nil
    }

    /// The string, unescaped; nil when not a string, or when it has a bad escape or invalid UTF-8.
    public var string: String? {
        guard isString else { return nil }
        if let plain = plainStringBytes {
            guard JSONString.isValidUTF8(plain) else { return nil }
            return String(decoding: plain, as: UTF8.self)
        }
        return tree?.string
    }

    /// True when the value is a string (escapes resolved) that is not valid UTF-8 or badly escaped.
    public var isBadString: Bool { isString && string == nil }

    /// An integer (a JSON number without fraction or exponent within Int64); nil otherwise.
    public var int: Int64? {
        var i = range.lowerBound
        let end = range.upperBound
        var negative = false
        if i < end && bytes[i] == UInt8(ascii: "-") { negative = true; i += 1 }
        let digits = end - i
        if digits >= 1 && digits <= 18 {
            var v: Int64 = 0
            var k = i
            while k < end {
                let d = bytes[k] &- 0x30
                guard d < 10 else { break }
                v = v * 10 + Int64(d)
                k += 1
            }
            if k == end { return negative ? -v : v }
        }
        guard case .number(_, let n)? = tree else { return nil }
        return n
    }

    /// A number as a double; nil when not a number.
    public var double: Double? {
        if let n = int, abs(n) < (1 << 53) { return Double(n) }
        guard case .number(let d, _)? = tree else { return nil }
        return d
    }

    public var bool: Bool? {
        if range.count == 4 && first == UInt8(ascii: "t") { return true }
        if range.count == 5 && first == UInt8(ascii: "f") { return false }
        return nil
    }

    /// The value as a tree (built now); nil when it does not parse.
    public var tree: JSONValue? { try? JSONParser.parse(raw) }

    /// The member `name` of this object (the first with that name); nil when absent or not an object.
    public subscript(_ name: StaticString) -> JSONSlice? {
        // Walks the members until the name is found (nothing is collected).
        guard isObject else { return nil }
        var found: JSONSlice?
        _ = JSONSkim.walkMembers(bytes, from: range.lowerBound) { key, vs in
            guard let ve = JSONSkim.valueEnd(bytes, from: vs) else { return nil }
            if JSONSkim.keyEquals(bytes, key, name) {
                found = JSONSlice(bytes: bytes, range: vs..<ve)
                return nil
            }
            return ve
        }
        return found
    }

    public subscript(_ field: RecordField) -> JSONSlice? { self[field.name] }

    /// This object's members, located once (for several lookups); nil when not an object.
    public var members: JSONMembers? {
        guard isObject, let m = JSONSkim.objectMembers(bytes, from: range.lowerBound) else { return nil }
        return JSONMembers(bytes: bytes, members: m)
    }

    /// The elements of this array; nil when not an array or malformed.
    public var elements: [JSONSlice]? {
        guard isArray else { return nil }
        var out: [JSONSlice] = []
        var i = JSONSkim.skipSpace(bytes, range.lowerBound + 1)
        if i < range.upperBound && bytes[i] == UInt8(ascii: "]") { return out }
        while true {
            guard let e = JSONSkim.valueEnd(bytes, from: i), e <= range.upperBound else { return nil }
            out.append(JSONSlice(bytes: bytes, range: JSONSkim.skipSpace(bytes, i)..<e))
            i = JSONSkim.skipSpace(bytes, e)
            guard i < range.upperBound else { return nil }
            if bytes[i] == UInt8(ascii: "]") { return out }
            guard bytes[i] == UInt8(ascii: ",") else { return nil }
            i = JSONSkim.skipSpace(bytes, i + 1)
        }
    }
}

/// An object's members, located, for looking several of them up.
public struct JSONMembers {
    public let bytes: UnsafeRawBufferPointer
    public let members: [JSONMember]

    /// The member `name` (the first of that name); nil when absent.
    public subscript(_ field: RecordField) -> JSONSlice? { self[field.name] }

    public subscript(_ name: StaticString) -> JSONSlice? {
        for m in members where JSONSkim.keyEquals(bytes, m.key, name) {
            return JSONSlice(bytes: bytes, range: m.value)
        }
        return nil
    }
}

/// One record line, its top-level members located.
public struct RecordView {
    public let bytes: UnsafeRawBufferPointer
    /// Each top-level member: the name's range (with its quotes) and the value's range.
    public let members: [JSONMember]
    /// The offset of the closing `}` (fields can be appended before it).
    public let closingBrace: Int

    /// Scans `bytes` (one line, without its newline). Throws when it is not one JSON object.
    public init(_ bytes: UnsafeRawBufferPointer) throws(RecordSyntaxError) {
        self.bytes = bytes
        var i = JSONSkim.skipSpace(bytes, 0)
        guard i < bytes.count, bytes[i] == UInt8(ascii: "{") else {
            throw RecordSyntaxError(message: "not a JSON object", offset: i)
        }
        i = JSONSkim.skipSpace(bytes, i + 1)
        var out: [JSONMember] = []
        out.reserveCapacity(24)
        var close = -1
        var announced: Int64?
        if i < bytes.count && bytes[i] == UInt8(ascii: "}") {
            close = i
        } else {
            while true {
                guard let ke = JSONSkim.stringEnd(bytes, i) else { throw RecordSyntaxError(message: "expected a member name", offset: i) }
                let key = i..<ke
                i = JSONSkim.skipSpace(bytes, ke)
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw RecordSyntaxError(message: "expected `:`", offset: i) }
                let vs = JSONSkim.skipSpace(bytes, i + 1)
                // A `value` announced by `value_json_bytes` is stepped over without being scanned.
                var end = announced.flatMap { RecordView.announcedEnd(bytes, key: key, start: vs, length: $0) }
                announced = nil
                if end == nil { end = vs < bytes.count ? JSONSkim.valueEnd(bytes, from: vs) : nil }
                guard let ve = end else { throw RecordSyntaxError(message: "unterminated value", offset: vs) }
                out.append(JSONMember(key: key, value: vs..<ve))
                if JSONSkim.keyEquals(bytes, key, RecordField.valueJSONBytes.name) {
                    announced = JSONSlice(bytes: bytes, range: vs..<ve).int
                }
                i = JSONSkim.skipSpace(bytes, ve)
                guard i < bytes.count else { throw RecordSyntaxError(message: "unexpected end of the record", offset: i) }
                if bytes[i] == UInt8(ascii: "}") { close = i; break }
                guard bytes[i] == UInt8(ascii: ",") else { throw RecordSyntaxError(message: "expected `,` or `}`", offset: i) }
                i = JSONSkim.skipSpace(bytes, i + 1)
            }
        }
        guard JSONSkim.skipSpace(bytes, close + 1) == bytes.count else {
            throw RecordSyntaxError(message: "trailing characters", offset: close + 1)
        }
        members = out
        closingBrace = close
    }

    /// Where the `value` member that starts at `start` ends, when `value_json_bytes` announced its
    /// length and the bytes agree (a value's first and last character, then `,` or `}`); nil otherwise
    /// (the value is then scanned).
    static func announcedEnd(_ p: UnsafeRawBufferPointer, key: Range<Int>, start: Int, length: Int64) -> Int? {
        guard JSONSkim.keyEquals(p, key, RecordField.value.name), length > 0, length <= Int64(p.count - start) else { return nil }
        let end = start + Int(length)
        let next = JSONSkim.skipSpace(p, end)
        guard next < p.count, p[next] == UInt8(ascii: ",") || p[next] == UInt8(ascii: "}") else { return nil }
        let first = p[start], last = p[end - 1]
        switch first {
        case UInt8(ascii: "{"): guard last == UInt8(ascii: "}") else { return nil }
        case UInt8(ascii: "["): guard last == UInt8(ascii: "]") else { return nil }
        case UInt8(ascii: "\""): guard last == UInt8(ascii: "\""), length >= 2 else { return nil }
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): guard last >= UInt8(ascii: "0") && last <= UInt8(ascii: "9") else { return nil }
        case UInt8(ascii: "t"), UInt8(ascii: "f"): guard last == UInt8(ascii: "e") else { return nil }
        case UInt8(ascii: "n"): guard last == UInt8(ascii: "l") else { return nil }
        default: return nil
        }
        return end
    }

    /// The top-level member `field` (the first of that name); nil when absent.
    public subscript(_ field: RecordField) -> JSONSlice? {
        let n = field.name.utf8CodeUnitCount
        let name = field.name.utf8Start
        for m in members where m.key.count == n + 2 {
            if memcmp(bytes.baseAddress! + m.key.lowerBound + 1, name, n) == 0 {
                return JSONSlice(bytes: bytes, range: m.value)
            }
        }
        return nil
    }

    /// The record's `type` when it is a plain string.
    public var type: RecordSchema.RecordType? {
        guard let t = self[.type]?.plainStringBytes else { return nil }
        return RecordSchema.RecordType(rawValue: String(decoding: t, as: UTF8.self))
    }

    /// `host:port` (or the host alone without a port) as decode wrote them; nil without a host string.
    public var hostKey: String? {
        guard let host = self[.host]?.string else { return nil }
        if let port = self[.port]?.int { return "\(host):\(port)" }
        return host
    }

    /// The key's bytes: `key` (UTF-8) or `key_b64` decoded; nil when neither is usable.
    public var keyBytes: [UInt8]? {
        if let k = self[.key] {
            if let plain = k.plainStringBytes { return Array(plain) }
            return k.string.map { Array($0.utf8) }
        }
        return self[.keyB64]?.string.flatMap { Base64.decode($0) }
    }

    /// How the key is shown in reports: `key`, or `base64:` + `key_b64` when it is not UTF-8.
    public var keyText: String? {
        if let k = self[.key]?.string { return k }
        return self[.keyB64]?.string.map { "base64:" + $0 }
    }
}
