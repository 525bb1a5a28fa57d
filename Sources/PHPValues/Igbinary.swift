// PHPValues/Igbinary: igbinary (format 2, and the version-1 header) to the same canonical JSON that
// PHPSerialize gives for the same PHP value: the same value graph, built by an iterative parser with the
// string table and reference ids of igbinary 3.x's unserializer (src/php7/igbinary.c).
import ByteText

/// Decoder of igbinary's binary serialization (docs/php-values.md).
public enum Igbinary {
    /// The canonical JSON of one igbinary value, and the class names it names.
    public static func canonicalJSON(_ bytes: UnsafeRawBufferPointer, limits: PHPLimits = .default) -> Result<PHPDocument, PHPValueError> {
        guard bytes.count <= limits.maxInputBytes else {
            return .failure(PHPValueError(.limit, "input of \(bytes.count) bytes is above \(limits.maxInputBytes)", offset: 0))
        }
        var p = IgbinaryParser(s: bytes, limits: limits)
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

    /// True when `bytes` start with an igbinary header (`00 00 00 01` or `00 00 00 02`).
    public static func hasHeader(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 5 && bytes[0] == 0 && bytes[1] == 0 && bytes[2] == 0 && (bytes[3] == 1 || bytes[3] == 2)
    }
}

struct IgbinaryParser {
    struct Frame {
        var node: Int32
        var remaining: Int
        var scratchStart: Int
        /// Object properties (keys become strings) rather than an array.
        var isProps: Bool
        var wantKey: Bool
    }

    let s: UnsafeRawBufferPointer
    let limits: PHPLimits
    var pos = 0
    var g = Graph()
    /// Reference ids: arrays (the top level included), objects, and `&`-to-scalar values.
    var refs: [Int32] = []
    /// The string table: every string written in full (values, keys, class names, enum case names).
    var strings: [Int32] = []
    var frames: [Frame] = []
    /// A `25` (reference) was read and the value it wraps has not started yet.
    var pendingRef = false

    init(s: UnsafeRawBufferPointer, limits: PHPLimits) {
        self.s = s
        self.limits = limits
    }

    func truncated(_ what: String) -> PHPValueError { PHPValueError(.truncated, "input ends inside \(what)", offset: s.count) }

    mutating func byte(_ what: String) throws(PHPValueError) -> UInt8 {
        guard pos < s.count else { throw truncated(what) }
        pos += 1
        return s[pos - 1]
    }

    /// A big-endian unsigned integer of `width` bytes.
    mutating func uint(_ width: Int, _ what: String) throws(PHPValueError) -> UInt64 {
        guard s.count - pos >= width else { throw truncated(what) }
        var v: UInt64 = 0
        for i in 0..<width { v = v << 8 | UInt64(s[pos + i]) }
        pos += width
        return v
    }

    /// A count or length of `width` bytes that must not exceed the bytes left (checked before allocating).
    mutating func count(_ width: Int, _ what: String) throws(PHPValueError) -> Int {
        let at = pos
        let n = try uint(width, what)
        guard n <= UInt64(s.count - pos) else {
            throw PHPValueError(.truncated, "\(what) \(n) is more than the \(s.count - pos) bytes left", offset: at)
        }
        return Int(n)
    }

    mutating func parse() throws(PHPValueError) -> Int32 {
        guard s.count >= 5 else { throw PHPValueError(.truncated, "an igbinary value needs a 4-byte header and at least one byte", offset: s.count) }
        let version = try uint(4, "the header")
        guard version == 1 || version == 2 else { throw PHPValueError(.badArgument, "igbinary header version \(version), not 1 or 2", offset: 0) }
        while true {
            var produced: Int32?
            if let top = frames.last, top.wantKey {
                if top.remaining == 0 {
                    frames.removeLast()
                    g.close(top.node, scratchFrom: top.scratchStart, pairs: true, merge: .lastValueWins)
                    produced = top.node
                } else {
                    if let k = try parseKey(isProps: top.isProps) {
                        g.scratch.append(k)
                        frames[frames.count - 1].wantKey = false
                    } else {
                        frames[frames.count - 1].remaining -= 1  // a null key: an entry left out
                    }
                    continue
                }
            } else {
                produced = try parseValue()
            }
            guard let node = produced else { continue }
            if frames.isEmpty {
                guard pos == s.count else { throw PHPValueError(.badArgument, "\(s.count - pos) bytes after the value", offset: pos) }
                return node
            }
            g.scratch.append(node)
            frames[frames.count - 1].remaining -= 1
            frames[frames.count - 1].wantKey = true
        }
    }

