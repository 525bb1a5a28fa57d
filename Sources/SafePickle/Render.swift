// SafePickle/Render: turns the arena into canonical JSON with an explicit work stack (no recursion):
// shared references expanded, cycles as `$ref` JSON Pointers, nesting capped at MAX_DEPTH, and an
// expansion budget (values and bytes) checked as it goes. Record shapes are recognised in Recognize.swift.

/// A list of node ids: one of the arena's sequences or one built while rendering.
enum SeqRef {
    case arena(Int)
    case local(Int)
}

struct Renderer: ~Copyable {
    enum Mode { case items, objectPairs, pairArrays }
    enum Task {
        case value(Int32)
        case seq(SeqRef, pos: Int, mode: Mode)
        case end(Int32)
        case key(StaticString)
        case openArray
    }

    let arena: ArenaView
    let limits: PickleLimits
    var w: JSONWriter
    var tasks = RawArray<Task>(capacity: 64)
    var locals: [[Int32]] = []
    /// Writer depth at which each node currently being rendered started; -1 when not active. Every
    /// entry is -1 again once a render has completed, so the array is handed on between renders
    /// without refilling it (`finish` empties it after a render that failed part-way).
    var active: RawArray<Int32>
    /// False while a render is under way or after one failed (then `active` may hold depths).
    var activeClean = true
    var visited = 0
    /// A str node known to be "latin1" or "latin-1" (see `isLatin1Name`), or -1.
    var latin1Name: Int32 = -1

    /// A renderer of `arena` (which must stay alive and unchanged while the renderer lives; the
    /// renderer never changes it) writing into `writer` (emptied first), with `active` as the array
    /// to reuse for its per-node bookkeeping: every entry -1 (as `finish` hands it back), extended
    /// here to one entry per node.
    init(arena: ArenaView, limits: PickleLimits, writer: consuming JSONWriter, active: consuming RawArray<Int32>) {
        self.arena = arena
        self.limits = limits
        w = writer
        if active.count < arena.nodes.count { active.append(repeating: -1, count: arena.nodes.count - active.count) }
        self.active = active
    }

    /// A renderer with fresh buffers.
    init(arena: ArenaView, limits: PickleLimits) {
        self.init(
            arena: arena, limits: limits, writer: JSONWriter(capacity: Renderer.outputCapacity(arena)),
            active: RawArray(capacity: arena.nodes.count))
    }

    /// A first guess at the output size: twice the input.
    static func outputCapacity(_ arena: ArenaView) -> Int { arena.input.count * 2 + 64 }

    /// Empties the output and the budget for rendering another root (after a completed render).
    mutating func restart() {
        w.restart()
        tasks.truncate(to: 0)
        locals.removeAll(keepingCapacity: true)
        visited = 0
    }

    /// Ends the renderer, handing back its writer and its bookkeeping array for reuse.
    consuming func finish(activeInto spare: inout RawArray<Int32>?) -> JSONWriter {
        if !activeClean { active.removeAll() }
        spare = consume active
        return w
    }

    mutating func fail(_ message: String) -> PickleError { PickleError(.limit, message, offset: -1) }

    /// The items of arena sequence `i`.
    @inline(__always) func seq(_ i: Int) -> SeqItems { arena.seqs.items(of: i) }

    /// The bytes of a string-like node (str, py2str, bytes, bytearray, bigint, global), without copying.
    @inline(__always) func bytes(_ n: Node) -> UnsafeRawBufferPointer { arena.bytes(n) }

    @inline(__always) mutating func count(_ s: SeqRef) -> Int {
        switch s {
        case .arena(let i): return arena.seqs.count(of: i)
        case .local(let i): return locals[i].count
        }
    }

    @inline(__always) mutating func element(_ s: SeqRef, _ pos: Int) -> Int32 {
        switch s {
        case .arena(let i): return arena.seqs.element(i, pos)
        case .local(let i): return locals[i][pos]
        }
    }

    mutating func local(_ list: [Int32]) -> SeqRef {
        locals.append(list)
        return .local(locals.count - 1)
    }

    /// Renders `root` as one JSON value.
    mutating func render(_ root: Int32) throws(PickleError) -> [UInt8] {
        try write(root)
        return w.bytes()
    }

