// ByteText/Hex: hexadecimal digits in both directions — the digests the project prints (sha1 keys,
// sha256 of dumps) in lower case, memcached's `%XX` key escapes in upper case, and digit values for
// every parser that reads them.

public enum Hex {
    /// The lower-case digit of a nibble (0…15).
    @inlinable @inline(__always)
    public static func lowerDigit(_ n: UInt8) -> UInt8 { n < 10 ? 0x30 &+ n : 0x57 &+ n }

    /// The upper-case digit of a nibble (0…15).
    @inlinable @inline(__always)
    public static func upperDigit(_ n: UInt8) -> UInt8 { n < 10 ? 0x30 &+ n : 0x37 &+ n }

    /// The value of a hex digit of either case; nil for any other byte.
    @inlinable @inline(__always)
    public static func value(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: return b &- 0x30
        case 0x41...0x46: return b &- 0x37
        case 0x61...0x66: return b &- 0x57
        default: return nil
        }
    }

    /// `bytes` as lower-case hex text (two digits a byte).
    public static func lowercase(_ bytes: UnsafeRawBufferPointer) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { out in
            for (i, b) in bytes.enumerated() {
                out[2 * i] = lowerDigit(b >> 4)
                out[2 * i + 1] = lowerDigit(b & 15)
            }
            return bytes.count * 2
        }
    }

    public static func lowercase<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        Array(bytes).withUnsafeBytes { lowercase($0) }
    }
}
