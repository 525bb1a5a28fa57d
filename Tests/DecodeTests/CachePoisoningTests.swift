// DecodeTests/CachePoisoningTests: cache-poisoning triage end to end. python-memcached stores values
// whose pickles call os.system, builtins.eval and name subprocess.Popen (as a poisoned cache would hold
// them) beside a benign one in a real memcached; `collect` captures it, `decode` flags the poisoned
// items with the names (never executing them: the marker file the payloads would create stays absent),
// counts them in the source record, and `report` lists them with host and key in its own section.
import Foundation
import Testing
import TestSupport

@Suite("cache-poisoning triage", .serialized)
struct CachePoisoningTests {
    @Test("poisoned pickles are flagged with the callables they name, never run")
    func poisonedValuesAreFlagged() throws {
        let server = try MemcachedServer(memoryMB: 16)
        defer { server.stop() }
        let dir = try ScratchDir()
        let marker = dir.file("pwned")
        try Python.run(
            code: """
                import datetime, os, subprocess, sys, memcache
                marker = sys.argv[2]
                class System:
                    def __reduce__(self): return (os.system, ('touch ' + marker,))
                class Eval:
                    def __reduce__(self): return (eval, ("__import__('os').system('touch %s')" % marker,))
                c0 = memcache.Client(['127.0.0.1:' + sys.argv[1]])                 # pickle protocol 0
                c2 = memcache.Client(['127.0.0.1:' + sys.argv[1]], pickleProtocol=2)
                c0.set('poisoned-system', System())
                c2.set('poisoned-eval', [1, Eval()])
                c2.set('poisoned-popen', {'factory': subprocess.Popen})
                c2.set('benign', {'when': datetime.datetime(2026, 12, 6, 9, 0), 'n': 1, 'text': '{"$class":"os.system"}'})
                """, [String(server.port), marker])
        let out = dir.file("capture")
        let collect = try runProcess(Repo.executable("collect"), [server.address, "--out", out])
        #expect(collect.status == 0, "\(collect.stderrText)")
        let dump = out + "/127.0.0.1_\(server.port).mcdump.gz"
        let decoded = try DecodeTool.run([dump])
        #expect(decoded.status == 0, "\(decoded.stderrText)")
        #expect(decoded.stderrText.contains("possible cache poisoning"))
        let recs = try DecodeTool.records(decoded.stdoutText)
        let byKey = Dictionary(uniqueKeysWithValues: DecodeTool.items(recs).map { ($0["key"] as? String ?? "", $0) })
        let names = { (k: String) in byKey[k]?["suspicious"] as? [String] ?? [] }
        #expect(names("poisoned-system").count == 1 && names("poisoned-system")[0].hasSuffix(".system"), "\(names("poisoned-system"))")
        #expect(names("poisoned-eval").contains { $0.hasSuffix(".eval") }, "\(names("poisoned-eval"))")
        #expect(names("poisoned-popen").contains { $0.hasSuffix(".Popen") }, "\(names("poisoned-popen"))")
        #expect(byKey["benign"] != nil && byKey["benign"]?["suspicious"] == nil)
        let counts = DecodeTool.sources(recs).first?["counts"] as? [String: Any]
        #expect(counts?["suspicious"] as? Int == 3)
        #expect(!FileManager.default.fileExists(atPath: marker), "a payload ran")

        let text = try runProcess(Repo.executable("report"), ["-"], stdin: decoded.stdout)
        #expect(text.status == 0, "\(text.stderrText)")
        #expect(text.stdoutText.contains("SUSPICIOUS VALUES (possible cache poisoning)"))
        for key in ["poisoned-system", "poisoned-eval", "poisoned-popen"] { #expect(text.stdoutText.contains(key), "\(key)") }
        let json = try runProcess(Repo.executable("report"), ["--format", "json", "-"], stdin: decoded.stdout)
        let report = try JSONSerialization.jsonObject(with: json.stdout) as? [String: Any]
        #expect(report?["suspicious_count"] as? Int == 3)
        let entries = report?["suspicious"] as? [[String: Any]] ?? []
        #expect(Set(entries.compactMap { $0["key"] as? String }) == ["poisoned-system", "poisoned-eval", "poisoned-popen"])
        #expect(entries.allSatisfy { $0["host"] as? String == "127.0.0.1:\(server.port)" })
        // Through a partial and --merge, the section survives.
        let partial = try runProcess(Repo.executable("report"), ["--format", "json", "--partial", "-"], stdin: decoded.stdout)
        let merged = try runProcess(Repo.executable("report"), ["--merge", "-"], stdin: partial.stdout)
        #expect(merged.status == 0 && merged.stdoutText.contains("poisoned-eval"), "\(merged.stderrText)")
        #expect(!FileManager.default.fileExists(atPath: marker), "a payload ran")
    }
}
