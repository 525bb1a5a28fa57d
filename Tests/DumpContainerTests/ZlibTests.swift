// DumpContainerTests/ZlibTests: the zlib wrappers against Python's zlib (the oracle for the values
// python-memcached compresses), the output cap against a decompression bomb, and damaged streams.
import Compression
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

    @Test func everyFramingInflates() throws {
        let text = Array(String(repeating: "framing ", count: 500).utf8)
        let gzip = try GzipDeflater(level: 6, format: .gzip).compress(text)
        let zlib = try GzipDeflater(level: 6, format: .zlib).compress(text)
        let raw = try GzipDeflater(level: 6, format: .raw).compress(text)
        #expect(try GzipInflater.inflate(gzip, format: .auto, maxOutput: 1 << 20).output == text)
        #expect(try GzipInflater.inflate(zlib, format: .auto, maxOutput: 1 << 20).output == text)
        #expect(try GzipInflater.inflate(raw, format: .raw, maxOutput: 1 << 20) == (text, raw.count))
        #expect { try GzipInflater.inflate(gzip, format: .zlib, maxOutput: 1 << 20) } throws: {
            ($0 as? ZlibError)?.message == "incorrect header check"
        }
        var badAdler = zlib
        badAdler[badAdler.count - 1] ^= 1
        #expect { try GzipInflater.inflate(badAdler, format: .auto, maxOutput: 1 << 20) } throws: {
            ($0 as? ZlibError)?.message == "incorrect data check"
        }
    }

    @Test func stepwiseInflaterFindsMemberEnds() throws {
        let a = try GzipDeflater().compress(Array("first".utf8))
        let b = try GzipDeflater().compress(Array("second".utf8))
        let inflater = GzipInflater(format: .gzip)
        let input = a + b
        let step = try input.withUnsafeBytes { i in try inflater.inflate(i, final: true) }
        #expect(step.consumed == a.count && step.status == .streamEnd && Array(inflater.output) == Array("first".utf8))
        inflater.reset()
        let step2 = try input.withUnsafeBytes { i in try inflater.inflate(UnsafeRawBufferPointer(rebasing: i[a.count...]), final: true) }
        #expect(step2.consumed == b.count && step2.status == .streamEnd && Array(inflater.output) == Array("second".utf8))
    }

    @Test func inflaterAsksForMoreInputAndTakesItInPieces() throws {
        var rng = SplitMix64(seed: 31)
        var text: [UInt8] = []
        while text.count < 300_000 { text += Array("STAT key \(UInt32.random(in: 0...999, using: &rng)) value\n".utf8) }
        let member = try GzipDeflater(level: 6).compress(text)
        let inflater = GzipInflater(format: .gzip, chunkSize: 8192)
        for piece in [1, 10, 1000] {
            inflater.reset()
            var out: [UInt8] = []
            var pending: [UInt8] = []
            var next = 0
            var ended = false
            var asked = 0
            while !ended {
                let final = next == member.count
                let step = try pending.withUnsafeBytes { try inflater.inflate($0, final: final) }
                out += inflater.output
                pending.removeFirst(step.consumed)
                switch step.status {
                case .streamEnd: ended = true
                case .outputFull: break
                case .needsInput:
                    asked += 1
                    pending += member[next..<min(next + piece, member.count)]
                    next = min(next + piece, member.count)
                }
            }
            #expect(out == text && pending.isEmpty, "pieces of \(piece)")
            #expect(asked > 0)
        }
    }

    @Test func gzipHeaderFieldsAreSkippedAndTheHeaderCRCChecked() throws {
        // FEXTRA, FNAME, FCOMMENT and FHCRC, made by Python; zlib.decompress accepts the good one.
        let code = """
            import sys, zlib, struct
            body = b"dump body " * 1000
            c = zlib.compressobj(6, zlib.DEFLATED, -15); raw = c.compress(body) + c.flush()
            head = b"\\x1f\\x8b\\x08" + bytes([0x04 | 0x08 | 0x10 | 0x02]) + b"\\0\\0\\0\\0\\0\\xff"
            head += struct.pack("<H", 5) + b"extra" + b"name.mcdump\\0" + b"a comment\\0"
            head += struct.pack("<H", zlib.crc32(head) & 0xffff)
            member = head + raw + struct.pack("<II", zlib.crc32(body), len(body))
            assert zlib.decompress(member, 31) == body
            sys.stdout.buffer.write(member)
            """
        let member = [UInt8](try Python.run(code: code).stdout)
        let body = Array(String(repeating: "dump body ", count: 1000).utf8)
        #expect(try GzipInflater.inflate(member, format: .gzip, maxOutput: 1 << 20).output == body)
        var badHeaderCRC = member
        badHeaderCRC[10] ^= 1  // inside FEXTRA, covered by the header CRC
        #expect { try GzipInflater.inflate(badHeaderCRC, format: .gzip, maxOutput: 1 << 20) } throws: {
            ($0 as? ZlibError)?.kind == .data && ($0 as? ZlibError)?.message == "header crc mismatch"
        }
        // igzip checks the CRC-32 and the size together: a wrong size is an incorrect data check
        // (zlib names it "incorrect length check").
        var badSize = member
        badSize[badSize.count - 1] ^= 1
        #expect { try GzipInflater.inflate(badSize, format: .gzip, maxOutput: 1 << 20) } throws: {
            ($0 as? ZlibError)?.kind == .data && ($0 as? ZlibError)?.message == "incorrect data check"
        }
        for cut in [3, 12, 20, 30, member.count - 4] {
            #expect { try GzipInflater.inflate(Array(member.prefix(cut)), format: .gzip, maxOutput: 1 << 20) } throws: {
                ($0 as? ZlibError)?.kind == .truncated
            }
        }
    }
}
