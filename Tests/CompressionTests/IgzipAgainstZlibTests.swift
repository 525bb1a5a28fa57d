// CompressionTests/IgzipAgainstZlibTests: ISA-L's igzip decoder (through Compression.RawInflater and
// GzipInflater, as the dump reader and the value decoder use them) against the system zlib, the
// reference. zlib compresses (every level and strategy); on those streams, fed whole or in pieces, both
// give the same bytes. On damaged, cut and random data the two differ in one direction only: igzip
// accepts some invalid raw DEFLATE that zlib refuses (it checks Huffman code sets less strictly) and
// may call a stream cut where zlib calls it invalid; it never refuses what zlib accepts. Wrapped in a
// gzip member — how dumps and values arrive — every damaged stream is refused by both (the CRC-32 and
// size catch what igzip's decoding let through). docs/dump-format.md says so.
import Compression
import CZlib

import Testing
import TestSupport

let cap = 8 << 20

/// igzip's verdict on a whole raw stream fed in pieces of `piece` bytes (0: all at once).
func igzipVerdict(_ input: [UInt8], piece: Int = 0, chunkSize: Int = 64 << 10) -> InflateVerdict {
    let inflater = RawInflater(chunkSize: chunkSize)
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
                if output.count > cap { return .cap }
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
        }
    }
}

/// The same verdict with any data error's message set aside.
func kind(_ v: InflateVerdict) -> InflateVerdict {
    if case .data = v { return .data("") }
    return v
}

