// Progress goes to stderr only when stderr is a terminal: under a pseudo-terminal (util-linux
// `script`) collect, decode, attribute and report draw their status line; with stderr on a pipe (how the
// stages run in a pipeline or CI) not one progress byte appears.
import Foundation
import Testing
import TestSupport

@Suite(.serialized) struct ProgressTests {
    static let eraseLine = "\r\u{1B}[2K"

    /// Runs the command with stdin, stdout and stderr on a new pseudo-terminal; returns what it printed.
    static func onTerminal(_ command: [String]) throws -> ProcessResult {
        let quoted = command.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        return try runProcess("/usr/bin/script", ["-q", "-e", "-c", quoted, "/dev/null"])
    }

    @Test func decodeAttributeAndReportDrawProgressOnlyOnATerminal() throws {
        let dir = try Scratch.directory("progress")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let dump = Repo.path("Samples/kilo-2host/127.0.0.1_21212.mcdump.gz")
        let tty = try Self.onTerminal([Repo.executable("decode"), dump, "--output", dir + "/a.ndjson"])
        #expect(tty.status == 0)
        #expect(tty.stdoutText.contains("decode: ") && tty.stdoutText.contains(" items, "), "no progress: \(tty.stdoutText)")
        #expect(tty.stdoutText.contains(Self.eraseLine))

        let piped = try runProcess(Repo.executable("decode"), [dump, "--output", dir + "/b.ndjson"])
        #expect(piped.status == 0)
        #expect(!piped.stderrText.contains(Self.eraseLine) && !piped.stderrText.contains(" items, "))
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/a.ndjson")) == Data(contentsOf: URL(fileURLWithPath: dir + "/b.ndjson")))

        // attribute draws after each 1 MiB of output: the sample's records are several MiB.
        let users = Repo.path("Samples/kilo-2host/users.json")
        let att = try Self.onTerminal([Repo.executable("attribute"), "--users", users, "--output", dir + "/c.ndjson", dir + "/a.ndjson"])
        #expect(att.status == 0)
        #expect(att.stdoutText.contains("attribute: ") && att.stdoutText.contains(" records, "), "no progress: \(att.stdoutText)")
        let attPiped = try runProcess(Repo.executable("attribute"), ["--users", users, "--output", dir + "/d.ndjson", dir + "/a.ndjson"])
        #expect(!attPiped.stderrText.contains(Self.eraseLine) && !attPiped.stderrText.contains(" records, "))

        // report draws every 4096 records: the sample host has about 2000, so feed it twice.
        let inputs = [dir + "/c.ndjson", dir + "/c.ndjson", dir + "/c.ndjson"]
        let rep = try Self.onTerminal([Repo.executable("report"), "--format", "json", "--output", dir + "/r.json"] + inputs)
        #expect(rep.status == 0)
        #expect(rep.stdoutText.contains("report: ") && rep.stdoutText.contains(" records"), "no progress: \(rep.stdoutText)")
        let repPiped = try runProcess(Repo.executable("report"), ["--format", "json", "--output", dir + "/s.json"] + inputs)
        #expect(repPiped.status == 0)
        #expect(!repPiped.stderrText.contains(Self.eraseLine))
    }

    @Test func collectDrawsProgressOnlyOnATerminal() throws {
        let dir = try Scratch.directory("progress-collect")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try MemcachedServer(memoryMB: 64)
        defer { server.stop() }
        try Python.run(
            code: """
                import sys, pymemcache
                c = pymemcache.Client(('127.0.0.1', int(sys.argv[1])))
                for i in range(2000): c.set('k%d' % i, b'v' * 3000)
                """, [String(server.port)])
        let tty = try Self.onTerminal([Repo.executable("collect"), "127.0.0.1:\(server.port)", "--out", dir + "/tty"])
        #expect(tty.status == 0, "\(tty.stdoutText)")
        #expect(tty.stdoutText.contains(Self.eraseLine), "no progress line: \(tty.stdoutText)")
        let piped = try runProcess(Repo.executable("collect"), ["127.0.0.1:\(server.port)", "--out", dir + "/pipe"])
        #expect(piped.status == 0)
        #expect(!piped.stderrText.contains(Self.eraseLine))
        // A watch window shows its events, the collector's own left out and the time left.
        let watch = try Self.onTerminal([Repo.executable("collect"), "127.0.0.1:\(server.port)", "--watch", "1", "--out", dir + "/watch"])
        #expect(watch.status == 0, "\(watch.stdoutText)")
        #expect(watch.stdoutText.contains(" · watch ") && watch.stdoutText.contains(" own left out"), "no watch progress: \(watch.stdoutText)")
        let watchPiped = try runProcess(Repo.executable("collect"), ["127.0.0.1:\(server.port)", "--watch", "1", "--out", dir + "/watch-pipe"])
        #expect(watchPiped.status == 0 && !watchPiped.stderrText.contains(" · watch "))
    }
}
