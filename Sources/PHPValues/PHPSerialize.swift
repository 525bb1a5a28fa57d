// PHPValues/PHPSerialize: PHP `serialize()` text (N; b: i: d: s: S: a: O: C: E: r: R:) to canonical
// JSON, by an iterative parser that requires the exact syntax and names the offset of the first
// deviation. Slots for `r:`/`R:` are numbered as PHP numbers them (ECOSYSTEMS §5). Nothing is run.
import ByteText

/// Decoder of PHP's `serialize()` format (docs/php-values.md).
public enum PHPSerialize {
    /// The canonical JSON of one serialized value, and the class names it names.
    public static func canonicalJSON(_ bytes: UnsafeRawBufferPointer, limits: PHPLimits = .default) -> Result<PHPDocument, PHPValueError> {
        guard bytes.count <= limits.maxInputBytes else {
            return .failure(PHPValueError(.limit, "input of \(bytes.count) bytes is above \(limits.maxInputBytes)", offset: 0))
        }
        var p = SerializeParser(s: bytes, limits: limits)
        let root: Int32
        do throws(PHPValueError) {
            root = try p.parse()
        } catch {
            return .failure(error)
        }
        return Renderer.render(p.g, root: root, limits: limits).map { PHPDocument(json: $0, classes: p.g.classes) }
    }

    /// `canonicalJSON` of an array of bytes.
    public static func canonicalJSON(_ bytes: [UInt8], limits: PHPLimits = .default) -> Result<PHPDocument, PHPValueError> {
        bytes.withUnsafeBytes { canonicalJSON($0, limits: limits) }
    }
}

/// ASCII helpers shared by the text parsers.
@inline(__always) func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

/// PHP's `zend_is_valid_class_name` plus unserialize's own rules: not empty, not starting with `\` or
/// NUL, and only `[A-Za-z0-9_\\]` and bytes ≥ 0x80.
func isValidPHPClassName(_ s: UnsafeRawBufferPointer) -> Bool {
    guard let first = s.first, first != UInt8(ascii: "\\"), first != 0 else { return false }
    for b in s {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            continue
        case UInt8(ascii: "_"), UInt8(ascii: "\\"), 0x80...0xFF:
            continue
        default:
            return false
        }
    }
    return true
}

struct SerializeParser {
    struct Frame {
        var node: Int32
        var remaining: Int
        var scratchStart: Int
        var isObject: Bool
        var wantKey: Bool
    }

    let s: UnsafeRawBufferPointer
    let limits: PHPLimits
    var pos = 0
    var g = Graph()
    /// Slot n (1-based in the text) is `slots[n - 1]`.
    var slots: [Int32] = []
    var frames: [Frame] = []

    init(s: UnsafeRawBufferPointer, limits: PHPLimits) {
        self.s = s
        self.limits = limits
    }

    // MARK: bytes

    func truncated(_ what: String, at offset: Int? = nil) -> PHPValueError {
        PHPValueError(.truncated, "input ends inside \(what)", offset: offset ?? s.count)
    }

    func bad(_ message: String, at offset: Int) -> PHPValueError { PHPValueError(.badArgument, message, offset: offset) }

    mutating func expect(_ c: UInt8, in what: String) throws(PHPValueError) {
        guard pos < s.count else { throw truncated(what) }
        guard s[pos] == c else {
            throw bad("expected '\(Character(Unicode.Scalar(c)))' in \(what), found byte 0x\(Hex.lowercase([s[pos]]))", at: pos)
        }
        pos += 1
    }

