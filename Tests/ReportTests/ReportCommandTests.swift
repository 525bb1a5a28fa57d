// `attribute | report` end to end on Keystone-Kilo records written by Python: every figure of the
// JSON report equals what Tests/python/report_oracle.py computes from the same records; the text
// and Markdown reports name the heavy users and their host; no token id leaks; exit statuses.
import Foundation
import Testing
import TestSupport

@Suite struct ReportCommandTests {
    static let servers = "127.0.0.1:21211,127.0.0.1:21212"

    /// Attributed records of a generated cluster, written to a file.
    func attributed(shuffle: Bool = false) throws -> (KiloRecords, String) {
        let kilo = try KiloRecords.generate(shuffle: shuffle)
        let r = try runProcess(Repo.executable("attribute"), ["--users", kilo.usersJSON, "--servers", Self.servers, kilo.records])
        #expect(r.status == 0)
        let path = kilo.directory + "/attributed.ndjson"
        try r.stdout.write(to: URL(fileURLWithPath: path))
        return (kilo, path)
    }

    func report(_ args: [String], stdin: Data? = nil) throws -> ProcessResult {
        try runProcess(Repo.executable("report"), args, stdin: stdin)
    }

    func oracle(_ records: String, _ json: Data, top: Int = 10) throws -> String {
        let path = records + ".report.json"
        try json.write(to: URL(fileURLWithPath: path))
        let r = try runProcess(Python.interpreter, [Repo.path("Tests/python/report_oracle.py"), records, path, "--top", String(top)])
        return r.stdoutText + r.stderrText
    }

    @Test func oneThreadOrManyWriteTheSameReport() throws {
        let (_, path) = try attributed(shuffle: true)
        for format in ["json", "text", "markdown", "html"] {
            let base = ["--format", format, "--width", "120", "--servers", Self.servers, path]
            let one = try report(base + ["--jobs", "1"])
            #expect(one.status == 0, "\(one.stderrText)")
            for extra in [["--jobs", "2"], ["--jobs", "2", "--block-bytes", "4096"], ["--jobs", "5", "--block-bytes", "6000"]] {
                let many = try report(base + extra)
                #expect(many.stdout == one.stdout, "\(format) \(extra)")
            }
        }
        let partialOne = try report(["--format", "json", "--partial", "--jobs", "1", path])
        let partialMany = try report(["--format", "json", "--partial", "--jobs", "2", "--block-bytes", "4096", path])
        #expect(partialOne.status == 0 && partialOne.stdout == partialMany.stdout)
    }

    @Test func jsonFiguresEqualThePythonOracle() throws {
        let (_, path) = try attributed()
        let r = try report(["--format", "json", path])
        #expect(r.status == 0)
        let verdict = try oracle(path, r.stdout)
        #expect(verdict.hasPrefix("ok "), "\(verdict)")
        let doc = try #require(try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any])
        let e = try #require(doc["explanation"] as? [String: Any])
        #expect(e["users"] as? [String] == ["ceilometer", "nova", "neutron"])
        #expect(e["host"] as? String == "127.0.0.1:21212")
        #expect(e["all_on_host"] as? Bool == true)
    }

    @Test func shuffledOrderTopThreeAndUnattributedInputAlsoMatch() throws {
        let (kilo, path) = try attributed(shuffle: true)
        let top3 = try report(["--format", "json", "--top", "3", "-"], stdin: try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(try oracle(path, top3.stdout, top: 3).hasPrefix("ok "))
        let plain = try report(["--format", "json", kilo.records])
        #expect(try oracle(kilo.records, plain.stdout).hasPrefix("ok "))
        // Without attribute there are no owners, but the key families still explain the hot host.
        let unattributed = try report(["--width", "400", kilo.records]).stdoutText
        #expect(!unattributed.contains("token lists ("), "\(unattributed)")
        #expect(unattributed.contains("key family accounts for") || unattributed.contains("key families account for"), "\(unattributed)")
        #expect(unattributed.contains("keystone:sha1-key"), "\(unattributed)")
    }

    @Test func textAndMarkdownNameTheHeavyUsersAndTheirHost() throws {
        let (_, path) = try attributed()
        let text = try report(["--width", "100", path])
        #expect(text.status == 0)
        let sentence = "3 users' token lists (ceilometer, nova, neutron)"
        let flat = text.stdoutText.replacingOccurrences(of: "\n", with: " ")
        #expect(flat.contains(sentence))
        #expect(flat.contains("all on 127.0.0.1:21212"))
        #expect(text.stdoutText.split(separator: "\n").allSatisfy { $0.count <= 100 })

        let md = try report(["--format", "markdown", path]).stdoutText
        #expect(md.hasPrefix("# "))
        let explanation = try #require(md.range(of: "## Explanation"))
        let hosts = try #require(md.range(of: "## Hosts"))
        #expect(explanation.lowerBound < hosts.lowerBound)
        #expect(md.contains(sentence))
        #expect(md.contains("| ceilometer |"))
    }

    @Test func noTokenIDAppearsUnlessAskedFor() throws {
        let (kilo, path) = try attributed()
        let ids = try Python.run(
            code: """
                import json, sys
                ids = set()
                for line in open(sys.argv[1]):
                    v = json.loads(line).get('value')
                    if isinstance(v, list):
                        ids.update(e[0] for e in v if isinstance(e, list))
                        ids.update(e['id'] for e in v if isinstance(e, dict) and 'id' in e)
                    if isinstance(v, dict) and 'token_data' in v:
                        ids.add(v['id'])
                print('\\n'.join(sorted(ids)))
                """, [kilo.records]
        ).stdoutText.split(separator: "\n").map(String.init)
        #expect(ids.count > 700)
        let idSet = Set(ids)
        func leaked(_ s: String) -> [String] {
            // Every 32-hex run in the output, checked against the set of token ids.
            var found: [String] = []
            let chars = Array(s.utf8)
            var i = 0
            while i < chars.count {
                var j = i
                while j < chars.count, (chars[j] >= 0x30 && chars[j] <= 0x39) || (chars[j] >= 0x61 && chars[j] <= 0x66) { j += 1 }
                if j - i >= 32 {
                    for k in i...(j - 32) where idSet.contains(String(decoding: chars[k..<(k + 32)], as: UTF8.self)) {
                        found.append(String(decoding: chars[k..<(k + 32)], as: UTF8.self))
                    }
                }
                i = j + 1
            }
            return found
        }
        for format in ["text", "markdown", "json", "html"] {
            let out = try report(["--format", format, "--top", "200", path]).stdoutText
            #expect(leaked(out).isEmpty, "\(format)")
        }
        let shown = try report(["--format", "json", "--top", "200", "--show-secrets", path]).stdoutText
        #expect(!leaked(shown).isEmpty)
    }

    @Test func exitStatuses() throws {
        let (kilo, path) = try attributed()
        var input = try Data(contentsOf: URL(fileURLWithPath: path))
        input.append(Data("this is not json\n".utf8))
        let partial = try report(["--format", "json", "-"], stdin: input)
        #expect(partial.status == 3)
        #expect(partial.stderrText.contains("line \(try kilo.recordCount() + 1):"), "\(partial.stderrText)")
        #expect(try report(["/nonexistent/records.ndjson"]).status == 2)
        #expect(try report(["--format", "pdf", path]).status == 64)
        #expect(try report(["--top", "0", path]).status == 64)
        #expect(try report(["--nope"]).status == 64)
    }
}
