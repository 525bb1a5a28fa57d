// SafePickle/Run: the opcode dispatch loop of the VM — one exhaustive switch over `Opcode`.

extension Machine {
    /// Runs the pickle to STOP and returns the root node.
    mutating func run() throws(PickleError) -> Int32 {
        let input = arena.input
        if input.count > limits.maxInputBytes {
            throw PickleError(.limit, "input of \(input.count) bytes exceeds \(limits.maxInputBytes)", offset: 0)
        }
        return try loop(input)
    }

    private mutating func loop(_ input: UnsafeRawBufferPointer) throws(PickleError) -> Int32 {
        var executed = 0
        let opcodes = Opcode.byByte
        while true {
            opStart = pos
            guard pos < input.count else { throw fail(.truncated, "pickle ended before STOP") }
            executed += 1
            if executed > limits.maxOpcodes { throw fail(.limit, "more than \(limits.maxOpcodes) opcodes") }
            let byte = input[pos]
            pos += 1
            guard let op = opcodes[Int(byte)] else {
                throw fail(.badOpcode, "unknown opcode 0x\(String(byte, radix: 16))")
            }
            switch op {
            case .STOP:
                return try pop()
            case .MARK:
                if stack.count + marks.count >= limits.maxStackDepth {
                    throw fail(.limit, "stack deeper than \(limits.maxStackDepth)")
                }
                marks.append(stack.count)
            case .NONE: try push(arena.add(Node(kind: .none, flags: 0, a: 0)))
            case .NEWTRUE: try push(arena.add(Node(kind: .bool, flags: 0, a: 1)))
            case .NEWFALSE: try push(arena.add(Node(kind: .bool, flags: 0, a: 0)))
            case .INT: try push(try intOp(input))
            case .LONG:
                let l = try line(input)
                if l.count > limits.maxIntDigits + 2 { throw fail(.limit, "LONG text longer than \(limits.maxIntDigits) digits") }
                guard let v = TextCodecs.parseDecimal(l, allowL: true) else { throw fail(.badArgument, "bad LONG text") }
                try push(newInt(v))
            case .BININT:
                try push(arena.add(Node(kind: .int, flags: 0, a: Int(Int32(truncatingIfNeeded: try uint(4, input))))))
            case .BININT1: try push(arena.add(Node(kind: .int, flags: 0, a: Int(try uint(1, input)))))
            case .BININT2: try push(arena.add(Node(kind: .int, flags: 0, a: Int(try uint(2, input)))))
            case .LONG1, .LONG4:
                let n = try length(op == .LONG1 ? 1 : 4, signed: true, input)
                if n > limits.maxIntBytes { throw fail(.limit, "long of \(n) bytes exceeds \(limits.maxIntBytes)") }
                let v = TextCodecs.longFromBytes(UnsafeRawBufferPointer(rebasing: input[pos..<(pos + n)]))
                pos += n
                try push(newInt(v))
            case .FLOAT:
                let l = try line(input)
                guard let d = TextCodecs.parseFloat(l) else { throw fail(.badArgument, "bad FLOAT text") }
                try push(arena.add(Node(kind: .float, flags: 0, a: Int(Int64(bitPattern: d.bitPattern)))))
            case .BINFLOAT:
                try need(8, input)  // so the 8-byte load stays inside the input
                let bits = UInt64(bigEndian: input.loadUnaligned(fromByteOffset: pos, as: UInt64.self))
                pos += 8
                try push(arena.add(Node(kind: .float, flags: 0, a: Int(Int64(bitPattern: bits)))))
            case .STRING: try push(try stringOp(input))
            case .BINSTRING, .SHORT_BINSTRING: try push(try binStringOp(op, input))
            case .BINBYTES, .SHORT_BINBYTES, .BINBYTES8, .BYTEARRAY8: try push(try binBytesOp(op, input))
            case .BINUNICODE, .SHORT_BINUNICODE, .BINUNICODE8: try push(try binUnicodeOp(op, input))
            case .UNICODE: try push(try unicodeOp(input))
            case .EMPTY_LIST: try push(arena.addSeq(.list, []))
            case .EMPTY_TUPLE: try push(arena.addSeq(.tuple, []))
            case .EMPTY_DICT: try push(arena.addSeq(.dict, []))
            case .EMPTY_SET: try push(arena.addSeq(.set, []))
            case .LIST: try push(try popMarkIntoSeq(.list))
            case .TUPLE: try push(try popMarkIntoSeq(.tuple))
            case .TUPLE1, .TUPLE2, .TUPLE3:
                let n = Int(op.rawValue - Opcode.TUPLE1.rawValue) + 1
                guard stack.count - fence >= n else { throw fail(.stackError, "stack underflow") }
                let t = arena.addSeq(.tuple, stack.suffix(from: stack.count - n))
                stack.truncate(to: stack.count - n)
                try push(t)
            case .DICT:
                let items = try popMark()
                let d = arena.addSeq(.dict, [])
                guard items.count % 2 == 0 else { throw fail(.stackError, "odd number of items for DICT") }
                try items.withUnsafeBufferPointer { b throws(PickleError) in try setItems(target: d, b) }
                try push(d)
            case .FROZENSET:
                let items = try popMark()
                let f = arena.addSeq(.frozenset, [])
                let fs = arena.nodes[Int(f)].a
                try items.withUnsafeBufferPointer { b throws(PickleError) in try addMembers(seq: fs, b) }
                try push(f)
            case .APPEND:
                let v = try pop()
                try appendOne(target: try top(), v)
            case .APPENDS, .SETITEMS, .ADDITEMS:
                let m = try popMarkCount()
                guard m > fence, m <= stack.count else { throw fail(.stackError, "no target below MARK") }
                let items = stack.suffix(from: m)
                guard let target = stack.at(m - 1) else { throw fail(.stackError, "no target below MARK") }
                if op == .APPENDS {
                    try appendItems(target: target, items)
                } else if op == .SETITEMS {
                    try setItems(target: target, items)
                } else if !items.isEmpty {
                    let t = arena.nodes[Int(target)]
                    guard t.kind == .set else { throw fail(.typeError, "ADDITEMS target is not a set") }
                    try addMembers(seq: t.a, items)
                }
                stack.truncate(to: m)
            case .SETITEM:
                let v = try pop()
                let k = try pop()
                try setOne(target: try top(), k, v)
            case .POP:
                if stack.count > fence {
                    _ = stack.popLast()
                } else if marks.popLast() == nil {
                    throw fail(.stackError, "POP from an empty stack")
                }
            case .POP_MARK: _ = try popMark()
            case .DUP: try push(try top())
            case .GET: try push(try memoGet(try memoIdLine(input)))
            case .BINGET: try push(try memoGet(Int(try uint(1, input))))
            case .LONG_BINGET: try push(try memoGet(Int(try uint(4, input))))
            case .PUT:
                let id = try memoIdLine(input)
                try memoPut(id, try top())
            case .BINPUT: let id = Int(try uint(1, input)); try memoPut(id, try top())
            case .LONG_BINPUT: let id = Int(try uint(4, input)); try memoPut(id, try top())
            case .MEMOIZE: try memoize(try top())
            case .GLOBAL, .INST:
                let module = try line(input)
                let name = try line(input)
                guard TextCodecs.validateUTF8(module, surrogatePass: false) != nil,
                    TextCodecs.validateUTF8(name, surrogatePass: false) != nil
                else { throw fail(.badArgument, "GLOBAL name is not UTF-8") }
                let g = newGlobal(module: module, name: name)
                if op == .GLOBAL {
                    try push(g)
                } else {
                    let args = try popMarkIntoSeq(.tuple)
                    try push(arena.addRecord(Record(callable: g, args: args)))
                }
            case .STACK_GLOBAL:
                let name = try pop()
                let module = try pop()
                let v = arena.view
                guard v.isStr(module), v.isStr(name) else { throw fail(.typeError, "STACK_GLOBAL needs two str") }
                let m = v.bytes(of: v.nodes[Int(module)]), nm = v.bytes(of: v.nodes[Int(name)])
                let g = m.withUnsafeBytes { mb in nm.withUnsafeBytes { newGlobal(module: mb, name: $0) } }
                try push(g)
            case .OBJ:
                let items = try popMark()
                guard let cls = items.first else { throw fail(.stackError, "OBJ without a class") }
                // CPython calls it: a plain value (int, str, tuple, None, …) is "not callable".
                guard isCallableKind(cls) else { throw fail(.typeError, "OBJ class is not callable") }
                let args = arena.addSeq(.tuple, Array(items.dropFirst()))
                try push(arena.addRecord(Record(callable: cls, args: args)))
            case .REDUCE:
                let args = try pop()
                let callable = try pop()
                try push(try reduce(callable: callable, args: args))
            case .NEWOBJ:
                let args = try pop()
                let cls = try pop()
                guard arena.nodes[Int(args)].kind == .tuple else { throw fail(.typeError, "NEWOBJ args must be a tuple") }
                // Only a global or a constructed object can be a class; CPython refuses anything else.
                guard isCallableKind(cls) else { throw fail(.typeError, "NEWOBJ class argument isn't a type object") }
                try push(arena.addRecord(Record(callable: cls, args: args)))
            case .NEWOBJ_EX:
                let kwargs = try pop()
                let args = try pop()
                let cls = try pop()
                guard arena.nodes[Int(args)].kind == .tuple, arena.nodes[Int(kwargs)].kind == .dict else {
                    throw fail(.typeError, "NEWOBJ_EX needs a tuple and a dict")
                }
                guard isCallableKind(cls) else { throw fail(.typeError, "NEWOBJ_EX class argument must be a type") }
                try push(arena.addRecord(Record(callable: cls, args: args, kwargs: kwargs)))
            case .BUILD:
                let state = try pop()
                let t = arena.nodes[Int(try top())]
                guard t.kind == .record else { throw fail(.typeError, "BUILD target is not an object") }
                arena.records[t.a].state = state
            case .PROTO:
                let v = try uint(1, input)
                if v > 5 { throw fail(.badArgument, "unsupported pickle protocol \(v)") }
            case .FRAME:
                let n = try uint(8, input)
                if n > UInt64(input.count - pos) { throw fail(.truncated, "FRAME of \(n) bytes exceeds the input") }
            case .PERSID, .BINPERSID:
                throw fail(.unsupported, "persistent ids refer to objects outside the pickle")
            case .EXT1, .EXT2, .EXT4:
                throw fail(.unsupported, "extension codes need the copyreg extension registry")
            case .NEXT_BUFFER, .READONLY_BUFFER:
                throw fail(.unsupported, "out-of-band buffers are not part of the pickle")
            }
        }
    }

