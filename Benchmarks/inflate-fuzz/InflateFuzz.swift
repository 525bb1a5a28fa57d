// inflate-fuzz: differential fuzzing of the Swift `Deflate` decoder against the system zlib. Built with
// `-Xswiftc -sanitize=fuzzer -Xswiftc -DLIBFUZZER` it is a libFuzzer target; otherwise a seeded random
// mutator (usage: inflate-fuzz SECONDS [seed]) that prints executions and verdict counts.
// Each input is decoded as raw deflate by zlib and by `RawInflater` (whole, and fed in pieces): the
// verdicts (output and bytes used / data error and its message / truncated) must be identical; any
// difference stops the run with a trap, which the script reports as a crash. The first input byte
// picks the mode: odd → the rest is a raw deflate stream as it is; even → the rest is compressed by
// zlib first (level and strategy from that byte) and then damaged at one place, so that mutations
// reach deep into valid streams. Every input (after the first byte) is also compressed by the Swift
// encoder `RawDeflater`, and zlib must inflate that back to exactly the input.
import CZlib
import Deflate
import DeflateOracle

/// Output above this is not compared byte for byte (a bomb would take too long): both must reach it.
let outputCap = 4 << 20

nonisolated(unsafe) let reused = RawInflater(chunkSize: 16 << 10)
nonisolated(unsafe) let encoder = RawDeflater()
nonisolated(unsafe) var encoded: [UInt8] = []

/// The encoder's side: zlib must inflate what `RawDeflater` makes of `input` back to exactly `input`.
func checkEncoder(_ input: [UInt8]) {
    guard let n = input.withUnsafeBytes({ encoder.compress($0, into: &encoded) }), n <= RawDeflater.bound(input.count) else {
        fatalError("the encoder's stream for \(input.count) bytes went over its bound")
    }
    let verdict = zlibVerdict(Array(encoded.prefix(n)), cap: input.count + 1)
    if verdict != .ok(input, consumed: n) { fatalError("zlib does not inflate the encoder's stream back to its input: \(verdict)") }
}

/// Runs one input; traps on any difference. Returns zlib's verdict.
@discardableResult
func check(_ data: [UInt8]) -> InflateVerdict {
    guard let mode = data.first else { return .truncated }
    var stream = Array(data.dropFirst())
    checkEncoder(stream)
    if mode & 1 == 0 && stream.count >= 2 {
        let level = Int32(mode >> 1) % 10
        let strategy = [Z_DEFAULT_STRATEGY, Z_FILTERED, Z_HUFFMAN_ONLY, Z_RLE, Z_FIXED][Int(mode >> 5) % 5]
        let at = Int(stream[0]), flip = stream[1]
        stream = zlibDeflate(Array(stream.dropFirst(2)), level: level, strategy: strategy)
        if !stream.isEmpty { stream[at % stream.count] ^= flip }
    }
    let expected = zlibVerdict(stream, cap: outputCap)
    for piece in [0, 1 + Int(mode) % 97] {
        let (got, produced) = swiftVerdict(stream, piece: piece, cap: outputCap, inflater: reused)
        if got == expected { continue }
        // Past the cap zlib stops; the Swift decoder may meet the damage within the chunk that crossed it.
        if expected == .cap && produced + (16 << 10) + 300 >= outputCap { continue }
        fatalError("verdicts differ (piece \(piece)): zlib \(expected), Swift \(got)")
    }
    return expected
}

#if LIBFUZZER
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    check(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

@_cdecl("inflate_fuzz_main")
public func inflateFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var c = argc
    var v = argv
    return LLVMFuzzerRunDriver(&c, &v) { data, size in fuzzOne(data, size) }
}
#else
import Foundation

@main
struct InflateFuzz {
    static func main() {
        let args = CommandLine.arguments
        guard args.count >= 2, let seconds = Double(args[1]) else {
            print("usage: inflate-fuzz SECONDS [seed]")
            exit(64)
        }
        var seeded = args.count > 2 ? UInt64(args[2]) ?? 1 : 1
        func next() -> UInt64 {
            seeded &+= 0x9E37_79B9_7F4A_7C15
            var z = seeded
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let text = Array("(dp0\nVkey\np1\nV0123456789abcdef\np2\nsVexpires\np3\ncdatetime\ndatetime\n".utf8)
        var execs = 0
        var verdicts: [String: Int] = [:]
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            for _ in 0..<100 {
                var data: [UInt8] = [UInt8(truncatingIfNeeded: next())]
                let n = Int(next() % 4000)
                if data[0] & 1 == 0 {
                    data += [UInt8(truncatingIfNeeded: next()), UInt8(truncatingIfNeeded: next())]
                    while data.count < n { data += next() % 3 == 0 ? [UInt8(truncatingIfNeeded: next())] : text }
                } else {
                    for _ in 0..<(n % 300) { data.append(UInt8(truncatingIfNeeded: next())) }
                }
                let v = check(data)
                let name: String
                switch v {
                case .ok: name = "ok"
                case .data(let m): name = m
                case .truncated: name = "truncated"
                case .cap: name = "cap"
                }
                verdicts[name, default: 0] += 1
                execs += 1
            }
        }
        print("{\"executions\": \(execs), \"verdicts\": \(verdicts), \"differences\": 0}")
    }
}
#endif
