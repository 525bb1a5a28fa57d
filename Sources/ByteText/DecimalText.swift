// ByteText/DecimalText: integers as ASCII decimal digits appended straight to a byte buffer, without
// a String (the dump writer, the mg encoder and the NDJSON writer do this once per field).

public enum DecimalText {
    /// Appends the digits of `v`.
    @inlinable
    public static func append<S: ByteSink & ~Copyable>(_ v: UInt64, to out: inout S) {
        if v < 10 {
            out.appendByte(0x30 &+ UInt8(truncatingIfNeeded: v))
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maxBytes) { buffer in
            guard let p = buffer.baseAddress else { return }
            out.appendBytes(UnsafeRawBufferPointer(start: p, count: write(v, to: p)))
        }
    }

    /// Appends `-` and the digits of the magnitude for a negative `v`.
    @inlinable
    public static func append<S: ByteSink & ~Copyable>(_ v: Int64, to out: inout S) {
        if v < 0 { out.appendByte(0x2D) }
        append(v.magnitude, to: &out)
    }
}

extension DecimalText {
    /// Most bytes `write` takes: UInt64.max has 20 digits, and Int64.min's magnitude 19 after its sign.
    public static let maxBytes = 20

    /// Writes the digits of `v` at `p` (room for `maxBytes`) and returns how many it wrote.
    @inlinable @inline(__always)
    public static func write(_ v: UInt64, to p: UnsafeMutablePointer<UInt8>) -> Int {
        var n = 1
        var limit: UInt64 = 10
        while n < 20 && v >= limit {
            n &+= 1
            limit &*= 10
        }
        var x = v
        var i = n
        repeat {
            i &-= 1
            p[i] = 0x30 &+ UInt8(truncatingIfNeeded: x % 10)
            x /= 10
        } while i > 0
        return n
    }

    /// Writes `-` and the digits of the magnitude for a negative `v`; returns how many bytes.
    @inlinable @inline(__always)
    public static func write(_ v: Int64, to p: UnsafeMutablePointer<UInt8>) -> Int {
        if v < 0 {
            p[0] = 0x2D
            return 1 &+ write(v.magnitude, to: p + 1)
        }
        return write(UInt64(v), to: p)
    }
}

// MARK: parsing

extension DecimalText {
    /// 1–20 ASCII digits that fit in UInt64; nil for anything else (no sign, no space, no overflow).
    @inlinable
    public static func parseUnsigned<C: Collection>(_ s: C) -> UInt64? where C.Element == UInt8 {
        guard !s.isEmpty, s.count <= 20 else { return nil }
        var v: UInt64 = 0
        for b in s {
            guard b >= 0x30 && b <= 0x39 else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(b &- 0x30))
            guard !o1 && !o2 else { return nil }
            v = a
        }
        return v
    }

    /// An optional `-` then 1–20 digits, fitting in Int64 (`-9223372036854775808` included).
    @inlinable
    public static func parseSigned<C: Collection>(_ s: C) -> Int64? where C.Element == UInt8 {
        if s.first == 0x2D {
            guard let m = parseUnsigned(s.dropFirst()), m <= UInt64(Int64.max) + 1 else { return nil }
            return m == UInt64(Int64.max) + 1 ? Int64.min : -Int64(m)
        }
        return parseUnsigned(s).flatMap { Int64(exactly: $0) }
    }
}
