// PHPValues/Render: the value graph as canonical JSON (docs/php-values.md), with an explicit work stack
// (no recursion): shared nodes expanded, a cycle written as `{"$ref": "<RFC 6901 pointer>"}` to the
// enclosing rendering of the same node, nesting capped at `maxNesting`, and an expansion budget.
import ByteText

/// One segment of the path to the value being written (for `$ref` pointers).
enum PathKey {
    case none
    case literal(StaticString)
    /// A key node (`.int` keys are written in decimal).
    case node(Int32)
}

struct Renderer {
    struct Container {
        var isObject: Bool
        var count: Int
        var key: PathKey
    }

    enum Task {
        case value(Int32)
        /// Members `pos…` of a pair container written as an object.
        case members(Int32, pos: Int)
        /// Items `pos…` of a `.list`, or values of a `.phpArray` that is a list.
        case items(Int32, pos: Int)
        /// Pairs `pos…` written as `[k, v]` arrays.
        case pairArrays(Int32, pos: Int)
        /// Ends one container level.
        case close
        /// Ends the container level of node `id` and marks it inactive.
        case end(Int32)
    }

    let graph: Graph
    let limits: PHPLimits
    var out: [UInt8] = []
    var containers: [Container] = []
    var tasks: [Task] = []
    /// Writer depth where each node's rendering started; -1 when not being rendered.
    var active: [Int32]
    var visited = 0

    init(graph: Graph, limits: PHPLimits) {
        self.graph = graph
        self.limits = limits
        active = [Int32](repeating: -1, count: graph.nodes.count)
    }

    static func render(_ graph: Graph, root: Int32, limits: PHPLimits) -> Result<[UInt8], PHPValueError> {
        var r = Renderer(graph: graph, limits: limits)
        do throws(PHPValueError) {
            try r.run(root)
        } catch {
            return .failure(error)
        }
        return .success(r.out)
    }

    func fail(_ message: String) -> PHPValueError { PHPValueError(.limit, message, offset: -1) }

    // MARK: writer

    mutating func beforeValue() {
        guard let last = containers.indices.last, !containers[last].isObject else { return }
        if containers[last].count > 0 { out.append(UInt8(ascii: ",")) }
        containers[last].count += 1
    }

    mutating func open(object: Bool) throws(PHPValueError) {
        if containers.count + 1 > limits.maxNesting { throw fail("JSON nesting deeper than \(limits.maxNesting)") }
        beforeValue()
        out.append(object ? UInt8(ascii: "{") : UInt8(ascii: "["))
        containers.append(Container(isObject: object, count: 0, key: .none))
    }

    mutating func closeLevel() {
        guard let c = containers.popLast() else { return }
        out.append(c.isObject ? UInt8(ascii: "}") : UInt8(ascii: "]"))
    }

    mutating func memberStart(_ key: PathKey) {
        guard let last = containers.indices.last else { return }
        if containers[last].count > 0 { out.append(UInt8(ascii: ",")) }
        containers[last].count += 1
        containers[last].key = key
    }

