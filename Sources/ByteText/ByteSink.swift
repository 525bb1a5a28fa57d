// ByteText/ByteSink: where the byte writers (JSON strings, base64, decimal digits) append — a
// `[UInt8]`, or a module's own buffer (SafePickle's arena-backed array) — so each of those writers
// exists once, specialised for every buffer it writes to.

public protocol ByteSink: ~Copyable {
    mutating func appendByte(_ byte: UInt8)
    mutating func appendBytes(_ bytes: UnsafeRawBufferPointer)
    /// Room for at least `count` more bytes (a hint).
    mutating func reserveMore(_ count: Int)
}

extension Array: ByteSink where Element == UInt8 {
    @inlinable @inline(__always)
    public mutating func appendByte(_ byte: UInt8) { append(byte) }

    @inlinable @inline(__always)
    public mutating func appendBytes(_ bytes: UnsafeRawBufferPointer) { append(contentsOf: bytes) }

    @inlinable
    public mutating func reserveMore(_ count: Int) {
        if capacity - self.count < count { reserveCapacity(self.count + count) }
    }
}