func sampleInputs(_ rng: inout SplitMix64) -> [[UInt8]] {
    let text = Array("(dp0\nS'key'\np1\nS'9f0e3b1c5a7d4e2f8b6c0a1d3e5f7a9b'\np2\nsS'expires'\np3\ncdatetime\ndatetime\n".utf8)
    var long: [UInt8] = []
    while long.count < 200_000 { long += text + Array(String(long.count, radix: 16).utf8) }
    let random = (0..<100_000).map { _ in UInt8.random(in: 0...255, using: &rng) }
    var mixed: [UInt8] = []
    while mixed.count < 200_000 {
        if Bool.random(using: &rng) {
            mixed += (0..<Int.random(in: 1...1500, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        } else {
            let unit = (0..<Int.random(in: 1...9, using: &rng)).map { _ in UInt8.random(in: 97...102, using: &rng) }
            for _ in 0..<Int.random(in: 1...300, using: &rng) { mixed += unit }
        }
    }
    return [[], [0x41], [UInt8](repeating: 0, count: 70_000), text, long, random, mixed]
}

@Suite struct IgzipAgainstZlibTests {
    @Test func everyLevelAndStrategyGivesZlibsBytes() {
        var rng = SplitMix64(seed: 1)
        for input in sampleInputs(&rng) {
            for level: Int32 in [0, 1, 6, 9] {
                for strategy in [Z_DEFAULT_STRATEGY, Z_FIXED, Z_HUFFMAN_ONLY, Z_RLE] {
                    let stream = zlibDeflate(input, level: level, strategy: strategy)
                    #expect(igzipVerdict(stream) == .ok(input, consumed: stream.count), "level \(level) strategy \(strategy)")
                }
            }
        }
    }

    @Test func inputInPiecesAndSmallOutputGiveTheSameBytes() {
        var rng = SplitMix64(seed: 2)
        for input in sampleInputs(&rng) {
            let stream = zlibDeflate(input, level: 6)
            for piece in [1, 7, 100, 4096] {
                #expect(igzipVerdict(stream, piece: piece, chunkSize: 4096) == .ok(input, consumed: stream.count), "piece \(piece)")
            }
        }
    }

    @Test func bytesAfterTheStreamAreLeftAlone() {
        let stream = zlibDeflate(Array("some text, some text, some text".utf8), level: 6)
        for extra in 1...12 {
            let input = stream + [UInt8](repeating: 0xAB, count: extra)
            #expect(igzipVerdict(input) == .ok(Array("some text, some text, some text".utf8), consumed: stream.count), "extra \(extra)")
        }
    }

    @Test func everyStrictPrefixIsRefusedAsZlibRefusesIt() {
        var rng = SplitMix64(seed: 3)
        let input = sampleInputs(&rng)[6].prefix(20_000)
        let stream = zlibDeflate(Array(input), level: 6)
        for cut in 0..<stream.count {
            let prefix = Array(stream.prefix(cut))
            #expect(kind(igzipVerdict(prefix)) == kind(zlibVerdict(prefix, cap: cap)), "cut \(cut)")
        }
    }

    /// One gzip member around a (possibly damaged) raw stream, with the trailer of `original`.
    static func member(_ deflate: [UInt8], original: [UInt8]) -> [UInt8] {
        let crc = original.withUnsafeBytes { Checksum.crc32($0) }
        let size = UInt32(truncatingIfNeeded: original.count)
        var m: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3] + deflate
        for k in 0..<4 { m.append(UInt8(truncatingIfNeeded: crc >> (8 * UInt32(k)))) }
        for k in 0..<4 { m.append(UInt8(truncatingIfNeeded: size >> (8 * UInt32(k)))) }
        return m
    }

    /// zlib's output for `member` read as one gzip member; nil when it refuses it.
    static func zlibGzip(_ member: [UInt8]) -> [UInt8]? {
        if case .ok(let out, _) = zlibVerdict(member, cap: cap, windowBits: 31) { return out }
        return nil
    }

    static func igzipGzip(_ member: [UInt8]) -> [UInt8]? {
        try? GzipInflater.inflate(member, format: .gzip, maxOutput: cap).output
    }

    @Test func damagedStreamsDifferOnlyWhereIgzipIsLenientAndEveryDamagedMemberIsRefused() {
        var rng = SplitMix64(seed: 4)
        let samples = sampleInputs(&rng).filter { $0.count > 100 }
        var refused = 0, lenient = 0
        var wrongWay: [String] = []
        for round in 0..<3000 {
            let data = Array(samples[round % samples.count].prefix(Int.random(in: 100...30_000, using: &rng)))
            let level: Int32 = [1, 6, 9][round % 3]
            var bytes = zlibDeflate(data, level: level, strategy: round % 7 == 0 ? Z_FIXED : Z_DEFAULT_STRATEGY)
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                let at = Int.random(in: 0..<min(bytes.count, round % 2 == 0 ? 64 : bytes.count), using: &rng)
                bytes[at] ^= UInt8(1) << UInt8.random(in: 0...7, using: &rng)
            }
            let expected = zlibVerdict(bytes, cap: cap)
            let got = igzipVerdict(bytes)
            if case .ok = expected {
                // zlib accepts: igzip must give the same bytes.
                if got != expected { wrongWay.append("round \(round): zlib accepts, igzip \(kind(got))") }
            } else {
                refused += 1
                if case .ok = got { lenient += 1 }
            }
            // As a gzip member: the same verdict and output.
            let m = Self.member(bytes, original: data)
            #expect(Self.igzipGzip(m) == Self.zlibGzip(m), "round \(round): member verdicts differ")
        }
        #expect(refused > 500)  // the damage did break many streams
        #expect(wrongWay.isEmpty, "\(wrongWay.prefix(5))")
        // igzip's leniency on raw data is real (so this test can see a difference) but rare.
        #expect(lenient > 0 && lenient < refused / 10, "igzip accepted \(lenient) of \(refused) streams zlib refused")
    }

    @Test func randomBytesAreNeverAcceptedDifferently() {
        var rng = SplitMix64(seed: 5)
        var wrongWay: [String] = []
        for round in 0..<5000 {
            let bytes = (0..<Int.random(in: 0...300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let expected = zlibVerdict(bytes, cap: cap), got = igzipVerdict(bytes)
            if case .ok = expected, got != expected { wrongWay.append("round \(round): zlib accepts, igzip \(kind(got))") }
            let m = Self.member(bytes, original: [])
            #expect(Self.igzipGzip(m) == Self.zlibGzip(m), "round \(round): member verdicts differ")
        }
        #expect(wrongWay.isEmpty, "\(wrongWay.prefix(5))")
    }
}
