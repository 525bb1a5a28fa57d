// Compression/Checksums: the checksums of the framings — CRC-32 (gzip, RFC 1952) by ISA-L, Adler-32
// (zlib, RFC 1950) by the system zlib (ISA-L exports none). Both continue a running value: start
// from `initial` and feed the bytes in any pieces.
import CIsal
import CZlib

public enum Checksum {
    public enum Kind: Sendable { case crc32, adler32 }

    /// The value before any byte: 0 for CRC-32, 1 for Adler-32.
    public static func initial(_ kind: Kind) -> UInt32 { kind == .crc32 ? 0 : 1 }

    /// `running` continued over `bytes`.
    public static func update(_ kind: Kind, _ running: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return running }
        switch kind {
        case .crc32:
            return crc32_gzip_refl(running, base.assumingMemoryBound(to: UInt8.self), UInt64(bytes.count))
        case .adler32:
            var a = UInt(running)
            var at = 0
            while at < bytes.count {  // zlib counts in 32 bits
                let n = min(bytes.count - at, Int(UInt32.max))
                a = adler32(a, base.assumingMemoryBound(to: Bytef.self) + at, uInt(n))
                at += n
            }
            return UInt32(truncatingIfNeeded: a)
        }
    }

    /// The CRC-32 of `bytes` (gzip's, and python-memcached's `binascii.crc32`).
    public static func crc32(_ bytes: UnsafeRawBufferPointer) -> UInt32 { update(.crc32, 0, bytes) }
}
