// PHPValues/MsgPack: msgpack (ECOSYSTEMS §10; php-memcached type 7) to canonical JSON: maps with
// UTF-8 string keys become objects, other maps `{"$map": [[k, v], …]}`, bin `{"$bytes"}`, ext
// `{"$ext": type, "$bytes"}`. Iterative, every count checked against the bytes left.
import ByteText

/// Decoder of msgpack (docs/php-values.md).
public enum MsgPack {
    /// The canonical JSON of one msgpack value (`classes` is always empty).
    public static func canonicalJSON(_ bytes: UnsafeRawBufferPointer, limits: PHPLimits = .default) -> Result<PHPDocument, PHPValueError> {
        guard bytes.count <= limits.maxInputBytes else {
            return .failure(PHPValueError(.limit, "input of \(bytes.count) bytes is above \(limits.maxInputBytes)", offset: 0))
        }
        var p = MsgPackParser(s: bytes, limits: limits)
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

struct MsgPackParser {
    struct Frame {
        var node: Int32
        /// Ids still to come (a map counts keys and values).
        var remaining: Int
        var scratchStart: Int
        var isMap: Bool
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

    mutating func uint(_ width: Int, _ what: String) throws(PHPValueError) -> UInt64 {
        guard s.count - pos >= width else { throw truncated(what) }
        var v: UInt64 = 0
        for i in 0..<width { v = v << 8 | UInt64(s[pos + i]) }
        pos += width
        return v
    }

    /// `n` bytes as a node of `kind`; `n` is checked against the bytes left first.
    mutating func payload(_ kind: NodeKind, _ n: UInt64, lengthAt: Int) throws(PHPValueError) -> Int32 {
        guard n <= UInt64(s.count - pos) else {
            throw PHPValueError(.truncated, "length \(n) is more than the \(s.count - pos) bytes left", offset: lengthAt)
        }
        let id = g.bytesNode(kind, UnsafeRawBufferPointer(rebasing: s[pos..<pos + Int(n)]))
        pos += Int(n)
        return id
    }

    mutating func parse() throws(PHPValueError) -> Int32 {
        while true {
            var produced: Int32?
            if let top = frames.last, top.remaining == 0 {
                frames.removeLast()
                g.close(top.node, scratchFrom: top.scratchStart, pairs: top.isMap, merge: .keepAll)
                produced = top.node
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
        }
    }

    mutating func open(_ kind: NodeKind, items: UInt64, isMap: Bool, at start: Int, countAt: Int) throws(PHPValueError) -> Int32? {
        // Every item takes at least one byte.
        guard items <= UInt64(s.count - pos) else {
            throw PHPValueError(
                .truncated, "\(isMap ? "map" : "array") of \(isMap ? items / 2 : items) is more than the \(s.count - pos) bytes left can hold", offset: countAt)
        }
        guard frames.count < limits.maxNesting else { throw PHPValueError(.limit, "nesting deeper than \(limits.maxNesting)", offset: start) }
        let id = g.add(Node(kind: kind))
        if items == 0 {
            g.close(id, scratchFrom: g.scratch.count, pairs: isMap, merge: .keepAll)
            return id
        }
        frames.append(Frame(node: id, remaining: Int(items), scratchStart: g.scratch.count, isMap: isMap))
        return nil
    }

    mutating func parseValue() throws(PHPValueError) -> Int32? {
        guard pos < s.count else { throw truncated("a value") }
        let at = pos
        let t = s[pos]
        pos += 1
        switch t {
        case 0x00...0x7F: return g.scalar(.int, Int64(t))
        case 0xE0...0xFF: return g.scalar(.int, Int64(Int8(bitPattern: t)))
        case 0x80...0x8F: return try open(.map, items: UInt64(t & 0x0F) * 2, isMap: true, at: at, countAt: at)
        case 0x90...0x9F: return try open(.list, items: UInt64(t & 0x0F), isMap: false, at: at, countAt: at)
        case 0xA0...0xBF: return try payload(.string, UInt64(t & 0x1F), lengthAt: at)
        case 0xC0: return g.scalar(.null)
        case 0xC2, 0xC3: return g.scalar(.bool, t == 0xC3 ? 1 : 0)
        case 0xC4, 0xC5, 0xC6:
            let n = try uint(1 << Int(t - 0xC4), "a bin length")
            return try payload(.binary, n, lengthAt: at + 1)
        case 0xC7, 0xC8, 0xC9:
            let n = try uint(1 << Int(t - 0xC7), "an ext length")
            let type = try uint(1, "an ext type")
            let id = try payload(.ext, n, lengthAt: at + 1)
            g.nodes[Int(id)].ext = Int8(bitPattern: UInt8(type))
            return id
        case 0xCA:
            let bits = try uint(4, "a float32")
            return g.scalar(.double, Int64(bitPattern: Double(Float(bitPattern: UInt32(bits))).bitPattern))
        case 0xCB: return g.scalar(.double, Int64(bitPattern: try uint(8, "a float64")))
        case 0xCC, 0xCD, 0xCE, 0xCF:
            let v = try uint(1 << Int(t - 0xCC), "a uint")
            if v > UInt64(Int64.max) {
                var text: [UInt8] = []
                DecimalText.append(v, to: &text)
                return g.bytesNode(.bigInt, text)
            }
            return g.scalar(.int, Int64(v))
        case 0xD0, 0xD1, 0xD2, 0xD3:
            let width = 1 << Int(t - 0xD0)
            let raw = try uint(width, "an int")
            let shift = UInt64(64 - 8 * width)
            return g.scalar(.int, Int64(bitPattern: raw << shift) >> Int64(shift))
        case 0xD4...0xD8:
            let type = try uint(1, "an ext type")
            let id = try payload(.ext, UInt64(1 << Int(t - 0xD4)), lengthAt: at)
            g.nodes[Int(id)].ext = Int8(bitPattern: UInt8(type))
            return id
        case 0xD9, 0xDA, 0xDB:
            let n = try uint(1 << Int(t - 0xD9), "a str length")
            return try payload(.string, n, lengthAt: at + 1)
        case 0xDC, 0xDD:
            let n = try uint(t == 0xDC ? 2 : 4, "an array count")
            return try open(.list, items: n, isMap: false, at: at, countAt: at + 1)
        case 0xDE, 0xDF:
            let n = try uint(t == 0xDE ? 2 : 4, "a map count")
            return try open(.map, items: n * 2, isMap: true, at: at, countAt: at + 1)
        default:  // 0xC1 is never used
            throw PHPValueError(.badTag, "unknown type byte 0x\(Hex.lowercase([t]))", offset: at)
        }
    }
}
