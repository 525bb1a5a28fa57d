// RubyMarshal/Graph: Marshal 4.8 bytes → a graph of nodes, read the way Ruby's marshal.c reads them
// (same object-table and symbol-table numbering) but without resolving a class or running anything.
// Nodes point into the input; links stay links, so cycles and shared values cost nothing here.

/// Where a run of bytes sits in the input.
struct ByteRange: Sendable, Equatable {
    var start: Int
    var count: Int
}

/// The encoding of a String or Regexp, from its `E` / `encoding` instance variable.
enum StringEncoding: Equatable {
    case binary, utf8, usASCII
    case named(ByteRange)
}

/// One value of the stream. Children are node ids; class and member names are symbol-table indices.
enum Node {
    case pending
    case nilValue, trueValue, falseValue
    case fixnum(Int64)
    case bignum(negative: Bool, ByteRange)
    case float(Double)
    case string(ByteRange)
    case symbol(Int32)
    case regexp(ByteRange, options: UInt8)
    case array([Int32])
    case hash([Int32], defaultValue: Int32)  // keys and values alternate; defaultValue -1: none
    case object(cls: Int32, ivars: [Int32])  // symbol, value, symbol, value…
    case structure(cls: Int32, members: [Int32])
    case userDump(cls: Int32, ByteRange)  // `u`: the `_dump` bytes (their ivars are in `extras`)
    case userMarshal(cls: Int32, data: Int32)  // `U`
    case data(cls: Int32, data: Int32)  // `d`
    case classRef(ByteRange)  // `c`
    case moduleRef(ByteRange, old: Bool)  // `m`, `M`
    case link(Int32)  // `@`: the node id of an earlier object-table entry
}

/// What `I`, `e` and `C` add to a node.
struct NodeExtras {
    var extends: [Int32] = []  // module symbols, stream order
    var userClass: Int32 = -1  // `C` class symbol
    var ivars: [Int32] = []  // symbol, value…, other than the encoding
    var encoding: StringEncoding = .binary
}

/// The decoded stream: nodes, the symbol table and the extras, over the input they point into.
struct MarshalGraph {
    let input: UnsafeRawBufferPointer
    var nodes: [Node] = []
    var symbols: [ByteRange] = []
    var extras: [Int32: NodeExtras] = [:]
    var root: Int32 = -1

    func symbolBytes(_ index: Int32) -> UnsafeRawBufferPointer { bytes(symbols[Int(index)]) }

    func bytes(_ r: ByteRange) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: input[r.start..<(r.start + r.count)]) }

    /// `id` with links followed (a link's target is never a link).
    func resolved(_ id: Int32) -> Int32 {
        if case .link(let target) = nodes[Int(id)] { return target }
        return id
    }
}

/// The reader: marshal.c's `r_object0` and friends, with limits.
struct MarshalReader {
    var graph: MarshalGraph
    let limits: MarshalLimits
    var pos = 0
    /// Object table: entry index → node id.
    var table: [Int32] = []
    let maxDepth: Int
    let stack = StackGuard()

    init(input: UnsafeRawBufferPointer, limits: MarshalLimits) {
        graph = MarshalGraph(input: input)
        self.limits = limits
        maxDepth = limits.maxNesting * 2 + 16
    }

    var input: UnsafeRawBufferPointer { graph.input }
    var remaining: Int { input.count - pos }

    /// Reads the header and one value; bytes after it are ignored (as `Marshal.load` does).
    static func read(_ input: UnsafeRawBufferPointer, limits: MarshalLimits) -> Result<MarshalGraph, MarshalError> {
        var r = MarshalReader(input: input, limits: limits)
        do throws(MarshalError) {
            guard input.count <= limits.maxInputBytes else {
                throw MarshalError(.limit, "input of \(input.count) bytes is above the limit of \(limits.maxInputBytes)", offset: 0)
            }
            guard input.count >= 2 else { throw MarshalError(.truncated, "no Marshal header (04 08)", offset: input.count) }
            guard input[0] == 4, input[1] <= 8 else {
                throw MarshalError(.badArgument, "Marshal format \(input[0]).\(input[1]) is not 4.0–4.8", offset: 0)
            }
            r.pos = 2
            var noIvars = false
            r.graph.root = try r.value(0, &noIvars)
            return .success(r.graph)
        } catch {
            return .failure(error)
        }
    }

