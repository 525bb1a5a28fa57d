// SafePickle/RecognizeTypes: shape checks and formatting for the allowlisted value types —
// datetime/date/time (+ timezone offsets), timedelta, Decimal, UUID, complex, set members,
// OrderedDict/defaultdict item merging.

extension Renderer {
    static func twoDigits(_ v: Int, _ out: inout String) {
        if v < 10 { out += "0" }
        out += String(v)
    }

    static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }

    static func daysInMonth(_ y: Int, _ m: Int) -> Int {
        switch m {
        case 2: return (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Normalised (days, seconds, microseconds) of a `datetime.timedelta` record's args, or nil.
    mutating func timedelta(_ a: SeqItems) -> (Int, Int, Int)? {
        guard a.count <= 3 else { return nil }
        var v = [0, 0, 0]
        for (i, id) in a.enumerated() {
            guard let x = smallInt(id) else { return nil }
            v[i] = x
        }
        let (usCarry, us) = (Renderer.floorDiv(v[2], 1_000_000), Renderer.floorMod(v[2], 1_000_000))
        let (s1, o1) = v[1].addingReportingOverflow(usCarry)
        guard !o1 else { return nil }
        let (dCarry, s) = (Renderer.floorDiv(s1, 86400), Renderer.floorMod(s1, 86400))
        let (d, o2) = v[0].addingReportingOverflow(dCarry)
        guard !o2, d.magnitude <= 999_999_999 else { return nil }
        return (d, s, us)
    }

    static func floorDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-(a + 1)) / b) - 1 }
    static func floorMod(_ a: Int, _ b: Int) -> Int { a - floorDiv(a, b) * b }

    /// The ISO offset suffix of a `datetime.timezone(timedelta[, name])` record, or nil.
    mutating func timezoneSuffix(_ id: Int32) -> String? {
        let n = node(id)
        guard n.kind == .record else { return nil }
        let r = arena.records[n.a]
        guard known(r.callable) == .timezone, isPlain(r) else { return nil }
        let a = args(r)
        guard a.count == 1 || (a.count == 2 && kind(a[1]) == .str), kind(a[0]) == .record else { return nil }
        let tr = arena.records[node(a[0]).a]
        guard known(tr.callable) == .timedelta, isPlain(tr), let td = timedelta(args(tr)) else { return nil }
        let totalUs = (td.0 * 86400 + td.1) * 1_000_000 + td.2
        guard totalUs.magnitude < 86400 * 1_000_000 else { return nil }
        var out = totalUs < 0 ? "-" : "+"
        let m = Int(totalUs.magnitude)
        let secs = m / 1_000_000, us = m % 1_000_000
        Renderer.twoDigits(secs / 3600, &out)
        out += ":"
        Renderer.twoDigits(secs / 60 % 60, &out)
        if secs % 60 != 0 || us != 0 {
            out += ":"
            Renderer.twoDigits(secs % 60, &out)
        }
        if us != 0 { out += "." + Renderer.pad(us, 6) }
        return out
    }

    /// The state bytes of a datetime/date/time argument (bytes-like, exactly `count` ≤ 16 bytes), without allocating.
    mutating func stateBytes(_ id: Int32, count: Int) -> StateBytes? {
        let n = node(id)
        switch n.kind {
        case .bytes, .py2str:
            guard n.b == count, count <= 16 else { return nil }
            return StateBytes(bytes(n))
        case .str:
            guard n.b >= count, n.b <= count * 2 else { return nil }
            return latin1Fixed(id, count: count)
        case .record:
            // codecsBytes(r) of exactly `count` bytes, without allocating.
            let r = arena.records[n.a]
            guard known(r.callable) == .codecsEncode, isPlain(r) else { return nil }
            let a = seq(node(r.args).a)
            guard a.count == 2, isLatin1Name(a[1]) else { return nil }
            return latin1Fixed(a[0], count: count)
        default:
            return nil
        }
    }

    /// Writes `v` (non-negative, at most `width` digits) as exactly `width` decimal digits at `o`,
    /// two digits per division, each pair copied from `digitPairs`.
    @inline(__always) static func digits(_ v: Int, _ width: Int, _ o: UnsafeMutablePointer<UInt8>) {
        let pairs = digitPairs.utf8Start
        var x = UInt(truncatingIfNeeded: v)  // unsigned: every remainder indexes inside `digitPairs`
        var k = width
        while k >= 2 {
            let (q, r) = x.quotientAndRemainder(dividingBy: 100)
            o[k - 2] = pairs[Int(2 &* r)]
            o[k - 1] = pairs[Int(2 &* r &+ 1)]
            x = q
            k -= 2
        }
        if k == 1 { o[0] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: x % 10) }
    }

    /// "00" "01" … "99".
    static let digitPairs: StaticString =
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"

    /// datetime/date/time: writes the marker and returns true, or returns false for a bad shape.
    mutating func temporal(_ id: Int32, _ which: KnownName, _ a: SeqItems) throws(PickleError) -> Bool {
        let want = which == .datetime ? 10 : (which == .date ? 4 : 6)
        guard a.count == 1 || (a.count == 2 && which != .date), let st = stateBytes(a[0], count: want) else { return false }
        var y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, us = 0
        var timeStart = 0
        if which != .time {
            y = Int(st[0]) << 8 | Int(st[1])
            mo = Int(st[2] & (which == .datetime ? 0x7F : 0xFF))
            d = Int(st[3])
            guard y >= 1, y <= 9999, mo >= 1, mo <= 12, d >= 1, d <= Renderer.daysInMonth(y, mo) else { return false }
            timeStart = 4
        }
        if which != .date {
            h = Int(st[timeStart] & (which == .time ? 0x7F : 0xFF))
            mi = Int(st[timeStart + 1])
            s = Int(st[timeStart + 2])
            us = Int(st[timeStart + 3]) << 16 | Int(st[timeStart + 4]) << 8 | Int(st[timeStart + 5])
            guard h < 24, mi < 60, s < 60, us < 1_000_000 else { return false }
        }
        var tzValue: Int32 = -1
        var suffix: String?
        if a.count == 2 && kind(a[1]) != .none {
            suffix = timezoneSuffix(a[1])
            if suffix == nil { tzValue = a[1] }
        }
        // `"YYYY-MM-DDTHH:MM:SS.ffffff` (28 bytes at most), written straight into the output. (The
        // fields are copied into constants so that the nested function captures no variable: a
        // captured variable is boxed, and every access to it is checked at run time.)
        let (y0, mo0, d0, h0, mi0, s0, us0) = (y, mo, d, h, mi, s, us)
        func isoText(_ o: UnsafeMutablePointer<UInt8>) -> Int {
            var p = 0
            @inline(__always) func put(_ c: UInt8) { o[p] = c; p += 1 }
            @inline(__always) func num(_ v: Int, _ width: Int) {
                Renderer.digits(v, width, o + p)
                p += width
            }
            put(UInt8(ascii: "\""))
            if which != .time {
                num(y0, 4)
                put(UInt8(ascii: "-"))
                num(mo0, 2)
                put(UInt8(ascii: "-"))
                num(d0, 2)
            }
            if which != .date {
                if which == .datetime { put(UInt8(ascii: "T")) }
                num(h0, 2)
                put(UInt8(ascii: ":"))
                num(mi0, 2)
                put(UInt8(ascii: ":"))
                num(s0, 2)
                put(UInt8(ascii: "."))
                num(us0, 6)
            }
            return p
        }
        let key: StaticString = which == .datetime ? "$datetime" : (which == .date ? "$date" : "$time")
        if tzValue < 0 && suffix == nil {
            // The common naive value: `{"$datetime":"…"}` in one write, as open/key/end would write it.
            if w.depth >= limits.maxNesting { throw fail("JSON nesting deeper than \(limits.maxNesting)") }
            w.beforeValue()
            w.out.write(maxBytes: 48) { o in
                var p = 0
                o[p] = UInt8(ascii: "{")
                p += 1
                o[p] = UInt8(ascii: "\"")
                p += 1
                (o + p).initialize(from: key.utf8Start, count: key.utf8CodeUnitCount)
                p += key.utf8CodeUnitCount
                o[p] = UInt8(ascii: "\"")
                o[p + 1] = UInt8(ascii: ":")
                p += 2
                p += isoText(o + p)
                o[p] = UInt8(ascii: "\"")
                o[p + 1] = UInt8(ascii: "}")
                return p + 2
            }
            return true
        }
        try open(object: tzValue >= 0 ? id : -1)
        w.key(key)
        w.beforeValue()
        w.out.write(maxBytes: 32) { isoText($0) }
        if var suffix { suffix.withUTF8 { w.out.append(UnsafeRawBufferPointer($0)) } }
        w.out.append(UInt8(ascii: "\""))
        if tzValue >= 0 {
            tasks.append(.end(id))
            tasks.append(.value(tzValue))
            tasks.append(.key("$tzinfo"))
        } else {
            w.end()
        }
        return true
    }

    /// `(num)` or `(num, num)` with num an int or float, as floats.
    mutating func complexParts(_ a: SeqItems) -> (Double, Double)? {
        guard a.count == 1 || a.count == 2 else { return nil }
        var parts: [Double] = [0, 0]
        for (i, id) in a.enumerated() {
            let n = node(id)
            switch n.kind {
            case .int: parts[i] = Double(n.a)
            case .float: parts[i] = Double(bitPattern: UInt64(bitPattern: Int64(n.a)))
            case .bigint:
                guard let d = Double(String(decoding: arena.bytes(n), as: UTF8.self)), d.isFinite else { return nil }
                parts[i] = d
            default: return nil
            }
        }
        return (parts[0], parts[1])
    }

    /// The text of a Decimal argument: a str or ASCII Py2 str matching Python's numeric literal syntax.
    mutating func decimalText(_ id: Int32) -> [UInt8]? {
        let n = node(id)
        guard n.kind == .str || n.kind == .py2str else { return nil }
        let b = arena.bytes(of: n)
        guard !b.contains(where: { $0 >= 0x80 }) else { return nil }
        var u = b.map { ($0 >= 0x41 && $0 <= 0x5A) ? $0 + 32 : $0 }[...]
        if let f = u.first, f == UInt8(ascii: "+") || f == UInt8(ascii: "-") { u.removeFirst() }
        let s = String(decoding: u, as: UTF8.self)
        if s == "inf" || s == "infinity" { return b }
        var rest = u
        if rest.first == UInt8(ascii: "s") { rest.removeFirst() }
        if rest.starts(with: Array("nan".utf8)) {
            rest.removeFirst(3)
            return rest.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) ? b : nil
        }
        var digits = 0
        while let c = u.first, c >= 0x30 && c <= 0x39 { u.removeFirst(); digits += 1 }
        if u.first == UInt8(ascii: ".") {
            u.removeFirst()
            while let c = u.first, c >= 0x30 && c <= 0x39 { u.removeFirst(); digits += 1 }
        }
        guard digits > 0 else { return nil }
        if u.first == UInt8(ascii: "e") {
            u.removeFirst()
            if let sg = u.first, sg == UInt8(ascii: "+") || sg == UInt8(ascii: "-") { u.removeFirst() }
            var e = 0
            while let c = u.first, c >= 0x30 && c <= 0x39 { u.removeFirst(); e += 1 }
            guard e > 0 else { return nil }
        }
        return u.isEmpty ? b : nil
    }

    /// `uuid.UUID` with no args and BUILD state `{"int": n}` (+ `is_safe`), 0 ≤ n < 2^128.
    mutating func uuid(_ r: Record) -> String? {
        guard args(r).isEmpty, isEmpty(r.items), isEmpty(r.dictItems), r.kwargs < 0 || seq(node(r.kwargs).a).isEmpty,
            r.state >= 0, kind(r.state) == .dict
        else { return nil }
        let pairs = seq(node(r.state).a)
        var value: UInt128?
        var i = 0
        while i + 1 < pairs.count {
            let k = pairs[i], v = pairs[i + 1]
            if arena.strEquals(k, "int") {
                let n = node(v)
                if n.kind == .int, n.a >= 0 {
                    value = UInt128(n.a)
                } else if n.kind == .bigint {
                    var acc: UInt128 = 0
                    for c in arena.bytes(of: n) {
                        guard c >= 0x30 && c <= 0x39 else { return nil }
                        let (m, o1) = acc.multipliedReportingOverflow(by: 10)
                        let (s, o2) = m.addingReportingOverflow(UInt128(c - 0x30))
                        guard !o1, !o2 else { return nil }
                        acc = s
                    }
                    value = acc
                } else {
                    return nil
                }
            } else if !arena.strEquals(k, "is_safe") {
                return nil
            }
            i += 2
        }
        guard let v = value else { return nil }
        var hex = String(v, radix: 16)
        hex = String(repeating: "0", count: 32 - hex.count) + hex
        let h = Array(hex)
        return String(h[0..<8]) + "-" + String(h[8..<12]) + "-" + String(h[12..<16]) + "-" + String(h[16..<20]) + "-"
            + String(h[20..<32])
    }

    /// Members of `set(x)`: `()` or `(list or tuple of hashables,)`, merged by Python equality.
    mutating func setMembers(_ a: SeqItems) throws(PickleError) -> [Int32]? {
        if a.isEmpty { return [] }
        guard a.count == 1, kind(a[0]) == .list || kind(a[0]) == .tuple else { return nil }
        var out: [Int32] = []
        var table: [Int: [Int32]] = [:]
        for m in seq(node(a[0]).a) {
            guard let h = try arena.pyHash(m) else { return nil }
            var dup = false
            for o in table[h] ?? [] where try arena.pyEqual(m, o) {
                dup = true
                break
            }
            if !dup {
                table[h, default: []].append(m)
                out.append(m)
            }
        }
        return out
    }

    /// OrderedDict/defaultdict: initial pairs from the args plus SETITEMS, merged by Python equality
    /// (a later key replaces the value but keeps the first position). Flattened key/value list, or nil.
    mutating func mergedDictPairs(_ r: Record) throws(PickleError) -> [Int32]? {
        guard isEmpty(r.items), stateIsTrivial(r), r.kwargs < 0 || seq(node(r.kwargs).a).isEmpty else { return nil }
        let a = args(r)
        var flat: [Int32] = []
        if known(r.callable) == .orderedDict {
            guard a.count <= 1 else { return nil }
            if let first = a.first {
                guard kind(first) == .list || kind(first) == .tuple else { return nil }
                for p in seq(node(first).a) {
                    guard kind(p) == .list || kind(p) == .tuple else { return nil }
                    let kv = seq(node(p).a)
                    guard kv.count == 2 else { return nil }
                    flat += kv
                }
            }
        } else if a.count > 1 {
            return nil
        }
        if r.dictItems >= 0 { flat += seq(r.dictItems) }
        var out: [Int32] = []
        var table: [Int: [Int]] = [:]
        var i = 0
        while i + 1 < flat.count {
            guard let h = try arena.pyHash(flat[i]) else { return nil }
            var found = -1
            for p in table[h] ?? [] where try arena.pyEqual(flat[i], out[p * 2]) {
                found = p
                break
            }
            if found >= 0 {
                out[found * 2 + 1] = flat[i + 1]
            } else {
                table[h, default: []].append(out.count / 2)
                out += [flat[i], flat[i + 1]]
            }
            i += 2
        }
        return out
    }
}

