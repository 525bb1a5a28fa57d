// DecodeTests/DamagedDumpTests: dumps cut short, corrupted or left without END, undecodable values
// inside a good dump, zlib bombs in items, and the command's exit statuses, --output, EPIPE and usage.
import DumpContainer
import Foundation
import Testing
import TestSupport

@Suite("damaged dumps and exit statuses")
struct DamagedDumpTests {
    /// A small dump: text, int, a bad int, a zlib bomb and a corrupt zlib value; optionally no END.
    func makeDump(_ path: String, complete: Bool = true, bomb: [UInt8] = [], items: Int = 200) throws -> DumpFileSummary {
        let w = try DumpWriter(path: path, overwrite: true, memberBytes: 4096)
        try w.write(
            .header(DumpHeader(host: "10.0.0.2", port: 11211, collector: "t", method: "metadump", serverVersion: "1.6.18", serverTime: 1000, startedLocal: 1)))
        try w.write(.stats(DumpStats(section: "general", label: "start", values: [("time", "1000"), ("bytes_written", "100")])))
        func item(_ key: String, _ flags: UInt32, _ value: [UInt8]) -> DumpRecord {
            .item(
                DumpItem(
                    key: Array(key.utf8), flags: flags, valueLength: value.count, cas: 1, exp: -1, lastAccess: 999, slabClass: 1, fetched: false,
                    totalSize: value.count + 50, value: value))
        }
        for i in 0..<items { try w.write(item("k\(i)", 16, Array("value number \(i) ".utf8) + [UInt8](repeating: UInt8(97 + i % 26), count: 300))) }
        try w.write(item("int", 2, Array("77".utf8)))
        try w.write(item("badint", 2, Array("7x".utf8)))
        if !bomb.isEmpty { try w.write(item("bomb", 8 | 16, bomb)) }
        try w.write(item("badzlib", 8, Array("nope".utf8)))
        try w.write(.miss(DumpMiss(key: Array("gone".utf8), reason: "vanished")))
        try w.write(.note(DumpNote(level: "warning", message: "hello")))
        try w.write(.stats(DumpStats(section: "general", label: "end", values: [("time", "1010"), ("bytes_written", "600")])))
        if complete {
            return try w.finish(
                DumpTrailer(finishedLocal: 2, serverTime: 1010, listed: items + 5, captured: items + 4, missed: 1, valueBytes: 0, complete: true))
        }
        return try w.closeWithoutTrailer()
    }

    @Test("a good dump with undecodable values: every item appears, errors marked, exit 3")
    func undecodableValues() throws {
        let dir = try ScratchDir()
        let bomb = try Array(Python.run(code: "import sys, zlib; sys.stdout.buffer.write(zlib.compress(b'A' * (100 << 20), 9))").stdout)
        let path = dir.file("d.mcdump.gz")
        let summary = try makeDump(path, bomb: bomb)
        let r = try DecodeTool.run([path, "--max-inflated-bytes", String(16 << 20)])
        #expect(r.status == 3)
        let recs = try DecodeTool.records(r.stdoutText)
        let items = DecodeTool.items(recs)
        #expect(items.count == 204)
        let byKey = Dictionary(uniqueKeysWithValues: items.map { ($0["key"] as? String ?? "", $0) })
        #expect((byKey["badint"]?["error"] as? [String: Any])?["layer"] as? String == "int")
        #expect((byKey["bomb"]?["error"] as? [String: Any])?["layer"] as? String == "zlib")
        #expect((byKey["badzlib"]?["error"] as? [String: Any])?["layer"] as? String == "zlib")
        #expect(byKey["int"]?["value"] as? Int == 77)
        #expect(recs.contains { $0["type"] as? String == "miss" && $0["key"] as? String == "gone" && $0["reason"] as? String == "vanished" })
        #expect(recs.contains { $0["type"] as? String == "note" && $0["message"] as? String == "hello" })
        let source = try #require(DecodeTool.sources(recs).first)
        #expect(source["sha256"] as? String == summary.sha256)
        #expect(source["complete"] as? Bool == true)
        #expect(source["host"] as? String == "10.0.0.2")
        let counts = try #require(source["counts"] as? [String: Any])
        #expect(counts["value_errors"] as? Int == 3)
        #expect(counts["items"] as? Int == 204)
        let rates = try #require(source["rates"] as? [String: Any])
        #expect(rates["bytes_written"] as? Double == 50)
        #expect((source["window"] as? [String: Any])?["seconds"] as? Int == 10)
        #expect(r.stderrText.contains("3 item(s) could not be decoded"))
        #expect(recs.last?["type"] as? String == "source")
    }

