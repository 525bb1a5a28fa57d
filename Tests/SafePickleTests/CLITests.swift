// SafePickleTests/CLITests: `decode --pickle` and `--disassemble-pickle` end to end (the built
// executable, real files and stdin), including `$error` output and exit statuses.
import Foundation
import Testing
import TestSupport

@Suite("decode --pickle CLI")
struct CLITests {
    let decode = Repo.executable("decode")

    @Test("a Kilo CachedValue file decodes to one line of JSON, exit 0")
    func file() throws {
        let r = try runProcess(decode, ["--pickle", Oracle.fixtures + "/py2/token-cpickle-p0.pkl"])
        #expect(r.status == 0)
        let lines = r.stdoutText.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 2 && lines[1].isEmpty)
        #expect(r.stdoutText.hasPrefix("{\"$cachedvalue\":{\"payload\":"))
        #expect((try? JSONSerialization.jsonObject(with: r.stdout)) != nil)
    }

    @Test("stdin with -; a bad pickle prints {\"$error\": kind, \"$detail\": …} and exits 1")
    func stdinAndErrors() throws {
        let ok = try runProcess(decode, ["--pickle", "-"], stdin: Data([0x80, 0x05, 0x4B, 0x2A, 0x2E]))
        #expect(ok.status == 0)
        #expect(ok.stdoutText == "42\n")
        let bad = try runProcess(decode, ["--pickle", "-"], stdin: Data([0x80, 0x05, 0x4B]))
        #expect(bad.status == 1)
        let obj = try #require(try JSONSerialization.jsonObject(with: bad.stdout) as? [String: Any])
        #expect(obj["$error"] as? String == "truncated")
        #expect(obj["$detail"] is String)
        #expect(bad.stdoutText.filter { $0 == "\n" }.count == 1)
        #expect(bad.stderrText.contains("decode: error:"))
    }

    @Test("unreadable file exits 2; --pickle with a dump file is a usage error (64); --disassemble-pickle lists opcodes")
    func usage() throws {
        let missing = try runProcess(decode, ["--pickle", "/nonexistent/file.pkl"])
        #expect(missing.status == 2)
        #expect(missing.stdout.isEmpty)
        // Without --pickle, decode reads dumps (stdin by default); mixing the two modes is a usage error.
        let mixed = try runProcess(decode, ["--pickle", "-", "some.mcdump.gz"], stdin: Data([0x4E, 0x2E]))
        #expect(mixed.status == 64)
        let dis = try runProcess(decode, ["--disassemble-pickle", "-"], stdin: Data([0x80, 0x02, 0x4E, 0x2E]))
        #expect(dis.status == 0)
        #expect(dis.stdoutText.contains("PROTO"))
        #expect(dis.stdoutText.contains("NONE"))
    }
}
