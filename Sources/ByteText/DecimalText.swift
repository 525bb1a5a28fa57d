// ByteText/DecimalText: integers as ASCII decimal digits appended straight to a byte buffer, without
// a String (the dump writer, the mg encoder and the NDJSON writer do this once per field).

public enum DecimalText {
    /// Appends the digits of `v`.
    public static func append(_ v: UInt64, to out: inout [UInt8]) {
        if v < 10 {
            out.append(0x30 &+ UInt8(truncatingIfNeeded: v))
            return
        }
        // Written backwards into 24 bytes on the stack (UInt64.max has 20 digits), then appended.
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var n = 0
        var x = v
        withUnsafeMutableBytes(of: &digits) { d in
            while x > 0 {
                d[23 - n] = 0x30 &+ UInt8(truncatingIfNeeded: x % 10)
                x /= 10
                n += 1
            }
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: d[(24 - n)...]))
        }
    }

    /// Appends `-` and the digits of the magnitude for a negative `v`.
    public static func append(_ v: Int64, to out: inout [UInt8]) {
        if v < 0 { out.append(0x2D) }
        append(v.magnitude, to: &out)
    }
}
