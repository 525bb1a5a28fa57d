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
