// SafePickle/PyEquality: Python's hashability, hash and equality for dict keys and set members
// (1 == True == 1.0; a Py2 str equals bytes but not text; records by identity), with bounded depth,
// and the dict/set insertion that merges keys by that equality.

extension ArenaView {
    /// Nesting bound for hashing/comparing nested tuples and frozensets (deeper keys could never be rendered).
    static let maxKeyDepth = 1000

    private static func mix(_ h: Int, _ v: Int) -> Int {
        var x = UInt64(bitPattern: Int64(h)) ^ UInt64(bitPattern: Int64(v))
        x = (x ^ (x >> 33)) &* 0xff51afd7ed558ccd
        x = (x ^ (x >> 33)) &* 0xc4ceb9fe1a85ec53
        return Int(Int64(bitPattern: x ^ (x >> 33)))
    }

    private static func hashBytes(_ buf: UnsafeRawBufferPointer, seed: Int) -> Int {
        var h: UInt64 = 0xcbf29ce484222325 ^ UInt64(bitPattern: Int64(seed))
        for byte in buf { h = (h ^ UInt64(byte)) &* 0x100000001b3 }
        return Int(Int64(bitPattern: h))
    }

    /// A float that equals an integer, as that integer.
    @inline(__always) static func integral(_ d: Double) -> Int? {
        guard d == d.rounded(), d >= -9.2e18, d <= 9.2e18 else { return nil }
        return Int(d)
    }

    /// Python hash of a node; nil when the value is unhashable (list, dict, set, bytearray, or a tuple holding one).
    func pyHash(_ id: Int32, depth: Int = 0) throws(PickleError) -> Int? {
        guard depth < ArenaView.maxKeyDepth else {
            throw PickleError(.limit, "dict key or set member nested deeper than \(ArenaView.maxKeyDepth)", offset: -1)
        }
        let n = nodes[Int(id)]
        switch n.kind {
        case .none: return 0x6e6f6e65
        case .bool: return ArenaView.mix(1, n.a)
        case .int: return ArenaView.mix(1, n.a)
        case .float:
            let d = Double(bitPattern: UInt64(bitPattern: Int64(n.a)))
            if let i = ArenaView.integral(d) { return ArenaView.mix(1, i) }
            return ArenaView.mix(2, n.a)
        case .bigint: return ArenaView.hashBytes(bytes(n), seed: 3)
        case .str: return ArenaView.hashBytes(bytes(n), seed: 4)
        case .py2str, .bytes: return ArenaView.hashBytes(bytes(n), seed: 5)
        case .global: return ArenaView.hashBytes(bytes(n), seed: 6)
        case .record: return ArenaView.mix(7, Int(id))
        case .tuple:
            var h = 0x7475706c
            for k in 0..<seqs.count(of: n.a) {
                let c = seqs.element(n.a, k)
                guard let ch = try pyHash(c, depth: depth + 1) else { return nil }
                h = ArenaView.mix(h, ch)
            }
            return h
        case .frozenset:
            var h = 0x66726f7a
            for k in 0..<seqs.count(of: n.a) {
                let c = seqs.element(n.a, k)
                guard let ch = try pyHash(c, depth: depth + 1) else { return nil }
                h = h &+ ArenaView.mix(8, ch)
            }
            return h
        case .list, .dict, .set, .bytearray: return nil
        }
    }

    private func numeric(_ n: Node) -> (isInt: Bool, int: Int, dbl: Double)? {
        switch n.kind {
        case .bool, .int: return (true, n.a, 0)
        case .float:
            let d = Double(bitPattern: UInt64(bitPattern: Int64(n.a)))
            if let i = ArenaView.integral(d) { return (true, i, 0) }
            return (false, 0, d)
        default: return nil
        }
    }

