// Compression/FastGzip: gzip members (RFC 1952) whose DEFLATE body ISA-L's igzip writes at its level 1
// — what the dump writer uses. The header is the one zlib writes at level 1 (no name, no time, XFL 4
// "fastest", OS 3), so a dump's members look as they always did; the trailer holds the CRC-32 and the
// size modulo 2^32.
import CIsal

public final class FastGzipDeflater {
    private let stream: UnsafeMutablePointer<isal_zstream>
    private let levelBuffer: UnsafeMutablePointer<UInt8>
    private static let levelBufferSize = Int(cisal_level1_buffer_size())

    public init() {
        stream = .allocate(capacity: 1)
        levelBuffer = .allocate(capacity: FastGzipDeflater.levelBufferSize)
    }

    deinit {
        stream.deallocate()
        levelBuffer.deallocate()
    }

    /// Largest input of one member (as `GzipDeflater.maxInput`).
    public static let maxInput = GzipDeflater.maxInput

    /// The most bytes a member of `n` input bytes takes: stored blocks at worst (5 bytes per 64 KiB
    /// block), the block igzip may end with, the gzip header and trailer.
    public static func bound(_ n: Int) -> Int { n + (n >> 10) + 1024 }

    private static let header: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 4, 3]

    /// Compresses `input` into one complete gzip member at the start of `out`, a scratch buffer that is
    /// grown when too small and otherwise reused as it is (never cleared). Returns how many bytes of
    /// `out` hold the member.
    public func compress(_ input: [UInt8], into out: inout [UInt8]) throws(ZlibError) -> Int {
        guard input.count <= FastGzipDeflater.maxInput else {
            throw ZlibError(kind: .internal, message: "input of \(input.count) bytes exceeds \(FastGzipDeflater.maxInput)")
        }
        let bound = FastGzipDeflater.bound(input.count)
        if out.count < bound { out.append(contentsOf: repeatElement(0, count: bound - out.count)) }
        let h = FastGzipDeflater.header
        let room = bound - h.count - 8
        var rc: Int32 = COMP_OK
        var body = 0
        var ended = false
        input.withUnsafeBytes { inp in
            out.withUnsafeMutableBytes { o in
                guard let outBase = o.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
                isal_deflate_init(stream)
                stream.pointee.level = 1
                stream.pointee.level_buf = levelBuffer
                stream.pointee.level_buf_size = UInt32(FastGzipDeflater.levelBufferSize)
                stream.pointee.gzip_flag = UInt16(IGZIP_DEFLATE)
                stream.pointee.flush = UInt16(NO_FLUSH)
                stream.pointee.end_of_stream = 1
                stream.pointee.next_in = inp.baseAddress.map { UnsafeMutablePointer(mutating: $0.assumingMemoryBound(to: UInt8.self)) }
                stream.pointee.avail_in = UInt32(inp.count)
                stream.pointee.next_out = outBase + h.count
                stream.pointee.avail_out = UInt32(room)
                rc = isal_deflate(stream)
                body = room - Int(stream.pointee.avail_out)
                ended = stream.pointee.internal_state.state == ZSTATE_END
                stream.pointee.next_in = nil
                stream.pointee.next_out = nil
            }
        }
        guard rc == COMP_OK, ended else {
            throw ZlibError(kind: .internal, message: "the deflate encoder did not finish (igzip status \(rc))")
        }
        let end = h.count + body
        let crc = input.withUnsafeBytes { Checksum.crc32($0) }
        let size = UInt32(truncatingIfNeeded: input.count)
        for (i, b) in h.enumerated() { out[i] = b }
        for k in 0..<4 {
            out[end + k] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(k)))
            out[end + 4 + k] = UInt8(truncatingIfNeeded: size >> (8 * UInt32(k)))
        }
        return end + 8
    }
}
