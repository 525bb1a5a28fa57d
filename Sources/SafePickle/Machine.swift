// SafePickle/Machine: the iterative pickle virtual machine. It runs every opcode of protocols 0–5
// over an explicit stack and a memo dictionary, building call *records* instead of calling anything,
// and stops at the first error with its kind and byte offset. docs/canonical-json.md is its spec.

struct Machine: ~Copyable {
    var arena: Arena
    let limits: PickleLimits
    var stack = RawArray<Int32>(capacity: 64)
    /// Stack heights at each open MARK.
    var marks = RawArray<Int>()
    /// Memo: ids below `memoDenseLimit` (bounded by the input length, never by an id) in an array
    /// (-1: never PUT), any other id in a dictionary. `memoCount` is the number of distinct ids
    /// (MEMOIZE uses it).
    var memoDense: RawArray<Int32>
    var memoSparse: [Int: Int32] = [:]
    var memoCount = 0
    let memoDenseLimit: Int
    /// Offset of the opcode being executed (for errors).
    var opStart = 0
    var pos = 0

    /// A machine over `arena` (emptied, with its input set) and `memo` (emptied here); both are
    /// handed back by `finish` so that their allocations can serve the next pickle.
    init(arena: consuming Arena, memo: consuming RawArray<Int32>, limits: PickleLimits) {
        memoDenseLimit = arena.input.count + 16
        self.arena = arena
        memo.removeAll()
        memoDense = memo
        self.limits = limits
    }

    /// Ends the machine: its memo goes to `memo`, its arena to the caller.
    consuming func finish(memoInto memo: inout RawArray<Int32>?) -> Arena {
        memo = consume memoDense
        return arena
    }

    // MARK: errors and stack helpers

    mutating func fail(_ kind: PickleError.Kind, _ message: String) -> PickleError {
        PickleError(kind, message, offset: opStart)
    }

    /// Height below which the current frame may not pop (the last MARK).
    @inline(__always) var fence: Int { marks.last ?? 0 }

    @inline(__always) mutating func push(_ id: Int32) throws(PickleError) {
        if stack.count + marks.count >= limits.maxStackDepth {
            throw fail(.limit, "stack deeper than \(limits.maxStackDepth)")
        }
        stack.append(id)
    }

    @inline(__always) mutating func pop() throws(PickleError) -> Int32 {
        guard stack.count > fence, let v = stack.popLast() else { throw fail(.stackError, "stack underflow") }
        return v
    }

    @inline(__always) mutating func top() throws(PickleError) -> Int32 {
        guard stack.count > fence, let t = stack.last else { throw fail(.stackError, "stack underflow") }
        return t
    }

    /// Pops the last MARK and the items above it.
    mutating func popMark() throws(PickleError) -> [Int32] {
        guard let m = marks.popLast() else { throw fail(.stackError, "could not find MARK") }
        let items = Array(stack.suffix(from: m))
        stack.truncate(to: m)
        return items
    }

    /// Pops the last MARK and makes the items above it a new sequence node of `kind`.
    mutating func popMarkIntoSeq(_ kind: NodeKind) throws(PickleError) -> Int32 {
        guard let m = marks.popLast() else { throw fail(.stackError, "could not find MARK") }
        let id = arena.addSeq(kind, stack.suffix(from: m))
        stack.truncate(to: m)
        return id
    }

    mutating func popMarkCount() throws(PickleError) -> Int {
        guard let m = marks.popLast() else { throw fail(.stackError, "could not find MARK") }
        return m
    }

    // MARK: reading the stream

    @inline(__always) mutating func need(_ n: Int, _ input: UnsafeRawBufferPointer) throws(PickleError) {
        if n > input.count - pos { throw fail(.truncated, "needs \(n) more bytes, \(input.count - pos) left") }
    }

