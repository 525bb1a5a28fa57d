// The Swift deflate decoder against the system zlib, the reference: zlib compresses (every level and
// strategy, fixed and dynamic blocks, stored blocks), both decode, and the outputs must be identical;
// on damaged and random streams both must fail the same way (same kind, and zlib's message).
import CZlib
import Deflate
import Testing

/// A small seeded generator, so a failure names its replayable seed.
struct Mix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Raw deflate by zlib (windowBits -15).
func zlibDeflate(_ input: [UInt8], level: Int32, strategy: Int32 = Z_DEFAULT_STRATEGY, memLevel: Int32 = 8) -> [UInt8] {
    var s = z_stream()
    precondition(deflateInit2_(&s, level, Z_DEFLATED, -15, memLevel, strategy, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK)
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
            precondition(deflate(&s, Z_FINISH) == Z_STREAM_END)
            return bound - Int(s.avail_out)
        }
    }
    return Array(out.prefix(produced))
}

/// What decoding a whole raw stream gave: its output and the input it used, or a failure (a call that
/// fails delivers nothing, so output before the error is not compared).
enum Outcome: Equatable {
    case ok([UInt8], consumed: Int)
    case data(String)
    case truncated
}

/// zlib's verdict on a raw stream given whole (output capped at `cap`).
func zlibInflate(_ input: [UInt8], cap: Int = 8 << 20) -> Outcome {
    var s = z_stream()
    precondition(inflateInit2_(&s, -15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK)
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
            let produced = cap - Int(s.avail_out)
            switch rc {
            case Z_STREAM_END: return .ok(Array(o.prefix(produced)), consumed: i.count - Int(s.avail_in))
            case Z_DATA_ERROR: return .data(String(cString: s.msg))
            case Z_BUF_ERROR where s.avail_out > 0: return .truncated
            default: return .data("zlib status \(rc), output cap reached")
            }
        }
    }
}

/// The Swift decoder's verdict, input fed in pieces of `piece` bytes (0: all at once, final).
func swiftInflate(_ input: [UInt8], piece: Int = 0, chunkSize: Int = 64 << 10, inflater: RawInflater? = nil) -> Outcome {
    let inf = inflater ?? RawInflater(chunkSize: chunkSize)
    inf.reset()
    var output: [UInt8] = []
    var at = 0
    var available = piece == 0 ? input.count : min(piece, input.count)
    return input.withUnsafeBytes { all in
        while true {
            let final = available == input.count
            do {
                let step = try inf.inflate(UnsafeRawBufferPointer(rebasing: all[at..<available]), final: final)
                output += inf.output
                at += step.consumed
                switch step.status {
                case .streamEnd: return .ok(output, consumed: at)
                case .outputFull: continue
                case .needsInput:
                    if final { return .data("needsInput with final input") }
                    available = min(available + piece, input.count)
                }
            } catch let e as InflateError {
                return e.kind == .truncated ? .truncated : .data(e.message)
            } catch {
                return .data("unexpected \(error)")
            }
            if output.count > 8 << 20 { return .data("zlib status -5, output cap reached") }
        }
    }
}

