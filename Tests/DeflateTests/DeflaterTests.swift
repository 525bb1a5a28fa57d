// The Swift DEFLATE encoder, judged by the system zlib: every stream it writes must inflate (zlib's
// inflate, windowBits -15) to exactly its input, stay within `RawDeflater.bound`, and be about as small
// as zlib's level 1 on the data the dump writer sees.
import CZlib
import Deflate
import DeflateOracle
import Testing
import TestSupport

@Suite("DEFLATE encoder")
struct DeflaterTests {
    /// Compresses with `deflater`, checks the bound, and returns the stream.
    func deflate(_ input: [UInt8], _ deflater: RawDeflater = RawDeflater()) -> [UInt8] {
        var out: [UInt8] = []
        guard let n = input.withUnsafeBytes({ deflater.compress($0, into: &out) }) else {
            Issue.record("the stream for \(input.count) bytes did not fit the bound")
            return []
        }
        #expect(n <= RawDeflater.bound(input.count), "\(n) bytes for \(input.count) exceeds the bound")
        #expect(out.count >= RawDeflater.bound(input.count))
        return Array(out.prefix(n))
    }

    func expectRoundTrip(_ input: [UInt8], _ label: String, _ deflater: RawDeflater = RawDeflater()) {
        let stream = deflate(input, deflater)
        let verdict = zlibVerdict(stream, cap: input.count + 1)
        #expect(verdict == .ok(input, consumed: stream.count), "\(label): zlib does not give the input back")
    }

    /// Pickle-like records: shared structure with fresh random hex ids, some of them zlib-compressed.
    static func keystoneLike(_ bytes: Int, seed: UInt64) -> [UInt8] {
        var rng = SplitMix64(seed: seed)
        var out: [UInt8] = []
        let hex = Array("0123456789abcdef".utf8)
        while out.count < bytes {
            var record = Array("(dp0\nVid\np1\nV".utf8)
            for _ in 0..<32 { record.append(hex[Int(rng.next() & 15)]) }
            record += Array("\np2\nsVexpires\np3\nV2026-11-26T20:00:00.000000Z\np4\nsVcatalog\np5\n(lp6\n".utf8)
            for k in 0..<Int(rng.next() % 6) {
                record += Array("(dp\(k)\nVurl\nVhttp://10.0.\(k).1:5000/v3\nsVinterface\nVpublic\nsa".utf8)
            }
            record += Array("s.".utf8)
            if rng.next() % 10 == 3 { record = zlibDeflate(record, level: 6) }
            out += record
        }
        return Array(out.prefix(bytes))
    }

    /// `count` bytes repeating with `period` (random within a period).
    static func periodic(_ period: Int, count: Int) -> [UInt8] {
        var rng = SplitMix64(seed: UInt64(period))
        let one = (0..<period).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        return (0..<count).map { one[$0 % period] }
    }

    @Test("zlib inflates every stream back to its input: edge sizes, runs, random, text, structure")
    func roundTrips() {
        var rng = SplitMix64(seed: 11)
        let random = (0..<300_000).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let text = Array(String(repeating: "the quick brown fox jumps over the lazy dog; ", count: 4000).utf8)
        var cases: [(String, [UInt8])] = [
            ("empty", []),
            ("one byte", [42]),
            ("eleven bytes", Array("hello world".utf8)),
            ("twelve bytes", Array("hello world!".utf8)),
            ("zeros", [UInt8](repeating: 0, count: 1 << 20)),
            ("text", text),
            ("random (stored)", random),
            ("random then text", random + text),
            ("text then random", text + random),
            ("period 32768 (the farthest distance)", DeflaterTests.periodic(32768, count: 150_000)),
            ("period 32769 (just out of reach)", DeflaterTests.periodic(32769, count: 150_000)),
            ("keystone-like 2 MB", DeflaterTests.keystoneLike(2 << 20, seed: 5)),
        ]
        // Several blocks of literals: skewed random bytes (Huffman beats storing them), 4-byte repeats rare.
        cases.append(("200 KB of literals", (0..<200_000).map { _ in UInt8(min(rng.next() % 200, rng.next() % 200)) }))
        for (label, input) in cases { expectRoundTrip(input, label) }
    }

    @Test("seeded random structured inputs, one deflater reused (its tables must not carry over)")
    func seededInputs() {
        var rng = SplitMix64(seed: 2026)
        let deflater = RawDeflater()
        for i in 0..<400 {
            let count = Int(rng.next() % 5000)
            let alphabet = 1 + Int(rng.next() % 255)
            var input: [UInt8] = []
            while input.count < count {
                if !input.isEmpty && rng.next() % 3 == 0 {
                    // Copy an earlier run (a match, sometimes overlapping itself).
                    let from = Int(rng.next() % UInt64(input.count))
                    let len = 1 + Int(rng.next() % 300)
                    for k in 0..<len { input.append(input[from + k % (input.count - from)]) }
                } else {
                    input.append(UInt8(Int(rng.next() % UInt64(alphabet))))
                }
            }
            let fresh = deflate(input)
            let reused = deflate(input, deflater)
            #expect(fresh == reused, "case \(i): a reused deflater wrote a different stream")
            #expect(zlibVerdict(reused, cap: input.count + 1) == .ok(input, consumed: reused.count), "case \(i)")
        }
    }

    @Test("about as small as zlib level 1 on dump-like data; incompressible data is stored (a few bytes per 64 KiB)")
    func size() {
        let data = DeflaterTests.keystoneLike(4 << 20, seed: 9)
        let ours = deflate(data).count
        let zlib1 = zlibDeflate(data, level: 1).count
        #expect(Double(ours) <= Double(zlib1) * 1.15, "\(ours) bytes against zlib level 1's \(zlib1)")
        var rng = SplitMix64(seed: 3)
        let random = (0..<(1 << 20)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let stored = deflate(random).count
        // Stored blocks: 5 bytes of header (and at most one of padding) per 64 KiB, a block of more
        // than 64 KiB (one with a stray match) taking two.
        #expect(stored <= random.count + 12 * (random.count / 65535 + 1), "\(stored) bytes for 1 MiB of random bytes")
    }
}
