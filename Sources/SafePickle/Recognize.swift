// SafePickle/Recognize: the allowlist of docs/canonical-json.md. A call record whose callable and
// argument shape match an entry renders as that marker (datetime, Decimal, set, CachedValue, …);
// anything else renders symbolically as `$class`. Recognisers never fail: a bad shape falls back.

extension Renderer {
    mutating func node(_ id: Int32) -> Node { arena.nodes[Int(id)] }
    mutating func kind(_ id: Int32) -> NodeKind { arena.nodes[Int(id)].kind }

    mutating func known(_ id: Int32) -> KnownName {
        let n = node(id)
        return n.kind == .global ? n.known : .unknown
    }

    mutating func isEmpty(_ i: Int) -> Bool { i < 0 || arena.seqs.count(of: i) == 0 }

    /// A record with no BUILD, APPEND or SETITEM annotations and no keyword arguments.
    mutating func isPlain(_ r: Record) -> Bool {
        r.state < 0 && isEmpty(r.items) && isEmpty(r.dictItems) && (r.kwargs < 0 || seq(node(r.kwargs).a).isEmpty)
    }

    /// State absent, None or an empty dict.
    mutating func stateIsTrivial(_ r: Record) -> Bool {
        if r.state < 0 { return true }
        let s = node(r.state)
        return s.kind == .none || (s.kind == .dict && seq(s.a).isEmpty)
    }

    mutating func args(_ r: Record) -> SeqItems { seq(node(r.args).a) }

    /// Decodes the code point at `i` and moves past it; nil (after skipping one byte) for a truncated tail.
    @inline(__always) static func codePoint(_ b: UnsafeRawBufferPointer, _ i: inout Int) -> UInt32? {
        let c = b[i]
        if c < 0x80 { i += 1; return UInt32(c) }
        if c < 0xE0, i + 1 < b.count {
            defer { i += 2 }
            return UInt32(c & 0x1F) << 6 | UInt32(b[i + 1] & 0x3F)
        }
        if c < 0xF0, i + 2 < b.count {
            defer { i += 3 }
            return UInt32(c & 0x0F) << 12 | UInt32(b[i + 1] & 0x3F) << 6 | UInt32(b[i + 2] & 0x3F)
        }
        if i + 3 < b.count {
            defer { i += 4 }
            return UInt32(c & 0x07) << 18 | UInt32(b[i + 1] & 0x3F) << 12 | UInt32(b[i + 2] & 0x3F) << 6
                | UInt32(b[i + 3] & 0x3F)
        }
        i += 1
        return nil
    }

    /// Code points of a str node (surrogates included as code points).
    mutating func codePoints(_ id: Int32) -> [UInt32] {
        let b = bytes(node(id))
        var cps: [UInt32] = []
        var i = 0
        while i < b.count {
            if let cp = Renderer.codePoint(b, &i) { cps.append(cp) }
        }
        return cps
    }

    /// A str whose characters are all below 256, as Latin-1 bytes.
    mutating func latin1(_ id: Int32) -> [UInt8]? {
        guard kind(id) == .str else { return nil }
        let b = bytes(node(id))
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var i = 0
        while i < b.count {
            guard let cp = Renderer.codePoint(b, &i) else { continue }
            guard cp < 256 else { return nil }
            out.append(UInt8(cp))
        }
        return out
    }

    /// `latin1(id)` when it has exactly `count` (≤ 16) bytes, without allocating.
    mutating func latin1Fixed(_ id: Int32, count: Int) -> StateBytes? {
        guard kind(id) == .str else { return nil }
        let b = bytes(node(id))
        // Characters below 256 are one UTF-8 byte (< 0x80) or two (C2/C3 and a continuation byte);
        // any other lead byte is a character of 256 or more, so the str is not Latin-1.
        var st = StateBytes()
        var n = 0
        var i = 0
        let end = b.count
        while i < end {
            guard n < count else { return nil }
            let c = b[i]
            if c < 0x80 {
                st.put(n, c)
                i &+= 1
            } else {
                guard c & 0xFE == 0xC2, i &+ 1 < end else { return nil }
                st.put(n, (c & 0x03) << 6 | (b[i &+ 1] & 0x3F))
                i &+= 2
            }
            n &+= 1
        }
        return n == count ? st : nil
    }