    @Test("a dump without END decodes to its end, complete: false, exit 3")
    func noTrailer() throws {
        let dir = try ScratchDir()
        let path = dir.file("d.mcdump.gz")
        _ = try makeDump(path, complete: false)
        let r = try DecodeTool.run([path])
        #expect(r.status == 3)
        let recs = try DecodeTool.records(r.stdoutText)
        #expect(DecodeTool.items(recs).count == 203)
        let source = try #require(DecodeTool.sources(recs).first)
        #expect(source["complete"] as? Bool == false)
        #expect(r.stderrText.contains("incomplete"))
    }

    @Test("a dump cut at every kind of place: what was read is decoded, then an error record")
    func truncatedBytes() throws {
        let dir = try ScratchDir()
        let path = dir.file("d.mcdump.gz")
        _ = try makeDump(path)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        var itemCounts: [Int] = []
        for fraction in [0.2, 0.5, 0.8, 0.99] {
            let cut = dir.file("cut.mcdump.gz")
            try bytes.prefix(Int(Double(bytes.count) * fraction)).write(to: URL(fileURLWithPath: cut))
            let r = try DecodeTool.run([cut])
            #expect(r.status == 3, "fraction \(fraction): \(r.stderrText)")
            let recs = try DecodeTool.records(r.stdoutText)
            let source = try #require(DecodeTool.sources(recs).first)
            #expect(source["complete"] as? Bool == false)
            itemCounts.append(DecodeTool.items(recs).count)
        }
        #expect(itemCounts == itemCounts.sorted())
        #expect(itemCounts.last ?? 0 > itemCounts.first ?? 0)
    }

    @Test("corrupted bytes in the middle: error record with an offset, items before it kept")
    func corrupted() throws {
        let dir = try ScratchDir()
        let path = dir.file("d.mcdump.gz")
        _ = try makeDump(path)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        for i in stride(from: bytes.count / 2, to: bytes.count / 2 + 64, by: 1) { bytes[i] ^= 0x5A }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let r = try DecodeTool.run([path])
        #expect(r.status == 3)
        let recs = try DecodeTool.records(r.stdoutText)
        let err = try #require(recs.first { $0["type"] as? String == "error" })
        #expect(err["offset"] is Int)
        #expect(DecodeTool.items(recs).count > 10)
        #expect(DecodeTool.sources(recs).first?["complete"] as? Bool == false)
    }

    @Test("several inputs in order; an unreadable one makes exit 2 and keeps --output's old file")
    func severalInputs() throws {
        let dir = try ScratchDir()
        let a = dir.file("a.mcdump.gz"), b = dir.file("b.mcdump.gz"), out = dir.file("out.ndjson")
        _ = try makeDump(a, items: 3)
        _ = try makeDump(b, items: 5)
        let ok = try DecodeTool.run([a, b, "--output", out, "--values", "none"])
        #expect(ok.status == 3)  // the bad values inside
        #expect(ok.stdout.isEmpty)
        let recs = try DecodeTool.records(try String(contentsOfFile: out, encoding: .utf8))
        #expect(DecodeTool.sources(recs).map { $0["file"] as? String } == [a, b])
        #expect(DecodeTool.items(recs).allSatisfy { $0["value"] == nil })
        let before = try Data(contentsOf: URL(fileURLWithPath: out))
        let bad = try DecodeTool.run([a, dir.file("missing.mcdump.gz"), "--output", out])
        #expect(bad.status == 2)
        #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".tmp-") }.isEmpty)
        let noDir = try DecodeTool.run([a, "--output", dir.file("no/such/dir/out.ndjson")])
        #expect(noDir.status == 2)
        #expect(noDir.stderrText.contains("cannot create"))
        let notDump = dir.file("x.mcdump.gz")
        try Data([0x1F, 0x8B, 0x08, 0, 1, 2, 3]).write(to: URL(fileURLWithPath: notDump))
        #expect(try DecodeTool.run([notDump]).status == 2)
    }