    /// A string written in full (`11`/`12`/`13`/`26` + length + bytes): a node, added to the string table.
    mutating func fullString(_ tag: UInt8) throws(PHPValueError) -> Int32 {
        let width: Int
        switch tag {
        case 0x11, 0x17: width = 1
        case 0x12, 0x18: width = 2
        case 0x13, 0x19: width = 4
        default: width = 8
        }
        let n = try count(width, "a string length")
        let id = g.bytesNode(.string, UnsafeRawBufferPointer(rebasing: s[pos..<pos + n]))
        pos += n
        strings.append(id)
        return id
    }

    /// A string table id (`0e`/`0f`/`10`, or the `1a`/`1b`/`1c` class ids): must be below the table size.
    mutating func stringID(_ tag: UInt8) throws(PHPValueError) -> Int32 {
        let width = (tag == 0x0E || tag == 0x1A) ? 1 : ((tag == 0x0F || tag == 0x1B) ? 2 : 4)
        let at = pos
        let i = try uint(width, "a string id")
        guard i < UInt64(strings.count) else {
            throw PHPValueError(.refError, "string id \(i) is not below the string table size \(strings.count)", offset: at)
        }
        return strings[Int(i)]
    }

    /// A long of any width (`06`–`0b`, `20`, `21`).
    mutating func long(_ tag: UInt8) throws(PHPValueError) -> Int64 {
        let at = pos - 1
        let width: Int
        switch tag {
        case 0x06, 0x07: width = 1
        case 0x08, 0x09: width = 2
        case 0x0A, 0x0B: width = 4
        default: width = 8
        }
        let negative = tag == 0x07 || tag == 0x09 || tag == 0x0B || tag == 0x21
        let m = try uint(width, "a long")
        if negative {
            guard m <= UInt64(Int64.max) + 1 else { throw PHPValueError(.badArgument, "negative long beyond 64 bits", offset: at) }
            return m == UInt64(Int64.max) + 1 ? Int64.min : -Int64(m)
        }
        guard m <= UInt64(Int64.max) else { throw PHPValueError(.badArgument, "positive long beyond 64 bits", offset: at) }
        return Int64(m)
    }

    /// An array key, or nil for a null key (an entry serialized without its value).
    mutating func parseKey(isProps: Bool) throws(PHPValueError) -> Int32? {
        let at = pos
        let tag = try byte("a key")
        switch tag {
        case 0x06...0x0B, 0x20, 0x21:
            let v = try long(tag)
            if isProps {
                var text: [UInt8] = []
                DecimalText.append(v, to: &text)
                return g.bytesNode(.string, text)
            }
            return g.scalar(.int, v)
        case 0x0E, 0x0F, 0x10:
            return try stringID(tag)
        case 0x11, 0x12, 0x13, 0x26:
            return try fullString(tag)
        case 0x0D:
            return g.bytesNode(.string, [])
        case 0x00:
            return nil
        default:
            throw PHPValueError(.badTag, "unknown key type 0x\(Hex.lowercase([tag]))", offset: at)
        }
    }

    /// A scalar just read: it gets a reference id when a `25` wraps it.
    mutating func scalarDone(_ id: Int32) -> Int32 {
        if pendingRef {
            refs.append(id)
            pendingRef = false
        }
        return id
    }

