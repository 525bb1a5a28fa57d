// DeflateOracle: the system zlib as the judge of the Swift `Deflate` decoder, shared by DeflateTests
// and the inflate-fuzz harness: zlib compresses (any level and strategy), and zlib and `RawInflater`
// each give a verdict on a raw deflate stream, which must be identical.
import CZlib
import Deflate

/// What decoding a whole raw deflate stream gave. A call that fails delivers nothing, so output
/// before an error is not part of the verdict.
public enum InflateVerdict: Equatable, Sendable {
    case ok([UInt8], consumed: Int)
    case data(String)
    case truncated
    /// The output reached the cap (a bomb is not decoded to its end).
    case cap
}

/// Raw deflate of `input` by zlib (windowBits -15).
public func zlibDeflate(_ input: [UInt8], level: Int32, strategy: Int32 = Z_DEFAULT_STRATEGY) -> [UInt8] {
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

/// zlib's verdict on a raw stream given whole, its output capped at `cap` bytes.
public func zlibVerdict(_ input: [UInt8], cap: Int) -> InflateVerdict {
    var s = z_stream()
    guard inflateInit2_(&s, -15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { fatalError("inflateInit2 failed") }
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

/// The Swift decoder's verdict, input fed in pieces of `piece` bytes (0: all at once, final), and the
/// output it delivered. Past `cap` output it stops with `.cap`.
public func swiftVerdict(_ input: [UInt8], piece: Int = 0, cap: Int, inflater: RawInflater) -> (InflateVerdict, produced: Int) {
    inflater.reset()
    var output: [UInt8] = []
    var at = 0
    var available = piece == 0 ? input.count : min(piece, input.count)
    return input.withUnsafeBytes { all in
        while true {
            let final = available == input.count
            do {
                let step = try inflater.inflate(UnsafeRawBufferPointer(rebasing: all[at..<available]), final: final)
                output += inflater.output
                at += step.consumed
                if output.count > cap { return (.cap, output.count) }
                switch step.status {
                case .streamEnd: return (.ok(output, consumed: at), output.count)
                case .outputFull: continue
                case .needsInput:
                    if final { return (.data("needsInput with final input"), output.count) }
                    available = min(available + piece, input.count)
                }
            } catch let e as InflateError {
                return (e.kind == .truncated ? .truncated : .data(e.message), output.count)
            } catch {
                return (.data("unexpected \(error)"), output.count)
            }
        }
    }
}
