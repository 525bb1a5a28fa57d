// ReportTests/QueryTests: the DuckDB queries docs/records.md shows, read from that page and run through
// the duckdb Python package on the Kilo sample's records, give the numbers `report --format json` gives —
// bytes per host per kind, the top users, the misplaced keys (with the server list given in the wrong
// order, so that half the keys are) — and so does the page's jq line for the misplaced keys.
import Foundation
import Testing
import TestSupport

@Suite struct QueryTests {
    static func queries(_ records: String) throws -> [String: [[Any]]] {
        let r = try Python.run(script: Repo.path("Tests/python/records_queries.py"), [Repo.path("docs/records.md"), records])
        #expect(r.status == 0, "\(r.stderrText)")
        return try #require(try JSONSerialization.jsonObject(with: r.stdout) as? [String: [[Any]]])
    }

    static func number(_ v: Any?) -> Double? { (v as? NSNumber)?.doubleValue }

    @Test func theDocumentedQueriesGiveTheReportsNumbers() throws {
        let records = try SampleRecords.attributed()
        let q = try Self.queries(records)
        let report = try #require(try JSONSerialization.jsonObject(with: runReport(["--format", "json", records]).stdout) as? [String: Any])
        // Bytes per host per kind.
        var byHostKind: [String: Double] = [:]
        for row in try #require(q["bytes-per-host-kind"]) {
            byHostKind["\(row[0]) \(row[1])"] = Self.number(row[3])
        }
        var expected: [String: Double] = [:]
        for h in try #require(report["hosts"] as? [[String: Any]]) {
            for (kind, bytes) in try #require(h["bytes_by_kind"] as? [String: Any]) { expected["\(h["host"] ?? "") \(kind)"] = Self.number(bytes) }
        }
        #expect(!byHostKind.isEmpty && byHostKind == expected)
        // The top users.
        let users = try #require((report["users"] as? [String: Any])?["top"] as? [[String: Any]])
        let top = try #require(q["top-users"])
        #expect(top.count == min(10, users.count) && !top.isEmpty)
        for (row, u) in zip(top, users) {
            #expect(row[0] as? String == u["id"] as? String)
            #expect(Self.number(row[3]) == Self.number(u["bytes"]))
        }
    }

    @Test func theMisplacedKeysAreTheReportsMisplacedItems() throws {
        let dir = try Scratch.directory("queries")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sample = Repo.path("Samples/kilo-2host")
        let dumps = try FileManager.default.contentsOfDirectory(atPath: sample).filter { $0.hasSuffix(".mcdump.gz") }.sorted().map { sample + "/" + $0 }
        let decoded = try runProcess(Repo.executable("decode"), dumps)
        // The two servers in the wrong order: the Keystone keys of either host now belong on the other.
        let swapped = try runProcess(
            Repo.executable("attribute"), ["--users", sample + "/users.json", "--servers", "127.0.0.1:21212,127.0.0.1:21211", "-"], stdin: decoded.stdout)
        let records = dir + "/swapped.ndjson"
        try swapped.stdout.write(to: URL(fileURLWithPath: records))
        let q = try Self.queries(records)
        let misplaced = try #require(q["misplaced-keys"])
        let report = try #require(try JSONSerialization.jsonObject(with: runReport(["--format", "json", records]).stdout) as? [String: Any])
        #expect(misplaced.count == report["misplaced"] as? Int && misplaced.count > 100)
        #expect(misplaced.allSatisfy { ($0[1] as? String) != ($0[2] as? String) })
        // The page's jq line gives the same keys.
        let jq = try runProcess(
            "/usr/bin/jq",
            ["-c", #"select(.type == "item" and .placement.ok == false) | {key, found_on: "\(.host):\(.port)", expected: .placement.expected, size}"#, records])
        #expect(jq.status == 0, "\(jq.stderrText)")
        let jqKeys = Set(
            jq.stdoutText.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }.compactMap {
                $0["key"] as? String
            })
        #expect(jqKeys == Set(misplaced.compactMap { $0[0] as? String }))
    }
}