    /// Python `==` between two hashable values.
    func pyEqual(_ x: Int32, _ y: Int32, depth: Int = 0) throws(PickleError) -> Bool {
        if x == y { return true }
        guard depth < ArenaView.maxKeyDepth else {
            throw PickleError(.limit, "dict key or set member nested deeper than \(ArenaView.maxKeyDepth)", offset: -1)
        }
        let a = nodes[Int(x)], b = nodes[Int(y)]
        if let na = numeric(a), let nb = numeric(b) {
            if na.isInt != nb.isInt { return false }
            return na.isInt ? na.int == nb.int : na.dbl == nb.dbl
        }
        switch (a.kind, b.kind) {
        case (.none, .none): return true
        case (.str, .str), (.bigint, .bigint), (.global, .global),
            (.py2str, .py2str), (.py2str, .bytes), (.bytes, .py2str), (.bytes, .bytes):
            guard a.b == b.b else { return false }
            return TextCodecs.bytesEqual(bytes(a), bytes(b))
        case (.tuple, .tuple):
            let count = seqs.count(of: a.a)
            guard count == seqs.count(of: b.a) else { return false }
            for i in 0..<count where try !pyEqual(seqs.element(a.a, i), seqs.element(b.a, i), depth: depth + 1) {
                return false
            }
            return true
        case (.frozenset, .frozenset):
            let count = seqs.count(of: a.a)
            guard count == seqs.count(of: b.a) else { return false }
            for i in 0..<count {
                let m = seqs.element(a.a, i)
                var found = false
                for k in 0..<count where try pyEqual(m, seqs.element(b.a, k), depth: depth + 1) {
                    found = true
                    break
                }
                if !found { return false }
            }
            return true
        default: return false
        }
    }
}

extension Arena {
    /// Finds `key` among the keys of sequence `s` (stride 2 for dicts, 1 for sets); returns its position.
    mutating func findKey(seq s: Int, key: Int32, hash: inout Int?, stride: Int) throws(PickleError) -> Int? {
        let count = seqs.count(of: s) / stride
        if count < 16 {
            let k = nodes[Int(key)]
            var i = 0
            while i < count {
                let other = seqs.element(s, i * stride)
                if other == key { return i }
                let o = nodes[Int(other)]
                if k.kind == .str && o.kind == .str {
                    if k.b == o.b, TextCodecs.bytesEqual(view.bytes(k), view.bytes(o)) { return i }
                } else if try view.pyEqual(key, other) {
                    return i
                }
                i += 1
            }
            return nil
        }
        if index[s] == nil {
            var table: [Int: [Int32]] = [:]
            for i in 0..<count {
                let h = try view.pyHash(seqs.element(s, i * stride)) ?? 0
                table[h, default: []].append(Int32(i))
            }
            index[s] = table
        }
        if let bucket = index[s]?[try resolve(&hash, key)] {
            for p in bucket where try view.pyEqual(key, seqs.element(s, Int(p) * stride)) { return Int(p) }
        }
        return nil
    }

    /// The hash of a hashable `key`, computed once: `hash` caches it.
    @inline(__always) func resolve(_ hash: inout Int?, _ key: Int32) throws(PickleError) -> Int {
        if let h = hash { return h }
        let h = try view.pyHash(key) ?? 0
        hash = h
        return h
    }

    /// Whether `key` is hashable; for tuples and frozensets (the only kinds where that needs a walk)
    /// their hash is computed and kept in `hash`, every other kind hashes lazily (small dicts never need it).
    @inline(__always) func hashable(_ key: Int32, _ hash: inout Int?) throws(PickleError) -> Bool {
        switch nodes[Int(key)].kind {
        case .list, .dict, .set, .bytearray: return false
        case .tuple, .frozenset:
            guard let h = try view.pyHash(key) else { return false }
            hash = h
            return true
        default: return true
        }
    }

    /// Python `d[key] = value` on dict sequence `s`: first key object kept, last value wins.
    /// Returns false when the key is unhashable.
    mutating func dictSet(seq s: Int, key: Int32, value: Int32) throws(PickleError) -> Bool {
        var h: Int?
        guard try hashable(key, &h) else { return false }
        if let pos = try findKey(seq: s, key: key, hash: &h, stride: 2) {
            seqs.set(s, pos * 2 + 1, value)
            return true
        }
        let pos = seqs.count(of: s) / 2
        seqs.append(s, key)
        seqs.append(s, value)
        if index[s] != nil { index[s]![try resolve(&h, key), default: []].append(Int32(pos)) }
        return true
    }

    /// Python `s.add(member)` on set sequence `s`. Returns false when the member is unhashable.
    mutating func setAdd(seq s: Int, member: Int32) throws(PickleError) -> Bool {
        var h: Int?
        guard try hashable(member, &h) else { return false }
        if try findKey(seq: s, key: member, hash: &h, stride: 1) != nil { return true }
        let pos = seqs.count(of: s)
        seqs.append(s, member)
        if index[s] != nil { index[s]![try resolve(&h, member), default: []].append(Int32(pos)) }
        return true
    }
}