    /// One or more digits (PHP's `uiv`); saturates at UInt64.max.
    mutating func unsignedDigits(in what: String) throws(PHPValueError) -> UInt64 {
        let start = pos
        var v: UInt64 = 0
        while pos < s.count && isDigit(s[pos]) {
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(s[pos] - 0x30))
            v = (o1 || o2) ? UInt64.max : a
            pos += 1
            if pos - start > limits.maxNumberText { throw PHPValueError(.limit, "\(what) longer than \(limits.maxNumberText) digits", offset: start) }
        }
        guard pos > start else {
            if pos >= s.count { throw truncated(what) }
            throw bad("expected a digit in \(what)", at: pos)
        }
        return v
    }

    /// A length or count that must fit in what is left of the input (checked before anything is allocated).
    mutating func length(in what: String, perItem: Int) throws(PHPValueError) -> Int {
        let start = pos
        let v = try unsignedDigits(in: what)
        guard v <= UInt64(s.count - pos) / UInt64(perItem) else {
            throw PHPValueError(.truncated, "\(what) \(v) is more than the \(s.count - pos) bytes left can hold", offset: start)
        }
        return Int(v)
    }

    // MARK: the walk

    mutating func parse() throws(PHPValueError) -> Int32 {
        while true {
            var produced: Int32?
            if let top = frames.last {
                if top.wantKey {
                    if top.remaining == 0 {
                        try expect(UInt8(ascii: "}"), in: top.isObject ? "an object" : "an array")
                        frames.removeLast()
                        g.close(top.node, scratchFrom: top.scratchStart, pairs: true, merge: .lastValueWins)
                        produced = top.node
                    } else {
                        let k = try parseKey(isObject: top.isObject)
                        g.scratch.append(k)
                        frames[frames.count - 1].wantKey = false
                        continue
                    }
                } else {
                    produced = try parseValue()
                }
            } else {
                produced = try parseValue()
            }
            guard let node = produced else { continue }
            if frames.isEmpty {
                guard pos == s.count else { throw bad("\(s.count - pos) bytes after the value", at: pos) }
                return node
            }
            g.scratch.append(node)
            frames[frames.count - 1].remaining -= 1
            frames[frames.count - 1].wantKey = true
        }
    }

    /// An array or object key: `i:` or `s:`/`S:` (no slot). Array keys that are numeric strings become ints;
    /// object keys are always strings.
    mutating func parseKey(isObject: Bool) throws(PHPValueError) -> Int32 {
        guard pos < s.count else { throw truncated("a key") }
        let start = pos
        switch s[pos] {
        case UInt8(ascii: "i"):
            pos += 1
            let v = try integerBody()
            if isObject {
                var text: [UInt8] = []
                DecimalText.append(v, to: &text)
                return g.bytesNode(.string, text)
            }
            return g.scalar(.int, v)
        case UInt8(ascii: "s"), UInt8(ascii: "S"):
            let id = try stringValue()
            if !isObject, let v = withNodeBytes(g, id, { phpNumericKey($0) }) {
                g.nodes[Int(id)] = Node(kind: .int, a: v)
            }
            return id
        case UInt8(ascii: "}"):
            throw bad("a key expected, found '}' (fewer elements than the count says)", at: start)
        default:
            throw bad("a key must be i: or s:, found byte 0x\(Hex.lowercase([s[pos]]))", at: start)
        }
    }

    mutating func slot(_ node: Int32) -> Int32 {
        slots.append(node)
        return node
    }

    /// One value (not a key); nil when a container was opened (its node comes when it closes).
    mutating func parseValue() throws(PHPValueError) -> Int32? {
        guard pos < s.count else { throw truncated("a value") }
        let start = pos
        let tag = s[pos]
        switch tag {
        case UInt8(ascii: "N"):
            pos += 1
            try expect(UInt8(ascii: ";"), in: "N;")
            return slot(g.scalar(.null))
        case UInt8(ascii: "b"):
            pos += 1
            try expect(UInt8(ascii: ":"), in: "a bool")
            guard pos < s.count else { throw truncated("a bool") }
            let b = s[pos]
            guard b == UInt8(ascii: "0") || b == UInt8(ascii: "1") else { throw bad("a bool must be b:0; or b:1;", at: pos) }
            pos += 1
            try expect(UInt8(ascii: ";"), in: "a bool")
            return slot(g.scalar(.bool, b == UInt8(ascii: "1") ? 1 : 0))
        case UInt8(ascii: "i"):
            pos += 1
            return slot(g.scalar(.int, try integerBody()))
        case UInt8(ascii: "d"):
            pos += 1
            return slot(g.scalar(.double, Int64(bitPattern: try doubleBody().bitPattern)))
        case UInt8(ascii: "s"), UInt8(ascii: "S"):
            return slot(try stringValue())
        case UInt8(ascii: "a"):
            pos += 1
            try expect(UInt8(ascii: ":"), in: "an array")
            let n = try length(in: "array count", perItem: 2)
            try expect(UInt8(ascii: ":"), in: "an array")
            try expect(UInt8(ascii: "{"), in: "an array")
            return try open(Node(kind: .phpArray), count: n, isObject: false, at: start)
        case UInt8(ascii: "O"), UInt8(ascii: "C"):
            pos += 1
            let name = try className(in: tag == UInt8(ascii: "O") ? "an object" : "a Serializable object")
            try expect(UInt8(ascii: ":"), in: "an object")
            if tag == UInt8(ascii: "C") {
                let lengthAt = pos
                let n = try length(in: "Serializable data length", perItem: 1)
                try expect(UInt8(ascii: ":"), in: "a Serializable object")
                try expect(UInt8(ascii: "{"), in: "a Serializable object")
                guard n <= s.count - pos else {
                    throw PHPValueError(.truncated, "Serializable data length \(n) is more than the \(s.count - pos) bytes left", offset: lengthAt)
                }
                let data = g.bytesNode(.serialized, UnsafeRawBufferPointer(rebasing: s[pos..<pos + n]))
                pos += n
                try expect(UInt8(ascii: "}"), in: "a Serializable object")
                g.nodes[Int(data)].c = name
                return slot(data)
            }
            let n = try length(in: "property count", perItem: 2)
            try expect(UInt8(ascii: ":"), in: "an object")
            try expect(UInt8(ascii: "{"), in: "an object")
            return try open(Node(kind: .object, c: name), count: n, isObject: true, at: start)
        case UInt8(ascii: "E"):
            pos += 1
            try expect(UInt8(ascii: ":"), in: "an enum")
            let lengthAt = pos
            let n = try length(in: "enum name length", perItem: 1)
            try expect(UInt8(ascii: ":"), in: "an enum")
            try expect(UInt8(ascii: "\""), in: "an enum")
            guard n <= s.count - pos else { throw PHPValueError(.truncated, "enum name length \(n) runs past the input", offset: lengthAt) }
            let text = UnsafeRawBufferPointer(rebasing: s[pos..<pos + n])
            guard let colon = text.firstIndex(of: UInt8(ascii: ":")),
                isValidPHPClassName(UnsafeRawBufferPointer(rebasing: text[..<colon]))
            else { throw bad("an enum must be \"Class:Case\" with a valid class name", at: pos) }
            g.noteClass(ArraySlice(text[..<colon]))
            let node = g.bytesNode(.enumCase, text)
            pos += n
            try expect(UInt8(ascii: "\""), in: "an enum")
            try expect(UInt8(ascii: ";"), in: "an enum")
            return slot(node)
        case UInt8(ascii: "r"), UInt8(ascii: "R"):
            pos += 1
            try expect(UInt8(ascii: ":"), in: "a reference")
            let idAt = pos
            let id = try unsignedDigits(in: "a reference")
            try expect(UInt8(ascii: ";"), in: "a reference")
            let isObjectRef = tag == UInt8(ascii: "r")
            // r: takes a slot of its own before it is resolved (and may not name it); R: takes none.
            guard id >= 1, id <= UInt64(slots.count) else {
                let why =
                    id == 0 ? "slot 0 (slots count from 1)" : (isObjectRef && id == UInt64(slots.count) + 1 ? "its own slot" : "slot \(id) of \(slots.count)")
                throw PHPValueError(.refError, "\(isObjectRef ? "r:" : "R:") refers to \(why)", offset: idAt)
            }
            let target = slots[Int(id) - 1]
            return isObjectRef ? slot(target) : target
        case UInt8(ascii: "}"):
            throw bad("a value expected, found '}' (fewer elements than the count says)", at: start)
        default:
            throw PHPValueError(.badTag, "unknown type byte 0x\(Hex.lowercase([tag]))", offset: start)
        }
    }

    /// Opens an array or object: its node and slot now, its pairs as they come.
    mutating func open(_ node: Node, count: Int, isObject: Bool, at start: Int) throws(PHPValueError) -> Int32? {
        guard frames.count < limits.maxNesting else {
            throw PHPValueError(.limit, "nesting deeper than \(limits.maxNesting)", offset: start)
        }
        let id = slot(g.add(node))
        if count == 0 {
            try expect(UInt8(ascii: "}"), in: isObject ? "an object" : "an array")
            g.close(id, scratchFrom: g.scratch.count, pairs: true, merge: .lastValueWins)
            return id
        }
        frames.append(Frame(node: id, remaining: count, scratchStart: g.scratch.count, isObject: isObject, wantKey: true))
        return nil
    }

    /// `:<len>:"Name"` of `O:`/`C:`; records the name and returns its string node.
    mutating func className(in what: String) throws(PHPValueError) -> Int32 {
        try expect(UInt8(ascii: ":"), in: what)
        let lengthAt = pos
        let n = try length(in: "class name length", perItem: 1)
        try expect(UInt8(ascii: ":"), in: what)
        try expect(UInt8(ascii: "\""), in: what)
        guard n <= s.count - pos else { throw PHPValueError(.truncated, "class name length \(n) runs past the input", offset: lengthAt) }
        let name = UnsafeRawBufferPointer(rebasing: s[pos..<pos + n])
        guard isValidPHPClassName(name) else { throw bad("not a valid class name", at: pos) }
        g.noteClass(ArraySlice(name))
        let id = g.bytesNode(.string, name)
        pos += n
        try expect(UInt8(ascii: "\""), in: what)
        return id
    }

    /// `:<iv>;` after `i`: an optional sign and digits (leading zeros allowed) that fit in Int64.
    mutating func integerBody() throws(PHPValueError) -> Int64 {
        try expect(UInt8(ascii: ":"), in: "an int")
        let start = pos
        var negative = false
        if pos < s.count && (s[pos] == UInt8(ascii: "-") || s[pos] == UInt8(ascii: "+")) {
            negative = s[pos] == UInt8(ascii: "-")
            pos += 1
        }
        let magnitude = try unsignedDigits(in: "an int")
        let v: Int64
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { throw bad("integer out of the 64-bit range", at: start) }
            v = magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        } else {
            guard magnitude <= UInt64(Int64.max) else { throw bad("integer out of the 64-bit range", at: start) }
            v = Int64(magnitude)
        }
        try expect(UInt8(ascii: ";"), in: "an int")
        return v
    }

    /// `:<double>;` after `d`: `NAN`, `INF`, `-INF`, or PHP's `iv | nv | nvexp`.
    mutating func doubleBody() throws(PHPValueError) -> Double {
        try expect(UInt8(ascii: ":"), in: "a double")
        for (word, value) in [("NAN", Double.nan), ("INF", Double.infinity), ("-INF", -Double.infinity)] {
            let w = Array(word.utf8)
            if s.count - pos >= w.count && Array(s[pos..<pos + w.count]) == w {
                pos += w.count
                try expect(UInt8(ascii: ";"), in: "a double")
                return value
            }
            if s.count - pos < w.count && s.count - pos > 0 && Array(s[pos...]) == Array(w.prefix(s.count - pos))
                && (w[0] != UInt8(ascii: "-") || s.count - pos > 1)
            {
                throw truncated("a double")
            }
        }
        let value = try scanDecimalFloat(s, &pos, limits: limits, what: "a double")
        try expect(UInt8(ascii: ";"), in: "a double")
        return value
    }

    /// `s:<len>:"<bytes>";` or `S:<len>:"<escaped>";` as a string node.
    mutating func stringValue() throws(PHPValueError) -> Int32 {
        let escaped = s[pos] == UInt8(ascii: "S")
        pos += 1
        try expect(UInt8(ascii: ":"), in: "a string")
        let lengthAt = pos
        let n = try length(in: "string length", perItem: 1)
        try expect(UInt8(ascii: ":"), in: "a string")
        try expect(UInt8(ascii: "\""), in: "a string")
        guard n <= s.count - pos else {
            throw PHPValueError(.truncated, "string length \(n) is more than the \(s.count - pos) bytes left", offset: lengthAt)
        }
        let id: Int32
        if escaped {
            var out: [UInt8] = []
            out.reserveCapacity(n)
            for _ in 0..<n {
                guard pos < s.count else { throw truncated("an S: string") }
                if s[pos] != UInt8(ascii: "\\") {
                    out.append(s[pos])
                    pos += 1
                    continue
                }
                guard pos + 2 < s.count else { throw truncated("an S: escape") }
                guard let hi = Hex.value(s[pos + 1]), let lo = Hex.value(s[pos + 2]) else {
                    throw bad("an S: escape must be \\ and two hex digits", at: pos)
                }
                out.append(hi << 4 | lo)
                pos += 3
            }
            id = g.bytesNode(.string, out)
        } else {
            id = g.bytesNode(.string, UnsafeRawBufferPointer(rebasing: s[pos..<pos + n]))
            pos += n
        }
        try expect(UInt8(ascii: "\""), in: "a string (its declared length)")
        try expect(UInt8(ascii: ";"), in: "a string")
        return id
    }
}