/// Up to 16 state bytes of a datetime/date/time, held in two integers. (A SIMD16 filled byte by byte
/// went through memory and stalled on store forwarding; Benchmarks/README.md, "Measured facts".)
struct StateBytes {
    private var lo: UInt64 = 0
    private var hi: UInt64 = 0

    init() {}

    /// The bytes of `b` (at most 16; any beyond are ignored).
    @inline(__always) init(_ b: UnsafeRawBufferPointer) {
        let n = b.count
        if n >= 8 {
            lo = UInt64(littleEndian: b.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
            if n >= 16 {
                hi = UInt64(littleEndian: b.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            } else if n > 8 {
                // The last 8 bytes (overlapping `lo`), shifted so that byte 8 comes first.
                hi = UInt64(littleEndian: b.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self)) >> UInt64((16 &- n) &* 8)
            }
            return
        }
        var i = 0
        while i < n {
            put(i, b[i])
            i += 1
        }
    }

    /// Sets byte `i` (0..<16), which must not have been set before.
    @inline(__always) mutating func put(_ i: Int, _ v: UInt8) {
        if i < 8 { lo |= UInt64(v) << UInt64(i &* 8) } else { hi |= UInt64(v) << UInt64((i &- 8) &* 8) }
    }

    @inline(__always) subscript(i: Int) -> UInt8 {
        UInt8(truncatingIfNeeded: i < 8 ? lo >> UInt64(i &* 8) : hi >> UInt64((i &- 8) &* 8))
    }
}