    /// The bytes up to the next newline (exclusive); moves past the newline.
    mutating func line(_ input: UnsafeRawBufferPointer) throws(PickleError) -> UnsafeRawBufferPointer {
        var i = pos
        let n = input.count
        // 8 bytes at a time while none is a newline.
        while i + 8 <= n {
            if TextCodecs.hasZeroByte(input.loadUnaligned(fromByteOffset: i, as: UInt64.self) ^ 0x0A0A_0A0A_0A0A_0A0A) { break }
            i += 8
        }
        while i < n && input[i] != 0x0A { i += 1 }
        guard i < n else { throw fail(.truncated, "line without newline") }
        let r = UnsafeRawBufferPointer(rebasing: input[pos..<i])
        pos = i + 1
        return r
    }

    @inline(__always) mutating func uint(_ width: Int, _ input: UnsafeRawBufferPointer) throws(PickleError) -> UInt64 {
        try need(width, input)
        // `need` guarantees pos + width <= input.count, so each load below stays inside the input.
        let v: UInt64
        switch width {
        case 1: v = UInt64(input[pos])
        case 2: v = UInt64(UInt16(littleEndian: input.loadUnaligned(fromByteOffset: pos, as: UInt16.self)))
        case 4: v = UInt64(UInt32(littleEndian: input.loadUnaligned(fromByteOffset: pos, as: UInt32.self)))
        case 8: v = UInt64(littleEndian: input.loadUnaligned(fromByteOffset: pos, as: UInt64.self))
        default:
            var x: UInt64 = 0
            for k in stride(from: width - 1, through: 0, by: -1) { x = x << 8 | UInt64(input[pos + k]) }
            v = x
        }
        pos += width
        return v
    }

    /// Reads a length field and checks it against the remaining input.
    @inline(__always) mutating func length(_ width: Int, signed: Bool, _ input: UnsafeRawBufferPointer) throws(PickleError) -> Int {
        let raw = try uint(width, input)
        if signed && width == 4 && raw & 0x8000_0000 != 0 { throw fail(.badArgument, "negative byte count") }
        if raw > UInt64(input.count - pos) {
            throw fail(.truncated, "length \(raw) exceeds the \(input.count - pos) bytes left")
        }
        return Int(raw)
    }

    // MARK: building values

    mutating func newInt(_ t: TextCodecs.IntText) -> Int32 {
        switch t {
        case .small(let v): return arena.add(Node(kind: .int, flags: 0, a: v))
        case .big(let digits):
            let off = arena.addAux(digits)
            return arena.add(Node(kind: .bigint, flags: Node.inAux, a: off, b: digits.count))
        }
    }

    /// A Py2 str node over `buf`, which sits at `offset` in the input (or in aux when `inAux`).
    mutating func newPy2Str(_ buf: UnsafeRawBufferPointer, offset: Int, inAux: Bool) -> Int32 {
        var flags: UInt8 = inAux ? Node.inAux : 0
        if let scan = TextCodecs.scanUTF8(buf, surrogatePass: false, checkPlain: true) {
            flags |= Node.validUTF8 | (scan.plainJSON ? Node.plainJSON : 0)
        }
        return arena.add(Node(kind: .py2str, flags: flags, a: offset, b: buf.count))
    }

    /// A Py2 str node over the bytes of `aux` from `offset` to its end.
    mutating func newPy2Str(auxAt offset: Int) -> Int32 {
        let count = arena.aux.count - offset
        let scan = TextCodecs.scanUTF8(
            UnsafeRawBufferPointer(rebasing: arena.aux.bytes[offset...]), surrogatePass: false,
            checkPlain: true)
        let flags = Node.inAux | (scan.map { Node.validUTF8 | ($0.plainJSON ? Node.plainJSON : 0) } ?? 0)
        return arena.add(Node(kind: .py2str, flags: flags, a: offset, b: count))
    }

    mutating func newGlobal(module: UnsafeRawBufferPointer, name: UnsafeRawBufferPointer) -> Int32 {
        let off = arena.addAux(module)
        arena.aux.append(UInt8(ascii: "."))
        arena.aux.append(name)
        let len = module.count + 1 + name.count
        let known = KnownName.match(UnsafeRawBufferPointer(rebasing: arena.aux.bytes[off..<(off + len)]))
        return arena.add(Node(kind: .global, flags: Node.inAux, known: known, a: off, b: len))
    }

