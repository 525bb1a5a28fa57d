// PipelineRecords/JSONSkim: a small, iterative (no recursion, any nesting depth) scanner over JSON
// text already produced by a trusted writer — find where a value ends, list an object's top-level
// members, strip insignificant whitespace. Used to unwrap `$cachedvalue`, to summarise values and by
// later stages to pick fields out of records without building a tree. Malformed text gives nil.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where one member of a JSON object lies: its name (with the quotes) and its value.
public struct JSONMember: Sendable {
    public var key: Range<Int>
    public var value: Range<Int>
    public init(key: Range<Int>, value: Range<Int>) {
        self.key = key
        self.value = value
    }
}

public enum JSONSkim {
    @inline(__always) static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }

    /// Index of the first non-whitespace byte at or after `i`.
    public static func skipSpace(_ p: UnsafeRawBufferPointer, _ i: Int) -> Int {
        var i = i
        while i < p.count && isSpace(p[i]) { i += 1 }
        return i
    }

    /// End (exclusive) of the string starting at `i` (which must be `"`), nil if unterminated.
    /// Eight bytes at a time: the first `"` or `\` of a word is found exactly (the lowest flagged byte
    /// of the zero-byte test is never a false positive); a backslash escapes the byte after it.
    public static func stringEnd(_ p: UnsafeRawBufferPointer, _ i: Int) -> Int? {
        guard i < p.count, p[i] == UInt8(ascii: "\"") else { return nil }
        let n = p.count
        var j = i + 1
        let lo: UInt64 = 0x0101_0101_0101_0101, hi: UInt64 = 0x8080_8080_8080_8080
        while j < n {
            if j + 8 <= n {
                let w = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: j, as: UInt64.self))
                let q = w ^ (lo &* 0x22), b = w ^ (lo &* 0x5C)
                let hits = ((q &- lo) & ~q | (b &- lo) & ~b) & hi
                if hits == 0 { j += 8; continue }
                j += hits.trailingZeroBitCount >> 3
            }
            let c = p[j]
            if c == UInt8(ascii: "\"") { return j + 1 }
            j += c == UInt8(ascii: "\\") ? 2 : 1
        }
        return nil
    }

    /// End (exclusive) of the JSON value starting at the first non-space byte at or after `from`.
    public static func valueEnd(_ p: UnsafeRawBufferPointer, from: Int) -> Int? {
        var i = skipSpace(p, from)
        guard i < p.count else { return nil }
        var depth = 0
        repeat {
            guard i < p.count else { return nil }
            let b = p[i]
            switch b {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                i += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                guard depth > 0 else { return nil }
                depth -= 1
                i += 1
            case UInt8(ascii: "\""):
                guard let e = stringEnd(p, i) else { return nil }
                i = e
            case UInt8(ascii: ","), UInt8(ascii: ":"):
                guard depth > 0 else { return nil }
                i += 1
            case _ where isSpace(b):
                i += 1
            default:
                // number, true, false, null: up to the next delimiter
                let s = i
                while i < p.count {
                    let c = p[i]
                    if c == UInt8(ascii: ",") || c == UInt8(ascii: "}") || c == UInt8(ascii: "]") || c == UInt8(ascii: ":") || isSpace(c) { break }
                    i += 1
                }
                guard i > s else { return nil }
            }
        } while depth > 0
        return i
    }

    /// Walks the members of the object starting at `from` (its `{`, after optional spaces): for each
    /// member, `member(key, valueStart)` gets the name's range (with quotes) and where the value starts,
    /// and returns where the value ends — or nil to stop (the walk then returns nil). Returns the index
    /// after the object's `}`, nil when malformed.
    @inlinable
    public static func walkMembers(
        _ p: UnsafeRawBufferPointer, from: Int, _ member: (_ key: Range<Int>, _ valueStart: Int) -> Int?
    ) -> Int? {
        var i = skipSpace(p, from)
        guard i < p.count, p[i] == UInt8(ascii: "{") else { return nil }
        i = skipSpace(p, i + 1)
        if i < p.count && p[i] == UInt8(ascii: "}") { return i + 1 }
        while true {
            guard let ke = stringEnd(p, i) else { return nil }
            let key = i..<ke
            i = skipSpace(p, ke)
            guard i < p.count, p[i] == UInt8(ascii: ":") else { return nil }
            let vs = skipSpace(p, i + 1)
            guard vs < p.count, let ve = member(key, vs) else { return nil }
            i = skipSpace(p, ve)
            guard i < p.count else { return nil }
            if p[i] == UInt8(ascii: "}") { return i + 1 }
            guard p[i] == UInt8(ascii: ",") else { return nil }
            i = skipSpace(p, i + 1)
        }
    }

    /// The top-level members of the object starting at `from`: ranges of each key (with quotes) and value.
    public static func objectMembers(_ p: UnsafeRawBufferPointer, from: Int = 0) -> [JSONMember]? {
        var out: [JSONMember] = []
        let end = walkMembers(p, from: from) { key, vs in
            let ve = valueEnd(p, from: vs)
            if let ve { out.append(JSONMember(key: key, value: vs..<ve)) }
            return ve
        }
        return end == nil ? nil : out
    }

    /// Number of top-level elements of the array starting at `from`, nil if not an array.
    public static func arrayCount(_ p: UnsafeRawBufferPointer, from: Int = 0) -> Int? {
        var i = skipSpace(p, from)
        guard i < p.count, p[i] == UInt8(ascii: "[") else { return nil }
        i = skipSpace(p, i + 1)
        if i < p.count && p[i] == UInt8(ascii: "]") { return 0 }
        var n = 0
        while true {
            guard let ve = valueEnd(p, from: i) else { return nil }
            n += 1
            i = skipSpace(p, ve)
            guard i < p.count else { return nil }
            if p[i] == UInt8(ascii: "]") { return n }
            guard p[i] == UInt8(ascii: ",") else { return nil }
            i += 1
        }
    }

    /// True when the key range (with quotes) spells exactly `name`.
    public static func keyEquals(_ p: UnsafeRawBufferPointer, _ key: Range<Int>, _ name: StaticString) -> Bool {
        guard key.count == name.utf8CodeUnitCount + 2 else { return false }
        return name.withUTF8Buffer { n in
            for k in 0..<n.count where p[key.lowerBound + 1 + k] != n[k] { return false }
            return true
        }
    }

    /// The text with whitespace outside strings removed.
    public static func compact(_ p: UnsafeRawBufferPointer) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(p.count)
        var i = 0
        while i < p.count {
            let b = p[i]
            if b == UInt8(ascii: "\"") {
                let e = stringEnd(p, i) ?? p.count
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: p[i..<e]))
                i = e
            } else {
                if !isSpace(b) { out.append(b) }
                i += 1
            }
        }
        return out
    }
}