    mutating func literalKey(_ s: StaticString) {
        memberStart(.literal(s))
        out.append(UInt8(ascii: "\""))
        out.append(contentsOf: UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
        out.append(UInt8(ascii: "\""))
        out.append(UInt8(ascii: ":"))
    }

    /// `"key":` for a key node (a string known to be valid UTF-8, or an int written in decimal).
    mutating func nodeKey(_ k: Int32) {
        memberStart(.node(k))
        let n = graph.nodes[Int(k)]
        if n.kind == .int {
            out.append(UInt8(ascii: "\""))
            DecimalText.append(n.a, to: &out)
            out.append(UInt8(ascii: "\""))
        } else {
            quoted(k)
        }
        out.append(UInt8(ascii: ":"))
    }

    func withBytes<R>(_ id: Int32, _ body: (UnsafeRawBufferPointer) -> R) -> R { withNodeBytes(graph, id, body) }

    func isUTF8(_ id: Int32) -> Bool { withBytes(id) { JSONString.isValidUTF8($0) } }

    /// Appends the node's bytes as a quoted JSON string (they must be valid UTF-8).
    mutating func quoted(_ id: Int32) {
        let g = graph
        withNodeBytes(g, id) { JSONString.appendQuotedValid($0, to: &out) }
    }

    mutating func raw(_ s: StaticString) {
        out.append(contentsOf: UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    /// A string when valid UTF-8, else `{"$bytes": "<base64>"}`.
    mutating func bytesValue(_ id: Int32, forceBinary: Bool = false) throws(PHPValueError) {
        if !forceBinary && isUTF8(id) {
            beforeValue()
            quoted(id)
        } else {
            try open(object: true)
            literalKey("$bytes")
            base64(id)
            closeLevel()
        }
    }

    mutating func base64(_ id: Int32) {
        out.append(UInt8(ascii: "\""))
        let g = graph
        withNodeBytes(g, id) { Base64.append($0, to: &out) }
        out.append(UInt8(ascii: "\""))
    }

    mutating func intValue(_ v: Int64) throws(PHPValueError) {
        if v.magnitude <= (1 << 53) - 1 {
            beforeValue()
            DecimalText.append(v, to: &out)
        } else {
            try open(object: true)
            literalKey("$int")
            out.append(UInt8(ascii: "\""))
            DecimalText.append(v, to: &out)
            out.append(UInt8(ascii: "\""))
            closeLevel()
        }
    }

    mutating func doubleValue(_ d: Double) throws(PHPValueError) {
        if d.isFinite {
            beforeValue()
            JSONString.appendDouble(d, to: &out)
        } else {
            try open(object: true)
            literalKey("$float")
            if d.isNaN {
                raw("\"nan\"")
            } else if d < 0 {
                raw("\"-inf\"")
            } else {
                raw("\"inf\"")
            }
            closeLevel()
        }
    }

    /// The RFC 6901 pointer to the value that started at writer depth `depth`.
    func pointer(depth: Int) -> [UInt8] {
        var p: [UInt8] = []
        for level in 0..<min(depth, containers.count) {
            let c = containers[level]
            p.append(UInt8(ascii: "/"))
            var seg: [UInt8] = []
            if !c.isObject {
                DecimalText.append(UInt64(max(0, c.count - 1)), to: &seg)
            } else {
                switch c.key {
                case .none: break
                case .literal(let s): seg = Array(UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
                case .node(let k):
                    let kn = graph.nodes[Int(k)]
                    if kn.kind == .int { DecimalText.append(kn.a, to: &seg) } else { seg = Array(graph.bytesOf(k)) }
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
        return p
    }

    // MARK: the walk

    mutating func run(_ root: Int32) throws(PHPValueError) {
        tasks.append(.value(root))
        while let task = tasks.popLast() {
            switch task {
            case .value(let id):
                visited += 1
                if visited > limits.maxOutputValues { throw fail("output would exceed \(limits.maxOutputValues) values") }
                try value(id)
                if out.count > limits.maxOutputBytes { throw fail("output would exceed \(limits.maxOutputBytes) bytes") }
            case .members(let id, let pos):
                let n = graph.nodes[Int(id)]
                guard pos < n.b else { continue }
                tasks.append(.members(id, pos: pos + 1))
                let k = graph.entries[Int(n.a) + 2 * pos]
                tasks.append(.value(graph.entries[Int(n.a) + 2 * pos + 1]))
                nodeKey(k)
            case .items(let id, let pos):
                let n = graph.nodes[Int(id)]
                guard pos < n.b else { continue }
                tasks.append(.items(id, pos: pos + 1))
                let stride = n.kind == .list ? 1 : 2
                tasks.append(.value(graph.entries[Int(n.a) + stride * pos + stride - 1]))
            case .pairArrays(let id, let pos):
                let n = graph.nodes[Int(id)]
                guard pos < n.b else { continue }
                tasks.append(.pairArrays(id, pos: pos + 1))
                tasks.append(.close)
                tasks.append(.value(graph.entries[Int(n.a) + 2 * pos + 1]))
                tasks.append(.value(graph.entries[Int(n.a) + 2 * pos]))
                try open(object: false)
            case .close:
                closeLevel()
            case .end(let id):
                closeLevel()
                active[Int(id)] = -1
            }
        }
    }

    /// Starts container node `id`, or writes a `$ref` when it is already being rendered.
    mutating func enter(_ id: Int32, object: Bool) throws(PHPValueError) -> Bool {
        let d = active[Int(id)]
        if d >= 0 {
            try open(object: true)
            literalKey("$ref")
            let p = pointer(depth: Int(d))
            p.withUnsafeBytes { JSONString.appendQuotedValid($0, to: &out) }
            closeLevel()
            return false
        }
        active[Int(id)] = Int32(containers.count)
        try open(object: object)
        tasks.append(.end(id))
        return true
    }

    mutating func value(_ id: Int32) throws(PHPValueError) {
        let n = graph.nodes[Int(id)]
        switch n.kind {
        case .null:
            beforeValue()
            raw("null")
        case .bool:
            beforeValue()
            if n.a != 0 { raw("true") } else { raw("false") }
        case .int:
            try intValue(n.a)
        case .bigInt:
            try open(object: true)
            literalKey("$int")
            quoted(id)
            closeLevel()
        case .double:
            try doubleValue(Double(bitPattern: UInt64(bitPattern: n.a)))
        case .string:
            try bytesValue(id)
        case .binary:
            try bytesValue(id, forceBinary: true)
        case .enumCase:
            try open(object: true)
            literalKey("$enum")
            try bytesValue(id)
            closeLevel()
        case .ext:
            try open(object: true)
            literalKey("$ext")
            DecimalText.append(Int64(n.ext), to: &out)
            literalKey("$bytes")
            base64(id)
            closeLevel()
        case .serialized:
            try open(object: true)
            literalKey("$class")
            try bytesValue(n.c)
            literalKey("$serialized")
            try bytesValue(id)
            closeLevel()
        case .list:
            if try enter(id, object: false) { tasks.append(.items(id, pos: 0)) }
        case .phpArray:
            if isPHPList(n) {
                if try enter(id, object: false) { tasks.append(.items(id, pos: 0)) }
            } else if phpArrayIsObject(n) {
                if try enter(id, object: true) { tasks.append(.members(id, pos: 0)) }
            } else {
                try pairList(id, marker: "$array")
            }
        case .map, .jsonObject:
            if stringKeyedObject(n) {
                if try enter(id, object: true) { tasks.append(.members(id, pos: 0)) }
            } else {
                try pairList(id, marker: n.kind == .map ? "$map" : "$object")
            }
        case .object:
            guard try enter(id, object: true) else { return }
            literalKey("$class")
            try bytesValue(n.c)
            literalKey("$props")
            var utf8Names = true
            for i in 0..<n.b where !keyIsUTF8(graph.entries[Int(n.a) + 2 * i]) {
                utf8Names = false
                break
            }
            try open(object: utf8Names)
            tasks.append(.close)
            tasks.append(utf8Names ? .members(id, pos: 0) : .pairArrays(id, pos: 0))
        }
    }

    /// `{"<marker>": [[k, v], …]}`.
    mutating func pairList(_ id: Int32, marker: StaticString) throws(PHPValueError) {
        guard try enter(id, object: true) else { return }
        memberStart(.literal(marker))
        out.append(UInt8(ascii: "\""))
        out.append(contentsOf: UnsafeRawBufferPointer(start: marker.utf8Start, count: marker.utf8CodeUnitCount))
        out.append(contentsOf: Array("\":".utf8))
        try open(object: false)
        tasks.append(.close)
        tasks.append(.pairArrays(id, pos: 0))
    }

    func keyIsUTF8(_ k: Int32) -> Bool { graph.nodes[Int(k)].kind == .int || isUTF8(k) }

    /// Keys exactly 0…n−1 in order.
    func isPHPList(_ n: Node) -> Bool {
        for i in 0..<n.b {
            let k = graph.nodes[Int(graph.entries[Int(n.a) + 2 * i])]
            if k.kind != .int || k.a != Int64(i) { return false }
        }
        return true
    }

    /// Every key an int or a UTF-8 string not starting with `$`, and no string key equal to an int key's
    /// decimal text (only igbinary can produce both).
    func phpArrayIsObject(_ n: Node) -> Bool {
        var numericStrings: [Int64] = []
        var ints: Set<Int64> = []
        for i in 0..<n.b {
            let kid = graph.entries[Int(n.a) + 2 * i]
            let k = graph.nodes[Int(kid)]
            if k.kind == .int {
                ints.insert(k.a)
                continue
            }
            if k.b > 0 && graph.bytes[Int(k.a)] == UInt8(ascii: "$") { return false }
            if !isUTF8(kid) { return false }
            if let v = withBytes(kid, { s in decimalInt(s) }) { numericStrings.append(v) }
        }
        return !numericStrings.contains { ints.contains($0) }
    }

    /// Every key a UTF-8 `.string` not starting with `$`, no key twice.
    func stringKeyedObject(_ n: Node) -> Bool {
        var seen: Set<ArraySlice<UInt8>> = []
        for i in 0..<n.b {
            let kid = graph.entries[Int(n.a) + 2 * i]
            let k = graph.nodes[Int(kid)]
            guard k.kind == .string else { return false }
            let s = graph.bytesOf(kid)
            if s.first == UInt8(ascii: "$") || !isUTF8(kid) { return false }
            if !seen.insert(s).inserted { return false }
        }
        return true
    }
}

/// Calls `body` with the bytes of bytes node `id`.
func withNodeBytes<R>(_ g: Graph, _ id: Int32, _ body: (UnsafeRawBufferPointer) -> R) -> R {
    let n = g.nodes[Int(id)]
    return g.bytes.withUnsafeBytes { all in body(UnsafeRawBufferPointer(rebasing: all[Int(n.a)..<Int(n.a) + n.b])) }
}

/// The Int64 whose decimal text (as `DecimalText` writes it) is exactly `s`; nil otherwise.
func decimalInt(_ s: UnsafeRawBufferPointer) -> Int64? {
    guard let v = phpNumericKey(s) else { return nil }
    return v
}