    mutating func knownName(_ id: Int32) -> KnownName {
        let n = arena.nodes[Int(id)]
        return n.kind == .global ? n.known : .unknown
    }

    /// REDUCE: a record, unwrapping the copyreg helpers that only wrap a class.
    mutating func reduce(callable: Int32, args: Int32) throws(PickleError) -> Int32 {
        let kind = arena.nodes[Int(callable)].kind
        guard kind == .global || kind == .record else {
            throw fail(.typeError, "REDUCE callable must be a global or a constructed object")
        }
        guard arena.nodes[Int(args)].kind == .tuple else { throw fail(.typeError, "REDUCE args must be a tuple") }
        let known = knownName(callable)
        guard known == .reconstructor || known == .newobj || known == .newobjEx else {
            return arena.addRecord(Record(callable: callable, args: args))
        }
        // A copy: the cases below add to the pool this would be a view of.
        let a = Array(arena.seqs.view.items(of: arena.nodes[Int(args)].a))
        switch known {
        case .reconstructor where a.count == 3 && isCallableKind(a[0]):
            let newArgs = arena.addSeq(.tuple, arena.nodes[Int(a[2])].kind == .none ? [] : [a[2]])
            return arena.addRecord(Record(callable: a[0], args: newArgs))
        case .newobj where a.count >= 1 && isCallableKind(a[0]):
            let newArgs = arena.addSeq(.tuple, a[1...])
            return arena.addRecord(Record(callable: a[0], args: newArgs))
        case .newobjEx
        where a.count == 3 && isCallableKind(a[0]) && arena.nodes[Int(a[1])].kind == .tuple
            && arena.nodes[Int(a[2])].kind == .dict:
            return arena.addRecord(Record(callable: a[0], args: a[1], kwargs: a[2]))
        default:
            return arena.addRecord(Record(callable: callable, args: args))
        }
    }

    mutating func isCallableKind(_ id: Int32) -> Bool {
        let k = arena.nodes[Int(id)].kind
        return k == .global || k == .record
    }

    /// APPEND of one value.
    mutating func appendOne(target: Int32, _ v: Int32) throws(PickleError) {
        let t = arena.nodes[Int(target)]
        if t.kind == .list {
            arena.seqs.append(t.a, v)
        } else {
            try withUnsafeTemporaryAllocation(of: Int32.self, capacity: 1) { b throws(PickleError) in
                b[0] = v
                try appendItems(target: target, UnsafeBufferPointer(b))
            }
        }
    }

    /// SETITEM of one pair.
    mutating func setOne(target: Int32, _ k: Int32, _ v: Int32) throws(PickleError) {
        let t = arena.nodes[Int(target)]
        if t.kind == .dict {
            guard try arena.dictSet(seq: t.a, key: k, value: v) else { throw fail(.typeError, "unhashable dict key") }
        } else {
            try withUnsafeTemporaryAllocation(of: Int32.self, capacity: 2) { b throws(PickleError) in
                b[0] = k
                b[1] = v
                try setItems(target: target, UnsafeBufferPointer(b))
            }
        }
    }

    mutating func appendItems(target: Int32, _ items: UnsafeBufferPointer<Int32>) throws(PickleError) {
        if items.isEmpty { return }
        let t = arena.nodes[Int(target)]
        switch t.kind {
        case .list: arena.seqs.append(t.a, contentsOf: items)
        case .record:
            if arena.records[t.a].items < 0 { arena.records[t.a].items = arena.seqs.addEmpty() }
            arena.seqs.append(arena.records[t.a].items, contentsOf: items)
        default: throw fail(.typeError, "APPEND target is not a list")
        }
    }

    mutating func setItems(target: Int32, _ items: UnsafeBufferPointer<Int32>) throws(PickleError) {
        if items.isEmpty { return }
        guard items.count % 2 == 0 else { throw fail(.stackError, "odd number of items for SETITEMS") }
        let t = arena.nodes[Int(target)]
        switch t.kind {
        case .dict:
            var i = items.startIndex
            while i < items.endIndex {
                guard try arena.dictSet(seq: t.a, key: items[i], value: items[i + 1]) else {
                    throw fail(.typeError, "unhashable dict key")
                }
                i += 2
            }
        case .record:
            if arena.records[t.a].dictItems < 0 { arena.records[t.a].dictItems = arena.seqs.addEmpty() }
            arena.seqs.append(arena.records[t.a].dictItems, contentsOf: items)
        default: throw fail(.typeError, "SETITEM target is not a dict")
        }
    }

