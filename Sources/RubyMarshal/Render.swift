// RubyMarshal/Render: a MarshalGraph → canonical JSON (docs/ruby-marshal.md): shared values written
// in full each time, cycles as `{"$ref": JSON pointer}`, class names collected, with the nesting,
// expansion and output limits.
import ByteText

/// One step of the JSON pointer to the value being written.
private enum PathToken {
    case index(Int)
    case key(StaticString)
    case bytes(ByteRange)
}

struct MarshalRenderer {
    let graph: MarshalGraph
    let limits: MarshalLimits
    var out: [UInt8] = []
    var classes: [String] = []
    private var classSeen: Set<[UInt8]> = []
    private var nesting = 0
    private var visited = 0
    private var path: [PathToken] = []
    /// Nodes being written now → the length of `path` where each started.
    private var active: [Int32: Int] = [:]
    private let stack = StackGuard()

    init(graph: MarshalGraph, limits: MarshalLimits) {
        self.graph = graph
        self.limits = limits
    }

    /// Renders `id` as a document of its own (a pointer `""` is `id`).
    static func render(_ graph: MarshalGraph, _ id: Int32, limits: MarshalLimits) -> Result<(json: [UInt8], classes: [String]), MarshalError> {
        var r = MarshalRenderer(graph: graph, limits: limits)
        do throws(MarshalError) {
            try r.value(id)
            return .success((r.out, r.classes))
        } catch {
            return .failure(error)
        }
    }

    // MARK: JSON pieces