    mutating func isLatin1Name(_ id: Int32) -> Bool {
        // Pickles memoize the name, so one node usually serves every bytes value: remember it.
        if id == latin1Name { return true }
        guard kind(id) == .str && (strIs(id, "latin1") || strIs(id, "latin-1")) else { return false }
        latin1Name = id
        return true
    }

    /// Are the bytes of string-like node `id` exactly this ASCII text?
    mutating func strIs(_ id: Int32, _ text: StaticString) -> Bool {
        let b = bytes(arena.nodes[Int(id)])
        let count = text.utf8CodeUnitCount
        guard b.count == count else { return false }
        let t = text.utf8Start
        for i in 0..<count where b[i] != t[i] { return false }
        return true
    }

    /// `_codecs.encode(str, "latin1")` as bytes, when the record has exactly that shape.
    mutating func codecsBytes(_ r: Record) -> [UInt8]? {
        guard known(r.callable) == .codecsEncode, isPlain(r) else { return nil }
        let a = args(r)
        guard a.count == 2, isLatin1Name(a[1]) else { return nil }
        return latin1(a[0])
    }

    /// bytes, a Py2 str, a `_codecs.encode` record, or a str of characters below 256.
    mutating func bytesLike(_ id: Int32) -> [UInt8]? {
        let n = node(id)
        switch n.kind {
        case .bytes, .py2str: return Array(bytes(n))
        case .str: return latin1(id)
        case .record: return codecsBytes(arena.records[n.a])
        default: return nil
        }
    }

    mutating func smallInt(_ id: Int32) -> Int? {
        let n = node(id)
        return n.kind == .int ? n.a : nil
    }

    // MARK: the record dispatcher

    mutating func record(_ id: Int32, _ r: Record) throws(PickleError) {
        let a = args(r)
        let plain = isPlain(r)
        switch known(r.callable) {
        case .codecsEncode:
            if let b = codecsBytes(r) { return try bytesMarker(b) }
        case .bytes:
            if plain && a.isEmpty { return try bytesMarker([]) }
        case .bytearray:
            if plain {
                if a.isEmpty { return try bytesMarker([]) }
                if a.count == 1, let b = bytesLike(a[0]) { return try bytesMarker(b) }
                if a.count == 2, isLatin1Name(a[1]), let b = latin1(a[0]) { return try bytesMarker(b) }
            }
        case .set, .frozenset:
            if plain, let members = try setMembers(a) {
                let key: StaticString = known(r.callable) == .set ? "$set" : "$frozenset"
                return try markerArray(id, key, local(members))
            }
        case .complex:
            if plain, let c = complexParts(a) {
                try open(object: -1)
                w.key("$complex")
                try open(array: -1)
                try writeDouble(c.0)
                try writeDouble(c.1)
                w.end()
                w.end()
                return
            }
        case .datetime, .date, .time:
            if plain, try temporal(id, known(r.callable), a) { return }
        case .timedelta:
            if plain, let td = timedelta(a) {
                try open(object: -1)
                w.key("$timedelta")
                try open(array: -1)
                w.int(td.0)
                w.int(td.1)
                w.int(td.2)
                w.end()
                w.end()
                return
            }
        case .decimal:
            if plain, a.count == 1, let text = decimalText(a[0]) {
                try open(object: -1)
                w.key("$decimal")
                text.withUnsafeBytes { w.stringValue($0) }
                w.end()
                return
            }
        case .uuid:
            if let u = uuid(r) {
                try open(object: -1)
                w.key("$uuid")
                w.stringValue(u)
                w.end()
                return
            }
        case .orderedDict, .defaultDict:
            if let pairs = try mergedDictPairs(r) { return try dict(id, local(pairs)) }
        case .deque:
            if isEmpty(r.dictItems), r.state < 0 || kind(r.state) == .none, r.kwargs < 0 || seq(node(r.kwargs).a).isEmpty,
                a.count <= 2
            {
                var elems: [Int32] = []
                if let first = a.first {
                    guard kind(first) == .list || kind(first) == .tuple else { break }
                    elems = Array(seq(node(first).a))
                }
                if r.items >= 0 { elems += seq(r.items) }
                return try array(id, local(elems))
            }
        case .cachedValue:
            if plain
                || (isEmpty(r.items) && isEmpty(r.dictItems) && stateIsTrivial(r)
                    && (r.kwargs < 0 || seq(node(r.kwargs).a).isEmpty)),
                let pm = cachedParts(a)
            {
                try open(object: id)
                w.key("$cachedvalue")
                try open(object: -1)
                tasks.append(.end(id))
                tasks.append(.end(-1))
                tasks.append(.value(pm.1))
                tasks.append(.key("metadata"))
                tasks.append(.value(pm.0))
                tasks.append(.key("payload"))
                return
            }
        case .unknown, .timezone, .reconstructor, .newobj, .newobjEx:
            break
        }
        try generic(id, r)
    }

