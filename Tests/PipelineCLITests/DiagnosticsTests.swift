// Diagnostics show a message's control characters visibly (a message can carry a server's bytes, a key
// or a file name): an ESC, BEL or newline never reaches the terminal raw and a message stays one line.
import Foundation
import Testing
import TestSupport

@testable import PipelineCLI

@Suite struct DiagnosticsTests {
    static let hostile = "\u{1b}]0;x\u{07}\u{1b}[2J"

    static func hasRawControl(_ s: String) -> Bool {
        s.dropLast().unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
    }

    @Test func messagesShowControlCharacters() {
        let d = Diagnostics(tool: "collect")
        #expect(
            d.line("error: ", "10.0.0.1:11211: bad reply \"" + Self.hostile + "\r\nEND\"")
                == #"collect: error: 10.0.0.1:11211: bad reply "\x1b]0;x\x07\x1b[2J\r\nEND""# + "\n")
        #expect(d.line("warning: ", "\u{85}\u{2028}\u{202e}") == #"collect: warning: \x85\u2028\u202e"# + "\n")
        #expect(d.line("", "plain message, é ✓") == "collect: plain message, é ✓\n")
    }

    @Test func aFileNameWithControlsIsShownVisiblyOnStderr() throws {
        let path = try Scratch.directory("diag") + "/missing" + Self.hostile + ".ndjson"
        let r = try runProcess(Repo.executable("report"), [path], stdin: Data())
        #expect(r.status == 2)
        #expect(!Self.hasRawControl(r.stderrText), "\(r.stderrText.debugDescription)")
        #expect(r.stderrText.contains(#"missing\x1b]0;x\x07\x1b[2J.ndjson"#), "\(r.stderrText.debugDescription)")
        #expect(r.stderrText.split(separator: "\n").count == 1)
    }

    @Test func aUsageErrorQuotingAnArgumentShowsItsControls() throws {
        let r = try runProcess(Repo.executable("report"), ["--format", "x" + Self.hostile], stdin: Data())
        #expect(r.status == 64)
        #expect(!Self.hasRawControl(r.stderrText), "\(r.stderrText.debugDescription)")
        #expect(r.stderrText.contains(#"x\x1b]0;x\x07\x1b[2J"#), "\(r.stderrText.debugDescription)")
    }
}