    // MARK: opcodes with an argument to scan
    //
    // Kept out of `loop`: in a function that large the optimizer stops inlining even the buffer
    // pointer's own `count` and subscript, and every use became a call. Here they inline.

    @inline(never)
    private mutating func intOp(_ input: UnsafeRawBufferPointer) throws(PickleError) -> Int32 {
        let l = try line(input)
        if l.count == 2 && l[0] == 0x30 && (l[1] == 0x30 || l[1] == 0x31) {
            return arena.add(Node(kind: .bool, flags: 0, a: Int(l[1] - 0x30)))
        }
        if l.count > limits.maxIntDigits + 1 { throw fail(.limit, "INT text longer than \(limits.maxIntDigits) digits") }
        guard let v = TextCodecs.parseDecimal(l, allowL: false) else { throw fail(.badArgument, "bad INT text") }
        return newInt(v)
    }

    @inline(never)
    private mutating func stringOp(_ input: UnsafeRawBufferPointer) throws(PickleError) -> Int32 {
        let l = try line(input)
        guard l.count >= 2, l[0] == l[l.count - 1], l[0] == 0x27 || l[0] == 0x22 else {
            throw fail(.badArgument, "the STRING opcode argument must be quoted")
        }
        let inner = UnsafeRawBufferPointer(rebasing: l[1..<(l.count - 1)])
        let innerOffset = pos - 1 - l.count + 1
        if !TextCodecs.contains(inner, 0x5C) {
            return newPy2Str(inner, offset: innerOffset, inAux: false)
        }
        // Decoded straight onto the end of aux (a failure throws, so a partial tail is never used).
        let off = arena.aux.count
        guard TextCodecs.escapeDecode(inner, into: &arena.aux) else { throw fail(.badArgument, "bad STRING escape") }
        return newPy2Str(auxAt: off)
    }

