// The records attribute holds to the end: beyond 4 MiB they go to an unlinked temporary file and come
// back in their order; a temporary folder that cannot be written is a one-line error (exit 2), not a
// lost record. And --redact's byte-level replacement: whole JSON strings only, at the end of a
// record too, one id or thousands.
import Foundation
import KeyPlacement
import LineBlocks
import Testing
import TestSupport
@testable import Attribution

@Suite struct HeldRecordsTests {
    /// `count` token-list items of about 30 KB each (every one is held to the end).
    func lists(_ count: Int) -> String {
        var out = ""
        for i in 0..<count {
            let entries = (0..<400).map { #"["tok\#(i)x\#($0)aaaaaaaaaaaaaaaa","2016-04-26T15:41:25.000000Z"]"# }.joined(separator: ",")
            let key = KeystoneKeys.mangled("usertokens-u\(i)")
            out += #"{"type":"item","host":"127.0.0.1","port":11211,"key":"\#(key)","size":\#(i),"value":[\#(entries)]}"# + "\n"
        }
        return out
    }

    @Test func manyHeldRecordsComeBackInOrderThroughTheSpool() throws {
        let held = DeferredRecords()
        var expected: [String] = []
        for block in 0..<12 {
            var bytes: [UInt8] = []
            for n in 0..<1000 {
                let line = "record \(block)-\(n) " + String(repeating: "x", count: 600)
                expected.append(line)
                bytes += Array(line.utf8) + [0x0A]
            }
            try held.append(bytes, count: 1000)
        }
        #expect(held.bytes > DeferredRecords.memoryLimit)
        var seen: [String] = []
        try held.forEach { seen.append(String(decoding: $0, as: UTF8.self)) }
        #expect(seen == expected)
        #expect(held.count == 12_000)
    }

    @Test func heldListsBeyondMemoryStillComeOutWhole() throws {
        let input = lists(300)
        #expect(input.utf8.count > DeferredRecords.memoryLimit)
        let dir = try Scratch.directory("held")
        try "id,name\n".write(toFile: dir + "/users.csv", atomically: true, encoding: .utf8)
        let r = try runProcess(
            Repo.executable("attribute"), ["--users", dir + "/users.csv", "-"], stdin: Data(input.utf8),
            environment: ["TMPDIR": dir])
        #expect(r.status == 3, "\(r.stderrText)")  // 3: the empty user list
        let out = r.stdoutText.split(separator: "\n")
        #expect(out.count == 300)
        for (i, line) in out.enumerated() {
            #expect(line.contains(#""size":\#(i),"#), "\(i)")
            #expect(line.contains(#""via":"value-shape","tokens":{"entries":400,"expired":null,"#), "\(i)")
        }
        // The spool was unlinked as soon as it was made.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["users.csv"])
    }

    @Test func aTemporaryFolderThatCannotBeWrittenIsAnError() throws {
        let dir = try Scratch.directory("held-bad")
        try "id,name\nu1,alice\n".write(toFile: dir + "/users.csv", atomically: true, encoding: .utf8)
        let r = try runProcess(
            Repo.executable("attribute"), ["--users", dir + "/users.csv", "--output", dir + "/out.ndjson", "-"],
            stdin: Data(lists(300).utf8), environment: ["TMPDIR": dir + "/missing"])
        #expect(r.status == 2)
        #expect(r.stderrText.contains("cannot create a temporary file in \(dir)/missing"), "\(r.stderrText)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/out.ndjson"))
    }

    @Test func aTokenIDSpelledLikeAMemberNameLeavesTheRecordReadable() throws {
        // A hand-made revocation list whose token id is "value": every string equal to it is redacted,
        // the member name too, and the announced value length is left alone rather than written
        // somewhere else; the record stays one JSON object that report reads.
        let value = #"[{"id":"value","expires":"2016-04-26T15:41:25Z"}]"#
        let line =
            #"{"type":"item","host":"127.0.0.1","port":11211,"key":"\#(KeystoneKeys.revocationListKey)","size":9,"value_json_bytes":\#(value.utf8.count),"value":\#(value)}"#
        let dir = try Scratch.directory("held-name")
        try "id,name\nu1,alice\n".write(toFile: dir + "/users.csv", atomically: true, encoding: .utf8)
        let a = try runProcess(Repo.executable("attribute"), ["--users", dir + "/users.csv", "--redact", "-"], stdin: Data((line + "\n").utf8))
        #expect(a.status == 0, "\(a.stderrText)")
        let out = try #require(ndjsonObjects(a.stdout).first)
        #expect(out["kind"] as? String == "revocation-list")
        #expect(!a.stdoutText.contains(#""value""#))
        let r = try runProcess(Repo.executable("report"), ["--format", "json", "-"], stdin: a.stdout)
        #expect(r.status == 0, "\(r.stderrText)")
    }

    func redacted(_ body: String, _ pairs: [(id: String, label: String)]) -> String {
        var out: [UInt8] = []
        Array(body.utf8).withUnsafeBytes { TokenRedaction.append($0, replacing: pairs, to: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    @Test func redactionReplacesWholeStringsOnly() {
        let one = [(id: "abc", label: "R")]
        #expect(
            redacted(#"{"id":"abc","k":["abc","abcd","xabc"],"s":"say \"abc\"","abc":1,"t":"abc""#, one)
                == #"{"id":"R","k":["R","abcd","xabc"],"s":"say \"abc\"","R":1,"t":"R""#)
        #expect(redacted(#"{"a":"b"}"#, one) == #"{"a":"b"}"#)
        // Thousands of ids (a token list) go through the length-filtered table: same result.
        let many = (0..<2000).map { (id: "id\($0)", label: "L\($0)") }
        let body = #"{"v":[["id7","x"],["id1999","id20 "],"id"],"w":"\"id3\""}"#
        #expect(redacted(body, many) == #"{"v":[["L7","x"],["L1999","id20 "],"id"],"w":"\"id3\""}"#)
        #expect(redacted(body, Array(many[0..<8]) + [(id: "id1999", label: "L1999")]) == redacted(body, many))
    }
}
