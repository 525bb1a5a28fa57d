// Every stage reports a usage error as one line on stderr — `tool: error: … (see 'tool --help')` —
// and exits 64, whether the parser finds it or the stage does while reading its configuration.
import Foundation
import Testing
import TestSupport

@Suite struct UsageErrorTests {
    static let cases: [(tool: String, args: [String])] = [
        ("collect", []),
        ("collect", ["host:notaport", "--out", "/tmp/never"]),
        ("decode", ["--bogus"]),
        ("decode", ["--jobs", "0"]),
        ("attribute", ["--client", "nope"]),
        ("attribute", ["--users", "u.json", "--servers", "a:1:2:3"]),
        ("report", ["--format", "pdf"]),
        ("report", ["--fail-above", "0"]),
    ]

    @Test(arguments: 0..<cases.count)
    func oneLineAndExit64(_ index: Int) throws {
        let (tool, args) = Self.cases[index]
        let r = try runProcess(Repo.executable(tool), args, stdin: Data())
        #expect(r.status == 64, "\(tool) \(args): \(r.stderrText)")
        let lines = r.stderrText.split(separator: "\n")
        #expect(lines.count == 1, "\(tool) \(args): \(r.stderrText)")
        #expect(lines.first?.hasPrefix("\(tool): error: ") == true)
        #expect(lines.first?.hasSuffix("(see '\(tool) --help')") == true)
        #expect(r.stdout.isEmpty)
    }

    @Test func aConfigWithoutServersIsAUsageErrorFoundWhileRunning() throws {
        let dir = try Scratch.directory("usage")
        try "[keystone]\nfoo = bar\n".write(toFile: dir + "/keystone.conf", atomically: true, encoding: .utf8)
        let r = try runProcess(
            Repo.executable("attribute"),
            ["--users", Repo.path("Samples/kilo-2host/users.json"), "--keystone-conf", dir + "/keystone.conf"], stdin: Data())
        #expect(r.status == 64)
        #expect(
            r.stderrText == "attribute: error: \(dir)/keystone.conf: neither [memcache] servers nor [cache] memcache_servers is set (see 'attribute --help')\n")
    }
}
