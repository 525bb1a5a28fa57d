// The what-if section: the same items under other clients' placements and server counts, checked
// against the real python-memcached and pymemcache hash functions (Tests/python/whatif_oracle.py),
// and against what the real cluster holds: the Samples were filled by python-memcached 1.57, so
// its ≤1.59 row on the configured servers must equal the hosts' value bytes.
import Foundation
import Testing
import TestSupport

@Suite struct WhatIfReportTests {
    func whatIfOracle(_ records: String, _ json: Data, servers: String) throws -> String {
        let path = records + ".whatif-\(UInt32.random(in: 0...UInt32.max)).json"
        try json.write(to: URL(fileURLWithPath: path))
        let r = try runProcess(Python.interpreter, [Repo.path("Tests/python/whatif_oracle.py"), records, path, servers])
        return r.stdoutText + r.stderrText
    }

    @Test func samplesWhatIfMatchesTheRealClientsAndTheRealPlacement() throws {
        let records = try SampleRecords.attributed()
        let servers = SampleRecords.servers
        let json = try runReport(["--format", "json", "--servers", servers, records])
        #expect(json.status == 0)
        let verdict = try whatIfOracle(records, json.stdout, servers: servers)
        #expect(verdict.hasPrefix("ok "), "\(verdict)")
        #expect(try reportOracle(records, json.stdout).hasPrefix("ok "))
        let doc = try #require(try JSONSerialization.jsonObject(with: json.stdout) as? [String: Any])
        let w = try #require(doc["what_if"] as? [String: Any])
        let rows = try #require(w["rows"] as? [[String: Any]])
        // Default counts N-1…N+2 for N = 2, six clients each.
        #expect(Set(rows.compactMap { $0["servers"] as? Int }) == [1, 2, 3, 4])
        #expect(rows.count == 4 * 6)
        let kilo = try #require(rows.first { $0["client"] as? String == "python-memcached-1.59" && $0["servers"] as? Int == 2 })
        let hosts = try #require(doc["hosts"] as? [[String: Any]])
        #expect(kilo["bytes"] as? [Int] == hosts.compactMap { $0["value_bytes"] as? Int })
        #expect(kilo["items"] as? [Int] == hosts.compactMap { $0["items"] as? Int })
        for b in try #require(w["bounds"] as? [[String: Any]]) {
            let lower = try #require(b["lower_bound"] as? Double), greedy = try #require(b["greedy"] as? Double)
            #expect(lower >= 1 && greedy >= lower)
        }

        let text = try runReport(["--width", "100", "--servers", servers, records]).stdoutText
        #expect(text.contains("WHAT IF"))
        #expect(text.contains("python-memcached-1.59"))
        #expect(text.split(separator: "\n").allSatisfy { $0.count <= 100 })
        let md = try runReport(["--format", "markdown", "--servers", servers, records]).stdoutText
        #expect(md.contains("## What if"))
        #expect(md.contains("| 2 (now) | pymemcache |"))
        // Without --servers there is no what-if.
        #expect(!(try runReport([records]).stdoutText.contains("WHAT IF")))
    }

    @Test func chosenCountsAndClients() throws {
        let kilo = try KiloRecords.generate()
        let servers = "127.0.0.1:21211,127.0.0.1:21212"
        let json = try runReport([
            "--format", "json", "--servers", servers, "--what-if-servers", "3,5", "--what-if-clients", "python-memcached,pymemcache,jump",
            kilo.records,
        ])
        #expect(json.status == 0, "\(json.stderrText)")
        #expect(try whatIfOracle(kilo.records, json.stdout, servers: servers).hasPrefix("ok "))
        let doc = try #require(try JSONSerialization.jsonObject(with: json.stdout) as? [String: Any])
        let rows = try #require((doc["what_if"] as? [String: Any])?["rows"] as? [[String: Any]])
        #expect(
            rows.map { "\($0["client"] ?? "")/\($0["servers"] ?? "")" }
                == ["python-memcached/3", "pymemcache/3", "jump/3", "python-memcached/5", "pymemcache/5", "jump/5"])
        #expect(rows.first?["names"] as? [String] == ["127.0.0.1:21211", "127.0.0.1:21212", "whatif-3:11211"])
    }

    @Test func badWhatIfOptionsAreUsageErrors() throws {
        for args in [
            ["--what-if-servers", "3"], ["--servers", "a:1:2:3"], ["--servers", "a:11211", "--what-if-servers", "0"],
            ["--servers", "a:11211", "--what-if-servers", "2,x"], ["--servers", "a:11211", "--what-if-clients", "nope"],
        ] {
            let r = try runReport(args, stdin: Data())
            #expect(r.status == 64, "\(args)")
            #expect(r.stderrText.split(separator: "\n").count == 1, "\(args): \(r.stderrText)")
        }
    }
}
