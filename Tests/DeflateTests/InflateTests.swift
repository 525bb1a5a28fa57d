// The Swift deflate decoder against the system zlib, the reference: zlib compresses (every level and
// strategy, fixed and dynamic blocks, stored blocks), both decode, and the outputs must be identical;
// on damaged and random streams both must fail the same way (same kind, and zlib's message).
import CZlib
import Deflate
import DeflateOracle
import Testing
import TestSupport

let testCap = 8 << 20

/// zlib's verdict (DeflateOracle) with the tests' output cap.
func zlibInflate(_ input: [UInt8]) -> InflateVerdict { zlibVerdict(input, cap: testCap) }

/// The Swift decoder's verdict, input fed in pieces of `piece` bytes (0: all at once, final).
func swiftInflate(_ input: [UInt8], piece: Int = 0, chunkSize: Int = 64 << 10, inflater: RawInflater? = nil) -> InflateVerdict {
    swiftVerdict(input, piece: piece, cap: testCap, inflater: inflater ?? RawInflater(chunkSize: chunkSize)).0
}

/// Inputs that exercise literals, short and long matches, overlapping copies (distances 1…7), far
/// distances and incompressible stretches.
func corpus(_ rng: inout SplitMix64) -> [(String, [UInt8])] {
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
        var rng = SplitMix64(seed: 1)
        let inflater = RawInflater(chunkSize: 64 << 10)  // one decoder for all: reset must forget everything
        for (name, data) in corpus(&rng) {
            for level: Int32 in [0, 1, 2, 6, 9] {
                for strategy in [Z_DEFAULT_STRATEGY, Z_FILTERED, Z_HUFFMAN_ONLY, Z_RLE, Z_FIXED] {
                    let compressed = zlibDeflate(data, level: level, strategy: strategy)
                    let expected = InflateVerdict.ok(data, consumed: compressed.count)
                    #expect(zlibInflate(compressed) == expected)
                    #expect(swiftInflate(compressed, inflater: inflater) == expected, "\(name) level \(level) strategy \(strategy)")
                }
            }
        }
    }

    @Test func inputInPiecesGivesTheSameOutput() throws {
        var rng = SplitMix64(seed: 2)
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
        var rng = SplitMix64(seed: 3)
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
        var rng = SplitMix64(seed: 4)
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
        var rng = SplitMix64(seed: 5)
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
