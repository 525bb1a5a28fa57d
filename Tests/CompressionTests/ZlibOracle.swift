// CompressionTests/ZlibOracle: the system zlib as the judge of igzip — zlib compresses (any level and
// strategy) and gives its verdict on a raw DEFLATE stream.
import CZlib

/// What decoding a whole raw deflate stream gave. A call that fails delivers nothing, so output
/// before an error is not part of the verdict.
enum InflateVerdict: Equatable, Sendable {
    case ok([UInt8], consumed: Int)
    case data(String)
    case truncated
    /// The output reached the cap (a bomb is not decoded to its end).
    case cap
}

/// Raw deflate of `input` by zlib (windowBits -15).
func zlibDeflate(_ input: [UInt8], level: Int32, strategy: Int32 = Z_DEFAULT_STRATEGY) -> [UInt8] {
    var s = z_stream()
    guard deflateInit2_(&s, level, Z_DEFLATED, -15, 8, strategy, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK
    else { fatalError("deflateInit2 failed") }
    defer { deflateEnd(&s) }
    let bound = Int(deflateBound(&s, uLong(input.count))) + 64
    var out = [UInt8](repeating: 0, count: bound)
    var input = input
    let produced = input.withUnsafeMutableBufferPointer { i in
        out.withUnsafeMutableBufferPointer { o in
            s.next_in = i.baseAddress
            s.avail_in = uInt(i.count)
            s.next_out = o.baseAddress
            s.avail_out = uInt(bound)
            guard deflate(&s, Z_FINISH) == Z_STREAM_END else { fatalError("deflate did not finish") }
            return bound - Int(s.avail_out)
        }
    }
    return Array(out.prefix(produced))
}

/// zlib's verdict on a stream given whole (raw by default; `windowBits` 31 reads one gzip member), its
/// output capped at `cap` bytes.
func zlibVerdict(_ input: [UInt8], cap: Int, windowBits: Int32 = -15) -> InflateVerdict {
    var s = z_stream()
    guard inflateInit2_(&s, windowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { fatalError("inflateInit2 failed") }
    defer { inflateEnd(&s) }
    var out = [UInt8](repeating: 0, count: cap)
    var input = input
    return input.withUnsafeMutableBufferPointer { i in
        out.withUnsafeMutableBufferPointer { o in
            s.next_in = i.baseAddress
            s.avail_in = uInt(i.count)
            s.next_out = o.baseAddress
            s.avail_out = uInt(cap)
            let rc = inflate(&s, Z_FINISH)
            if rc == Z_STREAM_END { return .ok(Array(o.prefix(cap - Int(s.avail_out))), consumed: i.count - Int(s.avail_in)) }
            if s.avail_out == 0 { return .cap }
            if rc == Z_DATA_ERROR { return .data(String(cString: s.msg)) }
            if rc == Z_BUF_ERROR { return .truncated }
            fatalError("zlib inflate status \(rc)")
        }
    }
}