    /// Payload and metadata node of a `dogpile.cache.api.CachedValue` record with a plain shape (no
    /// state beyond None or `{}`, no items, no keyword arguments), or nil.
    mutating func cachedValueParts(_ id: Int32) -> (Int32, Int32)? {
        let n = node(id)
        guard n.kind == .record else { return nil }
        let rec = arena.records[n.a]
        guard known(rec.callable) == .cachedValue, stateIsTrivial(rec), isEmpty(rec.items), isEmpty(rec.dictItems),
            rec.kwargs < 0 || seq(node(rec.kwargs).a).isEmpty
        else { return nil }
        return cachedParts(args(rec))
    }

    /// `(P, M)` or `((P, M),)`.
    mutating func cachedParts(_ a: SeqItems) -> (Int32, Int32)? {
        if a.count == 2 { return (a[0], a[1]) }
        if a.count == 1, kind(a[0]) == .tuple {
            let inner = seq(node(a[0]).a)
            if inner.count == 2 { return (inner[0], inner[1]) }
        }
        return nil
    }

    /// `{"$class": …, "$args": […], "$kwargs"?, "$state"?, "$items"?, "$dictitems"?}`.
    mutating func generic(_ id: Int32, _ r: Record) throws(PickleError) {
        try open(object: id)
        tasks.append(.end(id))
        if r.dictItems >= 0 && !seq(r.dictItems).isEmpty {
            tasks.append(.seq(local(Array(seq(r.dictItems))), pos: 0, mode: .pairArrays))
            tasks.append(.key("$dictitems"))
            pushAnonymousArrayOpen()
        }
        if r.items >= 0 && !seq(r.items).isEmpty {
            tasks.append(.seq(.arena(r.items), pos: 0, mode: .items))
            tasks.append(.key("$items"))
            pushAnonymousArrayOpen()
        }
        if r.state >= 0 {
            tasks.append(.value(r.state))
            tasks.append(.key("$state"))
        }
        if r.kwargs >= 0 && !seq(node(r.kwargs).a).isEmpty {
            tasks.append(.value(r.kwargs))
            tasks.append(.key("$kwargs"))
        }
        tasks.append(.value(r.args))
        tasks.append(.key("$args"))
        if kind(r.callable) == .global {
            w.key("$class")
            w.stringValue(bytes(node(r.callable)))
        } else {
            tasks.append(.value(r.callable))
            tasks.append(.key("$class"))
        }
    }

    /// Rewrites the just-pushed `.seq` + `.key` pair so the sequence is wrapped in an anonymous array:
    /// the key is written, then `[`, the items, `]`.
    mutating func pushAnonymousArrayOpen() {
        guard let keyTask = tasks.popLast(), let seqTask = tasks.popLast() else { return }
        tasks.append(.end(-1))
        tasks.append(seqTask)
        tasks.append(.openArray)
        tasks.append(keyTask)
    }
}
