// PHPValues/ValueGraph: the value graph every parser here builds (PHP serialize, igbinary, msgpack,
// JSON) — nodes in one array, string bytes in one buffer, container entries in one list — so that one
// renderer (Render.swift) writes the canonical JSON of all of them. References share nodes.

/// What a node is.
enum NodeKind: UInt8 {
    case null, bool, int, bigInt, double, string, binary
    /// PHP array: key/value pairs (keys are `.int` or `.string` nodes).
    case phpArray
    /// msgpack/JSON array: items.
    case list
    /// msgpack map (`$map` when not an object).
    case map
    /// JSON object (`$object` when not an object).
    case jsonObject
    /// PHP object: class name node `c`, property pairs (keys are `.string`).
    case object
    /// `C:` / igbinary `1d`: class name node `c`, data bytes.
    case serialized
    /// `E:` / igbinary enum: the bytes `Enum:Case`.
    case enumCase
    /// msgpack ext: type `ext`, data bytes.
    case ext
}

struct Node {
    var kind: NodeKind
    /// msgpack ext type.
    var ext: Int8 = 0
    /// int value, double bit pattern, byte start in `Graph.bytes`, or entry start in `Graph.entries`.
    var a: Int64 = 0
    /// Byte length or entry count (pairs count pairs, not ids).
    var b: Int = 0
    /// Class name node of objects and serialized blobs.
    var c: Int32 = -1
}

/// How a closing container treats repeated keys.
enum KeyMerge {
    /// Keep every pair (msgpack, JSON): the renderer falls back to a pair list.
    case keepAll
    /// PHP semantics: a repeated key (same type and value) keeps its first position and takes the last value.
    case lastValueWins
}

/// Nodes, bytes and entries of one decode, plus the class names met.
struct Graph {
    var nodes: [Node] = []
    var bytes: [UInt8] = []
    var entries: [Int32] = []
    /// Entry ids of containers still open (a stack; each frame remembers where it starts).
    var scratch: [Int32] = []
    var classes: [String] = []
    var classSet: Set<[UInt8]> = []

    mutating func add(_ node: Node) -> Int32 {
        nodes.append(node)
        return Int32(nodes.count - 1)
    }

    mutating func scalar(_ kind: NodeKind, _ a: Int64 = 0) -> Int32 { add(Node(kind: kind, a: a)) }

    /// A node for bytes (`.string`, `.binary`, `.bigInt`, `.enumCase`, …) copied from `source`.
    mutating func bytesNode(_ kind: NodeKind, _ source: UnsafeRawBufferPointer) -> Int32 {
        let start = bytes.count
        bytes.append(contentsOf: source)
        return add(Node(kind: kind, a: Int64(start), b: source.count))
    }

    mutating func bytesNode(_ kind: NodeKind, _ source: [UInt8]) -> Int32 {
        source.withUnsafeBytes { bytesNode(kind, $0) }
    }

    /// The bytes of a bytes node.
    func bytesOf(_ id: Int32) -> ArraySlice<UInt8> {
        let n = nodes[Int(id)]
        return bytes[Int(n.a)..<Int(n.a) + n.b]
    }

    mutating func noteClass(_ name: ArraySlice<UInt8>) {
        let key = Array(name)
        if classSet.insert(key).inserted { classes.append(String(decoding: key, as: UTF8.self)) }
    }

    /// Closes container `id` whose entries were pushed on `scratch` from `start`: moves them to `entries`.
    mutating func close(_ id: Int32, scratchFrom start: Int, pairs: Bool, merge: KeyMerge) {
        var count = scratch.count - start
        let entryStart = entries.count
        if pairs && merge == .lastValueWins && count >= 4 {
            count = mergeRepeatedKeys(from: start)
        } else {
            entries.append(contentsOf: scratch[start...])
        }
        scratch.removeSubrange(start...)
        nodes[Int(id)].a = Int64(entryStart)
        nodes[Int(id)].b = pairs ? count / 2 : count
    }

    /// Identity of a PHP key: an int, or string bytes.
    enum KeyID: Hashable {
        case int(Int64)
        case bytes([UInt8])
    }

    func keyID(_ id: Int32) -> KeyID {
        let n = nodes[Int(id)]
        return n.kind == .int ? .int(n.a) : .bytes(Array(bytesOf(id)))
    }

    /// Appends the pairs of scratch[start...] to `entries`, a repeated key keeping its first position
    /// and the last value. Returns the number of ids appended.
    mutating func mergeRepeatedKeys(from start: Int) -> Int {
        var seen: [KeyID: Int] = [:]
        let base = entries.count
        var i = start
        while i + 1 < scratch.count {
            let k = keyID(scratch[i])
            if let at = seen[k] {
                entries[at + 1] = scratch[i + 1]
            } else {
                seen[k] = entries.count
                entries.append(scratch[i])
                entries.append(scratch[i + 1])
            }
            i += 2
        }
        return entries.count - base
    }
}

/// PHP's numeric-string rule for array keys (`ZEND_HANDLE_NUMERIC_STR`): `0`, or an optional `-` and a
/// digit 1–9 followed by digits, within Int64 (`-0` is not numeric). Returns the integer, or nil.
func phpNumericKey(_ s: UnsafeRawBufferPointer) -> Int64? {
    let n = s.count
    guard n >= 1, n <= 20 else { return nil }
    var i = 0
    let negative = s[0] == UInt8(ascii: "-")
    if negative { i = 1 }
    guard i < n else { return nil }
    let first = s[i]
    if first == UInt8(ascii: "0") {
        return (n == 1) ? 0 : nil
    }
    guard first >= UInt8(ascii: "1") && first <= UInt8(ascii: "9") else { return nil }
    var magnitude: UInt64 = 0
    while i < n {
        let b = s[i]
        guard b >= 0x30 && b <= 0x39 else { return nil }
        let (m, o1) = magnitude.multipliedReportingOverflow(by: 10)
        let (v, o2) = m.addingReportingOverflow(UInt64(b - 0x30))
        guard !o1 && !o2 else { return nil }
        magnitude = v
        i += 1
    }
    if negative {
        if magnitude == UInt64(Int64.max) + 1 { return Int64.min }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return -Int64(magnitude)
    }
    guard magnitude <= UInt64(Int64.max) else { return nil }
    return Int64(magnitude)
}
