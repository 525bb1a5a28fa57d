// DumpContainerTests/ZlibTests: the zlib wrappers against Python's zlib (the oracle for the values
// python-memcached compresses), the output cap against a decompression bomb, and damaged streams.
import DumpContainer
import Foundation
import Testing
import TestSupport

@Suite struct ZlibTests {
    /// Python's zlib.compress of `code`'s `data`, as bytes.
    func pythonCompressed(_ dataExpression: String, level: Int = 6) throws -> [UInt8] {
        let r = try Python.run(code: "import sys, zlib; sys.stdout.buffer.write(zlib.compress(\(dataExpression), \(level)))")
        return [UInt8](r.stdout)
    }

    @Test func inflatesWhatPythonZlibCompressed() throws {
        let compressed = try pythonCompressed("bytes(range(256)) * 4000 + b'tail'")
        let out = try GzipInflater.inflateZlib(compressed, maxOutput: 2 << 20)
        #expect(out.count == 256 * 4000 + 4)
        #expect(Array(out.prefix(256)) == (0...255).map { UInt8($0) })
        #expect(Array(out.suffix(4)) == Array("tail".utf8))
    }

    @Test func aBombOverTheCapIsAnOutputLimitError() throws {
        let bomb = try pythonCompressed("b'\\0' * (64 << 20)", level: 9)
        #expect(bomb.count < 100_000)
        #expect { try GzipInflater.inflateZlib(bomb, maxOutput: 1 << 20) } throws: {
            ($0 as? ZlibError)?.kind == .outputLimit
        }
        // Exactly at the cap is fine.
        let exact = try pythonCompressed("b'a' * 1000")
        #expect(try GzipInflater.inflateZlib(exact, maxOutput: 1000).count == 1000)
        #expect { try GzipInflater.inflateZlib(exact, maxOutput: 999) } throws: { ($0 as? ZlibError)?.kind == .outputLimit }
        // No limit at all, and output many times the first guess (4× the input), grown step by step.
        #expect(try GzipInflater.inflateZlib(exact, maxOutput: Int.max).count == 1000)
        #expect(try GzipInflater.inflateZlib(bomb, maxOutput: Int.max).count == 64 << 20)
        // A cap of 0 admits only an empty stream.
        #expect { try GzipInflater.inflateZlib(exact, maxOutput: 0) } throws: { ($0 as? ZlibError)?.kind == .outputLimit }
        let empty = try pythonCompressed("b''")
        #expect(try GzipInflater.inflateZlib(empty, maxOutput: 0).isEmpty)
    }

    @Test func truncatedAndCorruptStreams() throws {
        let good = try pythonCompressed("b'hello world ' * 100")
        for n in 0..<good.count {
            #expect(throws: ZlibError.self) { try GzipInflater.inflateZlib(Array(good.prefix(n)), maxOutput: 1 << 20) }
        }
        #expect { try GzipInflater.inflateZlib(Array(good.prefix(good.count - 2)), maxOutput: 1 << 20) } throws: {
            ($0 as? ZlibError)?.kind == .truncated
        }
        var badCheck = good
        badCheck[badCheck.count - 1] ^= 0xFF  // Adler-32 mismatch
        #expect { try GzipInflater.inflateZlib(badCheck, maxOutput: 1 << 20) } throws: { ($0 as? ZlibError)?.kind == .data }
        #expect { try GzipInflater.inflateZlib(Array("not zlib at all".utf8), maxOutput: 1 << 20) } throws: {
            ($0 as? ZlibError)?.kind == .data
        }
    }

    @Test func trailingBytesAfterTheStreamAreReportedNotInflated() throws {
        let good = try pythonCompressed("b'abc'")
        let (output, consumed) = try GzipInflater.inflate(good + [1, 2, 3], format: .zlib, maxOutput: 100)
        #expect(output == Array("abc".utf8))
        #expect(consumed == good.count)
    }

    @Test func deflaterOutputIsReadByPython() throws {
        var rng = SplitMix64(seed: 5)
        let input = randomBytes(10_000, &rng) + Array(repeating: 0x61, count: 50_000)
        for format in [ZlibFormat.gzip, .zlib] {
            let compressed = try GzipDeflater(level: 6, format: format).compress(input)
            let wbits = format == .gzip ? 31 : 15
            let r = try Python.run(
                code: "import sys, zlib, hashlib; print(hashlib.sha256(zlib.decompress(sys.stdin.buffer.read(), \(wbits))).hexdigest())",
                stdin: Data(compressed))
            #expect(r.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == sha256Hex(Data(input)))
        }
        #expect(throws: ZlibError.self) { try GzipDeflater(format: .auto) }
    }

    @Test func stepwiseInflaterFindsMemberEnds() throws {
        let a = try GzipDeflater().compress(Array("first".utf8))
        let b = try GzipDeflater().compress(Array("second".utf8))
        let inflater = try GzipInflater(format: .gzip)
        let input = a + b
        var out = [UInt8](repeating: 0, count: 64)
        let step = try input.withUnsafeBytes { i in try out.withUnsafeMutableBytes { o in try inflater.inflate(i, into: o) } }
        #expect(step.streamEnd && step.consumed == a.count && Array(out.prefix(step.produced)) == Array("first".utf8))
        try inflater.reset()
        let step2 = try input.withUnsafeBytes { i in
            try out.withUnsafeMutableBytes { o in try inflater.inflate(UnsafeRawBufferPointer(rebasing: i[a.count...]), into: o) }
        }
        #expect(step2.streamEnd && Array(out.prefix(step2.produced)) == Array("second".utf8))
    }
}
