// Strict readers of hand-made input: records whose known fields have the wrong type or range are
// refused with their line (attribute passes them through and exits 3; report skips them and exits 3),
// a record stream of another schema is not read at all (exit 2), and a user list that contradicts
// itself is fatal while an empty one is a warning (exit 3).
import Foundation
import Testing
import TestSupport

@Suite struct StrictInputTests {
    static let servers = "127.0.0.1:21211,127.0.0.1:21212"

    func tool(_ name: String, _ args: [String], stdin: Data) throws -> ProcessResult {
        try runProcess(Repo.executable(name), args, stdin: stdin)
    }

    func users(_ text: String) throws -> String {
        let path = try Scratch.directory("strict") + "/users.csv"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static let good = #"{"type":"item","host":"127.0.0.1","port":21211,"key":"k","size":3,"flags":0,"cas":1,"value":"abc"}"#

    /// Each bad record comes after a good one: line 2 is named, the good record still counts.
    @Test(arguments: [
        (#"{"type":"item","host":"127.0.0.1","port":21211,"key":"k2","size":1e400}"#, "`size` is not a non-negative integer"),
        (#"{"type":"item","host":"127.0.0.1","port":21211,"key":"k2","size":"12"}"#, "`size` is not a non-negative integer"),
        (#"{"type":"item","host":"127.0.0.1","port":21211,"key":"k2","size":-4}"#, "`size` is not a non-negative integer"),
        (#"{"type":"item","host":"127.0.0.1","port":1e20,"key":"k2","size":1}"#, "`port` is not a port number (1…65535)"),
        (#"{"type":"item","host":"127.0.0.1","port":21211,"key_b64":"!!notbase64","size":1}"#, "`key_b64` is not base64"),
        (#"{"type":"item","host":"127.0.0.1","port":21211,"size":1}"#, "neither `key` nor `key_b64`"),
        (#"{"type":"miss","host":"127.0.0.1","port":21211,"key":7}"#, "`key` is not a string"),
    ])
    func badFieldsAreRefusedWithTheirLine(record: String, message: String) throws {
        let input = Data((Self.good + "\n" + record + "\n").utf8)
        let report = try tool("report", ["--format", "json", "-"], stdin: input)
        #expect(report.status == 3, "\(report.stderrText)")
        #expect(report.stderrText.contains("line 2: bad record: \(message)"), "\(report.stderrText)")
        let json = try JSONSerialization.jsonObject(with: report.stdout) as? [String: Any]
        #expect(json?["records"] as? Int == 1)
        let attribute = try tool("attribute", ["--users", try users("id,name\nu1,alice\n"), "--servers", Self.servers, "-"], stdin: input)
        #expect(attribute.status == 3, "\(attribute.stderrText)")
        #expect(attribute.stderrText.contains("line 2: bad record: \(message) (passed through)"), "\(attribute.stderrText)")
        #expect(attribute.stdoutText.split(separator: "\n").last.map(String.init) == record)
    }

    @Test func invalidUTF8InAKeyIsRefused() throws {
        var input = Data(Self.good.utf8) + Data("\n".utf8)
        input += Data(#"{"type":"item","host":"127.0.0.1","port":21211,"key":"bad"#.utf8) + Data([0xFF, 0xFE]) + Data(#"","size":1}"#.utf8) + Data("\n".utf8)
        let report = try tool("report", ["-"], stdin: input)
        #expect(report.status == 3 && report.stderrText.contains("line 2") && report.stderrText.contains("invalid UTF-8"), "\(report.stderrText)")
    }

    @Test(arguments: [2, 999])
    func anotherSchemaIsNotReadAtAll(schema: Int) throws {
        let source = #"{"type":"source","schema":\#(schema),"host":"127.0.0.1","port":21211,"file":"x","format":"mcdump","complete":true}"#
        let input = Data((Self.good + "\n" + source + "\n").utf8)
        let report = try tool("report", ["-"], stdin: input)
        #expect(report.status == 2, "\(report.stderrText)")
        #expect(report.stderrText.contains("line 2: bad record: source record of schema \(schema)"), "\(report.stderrText)")
        let attribute = try tool("attribute", ["--users", try users("id,name\nu1,alice\n"), "--servers", Self.servers, "-"], stdin: input)
        #expect(attribute.status == 2 && attribute.stderrText.contains("schema \(schema)"), "\(attribute.stderrText)")
    }

    @Test func aUserListThatContradictsItselfIsFatal() throws {
        let list = try users("id,name\nu1,alice\nu2,bob\nu1,mallory\n")
        let r = try tool("attribute", ["--users", list, "--servers", Self.servers, "-"], stdin: Data((Self.good + "\n").utf8))
        #expect(r.status == 2, "\(r.stderrText)")
        #expect(r.stderrText.contains("line 4: user id u1 is also on line 2 with another name or domain (alice / mallory)"), "\(r.stderrText)")
        // The same row twice is only a repeat.
        let repeated = try users("id,name\nu1,alice\nu1,alice\n")
        let ok = try tool("attribute", ["--users", repeated, "--servers", Self.servers, "-"], stdin: Data((Self.good + "\n").utf8))
        #expect(ok.status == 0, "\(ok.stderrText)")
    }

    @Test(arguments: ["", "id,name\n"])
    func anEmptyUserListIsAWarning(text: String) throws {
        let r = try tool("attribute", ["--users", try users(text), "--servers", Self.servers, "-"], stdin: Data((Self.good + "\n").utf8))
        #expect(r.status == 3, "\(r.stderrText)")
        #expect(r.stderrText.contains("no users in the list"), "\(r.stderrText)")
        #expect(r.stdoutText.contains("\"key\":\"k\""))
    }

    @Test func devNullIsAnEmptyUserListLikeAnyOther() throws {
        let input = Data((Self.good + "\n").utf8)
        let empty = try tool("attribute", ["--users", try users(""), "--servers", Self.servers, "-"], stdin: input)
        let devNull = try tool("attribute", ["--users", "/dev/null", "--servers", Self.servers, "-"], stdin: input)
        #expect(devNull.status == 3, "\(devNull.stderrText)")
        #expect(devNull.stderrText.contains("/dev/null: no users in the list"), "\(devNull.stderrText)")
        #expect(devNull.stdout == empty.stdout)
    }

    @Test func withoutAUserListKindsFamiliesAndPlacementStillComeOut() throws {
        let input = Data((Self.good + "\n").utf8)
        let r = try tool("attribute", ["--servers", Self.servers, "-"], stdin: input)
        #expect(r.status == 0, "\(r.stderrText)")
        #expect(!r.stderrText.contains("no users"), "\(r.stderrText)")
        #expect(r.stdoutText.contains("\"kind\":"), "\(r.stdoutText)")
        #expect(r.stdoutText.contains("\"placement\":{"), "\(r.stdoutText)")
        // The same records as with an empty list, without its warning.
        let empty = try tool("attribute", ["--users", try users(""), "--servers", Self.servers, "-"], stdin: input)
        #expect(r.stdout == empty.stdout)
    }

    @Test func anUnreadableUserListIsFatalNamingIt() throws {
        let r = try tool("attribute", ["--users", "/nonexistent/users.csv", "-"], stdin: Data((Self.good + "\n").utf8))
        #expect(r.status == 2, "\(r.stderrText)")
        #expect(r.stderrText.contains("cannot read user list /nonexistent/users.csv: No such file or directory"), "\(r.stderrText)")
        #expect(r.stdout.isEmpty)
    }
}