    private mutating func raw(_ s: StaticString) {
        out.appendBytes(UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    private mutating func open(_ b: UInt8) throws(MarshalError) {
        nesting += 1
        guard nesting <= limits.maxNesting else { throw MarshalError(.limit, "JSON nesting deeper than \(limits.maxNesting)", offset: -1) }
        out.append(b)
    }

    private mutating func close(_ b: UInt8) {
        nesting -= 1
        out.append(b)
    }

    /// `"key":` (the first key of an object has no comma before it).
    private mutating func key(_ s: StaticString, first: Bool = false) {
        if !first { out.append(UInt8(ascii: ",")) }
        out.append(UInt8(ascii: "\""))
        raw(s)
        raw("\":")
    }

    private mutating func checkOutput() throws(MarshalError) {
        guard out.count <= limits.maxOutputBytes else { throw MarshalError(.limit, "output above \(limits.maxOutputBytes) bytes", offset: -1) }
    }

    /// A byte string: JSON string when valid UTF-8, else `{"$bytes": base64}`.
    private mutating func text(_ bytes: UnsafeRawBufferPointer) throws(MarshalError) {
        if !JSONString.appendQuoted(bytes, to: &out) { try base64Object(bytes) }
        try checkOutput()
    }

    private mutating func base64Object(_ bytes: UnsafeRawBufferPointer) throws(MarshalError) {
        try open(UInt8(ascii: "{"))
        key("$bytes", first: true)
        base64(bytes)
        close(UInt8(ascii: "}"))
        try checkOutput()
    }

    private mutating func base64(_ bytes: UnsafeRawBufferPointer) {
        out.append(UInt8(ascii: "\""))
        Base64.append(bytes, to: &out)
        out.append(UInt8(ascii: "\""))
    }

    private mutating func noteClass(_ symbol: Int32) { noteClass(graph.symbolBytes(symbol)) }

    private mutating func noteClass(_ name: UnsafeRawBufferPointer) {
        let bytes = [UInt8](name)
        if classSeen.insert(bytes).inserted { classes.append(String(decoding: bytes, as: UTF8.self)) }
    }

    private mutating func className(_ symbol: Int32) throws(MarshalError) {
        noteClass(symbol)
        try text(graph.symbolBytes(symbol))
    }

    // MARK: values

    mutating func value(_ id0: Int32) throws(MarshalError) {
        let id = graph.resolved(id0)
        guard stack.hasRoom() else { throw MarshalError(.limit, "nesting too deep for this thread's stack", offset: -1) }
        visited += 1
        guard visited <= limits.maxOutputValues else {
            throw MarshalError(.limit, "more than \(limits.maxOutputValues) values written (shared values are expanded)", offset: -1)
        }
        let node = graph.nodes[Int(id)]
        switch node {
        case .pending: throw MarshalError(.refError, "a value that was never completed", offset: -1)
        case .nilValue: raw("null")
        case .trueValue: raw("true")
        case .falseValue: raw("false")
        case .fixnum(let v): integer(v)
        case .float(let d) where graph.extras[id] == nil: try float(d)
        case .bignum(let negative, let r) where graph.extras[id] == nil: try bignum(negative: negative, graph.bytes(r))
        case .symbol(let s):
            try open(UInt8(ascii: "{"))
            key("$symbol", first: true)
            try text(graph.symbolBytes(s))
            close(UInt8(ascii: "}"))
        default:
            if let start = active[id] {
                try open(UInt8(ascii: "{"))
                key("$ref", first: true)
                pointer(upTo: start)
                close(UInt8(ascii: "}"))
                return
            }
            active[id] = path.count
            defer { active[id] = nil }
            if case .array(let items) = node, graph.extras[id] == nil {
                try array(items)  // the common deep case: two frames a level
            } else {
                try compound(id, node)
            }
        }
    }

    private mutating func integer(_ v: Int64) {
        if v.magnitude <= (1 << 53) - 1 {
            DecimalText.append(v, to: &out)
        } else {
            raw("{\"$int\":\"")
            DecimalText.append(v, to: &out)
            raw("\"}")
        }
    }

    private mutating func float(_ d: Double) throws(MarshalError) {
        if d.isFinite {
            JSONString.appendDouble(d, to: &out)
            return
        }
        raw("{\"$float\":\"")
        if d.isNaN { raw("nan") } else if d < 0 { raw("-inf") } else { raw("inf") }
        raw("\"}")
    }

    private mutating func bignum(negative: Bool, _ bytes: UnsafeRawBufferPointer) throws(MarshalError) {
        let digits = BigDecimalText.digits(littleEndian: bytes)
        let isZero = digits == [UInt8(ascii: "0")]
        let small = digits.count < 16 || (digits.count == 16 && digits.lexicographicallyPrecedes(Array("9007199254740992".utf8)))
        if small {
            if negative && !isZero { out.append(UInt8(ascii: "-")) }
            out += digits
        } else {
            raw("{\"$int\":\"")
            if negative { out.append(UInt8(ascii: "-")) }
            out += digits
            raw("\"}")
        }
        try checkOutput()
    }

    /// Everything that takes an object-table entry and may hold others (or carries extras).
    private mutating func compound(_ id: Int32, _ node: Node) throws(MarshalError) {
        let extras = graph.extras[id]
        if let extends = extras?.extends, !extends.isEmpty {
            try open(UInt8(ascii: "{"))
            key("$extend", first: true)
            try open(UInt8(ascii: "["))
            for (i, m) in extends.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                try className(m)
            }
            close(UInt8(ascii: "]"))
            key("$value")
            path.append(.key("$value"))
            try core(id, node, extras)
            path.removeLast()
            close(UInt8(ascii: "}"))
        } else {
            try core(id, node, extras)
        }
    }

    private mutating func core(_ id: Int32, _ node: Node, _ extras: NodeExtras?) throws(MarshalError) {
        let userClass = extras?.userClass ?? -1
        let ivars = extras?.ivars ?? []
        switch node {
        case .object(let cls, let own):
            try open(UInt8(ascii: "{"))
            key("$class", first: true)
            try className(cls)
            key("$ivars")
            try named(own)
            close(UInt8(ascii: "}"))
        case .structure(let cls, let members):
            try classForm(cls, "$struct", ivars) { (r: inout MarshalRenderer) throws(MarshalError) in try r.named(members) }
        case .userMarshal(let cls, let data), .data(let cls, let data):
            try classForm(cls, "$data", ivars) { (r: inout MarshalRenderer) throws(MarshalError) in try r.value(data) }
        case .userDump(let cls, let r):
            if graph.symbolBytes(cls).elementsEqual("Time".utf8), let time = RubyTime.text(graph.bytes(r), ivars: ivars, graph: graph) {
                noteClass(cls)
                try open(UInt8(ascii: "{"))
                key("$time", first: true)
                time.iso.withUnsafeBytes { JSONString.appendQuotedValid($0, to: &out) }
                if let zone = time.zone {
                    key("$zone")
                    try text(graph.bytes(zone))
                }
                close(UInt8(ascii: "}"))
                return
            }
            try classForm(cls, "$dump", ivars) { (rr: inout MarshalRenderer) throws(MarshalError) in try rr.base64Object(rr.graph.bytes(r)) }
        case .classRef(let r), .moduleRef(let r, _):
            var isClass = false
            if case .classRef = node { isClass = true }
            noteClass(graph.bytes(r))
            try wrapped(userClass, ivars) { (rr: inout MarshalRenderer) throws(MarshalError) in
                try rr.open(UInt8(ascii: "{"))
                if isClass { rr.key("$rubyclass", first: true) } else { rr.key("$module", first: true) }
                try rr.text(rr.graph.bytes(r))
                rr.close(UInt8(ascii: "}"))
            }
        default:
            try wrapped(userClass, ivars) { (r: inout MarshalRenderer) throws(MarshalError) in try r.plain(node, extras?.encoding ?? .binary) }
        }
    }

    /// `{"$class": C, "<field>": …, "$ivars": {…}}` for S, U, d and u.
    private mutating func classForm(
        _ cls: Int32, _ field: StaticString, _ ivars: [Int32], _ body: (inout MarshalRenderer) throws(MarshalError) -> Void
    ) throws(MarshalError) {
        try open(UInt8(ascii: "{"))
        key("$class", first: true)
        try className(cls)
        key(field)
        path.append(.key(field))
        try body(&self)
        path.removeLast()
        if !ivars.isEmpty {
            key("$ivars")
            try named(ivars)
        }
        close(UInt8(ascii: "}"))
    }

    /// A plain value, or `{"$class": C, "$value": …, "$ivars": {…}}` when `C` or extra ivars apply.
    private mutating func wrapped(_ userClass: Int32, _ ivars: [Int32], _ body: (inout MarshalRenderer) throws(MarshalError) -> Void) throws(MarshalError) {
        if userClass < 0 && ivars.isEmpty {
            try body(&self)
            return
        }
        try open(UInt8(ascii: "{"))
        if userClass >= 0 {
            key("$class", first: true)
            try className(userClass)
            key("$value")
        } else {
            key("$value", first: true)
        }
        path.append(.key("$value"))
        try body(&self)
        path.removeLast()
        if !ivars.isEmpty {
            key("$ivars")
            try named(ivars)
        }
        close(UInt8(ascii: "}"))
    }

    private mutating func plain(_ node: Node, _ encoding: StringEncoding) throws(MarshalError) {
        switch node {
        case .string(let r): try string(graph.bytes(r), encoding)
        case .regexp(let r, let options):
            try open(UInt8(ascii: "{"))
            key("$regexp", first: true)
            try text(graph.bytes(r))
            key("$options")
            DecimalText.append(UInt64(options), to: &out)
            close(UInt8(ascii: "}"))
        case .array(let items): try array(items)
        case .hash(let items, let defaultValue): try hash(items, defaultValue)
        case .float(let d): try float(d)
        case .bignum(let negative, let r): try bignum(negative: negative, graph.bytes(r))
        default: throw MarshalError(.badArgument, "unexpected value in a wrapper", offset: -1)
        }
    }

    @inline(never)
    private mutating func array(_ items: [Int32]) throws(MarshalError) {
        try open(UInt8(ascii: "["))
        for (i, item) in items.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            path.append(.index(i))
            try value(item)
            path.removeLast()
        }
        close(UInt8(ascii: "]"))
    }

