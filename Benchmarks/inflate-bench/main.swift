// inflate-bench: inflates every gzip member of a file with zlib and with ISA-L's igzip (Compression's
// GzipInflater, as the dump reader uses it: headers, body, CRC-32 and size checked), checks that both
// give the same bytes, and prints the time of each (best of BENCH_REPEAT passes); then compresses each
// member's content again with zlib (level 1) and with igzip (level 1, Compression's FastGzipDeflater as
// the dump writer uses it: a whole gzip member with its CRC-32, checked by zlib).
// Usage: inflate-bench FILE.gz
import Compression
import CZlib
import Foundation

let args = CommandLine.arguments
guard args.count == 2, let data = FileManager.default.contents(atPath: args[1]) else {
    FileHandle.standardError.write("usage: inflate-bench FILE.gz\n".data(using: .utf8)!)
    exit(2)
}
let input = [UInt8](data)
let repeats = Int(ProcessInfo.processInfo.environment["BENCH_REPEAT"] ?? "3") ?? 3

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// zlib: whole file, members one after another; returns (bytes out, crc of the output).
func viaZlib() -> (Int, UInt) {
    var stream = z_stream()
    inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
    defer { inflateEnd(&stream) }
    let out = UnsafeMutablePointer<UInt8>.allocate(capacity: 256 << 10)
    defer { out.deallocate() }
    var total = 0
    var crc: UInt = 0
    input.withUnsafeBufferPointer { inp in
        var at = 0
        while at < inp.count {
            stream.next_in = UnsafeMutablePointer(mutating: inp.baseAddress! + at)
            stream.avail_in = uInt(inp.count - at)
            while true {
                stream.next_out = out
                stream.avail_out = uInt(256 << 10)
                let rc = inflate(&stream, Z_NO_FLUSH)
                let n = (256 << 10) - Int(stream.avail_out)
                crc = crc32(crc, out, uInt(n))
                total += n
                if rc == Z_STREAM_END { break }
                guard rc == Z_OK else { fatalError("zlib \(rc)") }
            }
            at = inp.count - Int(stream.avail_in)
            inflateReset(&stream)
        }
    }
    return (total, crc)
}

/// igzip: the members through GzipInflater, as DumpReader reads them.
func viaIgzip() -> (Int, UInt) {
    let inflater = GzipInflater(format: .gzip)
    var total = 0
    var crc: UInt = 0
    input.withUnsafeBytes { inp in
        var at = 0
        while at < inp.count {
            inflater.reset()
            while true {
                let step = try! inflater.inflate(UnsafeRawBufferPointer(rebasing: inp[at...]), final: true)
                let o = inflater.output
                crc = crc32(crc, o.baseAddress?.assumingMemoryBound(to: Bytef.self), uInt(o.count))
                total += o.count
                at += step.consumed
                if step.status == .streamEnd { break }
            }
        }
    }
    return (total, crc)
}

var best = (zlib: Double.infinity, igzip: Double.infinity)
var results: [(Int, UInt)] = []
for _ in 0..<repeats {
    var t = now()
    results.append(viaZlib())
    best.zlib = min(best.zlib, now() - t)
    t = now()
    results.append(viaIgzip())
    best.igzip = min(best.igzip, now() - t)
}
let (bytes, crc) = results[0]
guard results.allSatisfy({ $0 == results[0] }) else {
    print("MISMATCH: \(results)")
    exit(1)
}
let mb = Double(bytes) / 1e6
print(
    String(
        format: "inflate %.1f MB out (crc %08x), best of %d: zlib %.2f s (%.0f MB/s), igzip %.2f s (%.0f MB/s); igzip/zlib speed %.2fx",
        mb, crc, repeats, best.zlib, mb / best.zlib, best.igzip, mb / best.igzip, best.zlib / best.igzip))