    // MARK: primitives

    mutating func byte() throws(MarshalError) -> UInt8 {
        guard pos < input.count else { throw MarshalError(.truncated, "data ends inside a value", offset: pos) }
        pos += 1
        return input[pos - 1]
    }

    /// marshal.c `r_long`: 0; ±1…122 in one byte; else a signed count of little-endian bytes.
    mutating func long() throws(MarshalError) -> Int64 {
        let at = pos
        let c = Int8(bitPattern: try byte())
        if c == 0 { return 0 }
        if c > 4 { return Int64(c) - 5 }
        if c < -4 { return Int64(c) + 5 }
        let n = Int(c.magnitude)
        guard remaining >= n else { throw MarshalError(.truncated, "data ends inside a long", offset: at) }
        var x: Int64 = c > 0 ? 0 : -1
        for i in 0..<n {
            let b = Int64(input[pos + i])
            x = (x & ~(0xFF << (8 * Int64(i)))) | (b << (8 * Int64(i)))
        }
        pos += n
        return x
    }

    /// A length or count: not negative, and `unit` bytes each must fit in what is left.
    mutating func count(_ what: String, unit: Int) throws(MarshalError) -> Int {
        let at = pos
        let n = try long()
        guard n >= 0 else { throw MarshalError(.badArgument, "negative \(what) \(n)", offset: at) }
        guard n <= Int64(remaining / unit) else {
            throw MarshalError(.truncated, "\(what) \(n) runs past the end of the input (\(remaining) bytes left)", offset: at)
        }
        return Int(n)
    }

    mutating func bytes(_ what: String) throws(MarshalError) -> ByteRange {
        let n = try count(what, unit: 1)
        defer { pos += n }
        return ByteRange(start: pos, count: n)
    }

    mutating func newNode(_ node: Node) throws(MarshalError) -> Int32 {
        guard graph.nodes.count < limits.maxObjects else {
            throw MarshalError(.limit, "more than \(limits.maxObjects) values", offset: pos)
        }
        graph.nodes.append(node)
        return Int32(graph.nodes.count - 1)
    }

    /// A new node that takes the next object-table index.
    mutating func entry(_ node: Node) throws(MarshalError) -> Int32 {
        let id = try newNode(node)
        table.append(id)
        return id
    }

    /// marshal.c `r_symbol`: `:` name, `;` index, or `I:` name + ivars (the encoding; dropped).
    mutating func symbol(_ depth: Int) throws(MarshalError) -> Int32 {
        let at = pos
        switch try byte() {
        case UInt8(ascii: ":"): return try symbolBody(depth, ivars: false)
        case UInt8(ascii: ";"): return try symbolLink(at: at)
        case UInt8(ascii: "I"):
            guard try byte() == UInt8(ascii: ":") else {
                throw MarshalError(.badTag, "expected a symbol after I", offset: pos - 1)
            }
            return try symbolBody(depth, ivars: true)
        case let t: throw MarshalError(.badTag, "expected a symbol (: ; I), found 0x\(hex(t))", offset: at)
        }
    }

    mutating func symbolBody(_ depth: Int, ivars: Bool) throws(MarshalError) -> Int32 {
        let name = try bytes("symbol length")
        guard graph.symbols.count < limits.maxObjects else { throw MarshalError(.limit, "more than \(limits.maxObjects) symbols", offset: pos) }
        graph.symbols.append(name)
        let index = Int32(graph.symbols.count - 1)
        if ivars { _ = try ivarPairs(depth) }
        return index
    }

    mutating func symbolLink(at: Int) throws(MarshalError) -> Int32 {
        let n = try long()
        guard n >= 0, n < Int64(graph.symbols.count) else {
            throw MarshalError(.refError, "symbol link \(n) with \(graph.symbols.count) symbols read", offset: at)
        }
        return Int32(n)
    }