    private mutating func string(_ bytes: UnsafeRawBufferPointer, _ encoding: StringEncoding) throws(MarshalError) {
        guard case .named(let name) = encoding else {
            try text(bytes)
            return
        }
        try open(UInt8(ascii: "{"))
        key("$bytes", first: true)
        base64(bytes)
        key("$encoding")
        try text(graph.bytes(name))
        close(UInt8(ascii: "}"))
        try checkOutput()
    }

    /// The name a hash key contributes to the object form: a Symbol's, or a plain String's (UTF-8,
    /// US-ASCII or BINARY, valid UTF-8, no class or ivars); nil for anything else.
    private func keyName(_ id0: Int32) -> ByteRange? {
        let id = graph.resolved(id0)
        let name: ByteRange
        switch graph.nodes[Int(id)] {
        case .symbol(let s): name = graph.symbols[Int(s)]
        case .string(let r):
            if let e = graph.extras[id] {
                guard e.extends.isEmpty, e.userClass < 0, e.ivars.isEmpty else { return nil }
                if case .named = e.encoding { return nil }
            }
            name = r
        default: return nil
        }
        let bytes = graph.bytes(name)
        guard JSONString.isValidUTF8(bytes), bytes.first != UInt8(ascii: "$") else { return nil }
        return name
    }