    /// Writes `root` as one JSON value into the writer.
    mutating func write(_ root: Int32) throws(PickleError) {
        activeClean = false
        tasks.append(.value(root))
        while let t = tasks.popLast() {
            switch t {
            case .value(let id): try value(id)
            case .key(let k): w.key(k)
            case .openArray: try open(array: -1)
            case .end(let id):
                w.end()
                if id >= 0 { active[Int(id)] = -1 }
            case .seq(let s, let pos, let mode):
                let count = self.count(s)
                switch mode {
                case .items:
                    guard pos < count else { continue }
                    if pos + 1 < count { tasks.append(.seq(s, pos: pos + 1, mode: mode)) }
                    try value(element(s, pos))
                case .objectPairs:
                    guard pos + 1 < count else { continue }
                    if pos + 3 < count { tasks.append(.seq(s, pos: pos + 2, mode: mode)) }
                    let kid = element(s, pos)
                    let k = arena.nodes[Int(kid)]
                    let kb = bytes(k)
                    if k.flags & Node.plainJSON != 0 {
                        w.plainKey(kb, path: .node(kid))
                    } else if k.flags & Node.surrogates != 0 {
                        let fixed = Renderer.fixSurrogates(kb)
                        fixed.withUnsafeBytes { w.key($0, path: .node(kid)) }
                    } else {
                        w.key(kb, path: .node(kid))
                    }
                    try value(element(s, pos + 1))
                case .pairArrays:
                    guard pos + 1 < count else { continue }
                    tasks.append(.seq(s, pos: pos + 2, mode: mode))
                    try open(array: -1)
                    tasks.append(.end(-1))
                    tasks.append(.value(element(s, pos + 1)))
                    tasks.append(.value(element(s, pos)))
                }
            }
        }
        activeClean = true  // every .end has run, so every node set active is -1 again
    }

    // MARK: containers

    /// Opens an array for node `id` (or an anonymous one for -1), checking depth.
    mutating func open(array id: Int32) throws(PickleError) {
        if w.depth >= limits.maxNesting { throw fail("JSON nesting deeper than \(limits.maxNesting)") }
        if id >= 0 { active[Int(id)] = Int32(w.depth) }
        w.beginArray()
    }

    mutating func open(object id: Int32) throws(PickleError) {
        if w.depth >= limits.maxNesting { throw fail("JSON nesting deeper than \(limits.maxNesting)") }
        if id >= 0 { active[Int(id)] = Int32(w.depth) }
        w.beginObject()
    }

    /// `[items…]` for node `id`, closing later.
    mutating func array(_ id: Int32, _ s: SeqRef) throws(PickleError) {
        try open(array: id)
        tasks.append(.end(id))
        tasks.append(.seq(s, pos: 0, mode: .items))
    }

    /// A one-key marker object `{"$k": [items…]}`.
    mutating func markerArray(_ id: Int32, _ key: StaticString, _ s: SeqRef, mode: Mode = .items) throws(PickleError) {
        try open(object: id)
        w.key(key)
        try open(array: -1)
        tasks.append(.end(id))
        tasks.append(.end(-1))
        tasks.append(.seq(s, pos: 0, mode: mode))
    }

    /// A dict (flattened key/value pairs) as a JSON object when its keys allow it, else `$dict`.
    mutating func dict(_ id: Int32, _ s: SeqRef) throws(PickleError) {
        if keysRenderAsObject(s) {
            try open(object: id)
            tasks.append(.end(id))
            tasks.append(.seq(s, pos: 0, mode: .objectPairs))
        } else {
            try markerArray(id, "$dict", s, mode: .pairArrays)
        }
    }

    /// Every key a str (or UTF-8 Py2 str), none starting with `$`, no two rendering the same.
    mutating func keysRenderAsObject(_ s: SeqRef) -> Bool {
        let count = self.count(s)
        var sawStr = false, sawPy2 = false, sawSurrogate = false
        var i = 0
        while i < count {
            let k = arena.nodes[Int(element(s, i))]
            if k.kind == .str {
                sawStr = true
                if k.flags & Node.surrogates != 0 { sawSurrogate = true }
            } else if k.kind == .py2str && k.flags & Node.validUTF8 != 0 {
                sawPy2 = true
            } else {
                return false
            }
            if k.b > 0 && bytes(k)[0] == UInt8(ascii: "$") { return false }
            i += 2
        }
        if (sawStr && sawPy2) || sawSurrogate {
            var seen = Set<[UInt8]>()
            i = 0
            while i < count {
                let k = arena.nodes[Int(element(s, i))]
                let kb = bytes(k)
                let rendered = k.flags & Node.surrogates != 0 ? Renderer.fixSurrogates(kb) : Array(kb)
                if !seen.insert(rendered).inserted { return false }
                i += 2
            }
        }
        return true
    }

    // MARK: values