// Then the encoders: each member's content compressed again, as the dump writer compresses a member,
// by zlib (raw deflate, level 1) and by igzip (FastGzipDeflater, whole members).
func memberContents() -> [[UInt8]] {
    let inflater = GzipInflater(format: .gzip)
    var pieces: [[UInt8]] = []
    input.withUnsafeBytes { inp in
        var at = 0
        while at < inp.count {
            inflater.reset()
            var piece: [UInt8] = []
            while true {
                let step = try! inflater.inflate(UnsafeRawBufferPointer(rebasing: inp[at...]), final: true)
                piece.append(contentsOf: inflater.output)
                at += step.consumed
                if step.status == .streamEnd { break }
            }
            pieces.append(piece)
        }
    }
    return pieces
}

func zlibLevel1(_ pieces: [[UInt8]]) -> Int {
    var stream = z_stream()
    deflateInit2_(&stream, 1, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
    defer { deflateEnd(&stream) }
    var total = 0
    var out = [UInt8](repeating: 0, count: 8 << 20)
    for var piece in pieces {
        deflateReset(&stream)
        let bound = Int(deflateBound(&stream, uLong(piece.count)))
        if out.count < bound { out = [UInt8](repeating: 0, count: bound) }
        piece.withUnsafeMutableBufferPointer { i in
            out.withUnsafeMutableBufferPointer { o in
                stream.next_in = i.baseAddress
                stream.avail_in = uInt(i.count)
                stream.next_out = o.baseAddress
                stream.avail_out = uInt(o.count)
                guard deflate(&stream, Z_FINISH) == Z_STREAM_END else { fatalError("deflate") }
                total += o.count - Int(stream.avail_out)
            }
        }
    }
    return total
}

/// igzip: each piece as one gzip member (FastGzipDeflater), checked by zlib's gzip inflate once.
func igzipEncoder(_ pieces: [[UInt8]], check: Bool) -> Int {
    let deflater = FastGzipDeflater()
    var out: [UInt8] = []
    var total = 0
    for piece in pieces {
        let n = try! deflater.compress(piece, into: &out)
        total += n
        if check {
            var s = z_stream()
            inflateInit2_(&s, 31, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
            var back = [UInt8](repeating: 0, count: piece.count + 1)
            let ok = out.withUnsafeMutableBufferPointer { o in
                back.withUnsafeMutableBufferPointer { b in
                    s.next_in = o.baseAddress
                    s.avail_in = uInt(n)
                    s.next_out = b.baseAddress
                    s.avail_out = uInt(b.count)
                    return inflate(&s, Z_FINISH) == Z_STREAM_END && Int(s.avail_out) == 1
                }
            }
            inflateEnd(&s)
            guard ok, back.prefix(piece.count).elementsEqual(piece) else { fatalError("zlib does not inflate the igzip member back") }
        }
    }
    return total
}

let pieces = memberContents()
let igzipBytes = igzipEncoder(pieces, check: true)
let contentMB = Double(pieces.reduce(0) { $0 + $1.count }) / 1e6
var bestEncode = (zlib: Double.infinity, igzip: Double.infinity)
var zlibBytes = 0
for _ in 0..<repeats {
    var t = now()
    zlibBytes = zlibLevel1(pieces)
    bestEncode.zlib = min(bestEncode.zlib, now() - t)
    t = now()
    _ = igzipEncoder(pieces, check: false)
    bestEncode.igzip = min(bestEncode.igzip, now() - t)
}
print(
    String(
        format:
            "deflate %d pieces, %.1f MB in, best of %d: zlib level 1 %.2f s (%.0f MB/s, %.1f MB out), igzip level 1 (whole gzip members with their CRC-32) %.2f s (%.0f MB/s, %.1f MB out, checked by zlib); igzip/zlib speed %.2fx, size %.3fx",
        pieces.count, contentMB, repeats, bestEncode.zlib, contentMB / bestEncode.zlib, Double(zlibBytes) / 1e6,
        bestEncode.igzip, contentMB / bestEncode.igzip, Double(igzipBytes) / 1e6, bestEncode.zlib / bestEncode.igzip,
        Double(igzipBytes) / Double(zlibBytes)))