    private func namesAreUnique(_ names: [ByteRange]) -> Bool {
        if names.count < 2 { return true }
        if names.count <= 8 {
            for i in 1..<names.count where names[0..<i].contains(where: { graph.bytes($0).elementsEqual(graph.bytes(names[i])) }) { return false }
            return true
        }
        var seen = Set<[UInt8]>()
        for n in names where !seen.insert([UInt8](graph.bytes(n))).inserted { return false }
        return true
    }

    private mutating func hash(_ items: [Int32], _ defaultValue: Int32) throws(MarshalError) {
        var names: [ByteRange] = []
        var objectForm = defaultValue < 0
        if objectForm {
            names.reserveCapacity(items.count / 2)
            var i = 0
            while i < items.count {
                guard let n = keyName(items[i]) else {
                    objectForm = false
                    break
                }
                names.append(n)
                i += 2
            }
            objectForm = objectForm && namesAreUnique(names)
        }
        if objectForm {
            try open(UInt8(ascii: "{"))
            for (k, name) in names.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                JSONString.appendQuotedValid(graph.bytes(name), to: &out)
                out.append(UInt8(ascii: ":"))
                path.append(.bytes(name))
                try value(items[2 * k + 1])
                path.removeLast()
            }
            close(UInt8(ascii: "}"))
            return
        }
        try open(UInt8(ascii: "{"))
        key("$hash", first: true)
        path.append(.key("$hash"))
        try pairs(items, keysAreSymbols: false)
        path.removeLast()
        if defaultValue >= 0 {
            key("$default")
            path.append(.key("$default"))
            try value(defaultValue)
            path.removeLast()
        }
        close(UInt8(ascii: "}"))
    }

    /// `[[k, v], …]`; with `keysAreSymbols` (ivar or member names), the keys are written as strings.
    private mutating func pairs(_ items: [Int32], keysAreSymbols: Bool) throws(MarshalError) {
        try open(UInt8(ascii: "["))
        var i = 0
        while i + 1 < items.count {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            path.append(.index(i / 2))
            try open(UInt8(ascii: "["))
            path.append(.index(0))
            if keysAreSymbols { try text(graph.symbolBytes(items[i])) } else { try value(items[i]) }
            path.removeLast()
            out.append(UInt8(ascii: ","))
            path.append(.index(1))
            try value(items[i + 1])
            path.removeLast()
            close(UInt8(ascii: "]"))
            path.removeLast()
            i += 2
        }
        close(UInt8(ascii: "]"))
    }

    /// Ivars or Struct members (symbol, value pairs): an object keyed by the names when they are
    /// valid UTF-8 and unique, else `[[name, value], …]`.
    private mutating func named(_ items: [Int32]) throws(MarshalError) {
        var names: [ByteRange] = []
        var i = 0
        var ok = true
        while i + 1 < items.count {
            let n = graph.symbols[Int(items[i])]
            if !JSONString.isValidUTF8(graph.bytes(n)) { ok = false }
            names.append(n)
            i += 2
        }
        guard ok && namesAreUnique(names) else {
            try pairs(items, keysAreSymbols: true)
            return
        }
        try open(UInt8(ascii: "{"))
        for (k, name) in names.enumerated() {
            if k > 0 { out.append(UInt8(ascii: ",")) }
            JSONString.appendQuotedValid(graph.bytes(name), to: &out)
            out.append(UInt8(ascii: ":"))
            path.append(.bytes(name))
            try value(items[2 * k + 1])
            path.removeLast()
        }
        close(UInt8(ascii: "}"))
    }

    /// `"…"`: the RFC 6901 pointer made of the first `count` path tokens.
    private mutating func pointer(upTo count: Int) {
        var p: [UInt8] = []
        for token in path[0..<count] {
            p.append(UInt8(ascii: "/"))
            switch token {
            case .index(let i): DecimalText.append(Int64(i), to: &p)
            case .key(let s): escapePointer(UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount), into: &p)
            case .bytes(let r): escapePointer(graph.bytes(r), into: &p)
            }
        }
        p.withUnsafeBytes { JSONString.appendQuotedValid($0, to: &out) }
    }

    private func escapePointer(_ bytes: UnsafeRawBufferPointer, into p: inout [UInt8]) {
        for b in bytes {
            if b == UInt8(ascii: "~") {
                p += [UInt8(ascii: "~"), UInt8(ascii: "0")]
            } else if b == UInt8(ascii: "/") {
                p += [UInt8(ascii: "~"), UInt8(ascii: "1")]
            } else {
                p.append(b)
            }
        }
    }
}