    mutating func value(_ id: Int32) throws(PickleError) {
        visited += 1
        if visited > limits.maxOutputValues { throw fail("output would exceed \(limits.maxOutputValues) values") }
        if w.out.count > limits.maxOutputBytes { throw fail("output would exceed \(limits.maxOutputBytes) bytes") }
        let n = arena.nodes[Int(id)]
        switch n.kind {
        case .none: w.literal("null")
        case .bool: n.a != 0 ? w.literal("true") : w.literal("false")
        case .int: try writeInt(n.a)
        case .bigint:
            try open(object: -1)
            w.key("$int")
            w.stringValue(bytes(n))
            w.end()
        case .float: try writeDouble(Double(bitPattern: UInt64(bitPattern: Int64(n.a))))
        case .str: writeStr(n)
        case .py2str:
            if n.flags & Node.plainJSON != 0 {
                w.plainStringValue(bytes(n))
            } else if n.flags & Node.validUTF8 != 0 {
                w.stringValue(bytes(n))
            } else {
                try bytesMarker(n)
            }
        case .bytes, .bytearray: try bytesMarker(n)
        case .global:
            try open(object: -1)
            w.key("$global")
            w.stringValue(bytes(n))
            w.end()
        case .list, .tuple, .dict, .set, .frozenset, .record:
            let d = active[Int(id)]
            if d >= 0 {
                try open(object: -1)
                w.key("$ref")
                w.stringValue(pointer(depth: Int(d)))
                w.end()
                return
            }
            switch n.kind {
            case .list, .tuple: try array(id, .arena(n.a))
            case .dict: try dict(id, .arena(n.a))
            case .set: try markerArray(id, "$set", .arena(n.a))
            case .frozenset: try markerArray(id, "$frozenset", .arena(n.a))
            default: try record(id, arena.records[n.a])
            }
        }
    }

    mutating func writeInt(_ v: Int) throws(PickleError) {
        if v.magnitude <= (1 << 53) - 1 {
            w.int(v)
        } else {
            try open(object: -1)
            w.key("$int")
            w.stringValue(String(v))
            w.end()
        }
    }

    mutating func writeDouble(_ d: Double) throws(PickleError) {
        if d.isFinite {
            w.double(d)
            return
        }
        try open(object: -1)
        w.key("$float")
        w.stringValue(d.isNaN ? "nan" : (d > 0 ? "inf" : "-inf"))
        w.end()
    }

    mutating func writeStr(_ n: Node) {
        let b = bytes(n)
        if n.flags & Node.plainJSON != 0 {
            w.plainStringValue(b)
        } else if n.flags & Node.surrogates != 0 {
            Renderer.fixSurrogates(b).withUnsafeBytes { w.stringValue($0) }
        } else {
            w.stringValue(b)
        }
    }

    mutating func bytesMarker(_ n: Node) throws(PickleError) {
        try open(object: -1)
        w.key("$bytes")
        w.base64Value(bytes(n))
        w.end()
    }

    mutating func bytesMarker(_ bytes: [UInt8]) throws(PickleError) {
        try open(object: -1)
        w.key("$bytes")
        bytes.withUnsafeBytes { w.base64Value($0) }
        w.end()
    }

    /// The RFC 6901 pointer to the value that started at writer depth `depth`.
    mutating func pointer(depth: Int) -> String {
        var p: [UInt8] = []
        for level in 0..<min(depth, w.containers.count) {
            guard let c = w.containers.at(level) else { break }
            p.append(UInt8(ascii: "/"))
            var seg: [UInt8]
            if !c.isObject {
                seg = Array(String(c.count - 1).utf8)
            } else {
                switch c.key {
                case .none: seg = []
                case .literal(let s): seg = Array(UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
                case .node(let k):
                    let kn = arena.nodes[Int(k)]
                    let kb = bytes(kn)
                    seg = kn.flags & Node.surrogates != 0 ? Renderer.fixSurrogates(kb) : Array(kb)
                }
            }
            for b in seg {
                if b == UInt8(ascii: "~") {
                    p += [UInt8(ascii: "~"), UInt8(ascii: "0")]
                } else if b == UInt8(ascii: "/") {
                    p += [UInt8(ascii: "~"), UInt8(ascii: "1")]
                } else {
                    p.append(b)
                }
            }
        }
        return String(decoding: p, as: UTF8.self)
    }

    /// Surrogate code points (3-byte ED A0..BF sequences): a high+low pair becomes one 4-byte
    /// character, any other surrogate becomes U+FFFD.
    static func fixSurrogates(_ s: UnsafeRawBufferPointer) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        var i = 0
        let n = s.count
        func surrogate(at j: Int) -> UInt32? {
            guard j + 2 < n, s[j] == 0xED, s[j + 1] >= 0xA0 else { return nil }
            return 0xD000 | UInt32(s[j + 1] & 0x3F) << 6 | UInt32(s[j + 2] & 0x3F)
        }
        while i < n {
            if let hi = surrogate(at: i) {
                if hi < 0xDC00, let lo = surrogate(at: i + 3), lo >= 0xDC00 {
                    TextCodecs.appendUTF8(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00), to: &out)
                    i += 6
                } else {
                    out += [0xEF, 0xBF, 0xBD]
                    i += 3
                }
            } else {
                out.append(s[i])
                i += 1
            }
        }
        return out
    }
}
