// DecodeTests/GoldenTests: byte-exact NDJSON for the small inputs in Tests/Fixtures/decode (made by
// make_golden.py from real pickle/zlib/dogpile; expected output and statuses by make_golden.sh,
// reviewed): record order, key order, every field, exit status.
import Foundation
import Testing
import TestSupport

@Suite("golden NDJSON")
struct GoldenTests {
    static let dir = Repo.path("Tests/Fixtures/decode")

    /// (arguments, expected file, expected status) from golden-status.txt.
    static func cases() throws -> [(args: [String], golden: String, status: Int32)] {
        let text = try String(contentsOfFile: dir + "/golden-status.txt", encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            var parts = line.split(separator: " ").map(String.init)
            let status = try #require(Int32(parts.removeLast()))
            let input = parts.removeFirst()
            let golden = parts.isEmpty ? input + ".ndjson" : input + "_" + parts.joined(separator: "_") + ".ndjson"
            return (parts + [input], golden, status)
        }
    }

    @Test("every golden case reproduces byte for byte")
    func goldens() throws {
        let cases = try GoldenTests.cases()
        #expect(cases.count == 8)
        for c in cases {
            let quoted = c.args.map { "'\($0)'" }.joined(separator: " ")
            let r = try runProcess("/bin/sh", ["-c", "cd '\(GoldenTests.dir)' && exec '\(DecodeTool.path)' \(quoted)"])
            let want = try String(contentsOfFile: GoldenTests.dir + "/" + c.golden, encoding: .utf8)
            #expect(r.status == c.status, "\(c.args): \(r.stderrText)")
            #expect(r.stdoutText == want, "\(c.args) differs from \(c.golden)")
        }
    }

    @Test("the same dump through stdin gives the same records (file name aside)")
    func stdinSame() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: GoldenTests.dir + "/small.mcdump.gz"))
        let r = try DecodeTool.run(["-"], stdin: data)
        let want = try String(contentsOfFile: GoldenTests.dir + "/small.mcdump.gz.ndjson", encoding: .utf8)
        #expect(r.status == 3)
        #expect(r.stdoutText == want.replacingOccurrences(of: "\"file\":\"small.mcdump.gz\"", with: "\"file\":\"-\""))
    }

    @Test("--disassemble prints one item's pickle listing, through zlib; missing keys are reported")
    func disassemble() throws {
        let path = GoldenTests.dir + "/small.mcdump.gz"
        let r = try DecodeTool.run(["--disassemble", "pm-zlib", path])
        #expect(r.status == 0, "\(r.stderrText)")
        #expect(r.stdoutText.contains("token-079"))
        #expect(r.stdoutText.contains("STOP"))
        let ser = try DecodeTool.run(["--disassemble", "dogpile-ser", path])
        #expect(ser.stdoutText.contains("PROTO"))
        let b64 = try DecodeTool.run(["--disassemble", "b64:a2V5Lf/+", path])
        #expect(b64.status == 3)  // found, but a bytes value is no pickle
        #expect(b64.stderrText.contains("not a pickle"))
        let missing = try DecodeTool.run(["--disassemble", "nope", path])
        #expect(missing.status == 3)
        #expect(missing.stderrText.contains("no item"))
    }
}