/// Inputs that exercise literals, short and long matches, overlapping copies (distances 1…7), far
/// distances and incompressible stretches.
func corpus(_ rng: inout Mix64) -> [(String, [UInt8])] {
    let text = Array(
        """
        (dp0\nS'key'\np1\nS'9f0e3b1c5a7d4e2f8b6c0a1d3e5f7a9b'\np2\nsS'expires'\np3\ncdatetime\ndatetime\np4\n
        """.utf8)
    var long: [UInt8] = []
    while long.count < 300_000 { long += text + Array(String(long.count, radix: 16).utf8) }
    let random = (0..<200_000).map { _ in UInt8.random(in: 0...255, using: &rng) }
    var mixed: [UInt8] = []
    while mixed.count < 400_000 {
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: mixed += (0..<Int.random(in: 1...2000, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        case 1:
            let period = Int.random(in: 1...9, using: &rng)
            let unit = (0..<period).map { _ in UInt8.random(in: 97...102, using: &rng) }
            for _ in 0..<Int.random(in: 1...400, using: &rng) { mixed += unit }
        case 2:
            if mixed.count > 40_000 {
                let from = Int.random(in: (mixed.count - 32_768)..<(mixed.count - 300), using: &rng)
                mixed += mixed[from..<(from + Int.random(in: 3...300, using: &rng))]
            }
        default: mixed += text
        }
    }
    return [
        ("empty", []), ("one byte", [0x41]), ("zeros", [UInt8](repeating: 0, count: 100_000)),
        ("text", text), ("long text", long), ("random", random), ("mixed", mixed),
    ]
}

@Suite struct InflateTests {
    @Test func matchesZlibForEveryLevelAndStrategy() throws {
        var rng = Mix64(seed: 1)
        let inflater = RawInflater(chunkSize: 64 << 10)  // one decoder for all: reset must forget everything
        for (name, data) in corpus(&rng) {
            for level: Int32 in [0, 1, 2, 6, 9] {
                for strategy in [Z_DEFAULT_STRATEGY, Z_FILTERED, Z_HUFFMAN_ONLY, Z_RLE, Z_FIXED] {
                    let compressed = zlibDeflate(data, level: level, strategy: strategy)
                    let expected = Outcome.ok(data, consumed: compressed.count)
                    #expect(zlibInflate(compressed) == expected)
                    #expect(swiftInflate(compressed, inflater: inflater) == expected, "\(name) level \(level) strategy \(strategy)")
                }
            }
        }
    }

    @Test func inputInPiecesGivesTheSameOutput() throws {
        var rng = Mix64(seed: 2)
        for (name, data) in corpus(&rng) where data.count > 1000 {
            let compressed = zlibDeflate(data, level: 6)
            for piece in [1, 7, 333, 4096] {
                #expect(swiftInflate(compressed, piece: piece, chunkSize: 4096) == .ok(data, consumed: compressed.count), "\(name) pieces of \(piece)")
            }
        }
    }

    @Test func streamEndLeavesTheBytesAfterIt() {
        let compressed = zlibDeflate(Array("hello, hello, hello".utf8), level: 9)
        #expect(swiftInflate(compressed + [1, 2, 3, 4, 5, 6, 7, 8, 9]) == .ok(Array("hello, hello, hello".utf8), consumed: compressed.count))
        // Two streams back to back: the second starts where the first said it ended.
        let second = zlibDeflate(Array("second".utf8), level: 1)
        guard case .ok(_, let used) = swiftInflate(compressed + second) else {
            Issue.record("first stream not decoded")
            return
        }
        #expect(swiftInflate(Array((compressed + second)[used...])) == .ok(Array("second".utf8), consumed: second.count))
    }

    @Test func everyStrictPrefixIsTruncated() {
        var rng = Mix64(seed: 3)
        let data = corpus(&rng)[6].1.prefix(20_000)
        for (level, strategy) in [(Int32(1), Z_DEFAULT_STRATEGY), (6, Z_FIXED), (0, Z_DEFAULT_STRATEGY)] {
            let compressed = zlibDeflate(Array(data), level: level, strategy: strategy)
            for n in 0..<compressed.count {
                let prefix = Array(compressed.prefix(n))
                #expect(zlibInflate(prefix) == .truncated)
                #expect(swiftInflate(prefix) == .truncated, "level \(level) prefix \(n) of \(compressed.count)")
            }
        }
    }

    @Test func damagedStreamsFailAsZlibFails() {
        var rng = Mix64(seed: 4)
        let samples = corpus(&rng).map { $0.1 }.filter { $0.count > 100 }
        var failures = 0
        for round in 0..<3000 {
            let data = Array(samples[round % samples.count].prefix(Int.random(in: 100...30_000, using: &rng)))
            let level: Int32 = [1, 6, 9][round % 3]
            var bytes = zlibDeflate(data, level: level, strategy: round % 7 == 0 ? Z_FIXED : Z_DEFAULT_STRATEGY)
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                let at = Int.random(in: 0..<min(bytes.count, round % 2 == 0 ? 64 : bytes.count), using: &rng)
                bytes[at] ^= UInt8(1) << UInt8.random(in: 0...7, using: &rng)
            }
            let expected = zlibInflate(bytes)
            let got = swiftInflate(bytes)
            if case .ok = expected {} else { failures += 1 }
            #expect(got == expected, "round \(round)")
        }
        #expect(failures > 500)  // the damage did break many streams
    }

    @Test func randomBytesFailAsZlibFails() {
        var rng = Mix64(seed: 5)
        for round in 0..<5000 {
            let bytes = (0..<Int.random(in: 0...300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            #expect(swiftInflate(bytes) == zlibInflate(bytes), "round \(round): \(bytes.prefix(16))")
        }
    }

    @Test func handMadeStreams() {
        // Stored block: BFINAL=1, BTYPE=00, LEN=3, NLEN=~3, "abc".
        let stored: [UInt8] = [0x01, 0x03, 0x00, 0xFC, 0xFF, 0x61, 0x62, 0x63]
        #expect(swiftInflate(stored) == .ok(Array("abc".utf8), consumed: 8))
        var badLength = stored
        badLength[3] = 0
        #expect(swiftInflate(badLength) == .data("invalid stored block lengths"))
        #expect(swiftInflate([0x07]) == .data("invalid block type"))  // BTYPE=11
        // Fixed block with a distance before any output: "invalid distance too far back".
        let tooFar: [UInt8] = [0x03, 0x02, 0x00]  // BFINAL, fixed, length 3 (257), distance code 0 → 1
        #expect(swiftInflate(tooFar) == zlibInflate(tooFar))
        if case .data(let m) = swiftInflate(tooFar) { #expect(m == "invalid distance too far back") }
        else { Issue.record("expected a data error") }
        // A dynamic header whose first code length is a repeat (16): zlib reads the repeat's two extra
        // bits before it judges, so a stream ending right after the code is truncated (found by
        // inflate-fuzz), and one byte more makes it "invalid bit length repeat".
        let repeatFirst: [UInt8] = [5, 192, 2, 4, 0, 128]
        #expect(zlibInflate(repeatFirst) == .truncated)
        #expect(swiftInflate(repeatFirst) == .truncated)
        #expect(swiftInflate(repeatFirst + [0]) == .data("invalid bit length repeat"))
        #expect(zlibInflate(repeatFirst + [0]) == .data("invalid bit length repeat"))
    }
}
