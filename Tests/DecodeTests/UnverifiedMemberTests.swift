// DecodeTests/UnverifiedMemberTests: no unverified bytes pass as evidence. A bit flipped anywhere in a
// Samples dump never yields an item that differs from the original without being flagged; a dump
// whose last gzip trailer is cut gives the items zlib recovers (Python's zlib is the oracle), those
// of the damaged member flagged `unverified` and counted in the `source` record.
import Foundation
import Testing
import TestSupport

@Suite("records of damaged gzip members")
struct UnverifiedMemberTests {
    static let sample = Repo.path("Samples/kilo-2host/127.0.0.1_21212.mcdump.gz")

    /// item records by key, as raw lines (byte-for-byte comparison).
    static func itemLines(_ stdout: Data) throws -> [String: String] {
        var out: [String: String] = [:]
        for line in String(decoding: stdout, as: UTF8.self).split(separator: "\n") {
            let r = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
            if r["type"] as? String == "item", let k = r["key"] as? String { out[k] = String(line) }
        }
        return out
    }

    @Test("a flipped bit never alters an item silently: altered items are flagged, the source counts them")
    func bitFlipsAreFlagged() throws {
        let dir = try ScratchDir()
        let original = try Data(contentsOf: URL(fileURLWithPath: Self.sample))
        let clean = try DecodeTool.run([Self.sample])
        #expect(clean.status == 0)
        let reference = try Self.itemLines(clean.stdout)
        var rng = SplitMix64(seed: 15)
        var damaged = 0
        for trial in 0..<12 {
            var bytes = [UInt8](original)
            // Past the first 20 bytes (the gzip header's fixed part names no data) to the last byte.
            let at = 20 + Int(rng.next() % UInt64(bytes.count - 20))
            bytes[at] ^= UInt8(1) << UInt8(rng.next() % 8)
            let path = dir.file("flip-\(trial).mcdump.gz")
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let r = try DecodeTool.run([path])
            let recs = try DecodeTool.records(r.stdoutText)
            let got = try Self.itemLines(r.stdout)
            for item in DecodeTool.items(recs) where item["unverified"] == nil {
                let key = item["key"] as? String ?? ""
                let unchanged = got[key] == reference[key]
                #expect(unchanged, "flip at byte \(at): item \(key) altered without a flag")
            }
            let unverified = DecodeTool.items(recs).filter { $0["unverified"] != nil }.count
            if r.status != 0 {
                damaged += 1
                #expect(r.status == 3 || r.status == 2, "flip at byte \(at): \(r.stderrText)")
            }
            if unverified > 0 {
                let counts = DecodeTool.sources(recs).first?["counts"] as? [String: Any]
                #expect((counts?["unverified"] as? Int ?? 0) >= unverified, "flip at byte \(at)")
                #expect(r.status == 3)
            }
        }
        #expect(damaged > 0, "no flip was detected at all: the test did not exercise anything")
    }

    @Test("a cut gzip trailer: the items zlib recovers, the last member's flagged, exit 3", arguments: [1, 4, 8])
    func cutTrailerRecoversWhatZlibRecovers(cut: Int) throws {
        let dir = try ScratchDir()
        let original = try Data(contentsOf: URL(fileURLWithPath: Self.sample))
        let path = dir.file("cut.mcdump.gz")
        try original.prefix(original.count - cut).write(to: URL(fileURLWithPath: path))
        // The oracle: zlib's own member-by-member decompression, keeping what a cut member gave.
        let oracle = try Python.run(
            code: """
                import sys, zlib
                d = open(sys.argv[1], 'rb').read(); out = b''; i = 0
                while i < len(d):
                    o = zlib.decompressobj(31)
                    try:
                        out += o.decompress(d[i:])
                    except zlib.error:
                        break
                    if not o.eof:
                        break
                    i = len(d) - len(o.unused_data)
                n = 0; p = 0
                while True:
                    j = out.find(b'\\nITEM ', p)
                    if j < 0: break
                    e = out.find(b'\\n', j + 1)
                    if e < 0: break
                    f = out[j + 1:e].split(b' ')
                    has = f[-1] == b'1'
                    if e + 1 + (int(f[3]) + 1 if has else 0) <= len(out): n += 1
                    p = e
                print(n)
                """, [path])
        let zlibItems = Int(oracle.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        let r = try DecodeTool.run([path])
        #expect(r.status == 3, "\(r.stderrText)")
        let recs = try DecodeTool.records(r.stdoutText)
        let items = DecodeTool.items(recs)
        #expect(items.count == zlibItems && zlibItems > 0)
        let flagged = items.filter { ($0["unverified"] as? String)?.contains("gzip member failed its check") == true }
        #expect(flagged.count > 0 && flagged.count < items.count)
        // Flagged records come last (the last member's), after every verified one.
        #expect(items.suffix(flagged.count).allSatisfy { $0["unverified"] != nil })
        let counts = DecodeTool.sources(recs).first?["counts"] as? [String: Any]
        #expect((counts?["unverified"] as? Int ?? 0) >= flagged.count)
        #expect(recs.contains { $0["type"] as? String == "error" && $0["kind"] as? String == "truncated" })
        // report on that output says so first and exits 3, also through a partial and --merge.
        let report = try runProcess(Repo.executable("report"), ["-"], stdin: r.stdout)
        #expect(report.status == 3, "\(report.stderrText)")
        #expect(report.stderrText.contains("not verified evidence"))
        #expect(report.stdoutText.contains("record(s) flagged unverified"))
        let partial = try runProcess(Repo.executable("report"), ["--format", "json", "--partial", "-"], stdin: r.stdout)
        #expect(partial.status == 3)
        let merged = try runProcess(Repo.executable("report"), ["--merge", "-"], stdin: partial.stdout)
        #expect(merged.status == 3 && merged.stdoutText.contains("record(s) flagged unverified"), "\(merged.stderrText)")
        // The verified ones are byte for byte the clean decode's.
        let reference = try Self.itemLines(try DecodeTool.run([Self.sample]).stdout)
        let got = try Self.itemLines(r.stdout)
        for item in items where item["unverified"] == nil {
            let key = item["key"] as? String ?? ""
            let unchanged = got[key] == reference[key]
            #expect(unchanged, "\(key) differs from the clean decode")
        }
    }
}