    /// A length field and the bytes it counts: their offset and length; moves past them.
    @inline(__always)
    private mutating func lengthPrefixed(_ width: Int, signed: Bool, _ input: UnsafeRawBufferPointer) throws(PickleError) -> (at: Int, count: Int) {
        let n = try length(width, signed: signed, input)
        defer { pos += n }
        return (pos, n)
    }

    @inline(never)
    private mutating func binStringOp(_ op: Opcode, _ input: UnsafeRawBufferPointer) throws(PickleError) -> Int32 {
        let (at, n) = try lengthPrefixed(op == .BINSTRING ? 4 : 1, signed: true, input)
        return newPy2Str(UnsafeRawBufferPointer(rebasing: input[at..<(at + n)]), offset: at, inAux: false)
    }

    @inline(never)
    private mutating func binBytesOp(_ op: Opcode, _ input: UnsafeRawBufferPointer) throws(PickleError) -> Int32 {
        let (at, n) = try lengthPrefixed(op == .SHORT_BINBYTES ? 1 : (op == .BINBYTES ? 4 : 8), signed: false, input)
        return arena.add(Node(kind: op == .BYTEARRAY8 ? .bytearray : .bytes, flags: 0, a: at, b: n))
    }

    @inline(never)
    private mutating func binUnicodeOp(_ op: Opcode, _ input: UnsafeRawBufferPointer) throws(PickleError) -> Int32 {
        let (at, n) = try lengthPrefixed(op == .SHORT_BINUNICODE ? 1 : (op == .BINUNICODE ? 4 : 8), signed: false, input)
        guard let scan = TextCodecs.scanUTF8(UnsafeRawBufferPointer(rebasing: input[at..<(at + n)]), surrogatePass: true, checkPlain: true)
        else { throw fail(.badArgument, "invalid UTF-8 in BINUNICODE") }
        let flags = (scan.surrogates ? Node.surrogates : 0) | (scan.plainJSON && !scan.surrogates ? Node.plainJSON : 0)
        return arena.add(Node(kind: .str, flags: flags, a: at, b: n))
    }

    @inline(never)
    private mutating func unicodeOp(_ input: UnsafeRawBufferPointer) throws(PickleError) -> Int32 {
        let l = try line(input)
        let start = pos - 1 - l.count
        if let plainJSON = TextCodecs.plainASCII(l) {
            return arena.add(Node(kind: .str, flags: plainJSON ? Node.plainJSON : 0, a: start, b: l.count))
        }
        let off = arena.aux.count
        guard let sur = TextCodecs.rawUnicodeEscape(l, into: &arena.aux) else {
            throw fail(.badArgument, "bad raw-unicode-escape in UNICODE")
        }
        return arena.add(Node(kind: .str, flags: Node.inAux | (sur ? Node.surrogates : 0), a: off, b: arena.aux.count - off))
    }
}