    @Test("--values summary and --max-value-json")
    func valueDetail() throws {
        let dir = try ScratchDir()
        let path = dir.file("d.mcdump.gz")
        _ = try makeDump(path, items: 2)
        let s = try DecodeTool.run([path, "--values", "summary"])
        let item = try #require(DecodeTool.items(try DecodeTool.records(s.stdoutText)).first)
        #expect(item["value"] == nil)
        #expect((item["summary"] as? [String: Any])?["type"] as? String == "str")
        let m = try DecodeTool.run([path, "--max-value-json", "10"])
        let cut = try #require(DecodeTool.items(try DecodeTool.records(m.stdoutText)).first)
        let marker = try #require((cut["value"] as? [String: Any])?["$truncated"] as? [String: Any])
        #expect(marker["prefix"] as? String == "\"value num")
    }

    @Test("a reader that closes stdout early is success (exit 0)")
    func earlyClose() throws {
        let dir = try ScratchDir()
        let path = dir.file("d.mcdump.gz")
        _ = try makeDump(path, items: 20_000)
        let r = try runProcess("/bin/sh", ["-c", "'\(DecodeTool.path)' '\(path)' | head -c 100 > /dev/null; echo ${PIPESTATUS:-}; exit 0"])
        #expect(r.status == 0)
        let sh = try runProcess("/bin/bash", ["-c", "set -o pipefail; '\(DecodeTool.path)' '\(path)' | head -n 1 > /dev/null"])
        #expect(sh.status == 0, "\(sh.stderrText)")
    }

    @Test("output is the same bytes whatever the number of decoding threads")
    func jobsDeterministic() throws {
        let dir = try ScratchDir()
        let path = dir.file("d.mcdump.gz")
        _ = try makeDump(path, items: 6000)
        let one = try DecodeTool.run([path, "--jobs", "1"])
        #expect(one.status == 3)
        #expect(DecodeTool.items(try DecodeTool.records(one.stdoutText)).count == 6003)
        for jobs in ["2", "5"] {
            let many = try DecodeTool.run([path, "--jobs", jobs])
            #expect(many.status == one.status)
            #expect(many.stdout == one.stdout, "--jobs \(jobs) differs from --jobs 1")
        }
        #expect(try DecodeTool.run([path, "--jobs", "0"]).status == 64)
    }

    @Test("--client changes what the flags mean (bmemcached: 0 is text, 16 is bytes)")
    func clientConvention() throws {
        let dir = try ScratchDir()
        let path = dir.file("d.mcdump.gz")
        _ = try makeDump(path, items: 1)
        let pm = try DecodeTool.run([path])
        let bm = try DecodeTool.run([path, "--client", "bmemcached"])
        let pmItem = try #require(DecodeTool.items(try DecodeTool.records(pm.stdoutText)).first)
        let bmItem = try #require(DecodeTool.items(try DecodeTool.records(bm.stdoutText)).first)
        #expect(pmItem["encoding"] as? [String] == ["text"])
        #expect(bmItem["encoding"] as? [String] == ["bytes"])
        #expect(pmItem["value"] as? String == bmItem["value"] as? String)
    }

    @Test("usage errors exit 64")
    func usage() throws {
        #expect(try DecodeTool.run(["--client", "nope"]).status == 64)
        #expect(try DecodeTool.run(["--values", "all"]).status == 64)
        #expect(try DecodeTool.run(["--max-value-json", "-1", "x"]).status == 64)
        #expect(try DecodeTool.run(["-", "-"]).status == 64)
        let help = try DecodeTool.run(["--help"])
        #expect(help.status == 0)
        #expect(help.stdoutText.contains("EXIT STATUS"))
    }
}