    /// marshal.c `r_ivar`: a count, then (symbol, value) pairs.
    mutating func ivarPairs(_ depth: Int) throws(MarshalError) -> [Int32] {
        let n = try count("instance variable count", unit: 2)
        var pairs: [Int32] = []
        pairs.reserveCapacity(2 * n)
        for _ in 0..<n {
            pairs.append(try symbol(depth + 1))
            var no = false
            pairs.append(try value(depth + 1, &no))
        }
        return pairs
    }

    // MARK: values

    /// marshal.c `r_object0`. `ivarsPending`: an enclosing `I` waits for its ivars; `u`, `:` and
    /// `/` read them here (clearing the flag), anything else leaves them to the `I`. The recursive
    /// cases are functions of their own, so that each level of nesting costs two small frames.
    mutating func value(_ depth: Int, _ ivarsPending: inout Bool) throws(MarshalError) -> Int32 {
        guard depth <= maxDepth else { throw MarshalError(.limit, "nesting deeper than \(maxDepth) in the stream", offset: pos) }
        guard stack.hasRoom() else { throw MarshalError(.limit, "nesting too deep for this thread's stack", offset: pos) }
        let at = pos
        let tag = try byte()
        switch tag {
        case UInt8(ascii: "["): return try array(depth)
        case UInt8(ascii: "{"), UInt8(ascii: "}"): return try hash(depth, withDefault: tag == UInt8(ascii: "}"))
        case UInt8(ascii: "o"), UInt8(ascii: "S"): return try objectOrStruct(depth, isObject: tag == UInt8(ascii: "o"))
        case UInt8(ascii: "U"), UInt8(ascii: "d"): return try userData(depth, isMarshal: tag == UInt8(ascii: "U"))
        case UInt8(ascii: "I"): return try ivarWrapper(depth, at: at)
        case UInt8(ascii: "e"): return try extended(depth, at: at)
        case UInt8(ascii: "C"): return try userClass(depth, at: at)
        case UInt8(ascii: ":"), UInt8(ascii: "/"), UInt8(ascii: "u"):
            let consume = ivarsPending
            ivarsPending = false
            return try withOwnIvars(depth, tag, at: at, readIvars: consume)
        default: return try leaf(tag, at: at)
        }
    }

    @inline(never)
    mutating func array(_ depth: Int) throws(MarshalError) -> Int32 {
        let n = try count("Array length", unit: 1)
        let id = try entry(.pending)
        var items: [Int32] = []
        items.reserveCapacity(n)
        for _ in 0..<n {
            var no = false
            items.append(try value(depth + 1, &no))
        }
        graph.nodes[Int(id)] = .array(items)
        return id
    }

    @inline(never)
    mutating func hash(_ depth: Int, withDefault: Bool) throws(MarshalError) -> Int32 {
        let n = try count("Hash size", unit: 2)
        let id = try entry(.pending)
        var items: [Int32] = []
        items.reserveCapacity(2 * n)
        for _ in 0..<(2 * n) {
            var no = false
            items.append(try value(depth + 1, &no))
        }
        var defaultValue: Int32 = -1
        if withDefault {
            var no = false
            defaultValue = try value(depth + 1, &no)
        }
        graph.nodes[Int(id)] = .hash(items, defaultValue: defaultValue)
        return id
    }

    /// `o` and `S`: the index is taken before the class name (marshal.c `r_prepare`).
    @inline(never)
    mutating func objectOrStruct(_ depth: Int, isObject: Bool) throws(MarshalError) -> Int32 {
        let id = try entry(.pending)
        let cls = try symbol(depth)
        let pairs = try ivarPairs(depth)
        graph.nodes[Int(id)] = isObject ? .object(cls: cls, ivars: pairs) : .structure(cls: cls, members: pairs)
        return id
    }

    /// `U` and `d`: class name, then the index, then the data.
    @inline(never)
    mutating func userData(_ depth: Int, isMarshal: Bool) throws(MarshalError) -> Int32 {
        let cls = try symbol(depth)
        let id = try entry(.pending)
        var no = false
        let data = try value(depth + 1, &no)
        graph.nodes[Int(id)] = isMarshal ? .userMarshal(cls: cls, data: data) : .data(cls: cls, data: data)
        return id
    }

