// PipelineRecords/JSONValue: a small JSON tree and parser for the later stages (attribute, report),
// which need a few fields of each record and the decoded value of a few keys. Nesting depth is
// capped (no unbounded recursion on untrusted input); malformed text gives a JSONParseError with
// the byte offset. Members the caller does not need can be stepped over without building them.
import ByteText

/// A parsed JSON value. Objects keep their members in input order.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number: its integer value when it is one that fits Int64, and its Double value.
    case number(Double, Int64?)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.number(x, _), .number(y, _)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.array(x), .array(y)): return x == y
        case let (.object(x), .object(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// The member `name` of an object (first occurrence), nil otherwise.
    public subscript(_ name: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        for (k, v) in members where k == name { return v }
        return nil
    }

    public var string: String? { if case .string(let s) = self { return s } else { return nil } }
    public var array: [JSONValue]? { if case .array(let a) = self { return a } else { return nil } }
    public var int: Int64? { if case .number(_, let i) = self { return i } else { return nil } }
    public var double: Double? { if case .number(let d, _) = self { return d } else { return nil } }
    public var bool: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    public var isNull: Bool { if case .null = self { return true } else { return false } }
}

public struct JSONParseError: Error, Sendable, CustomStringConvertible, Equatable {
    public var message: String
    public var offset: Int
    public init(message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }
    public var description: String { "\(message) at byte \(offset)" }
}

/// Parses one JSON text (the whole buffer, surrounding whitespace allowed).
public struct JSONParser {
    public static let defaultMaxDepth = 256

    public static func parse(_ bytes: UnsafeRawBufferPointer, maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSONValue {
        var p = JSONParser(p: bytes, maxDepth: maxDepth)
        p.skipSpace()
        let v = try p.value(depth: 0)
        p.skipSpace()
        guard p.i == bytes.count else { throw JSONParseError(message: "trailing characters", offset: p.i) }
        return v
    }

    public static func parse<C: Collection>(_ bytes: C, maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSONValue
    where C.Element == UInt8 {
        try parse(bytes, skipping: []).value
    }

    /// Parses like `parse`, but object members named in `skipping` (at any depth) are stepped over
    /// without building them and left out of the tree; `skipped` holds, for each such name, the byte
    /// range (offsets into `bytes`) of the last one met. The later stages read records this way: the
    /// report never looks at `value`, attribute reads it only when a join needs it.
    public static func parse<C: Collection>(_ bytes: C, skipping: Set<String>, maxDepth: Int = defaultMaxDepth)
        throws(JSONParseError) -> (value: JSONValue, skipped: [String: Range<Int>])
    where C.Element == UInt8 {
        var result: Result<(JSONValue, [String: Range<Int>]), JSONParseError> = .success((.null, [:]))
        let run = { (buffer: UnsafeRawBufferPointer) in
            var parser = JSONParser(p: buffer, maxDepth: maxDepth, skipping: skipping)
            do throws(JSONParseError) {
                parser.skipSpace()
                let v = try parser.value(depth: 0)
                parser.skipSpace()
                guard parser.i == buffer.count else { throw JSONParseError(message: "trailing characters", offset: parser.i) }
                result = .success((v, parser.skipped))
            } catch {
                result = .failure(error)
            }
        }
        if bytes.withContiguousStorageIfAvailable({ run(UnsafeRawBufferPointer($0)) }) == nil {
            Array(bytes).withUnsafeBytes(run)
        }
        let (v, skipped) = try result.get()
        return (v, skipped)
    }

    private let p: UnsafeRawBufferPointer
    private let maxDepth: Int
    private let skipping: Set<String>
    private var skipped: [String: Range<Int>] = [:]
    private var i = 0

    private init(p: UnsafeRawBufferPointer, maxDepth: Int, skipping: Set<String> = []) {
        self.p = p
        self.maxDepth = maxDepth
        self.skipping = skipping
    }

    private func fail(_ m: String) -> JSONParseError { JSONParseError(message: m, offset: i) }

    private mutating func skipSpace() {
        while i < p.count, p[i] == 0x20 || p[i] == 0x0A || p[i] == 0x0D || p[i] == 0x09 { i += 1 }
    }

    private mutating func literal(_ word: StaticString, _ v: JSONValue) throws(JSONParseError) -> JSONValue {
        let n = word.utf8CodeUnitCount
        guard i + n <= p.count else { throw fail("truncated literal") }
        for k in 0..<n where p[i + k] != word.utf8Start[k] { throw fail("invalid literal") }
        i += n
        return v
    }

    private mutating func value(depth: Int) throws(JSONParseError) -> JSONValue {
        guard i < p.count else { throw fail("unexpected end of input") }
        switch p[i] {
        case UInt8(ascii: "{"):
            guard depth < maxDepth else { throw fail("nesting deeper than \(maxDepth)") }
            i += 1
            var members: [(String, JSONValue)] = []
            skipSpace()
            if i < p.count, p[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
            while true {
                skipSpace()
                guard i < p.count, p[i] == UInt8(ascii: "\"") else { throw fail("expected a member name") }
                let k = try string()
                skipSpace()
                guard i < p.count, p[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                i += 1
                skipSpace()
                if !skipping.isEmpty, skipping.contains(k) {
                    guard let end = JSONSkim.valueEnd(p, from: i) else { throw fail("unterminated value of \"\(k)\"") }
                    skipped[k] = i..<end
                    i = end
                } else {
                    members.append((k, try value(depth: depth + 1)))
                }
                skipSpace()
                guard i < p.count else { throw fail("unterminated object") }
                if p[i] == UInt8(ascii: ",") { i += 1; continue }
                if p[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
                throw fail("expected ',' or '}'")
            }
        case UInt8(ascii: "["):
            guard depth < maxDepth else { throw fail("nesting deeper than \(maxDepth)") }
            i += 1
            var items: [JSONValue] = []
            skipSpace()
            if i < p.count, p[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            while true {
                skipSpace()
                items.append(try value(depth: depth + 1))
                skipSpace()
                guard i < p.count else { throw fail("unterminated array") }
                if p[i] == UInt8(ascii: ",") { i += 1; continue }
                if p[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                throw fail("expected ',' or ']'")
            }
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        default: return try number()
        }
    }

    private mutating func number() throws(JSONParseError) -> JSONValue {
        let start = i
        var integral = true
        if i < p.count, p[i] == UInt8(ascii: "-") { i += 1 }
        let digitsStart = i
        while i < p.count {
            let b = p[i]
            if b >= 0x30 && b <= 0x39 { i += 1; continue }
            if b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E") || b == UInt8(ascii: "+")
                || b == UInt8(ascii: "-")
            {
                integral = false
                i += 1
                continue
            }
            break
        }
        guard i > digitsStart else { throw fail("invalid value") }
        // Integers of up to 18 digits (most of a partial, all counters) without a String and strtod:
        // they fit Int64, and Double(v) rounds them exactly as the text would. (`-0` is left to strtod: -0.0.)
        if integral, i - digitsStart <= 18 {
            var v: Int64 = 0
            for k in digitsStart..<i { v = v * 10 + Int64(p[k] &- 0x30) }
            let negative = digitsStart > start
            if !(negative && v == 0) {
                if negative { v = -v }
                return .number(Double(v), v)
            }
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: p[start..<i]), as: UTF8.self)
        guard let d = Double(text) else { i = start; throw fail("invalid number") }
        return .number(d, integral ? Int64(text) : nil)
    }

    private mutating func hex4() throws(JSONParseError) -> UInt32 {
        guard i + 4 <= p.count else { throw fail("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard let d = Hex.value(p[i]) else { throw fail("invalid \\u escape") }
            v = v << 4 | UInt32(d)
            i += 1
        }
        return v
    }

    private mutating func string() throws(JSONParseError) -> String {
        i += 1  // opening quote
        let start = i
        // Fast path: no escapes.
        while i < p.count, p[i] != UInt8(ascii: "\""), p[i] != UInt8(ascii: "\\") { i += 1 }
        guard i < p.count else { throw fail("unterminated string") }
        if p[i] == UInt8(ascii: "\"") {
            // Invalid UTF-8 is an error, not silently repaired: a record is either exact or refused.
            guard let s = String(validating: UnsafeRawBufferPointer(rebasing: p[start..<i]), as: UTF8.self) else {
                throw fail("invalid UTF-8 in a string")
            }
            i += 1
            return s
        }
        var out = Array(UnsafeRawBufferPointer(rebasing: p[start..<i]))
        while i < p.count {
            let b = p[i]
            if b == UInt8(ascii: "\"") {
                guard let s = String(validating: out, as: UTF8.self) else { throw fail("invalid UTF-8 in a string") }
                i += 1
                return s
            }
            if b != UInt8(ascii: "\\") { out.append(b); i += 1; continue }
            i += 1
            guard i < p.count else { break }
            let e = p[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var c = try hex4()
                if c >= 0xD800 && c < 0xDC00, i + 6 <= p.count, p[i] == 0x5C, p[i + 1] == UInt8(ascii: "u") {
                    i += 2
                    let lo = try hex4()
                    if lo >= 0xDC00 && lo < 0xE000 { c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00) } else { c = 0xFFFD }
                }
                let scalar = Unicode.Scalar(c) ?? "\u{FFFD}"
                out.append(contentsOf: String(Character(scalar)).utf8)
            default: throw fail("invalid escape")
            }
        }
        throw fail("unterminated string")
    }
}