    mutating func addMembers(seq s: Int, _ items: UnsafeBufferPointer<Int32>) throws(PickleError) {
        for m in items {
            guard try arena.setAdd(seq: s, member: m) else { throw fail(.typeError, "unhashable set member") }
        }
    }

    /// PUT/BINPUT: `memoPutSlow` with the common case (a dense slot already allocated) done in place.
    @inline(__always) mutating func memoPut(_ id: Int, _ value: Int32) throws(PickleError) {
        if id < memoDense.count {
            if memoDense[id] < 0 {
                if memoCount >= limits.maxMemoEntries { throw memoFull() }
                memoCount += 1
            }
            memoDense[id] = value
            return
        }
        try memoPutSlow(id, value)
    }

    mutating func memoPutSlow(_ id: Int, _ value: Int32) throws(PickleError) {
        let isNew: Bool
        if id < memoDenseLimit {
            if id >= memoDense.count {
                memoDense.append(repeating: -1, count: max(id + 1, min(memoDenseLimit, memoDense.count * 2 + 64)) - memoDense.count)
            }
            isNew = memoDense[id] < 0
            if isNew && memoCount >= limits.maxMemoEntries { throw memoFull() }
            memoDense[id] = value
        } else {
            isNew = memoSparse[id] == nil
            if isNew && memoCount >= limits.maxMemoEntries { throw memoFull() }
            memoSparse[id] = value
        }
        if isNew { memoCount += 1 }
    }

    /// MEMOIZE: `memoPut(memoCount, value)`, with the common case (the next dense slot is free and
    /// already allocated) done in place.
    @inline(__always) mutating func memoize(_ value: Int32) throws(PickleError) {
        let id = memoCount
        if id < memoDense.count && memoDense[id] < 0 && id < limits.maxMemoEntries {
            memoDense[id] = value
            memoCount = id + 1
            return
        }
        try memoPutSlow(id, value)
    }

    mutating func memoFull() -> PickleError { fail(.limit, "memo larger than \(limits.maxMemoEntries) entries") }

    mutating func memoGet(_ id: Int) throws(PickleError) -> Int32 {
        if id < memoDense.count {
            let v = memoDense[id]
            if v >= 0 { return v }
        } else if id >= memoDenseLimit, let v = memoSparse[id] {
            return v
        }
        throw fail(.memoError, "memo id \(id) was never PUT")
    }

    /// The PUT/GET argument line: 1–18 plain digits and a newline are read in one pass; anything else
    /// goes through `line` and `memoIdText`.
    @inline(__always) mutating func memoIdLine(_ input: UnsafeRawBufferPointer) throws(PickleError) -> Int {
        var i = pos
        var v = 0
        let end = min(input.count, pos + 18)
        while i < end {
            let d = input[i] &- 0x30
            if d > 9 { break }
            v = v &* 10 &+ Int(d)
            i += 1
        }
        if i > pos && i < input.count && input[i] == 0x0A {
            pos = i + 1
            return v
        }
        return try memoIdText(try line(input))
    }

    /// PUT/GET decimal text argument.
    mutating func memoIdText(_ s: UnsafeRawBufferPointer) throws(PickleError) -> Int {
        // Fast path: 1–18 plain digits (cannot overflow); anything else takes the general parser.
        if s.count >= 1 && s.count <= 18 {
            var v = 0
            var ok = true
            for c in s {
                let d = c &- 0x30
                if d > 9 { ok = false; break }
                v = v &* 10 &+ Int(d)
            }
            if ok { return v }
        }
        guard case .small(let v)? = TextCodecs.parseDecimal(s, allowL: false) else {
            throw fail(.badArgument, "bad memo id text")
        }
        if v < 0 { throw fail(.badArgument, "negative memo id") }
        return v
    }
}