    @inline(never)
    mutating func ivarWrapper(_ depth: Int, at: Int) throws(MarshalError) -> Int32 {
        var pending = true
        let id = try value(depth + 1, &pending)
        if pending { try attach(try ivarPairs(depth), to: id, at: at) }
        return id
    }

    @inline(never)
    mutating func extended(_ depth: Int, at: Int) throws(MarshalError) -> Int32 {
        let module = try symbol(depth)
        var no = false
        let id = try value(depth + 1, &no)
        try requireFresh(id, "e (extend)", at: at)
        graph.extras[id, default: NodeExtras()].extends.insert(module, at: 0)
        return id
    }

    @inline(never)
    mutating func userClass(_ depth: Int, at: Int) throws(MarshalError) -> Int32 {
        let cls = try symbol(depth)
        var no = false
        let id = try value(depth + 1, &no)
        switch graph.nodes[Int(id)] {
        case .string, .array, .hash, .regexp: break
        default: throw MarshalError(.badArgument, "C (user class) around something not a String, Array, Hash or Regexp", offset: at)
        }
        guard graph.extras[id]?.userClass ?? -1 == -1 else { throw MarshalError(.badArgument, "C (user class) twice on one value", offset: at) }
        graph.extras[id, default: NodeExtras()].userClass = cls
        return id
    }

    /// `:`, `/` and `u`, which read the ivars of an enclosing `I` themselves. A `u` takes its index
    /// only after them (marshal.c calls `_load` first), so `[t, t]` of a Time links past the zone.
    @inline(never)
    mutating func withOwnIvars(_ depth: Int, _ tag: UInt8, at: Int, readIvars: Bool) throws(MarshalError) -> Int32 {
        switch tag {
        case UInt8(ascii: ":"):
            return try newNode(.symbol(try symbolBody(depth, ivars: readIvars)))
        case UInt8(ascii: "/"):
            let source = try bytes("Regexp length")
            let options = try byte()
            let id = try entry(.regexp(source, options: options))
            if readIvars { try attach(try ivarPairs(depth), to: id, at: at) }
            return id
        default:
            let cls = try symbol(depth)
            let data = try bytes("_dump length")
            let pairs = readIvars ? try ivarPairs(depth) : []
            let id = try entry(.userDump(cls: cls, data))
            if !pairs.isEmpty { try attach(pairs, to: id, at: at) }
            return id
        }
    }