/// Scans `[+-]? (digits | digits? "." digits | digits "." digits?) ([eE] [+-]? digits)?` at `pos` and
/// converts it (PHP's `d:` grammar; also php-memcached's `g_fmt` text).
func scanDecimalFloat(_ s: UnsafeRawBufferPointer, _ pos: inout Int, limits: PHPLimits, what: String) throws(PHPValueError) -> Double {
    let start = pos
    var text = ""
    func end() -> PHPValueError { PHPValueError(.truncated, "input ends inside \(what)", offset: s.count) }
    if pos < s.count && (s[pos] == UInt8(ascii: "-") || s[pos] == UInt8(ascii: "+")) {
        if s[pos] == UInt8(ascii: "-") { text.append("-") }
        pos += 1
    }
    var intDigits = 0
    var intText = ""
    while pos < s.count && isDigit(s[pos]) {
        intText.unicodeScalars.append(Unicode.Scalar(s[pos]))
        pos += 1
        intDigits += 1
    }
    var fracText = ""
    if pos < s.count && s[pos] == UInt8(ascii: ".") {
        pos += 1
        while pos < s.count && isDigit(s[pos]) {
            fracText.unicodeScalars.append(Unicode.Scalar(s[pos]))
            pos += 1
        }
    }
    if intDigits == 0 && fracText.isEmpty {
        if pos >= s.count { throw end() }
        throw PHPValueError(.badArgument, "malformed number in \(what)", offset: pos)
    }
    text += (intText.isEmpty ? "0" : intText) + "." + (fracText.isEmpty ? "0" : fracText)
    if pos < s.count && (s[pos] == UInt8(ascii: "e") || s[pos] == UInt8(ascii: "E")) {
        pos += 1
        text.append("e")
        if pos < s.count && (s[pos] == UInt8(ascii: "-") || s[pos] == UInt8(ascii: "+")) {
            text.unicodeScalars.append(Unicode.Scalar(s[pos]))
            pos += 1
        }
        let expStart = pos
        while pos < s.count && isDigit(s[pos]) {
            text.unicodeScalars.append(Unicode.Scalar(s[pos]))
            pos += 1
        }
        if pos == expStart {
            if pos >= s.count { throw end() }
            throw PHPValueError(.badArgument, "an exponent needs digits in \(what)", offset: pos)
        }
    }
    if pos - start > limits.maxNumberText {
        throw PHPValueError(.limit, "number text longer than \(limits.maxNumberText) bytes", offset: start)
    }
    guard let v = Double(text) else { throw PHPValueError(.badArgument, "malformed number in \(what)", offset: start) }
    return v
}
