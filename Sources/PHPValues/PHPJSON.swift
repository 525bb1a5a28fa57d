// PHPValues/PHPJSON: php-memcached's type 6 (`json_encode` text) validated (RFC 8259, no Foundation)
// and re-emitted as compact canonical JSON: strings re-escaped by the project's rule, integers beyond
// ±(2^53−1) as `{"$int"}`, other numbers as doubles, objects with `$` or repeated keys as `{"$object"}`.
import ByteText

/// Validator and canonical re-emitter of JSON text (docs/php-values.md).
public enum PHPJSON {
    /// The canonical JSON of one JSON document (surrounding whitespace allowed, nothing else after it).
    public static func canonicalJSON(_ bytes: UnsafeRawBufferPointer, limits: PHPLimits = .default) -> Result<PHPDocument, PHPValueError> {
        guard bytes.count <= limits.maxInputBytes else {
            return .failure(PHPValueError(.limit, "input of \(bytes.count) bytes is above \(limits.maxInputBytes)", offset: 0))
        }
        var p = JSONParser(s: bytes, limits: limits)
        let root: Int32
        do throws(PHPValueError) {
            root = try p.parse()
        } catch {
            return .failure(error)
        }
        return Renderer.render(p.g, root: root, limits: limits).map { PHPDocument(json: $0, classes: []) }
    }

    /// `canonicalJSON` of an array of bytes.
    public static func canonicalJSON(_ bytes: [UInt8], limits: PHPLimits = .default) -> Result<PHPDocument, PHPValueError> {
        bytes.withUnsafeBytes { canonicalJSON($0, limits: limits) }
    }
}

struct JSONParser {
    struct Frame {
        var node: Int32
        var scratchStart: Int
        var isObject: Bool
        /// Items read so far (an object counts its keys).
        var count: Int
    }

    let s: UnsafeRawBufferPointer
    let limits: PHPLimits
    var pos = 0
    var g = Graph()
    var frames: [Frame] = []

    init(s: UnsafeRawBufferPointer, limits: PHPLimits) {
        self.s = s
        self.limits = limits
    }

    func truncated(_ what: String) -> PHPValueError { PHPValueError(.truncated, "input ends inside \(what)", offset: s.count) }
    func bad(_ message: String, at offset: Int) -> PHPValueError { PHPValueError(.badArgument, message, offset: offset) }

    mutating func skipSpace() {
        while pos < s.count {
            switch s[pos] {
            case 0x20, 0x09, 0x0A, 0x0D: pos += 1
            default: return
            }
        }
    }

    mutating func parse() throws(PHPValueError) -> Int32 {
        while true {
            skipSpace()
            var produced: Int32?
            if let top = frames.last {
                guard pos < s.count else { throw truncated(top.isObject ? "an object" : "an array") }
                let closer = top.isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
                if s[pos] == closer {
                    pos += 1
                    frames.removeLast()
                    g.close(top.node, scratchFrom: top.scratchStart, pairs: top.isObject, merge: .keepAll)
                    produced = top.node
                } else {
                    if top.count > 0 {
                        guard s[pos] == UInt8(ascii: ",") else { throw bad("expected ',' or '\(Character(Unicode.Scalar(closer)))'", at: pos) }
                        pos += 1
                        skipSpace()
                    }
                    if top.isObject {
                        guard pos < s.count else { throw truncated("an object") }
                        guard s[pos] == UInt8(ascii: "\"") else { throw bad("an object key must be a string", at: pos) }
                        g.scratch.append(try string())
                        skipSpace()
                        guard pos < s.count else { throw truncated("an object") }
                        guard s[pos] == UInt8(ascii: ":") else { throw bad("expected ':' after an object key", at: pos) }
                        pos += 1
                        skipSpace()
                    }
                    frames[frames.count - 1].count += 1
                    produced = try parseValue()
                }
            } else {
                produced = try parseValue()
            }
            guard let node = produced else { continue }
            if frames.isEmpty {
                skipSpace()
                guard pos == s.count else { throw bad("\(s.count - pos) bytes after the JSON value", at: pos) }
                return node
            }
            g.scratch.append(node)
        }
    }