    /// The values that hold no others.
    @inline(never)
    mutating func leaf(_ tag: UInt8, at: Int) throws(MarshalError) -> Int32 {
        switch tag {
        case UInt8(ascii: "0"): return try newNode(.nilValue)
        case UInt8(ascii: "T"): return try newNode(.trueValue)
        case UInt8(ascii: "F"): return try newNode(.falseValue)
        case UInt8(ascii: "i"): return try newNode(.fixnum(try long()))
        case UInt8(ascii: "l"):
            let sign = try byte()
            guard sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") else {
                throw MarshalError(.badArgument, "Bignum sign 0x\(hex(sign)) is not + or -", offset: pos - 1)
            }
            let lenAt = pos
            let shorts = try long()
            guard shorts >= 0 else { throw MarshalError(.badArgument, "negative Bignum length \(shorts)", offset: lenAt) }
            guard shorts <= Int64(limits.maxBignumBytes / 2) else {
                throw MarshalError(.limit, "Bignum of \(shorts) 16-bit words is above the limit of \(limits.maxBignumBytes) bytes", offset: lenAt)
            }
            let n = Int(shorts) * 2
            guard n <= remaining else { throw MarshalError(.truncated, "Bignum of \(n) bytes runs past the end of the input", offset: lenAt) }
            pos += n
            return try entry(.bignum(negative: sign == UInt8(ascii: "-"), ByteRange(start: pos - n, count: n)))
        case UInt8(ascii: "f"):
            let text = try bytes("Float length")
            return try entry(.float(try floatValue(text, at: at)))
        case UInt8(ascii: "\""): return try entry(.string(try bytes("String length")))
        case UInt8(ascii: ";"): return try newNode(.symbol(try symbolLink(at: at)))
        case UInt8(ascii: "c"): return try entry(.classRef(try bytes("class name length")))
        case UInt8(ascii: "m"): return try entry(.moduleRef(try bytes("module name length"), old: false))
        case UInt8(ascii: "M"): return try entry(.moduleRef(try bytes("module name length"), old: true))
        case UInt8(ascii: "@"):
            let n = try long()
            guard n >= 0, n < Int64(table.count) else {
                throw MarshalError(.refError, "link to object \(n) with \(table.count) objects read", offset: at)
            }
            return try newNode(.link(table[Int(n)]))
        default:
            throw MarshalError(.badTag, "unknown type byte 0x\(hex(tag))", offset: at)
        }
    }

    /// `e`, `C` and `I` apply to a value read just now, never to a link or an immediate.
    func requireFresh(_ id: Int32, _ what: String, at: Int) throws(MarshalError) {
        switch graph.nodes[Int(id)] {
        case .link, .nilValue, .trueValue, .falseValue, .fixnum, .symbol:
            throw MarshalError(.badArgument, "\(what) applied to a link or an immediate value", offset: at)
        default: break
        }
    }

    /// Gives `id` the ivars `pairs`: the encoding of a String, Regexp or `u` dump goes to its
    /// encoding, the rest is kept (an `o` object's own ivars grow).
    mutating func attach(_ pairs: [Int32], to id: Int32, at: Int) throws(MarshalError) {
        if pairs.isEmpty { return }
        let node = graph.nodes[Int(id)]
        if case .symbol = node { return }  // `I:` consumed its own ivars; `I;` has none to give
        try requireFresh(id, "I (instance variables)", at: at)
        var extras = graph.extras[id] ?? NodeExtras()
        var rest: [Int32] = []
        var encodable = false
        switch node {
        case .string, .regexp, .userDump: encodable = true
        default: break
        }
        var i = 0
        while i + 1 < pairs.count {
            let name = graph.symbolBytes(pairs[i])
            let v = graph.resolved(pairs[i + 1])
            if encodable && name.count == 1 && name[0] == UInt8(ascii: "E") {
                switch graph.nodes[Int(v)] {
                case .trueValue: extras.encoding = .utf8; i += 2; continue
                case .falseValue: extras.encoding = .usASCII; i += 2; continue
                default: break
                }
            }
            if encodable && name.elementsEqual("encoding".utf8), case .string(let r) = graph.nodes[Int(v)] {
                extras.encoding = .named(r)
                i += 2
                continue
            }
            rest.append(pairs[i])
            rest.append(pairs[i + 1])
            i += 2
        }
        if case .object(let cls, let own) = node, !rest.isEmpty {
            graph.nodes[Int(id)] = .object(cls: cls, ivars: own + rest)
            rest = []
        }
        extras.ivars += rest
        graph.extras[id] = extras
    }

    /// marshal.c's Float text: `nan`, `inf`, `-inf`, or strtod text (up to a NUL: Ruby 1.8 put
    /// mantissa bytes after one).
    func floatValue(_ r: ByteRange, at: Int) throws(MarshalError) -> Double {
        var text = graph.bytes(r)
        if let nul = text.firstIndex(of: 0) { text = UnsafeRawBufferPointer(rebasing: text[0..<nul]) }
        if text.elementsEqual("nan".utf8) { return .nan }
        if text.elementsEqual("inf".utf8) { return .infinity }
        if text.elementsEqual("-inf".utf8) { return -.infinity }
        let allowed = text.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || b == UInt8(ascii: ".") || b == UInt8(ascii: "-") || b == UInt8(ascii: "+") || b == UInt8(ascii: "e")
                || b == UInt8(ascii: "E")
        }
        guard allowed, !text.isEmpty, text.count <= 64, let d = Double(String(decoding: text, as: UTF8.self)) else {
            throw MarshalError(.badArgument, "Float text is not a number", offset: at)
        }
        return d
    }
}

func hex(_ b: UInt8) -> String {
    let s = String(b, radix: 16)
    return s.count == 1 ? "0" + s : s
}
