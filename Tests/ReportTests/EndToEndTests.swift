// End to end on a real two-host memcached: Python fills it the way Keystone's token persistence did
// (dogpile region, sha1 mangler, python-memcached, per-user token lists rewritten at every issue),
// then `collect`, `decode`, `attribute` and `report` run as an operator would. Every per-host and
// per-user figure of the JSON report equals what Python computes by reading the same servers itself
// (Tests/python/e2e_keystone.py expect), the remaining figures equal report_oracle.py's from the same
// records, and the Markdown names the heavy users and their host.
import Foundation
import Testing
import TestSupport

@Suite(.serialized) struct EndToEndTests {
    @Test func realClusterThroughEveryStage() throws {
        let dir = try Scratch.directory("e2e")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let a = try MemcachedServer(memoryMB: 64)
        defer { a.stop() }
        let b = try MemcachedServer(memoryMB: 64)
        defer { b.stop() }
        let script = Repo.path("Tests/python/e2e_keystone.py")
        try Python.run(script: script, ["fill", String(a.port), String(b.port), dir])
        let servers = "127.0.0.1:\(a.port),127.0.0.1:\(b.port)"

        let collect = try runProcess(Repo.executable("collect"), ["127.0.0.1:\(a.port)", "127.0.0.1:\(b.port)", "--out", dir + "/dumps"])
        #expect(collect.status == 0, "collect: \(collect.stderrText)")
        let dumps = ["127.0.0.1_\(a.port)", "127.0.0.1_\(b.port)"].map { dir + "/dumps/\($0).mcdump.gz" }
        let decode = try runProcess(Repo.executable("decode"), dumps + ["--output", dir + "/decoded.ndjson"])
        #expect(decode.status == 0, "decode: \(decode.stderrText)")
        let attribute = try runProcess(
            Repo.executable("attribute"),
            [
                "--users", dir + "/users.json", "--servers", servers, "--client", "python-memcached", "--redact",
                "--output", dir + "/attributed.ndjson", dir + "/decoded.ndjson",
            ])
        #expect(attribute.status == 0, "attribute: \(attribute.stderrText)")
        let json = try runProcess(Repo.executable("report"), ["--format", "json", "--top", "25", dir + "/attributed.ndjson"])
        #expect(json.status == 0, "report: \(json.stderrText)")
        let markdown = try runProcess(Repo.executable("report"), ["--format", "markdown", dir + "/attributed.ndjson"])
        #expect(markdown.status == 0)

        // Python's own reading of the two servers.
        let expectRun = try Python.run(script: script, ["expect", String(a.port), String(b.port), dir + "/users.json"])
        let expected = try #require(try JSONSerialization.jsonObject(with: expectRun.stdout) as? [String: Any])
        let report = try #require(try JSONSerialization.jsonObject(with: json.stdout) as? [String: Any])

        let wantHosts = try #require(expected["hosts"] as? [String: [String: Int]])
        let gotHosts = try #require(report["hosts"] as? [[String: Any]])
        #expect(gotHosts.count == 2)
        for h in gotHosts {
            let name = try #require(h["host"] as? String)
            let want = try #require(wantHosts[name], "unexpected host \(name)")
            #expect(h["items"] as? Int == want["items"], "\(name) items")
            #expect(h["value_bytes"] as? Int == want["value_bytes"], "\(name) bytes")
        }

        let wantUsers = try #require(expected["users"] as? [String: [String: Any]])
        let users = try #require(report["users"] as? [String: Any])
        let top = try #require(users["top"] as? [[String: Any]])
        #expect(users["count"] as? Int == wantUsers.count)
        #expect(top.count == wantUsers.count)
        for u in top {
            let id = try #require(u["id"] as? String)
            let want = try #require(wantUsers[id], "user \(id) not found by Python")
            #expect(u["items"] as? Int == want["items"] as? Int, "\(id) items")
            #expect(u["bytes"] as? Int == want["bytes"] as? Int, "\(id) bytes")
            let byHost = try #require(want["by_host"] as? [String: Int])
            let total = Double(try #require(want["bytes"] as? Int))
            let shares = try #require(u["share_by_host"] as? [String: Double])
            for (host, bytes) in byHost {
                #expect(abs((shares[host] ?? 0) - Double(bytes) / total) < 1e-9, "\(id) share on \(host)")
            }
        }
        // The heaviest users by bytes, in Python's order, lead the report's table.
        let pythonOrder = wantUsers.values.sorted { ($0["bytes"] as? Int ?? 0) > ($1["bytes"] as? Int ?? 0) }
            .prefix(3).compactMap { $0["name"] as? String }
        #expect(top.prefix(3).compactMap { $0["name"] as? String } == pythonOrder)
        #expect(pythonOrder == ["ceilometer", "nova", "neutron"])

        // The explanation names the host that holds the heavy users' token lists, and those users.
        let listHost = try #require(expected["list_host"] as? [String: String])
        let heavyHost = try #require(listHost["ceilometer"])
        #expect(listHost["nova"] == heavyHost && listHost["neutron"] == heavyHost)
        let explanation = try #require(report["explanation"] as? [String: Any])
        #expect(explanation["host"] as? String == heavyHost)
        let named = try #require(explanation["users"] as? [String])
        #expect(named.first == "ceilometer")
        #expect(Set(named).isSubset(of: ["ceilometer", "nova", "neutron"]))

        // Every other figure: the report oracle over the same records.
        let reportPath = dir + "/report.json"
        try json.stdout.write(to: URL(fileURLWithPath: reportPath))
        let oracle = try runProcess(
            Python.interpreter, [Repo.path("Tests/python/report_oracle.py"), dir + "/attributed.ndjson", reportPath, "--top", "25"])
        #expect(oracle.status == 0, "report oracle: \(oracle.stdoutText)\(oracle.stderrText)")

        let md = markdown.stdoutText
        for word in ["ceilometer", "nova", "neutron", heavyHost] { #expect(md.contains(word), "Markdown lacks \(word)") }
    }
}