    mutating func parseValue() throws(PHPValueError) -> Int32? {
        guard pos < s.count else { throw truncated("a value") }
        let at = pos
        switch s[pos] {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let isObject = s[pos] == UInt8(ascii: "{")
            guard frames.count < limits.maxNesting else { throw PHPValueError(.limit, "nesting deeper than \(limits.maxNesting)", offset: at) }
            pos += 1
            let id = g.add(Node(kind: isObject ? .jsonObject : .list))
            frames.append(Frame(node: id, scratchStart: g.scratch.count, isObject: isObject, count: 0))
            return nil
        case UInt8(ascii: "\""):
            return try string()
        case UInt8(ascii: "t"):
            try word("true")
            return g.scalar(.bool, 1)
        case UInt8(ascii: "f"):
            try word("false")
            return g.scalar(.bool, 0)
        case UInt8(ascii: "n"):
            try word("null")
            return g.scalar(.null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try number()
        default:
            throw PHPValueError(.badTag, "no JSON value starts with byte 0x\(Hex.lowercase([s[pos]]))", offset: at)
        }
    }

    mutating func word(_ w: StaticString) throws(PHPValueError) {
        let bytes = UnsafeRawBufferPointer(start: w.utf8Start, count: w.utf8CodeUnitCount)
        for (i, b) in bytes.enumerated() {
            guard pos + i < s.count else { throw truncated("a literal") }
            guard s[pos + i] == b else { throw bad("malformed literal", at: pos + i) }
        }
        pos += bytes.count
    }

    /// RFC 8259 number: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    mutating func number() throws(PHPValueError) -> Int32 {
        let start = pos
        func digits(_ p: inout Int) -> Int {
            let b = p
            while p < s.count && isDigit(s[p]) { p += 1 }
            return p - b
        }
        if s[pos] == UInt8(ascii: "-") { pos += 1 }
        guard pos < s.count else { throw truncated("a number") }
        if s[pos] == UInt8(ascii: "0") {
            pos += 1
        } else if digits(&pos) == 0 {
            throw bad("a number needs digits", at: pos)
        }
        var integral = true
        if pos < s.count && s[pos] == UInt8(ascii: ".") {
            integral = false
            pos += 1
            if digits(&pos) == 0 {
                if pos >= s.count { throw truncated("a number") }
                throw bad("a fraction needs digits", at: pos)
            }
        }
        if pos < s.count && (s[pos] == UInt8(ascii: "e") || s[pos] == UInt8(ascii: "E")) {
            integral = false
            pos += 1
            if pos < s.count && (s[pos] == UInt8(ascii: "+") || s[pos] == UInt8(ascii: "-")) { pos += 1 }
            if digits(&pos) == 0 {
                if pos >= s.count { throw truncated("a number") }
                throw bad("an exponent needs digits", at: pos)
            }
        }
        if pos - start > limits.maxNumberText { throw PHPValueError(.limit, "number longer than \(limits.maxNumberText) bytes", offset: start) }
        let text = UnsafeRawBufferPointer(rebasing: s[start..<pos])
        if integral {
            if let v = DecimalText.parseSigned(text) { return g.scalar(.int, v) }
            return g.bytesNode(.bigInt, text)
        }
        guard let d = Double(String(decoding: text, as: UTF8.self)) else { throw bad("malformed number", at: start) }
        return g.scalar(.double, Int64(bitPattern: d.bitPattern))
    }

    /// A JSON string at `pos` (the opening quote): escapes decoded, surrogate pairs combined, a lone
    /// surrogate written as U+FFFD; raw bytes must be UTF-8 without control characters.
    mutating func string() throws(PHPValueError) -> Int32 {
        let open = pos
        pos += 1
        var runStart = pos
        var out: [UInt8] = []
        while true {
            guard pos < s.count else { throw truncated("a string") }
            let b = s[pos]
            if b == UInt8(ascii: "\"") { break }
            if b < 0x20 { throw bad("control byte 0x\(Hex.lowercase([b])) inside a string", at: pos) }
            if b != UInt8(ascii: "\\") {
                pos += 1
                continue
            }
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: s[runStart..<pos]))
            guard pos + 1 < s.count else { throw truncated("an escape") }
            let e = s[pos + 1]
            pos += 2
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var cp = try hex4()
                if cp >= 0xD800 && cp <= 0xDBFF && pos + 1 < s.count && s[pos] == UInt8(ascii: "\\") && s[pos + 1] == UInt8(ascii: "u") {
                    let save = pos
                    pos += 2
                    let lo = try hex4()
                    if lo >= 0xDC00 && lo <= 0xDFFF {
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00)
                    } else {
                        pos = save
                    }
                }
                if cp >= 0xD800 && cp <= 0xDFFF { cp = 0xFFFD }
                appendUTF8(UInt32(cp), to: &out)
            default:
                throw bad("unknown escape \\\(Character(Unicode.Scalar(e)))", at: pos - 2)
            }
            runStart = pos
        }
        out.append(contentsOf: UnsafeRawBufferPointer(rebasing: s[runStart..<pos]))
        pos += 1
        let valid = out.withUnsafeBytes { JSONString.validPrefixLength($0) }
        guard valid == out.count else { throw bad("string is not valid UTF-8", at: open) }
        return g.bytesNode(.string, out)
    }

    mutating func hex4() throws(PHPValueError) -> Int {
        guard s.count - pos >= 4 else { throw truncated("a \\u escape") }
        var v = 0
        for i in 0..<4 {
            guard let d = Hex.value(s[pos + i]) else { throw bad("a \\u escape needs four hex digits", at: pos + i) }
            v = v << 4 | Int(d)
        }
        pos += 4
        return v
    }
}

/// Appends the UTF-8 encoding of scalar value `cp` (not a surrogate, ≤ U+10FFFF).
func appendUTF8(_ cp: UInt32, to out: inout [UInt8]) {
    switch cp {
    case 0..<0x80: out.append(UInt8(cp))
    case 0x80..<0x800:
        out.append(UInt8(0xC0 | cp >> 6))
        out.append(UInt8(0x80 | cp & 0x3F))
    case 0x800..<0x10000:
        out.append(UInt8(0xE0 | cp >> 12))
        out.append(UInt8(0x80 | cp >> 6 & 0x3F))
        out.append(UInt8(0x80 | cp & 0x3F))
    default:
        out.append(UInt8(0xF0 | cp >> 18))
        out.append(UInt8(0x80 | cp >> 12 & 0x3F))
        out.append(UInt8(0x80 | cp >> 6 & 0x3F))
        out.append(UInt8(0x80 | cp & 0x3F))
    }
}