    /// One value; nil when an array or object body was opened.
    mutating func parseValue() throws(PHPValueError) -> Int32? {
        let at = pos
        let tag = try byte("a value")
        switch tag {
        case 0x00: return scalarDone(g.scalar(.null))
        case 0x04, 0x05: return scalarDone(g.scalar(.bool, tag == 0x05 ? 1 : 0))
        case 0x06...0x0B, 0x20, 0x21: return scalarDone(g.scalar(.int, try long(tag)))
        case 0x0C: return scalarDone(g.scalar(.double, Int64(bitPattern: try uint(8, "a double"))))
        case 0x0D: return scalarDone(g.bytesNode(.string, []))
        case 0x0E, 0x0F, 0x10: return scalarDone(try stringID(tag))
        case 0x11, 0x12, 0x13, 0x26: return scalarDone(try fullString(tag))
        case 0x25:
            pendingRef = true
            return nil
        case 0x01, 0x02, 0x03, 0x22, 0x23, 0x24:
            let width = (tag == 0x01 || tag == 0x22) ? 1 : ((tag == 0x02 || tag == 0x23) ? 2 : 4)
            let idAt = pos
            let i = try uint(width, "a reference id")
            guard i < UInt64(refs.count) else {
                throw PHPValueError(.refError, "reference id \(i) is not below the \(refs.count) ids defined so far", offset: idAt)
            }
            pendingRef = false
            return refs[Int(i)]
        case 0x14, 0x15, 0x16:
            let n = try count(tag == 0x14 ? 1 : (tag == 0x15 ? 2 : 4), "an array count")
            let id = g.add(Node(kind: .phpArray))
            refs.append(id)
            return try open(id, count: n, isProps: false, at: at)
        case 0x17, 0x18, 0x19, 0x1A, 0x1B, 0x1C:
            let name = tag <= 0x19 ? try fullString(tag) : try stringID(tag)
            let nameBytes = g.bytesOf(name)
            guard nameBytes.count > 0 else { throw PHPValueError(.badArgument, "empty class name", offset: at) }
            g.noteClass(nameBytes)
            guard pos < s.count else { throw truncated("an object") }
            let id = g.add(Node(kind: .object, c: name))
            refs.append(id)
            let innerAt = pos
            let inner = try byte("an object")
            switch inner {
            case 0x14, 0x15, 0x16:
                let n = try count(inner == 0x14 ? 1 : (inner == 0x15 ? 2 : 4), "a property count")
                return try open(id, count: n, isProps: true, at: at)
            case 0x1D, 0x1E, 0x1F:
                let n = try count(inner == 0x1D ? 1 : (inner == 0x1E ? 2 : 4), "Serializable data length")
                let start = g.bytes.count
                g.bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: s[pos..<pos + n]))
                pos += n
                g.nodes[Int(id)] = Node(kind: .serialized, a: Int64(start), b: n, c: name)
                pendingRef = false
                return id
            case 0x27:
                let caseAt = pos
                let t = try byte("an enum case name")
                let caseName: Int32
                switch t {
                case 0x11, 0x12, 0x13, 0x26: caseName = try fullString(t)
                case 0x0E, 0x0F, 0x10: caseName = try stringID(t)
                default: throw PHPValueError(.badTag, "an enum case name must be a string, found 0x\(Hex.lowercase([t]))", offset: caseAt)
                }
                let text = Array(g.bytesOf(name)) + [UInt8(ascii: ":")] + Array(g.bytesOf(caseName))
                let start = g.bytes.count
                g.bytes.append(contentsOf: text)
                g.nodes[Int(id)] = Node(kind: .enumCase, a: Int64(start), b: text.count)
                pendingRef = false
                return id
            default:
                throw PHPValueError(.badTag, "unknown object body type 0x\(Hex.lowercase([inner]))", offset: innerAt)
            }
        default:
            throw PHPValueError(.badTag, "unknown type byte 0x\(Hex.lowercase([tag]))", offset: at)
        }
    }

    mutating func open(_ id: Int32, count n: Int, isProps: Bool, at start: Int) throws(PHPValueError) -> Int32? {
        pendingRef = false
        guard frames.count < limits.maxNesting else { throw PHPValueError(.limit, "nesting deeper than \(limits.maxNesting)", offset: start) }
        if n == 0 {
            g.close(id, scratchFrom: g.scratch.count, pairs: true, merge: .lastValueWins)
            return id
        }
        frames.append(Frame(node: id, remaining: n, scratchStart: g.scratch.count, isProps: isProps, wantKey: true))
        return nil
    }
}
