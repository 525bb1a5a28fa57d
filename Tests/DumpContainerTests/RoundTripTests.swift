// DumpContainerTests/RoundTripTests: write → read of every record type, byte-exact; zcat and
// Python's gzip module read the same file; multi-member output; reading from a descriptor.
import ByteText
import Compression
import DumpContainer
import Foundation
import Testing
import TestSupport

@Suite struct RoundTripTests {
    @Test func everyRecordTypeRoundTrips() throws {
        let dir = try makeTempDir()
        let path = dir + "/host_11211.mcdump.gz"
        let records = sampleRecords()
        let summary = try writeDump(records, to: path)
        let reader = try DumpReader(path: path)
        let out = readAll(reader)
        #expect(out.error == nil)
        #expect(out.sawTrailer)
        #expect(reader.verifiedOffset == reader.recordOffset && reader.recordOffset == summary.uncompressedBytes)
        #expect(reader.compressedOffset == summary.compressedBytes)
        #expect(out.records.count == records.count)
        for (a, b) in zip(out.records, records) { #expect(a == b) }
        #expect(summary.records == records.count)
        #expect(summary.compressedBytes == Int64(try fileBytes(path).count))
        #expect(summary.sha256.count == 64)
    }

    @Test func summaryHashMatchesSha256sum() throws {
        let dir = try makeTempDir()
        let path = dir + "/d.mcdump.gz"
        let summary = try writeDump(sampleRecords(), to: path, memberBytes: 4096)
        let r = try runProcess("/usr/bin/sha256sum", [path])
        #expect(r.status == 0)
        #expect(r.stdoutText.hasPrefix(summary.sha256 + " "))
        let z = try runProcess("/bin/zcat", [path])
        #expect(Int64(z.stdout.count) == summary.uncompressedBytes)
    }

    @Test func zcatShowsTheRecordLines() throws {
        let dir = try makeTempDir()
        let path = dir + "/d.mcdump.gz"
        try writeDump(sampleRecords(), to: path, memberBytes: 1000)
        let r = try runProcess("/bin/zcat", [path])
        #expect(r.status == 0, "zcat: \(r.stderrText)")
        let text = String(decoding: r.stdout, as: UTF8.self)
        #expect(text.hasPrefix("MCDUMP 1 {"))
        #expect(text.contains("\nSTATS general start {\"pid\":\"123\",\"uptime\":\"12345\","))
        #expect(text.contains("\nITEM 3ab6e4d4b5c2a4f3c8a1b2e3f4a5b6c7d8e9f0a1 9 24 77 -1 1764000001 2 0 120 1\n\nITEM x 0"))
        #expect(text.contains("\nITEM %00%01%02"))
        #expect(text.contains("\nITEM 100%25%20sure%20key%20with%20spaces%20%C3%A9 0 1048576 1 1764003600 "))
        #expect(text.contains("\nITEM %00%0A%25%20 1 580000 5 -1 1 39 0 -1 0\nMISS gone%20key not%20found%20%28evicted%3F%29\n"))
        #expect(text.contains("\nMISS %FF%FE\nNOTE {\"level\":\"warning\","))
        #expect(text.contains("\"value_bytes\":1048600"))  // snake_case keys, not Swift names
        #expect(!text.contains("valueBytes"))
        #expect(text.contains("\nEND {\"captured\":3,\"complete\":true,\"finished_local\":1764000010.5,"))
        #expect(text.hasSuffix("}\n"))
    }

    @Test func pythonGzipReadsTheSameStream() throws {
        let dir = try makeTempDir()
        let path = dir + "/d.mcdump.gz"
        let summary = try writeDump(sampleRecords(), to: path, memberBytes: 5000)
        #expect(summary.members >= 2)
        let code = """
            import gzip, hashlib, sys
            data = gzip.open(sys.argv[1]).read()
            print(len(data), hashlib.sha256(data).hexdigest())
            """
        let r = try Python.run(code: code, [path])
        let z = try runProcess("/bin/zcat", [path])
        let expected = "\(z.stdout.count) \(sha256Hex(z.stdout))"
        #expect(r.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == expected)
    }

    @Test(arguments: [1, 100, 4096, 1 << 20])
    func multiMemberOutputReadsBack(memberBytes: Int) throws {
        let dir = try makeTempDir()
        let path = dir + "/d.mcdump.gz"
        var rng = SplitMix64(seed: UInt64(memberBytes))
        var records: [DumpRecord] = [.header(sampleHeader)]
        for i in 0..<300 {
            let v = randomBytes(Int.random(in: 0...3000, using: &rng), &rng)
            records.append(
                .item(
                    DumpItem(
                        key: Array("key-\(i)".utf8), flags: UInt32(i), valueLength: v.count, cas: UInt64(i), exp: -1,
                        lastAccess: Int64(i), slabClass: 1 + i % 40, fetched: i % 2 == 0, totalSize: v.count + 60,
                        value: v)))
        }
        records.append(.end(sampleTrailer))
        let summary = try writeDump(records, to: path, memberBytes: memberBytes, threads: 3)
        let out = try readAll(path: path)
        #expect(out.error == nil)
        #expect(out.records == records)
        if memberBytes <= 4096 { #expect(summary.members > 10) }
    }

    @Test func readsFromADescriptor() throws {
        let dir = try makeTempDir()
        let path = dir + "/d.mcdump.gz"
        try writeDump(sampleRecords(), to: path, memberBytes: 3000)
        let fd = open(path, O_RDONLY)
        #expect(fd >= 0)
        defer { close(fd) }
        let out = readAll(DumpReader(fileDescriptor: fd, name: "<stdin>"))
        #expect(out.error == nil)
        #expect(out.records == sampleRecords())
    }

    @Test func readsGzipFromAPipeWrittenByGzipItself() throws {
        // A stream whose members were produced by gzip(1), not by our writer: the reader only relies on RFC 1952.
        let dir = try makeTempDir()
        let plain = dir + "/plain"
        let path = sampleRecords()
        let gz = dir + "/ours.mcdump.gz"
        try writeDump(path, to: gz)
        let z = try runProcess("/bin/zcat", [gz])
        try z.stdout.write(to: URL(fileURLWithPath: plain))
        let split = try runProcess("/bin/sh", ["-c", "head -c 1000 \(plain) | gzip -9; tail -c +1001 \(plain) | gzip -1"])
        #expect(split.status == 0)
        let out = try readAll(bytes: [UInt8](split.stdout), in: dir)
        #expect(out.error == nil)
        #expect(out.records == sampleRecords())
    }

    @Test func uriKeyMatchesPythonQuote() throws {
        var rng = SplitMix64(seed: 99)
        var keys: [[UInt8]] = [allBytesKey, Array("a-b.c_d~e".utf8), Array("%%%".utf8), Array("ключ".utf8)]
        for _ in 0..<50 { keys.append(randomBytes(Int.random(in: 1...250, using: &rng), &rng)) }
        let hexKeys = keys.map { $0.map { String(format: "%02x", $0) }.joined() }.joined(separator: "\n")
        let code = """
            import sys, urllib.parse
            for line in sys.stdin.read().split("\\n"):
                print(urllib.parse.quote(bytes.fromhex(line), safe=""))
            """
        let r = try Python.run(code: code, stdin: Data(hexKeys.utf8))
        let expected = r.stdoutText.split(separator: "\n").map(String.init)
        #expect(expected.count == keys.count)
        for (key, py) in zip(keys, expected) {
            #expect(PercentEncoding.encode(key) == py)
            #expect(PercentEncoding.decodeStrict(py.utf8) == key)
        }
    }

    @Test func uriKeyDecodeRejectsMalformedEscapes() {
        #expect(PercentEncoding.decodeStrict("abc%".utf8) == nil)
        #expect(PercentEncoding.decodeStrict("abc%4".utf8) == nil)
        #expect(PercentEncoding.decodeStrict("abc%G0".utf8) == nil)
        #expect(PercentEncoding.decodeStrict("a b".utf8) == nil)
        #expect(PercentEncoding.decodeStrict("%2f%2F".utf8) == [0x2F, 0x2F])
        #expect(PercentEncoding.decodeStrict("key:with/slash".utf8) == Array("key:with/slash".utf8))
    }
}

func sha256Hex(_ data: Data) -> String {
    // Independent of the writer: ask sha256sum.
    let dir = NSTemporaryDirectory() + "mcdump-sha-\(UUID().uuidString)"
    _ = FileManager.default.createFile(atPath: dir, contents: data)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let r = try? runProcess("/usr/bin/sha256sum", [dir])
    return String(r?.stdoutText.prefix(64) ?? "")
}

@Suite struct ChunkingTests {
    /// Feeds `bytes` into a pipe in random small chunks from another thread; reads with DumpReader(fileDescriptor:).
    func readThroughPipe(_ bytes: [UInt8], seed: UInt64) -> ReadOutcome {
        let pipe = Pipe()
        let writer = pipe.fileHandleForWriting
        let feeder = Thread {
            var rng = SplitMix64(seed: seed)
            var off = 0
            while off < bytes.count {
                let n = min(bytes.count - off, Int.random(in: 1...700, using: &rng))
                writer.write(Data(bytes[off..<(off + n)]))
                off += n
            }
            try? writer.close()
        }
        feeder.start()
        return readAll(DumpReader(fileDescriptor: pipe.fileHandleForReading.fileDescriptor, name: "<pipe>"))
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func anyInputChunkingGivesTheSameRecords(seed: UInt64) throws {
        let dir = try makeTempDir()
        let path = dir + "/d.mcdump.gz"
        try writeDump(sampleRecords(), to: path, memberBytes: 777)
        let out = readThroughPipe(try fileBytes(path), seed: seed)
        #expect(out.error == nil)
        #expect(out.sawTrailer)
        #expect(out.records == sampleRecords())
    }

    @Test func thousandsOfTinyMembersInsideOneRecord() throws {
        // One 20 000-byte value split over 20 000 one-byte gzip members: positions stay bounded, value exact.
        let dir = try makeTempDir()
        var rng = SplitMix64(seed: 8)
        let value = randomBytes(20_000, &rng)
        let head = Array(headerLine.utf8) + Array("ITEM k 0 20000 0 -1 0 1 0 -1 1\n".utf8)
        var file = try gzipCLI(head)
        var members: [UInt8: [UInt8]] = [:]
        for b in value {
            if members[b] == nil { members[b] = try GzipDeflater(level: 1).compress([b]) }
            file += members[b] ?? []
        }
        file += try gzipCLI("\n")
        let out = try readAll(bytes: file, in: dir)
        #expect(out.error == nil && !out.sawTrailer)
        #expect(out.records.count == 2)
        if case .item(let item)? = out.records.last { #expect(item.value == value) } else { Issue.record("no item") }
    }
}
