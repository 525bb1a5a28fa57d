// DumpContainer/FastGzip: gzip members (RFC 1952) around the Swift DEFLATE encoder — what the dump
// writer uses at its default level: as small as zlib's level 1 and about four times as fast. The
// header is the one zlib writes at level 1 (no name, no time, XFL 4 "fastest", OS 3); the trailer holds
// the CRC-32 (the system zlib's) and the size modulo 2^32.
import CZlib
import Deflate

public final class FastGzipDeflater {
    private let deflater = RawDeflater()

    public init() {}

    /// Largest input of one member (as `GzipDeflater.maxInput`).
    public static let maxInput = GzipDeflater.maxInput

    /// Compresses `input` into one complete gzip member at the start of `out`, a scratch buffer that is
    /// grown when too small and otherwise reused as it is (never cleared). Returns how many bytes of
    /// `out` hold the member.
    public func compress(_ input: [UInt8], into out: inout [UInt8]) throws(ZlibError) -> Int {
        guard input.count <= FastGzipDeflater.maxInput else {
            throw ZlibError(kind: .internal, message: "input of \(input.count) bytes exceeds \(FastGzipDeflater.maxInput)")
        }
        let header: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 4, 3]
        guard let body = input.withUnsafeBytes({ deflater.compress($0, into: &out, at: header.count) }) else {
            throw ZlibError(kind: .internal, message: "the deflate encoder's output did not fit its bound")
        }
        let end = header.count + body
        let crc = input.withUnsafeBytes { b in
            UInt32(crc32_z(0, b.baseAddress?.assumingMemoryBound(to: Bytef.self), z_size_t(b.count)))
        }
        let size = UInt32(truncatingIfNeeded: input.count)
        if out.count < end + 8 { out.append(contentsOf: repeatElement(0, count: end + 8 - out.count)) }
        for (i, b) in header.enumerated() { out[i] = b }
        for k in 0..<4 {
            out[end + k] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(k)))
            out[end + 4 + k] = UInt8(truncatingIfNeeded: size >> (8 * UInt32(k)))
        }
        return end + 8
    }
}
