// ReportTests/CSVReportTests: `report --format csv --table T` read back by Python's csv module (the
// oracle for RFC 4180): a header row, one row per host, user, key, slab class or family, the same numbers
// as the JSON report; hostile keys (comma, quote, line end) survive quoting; --table without csv, and csv
// without --table, are usage errors.
import Foundation
import Testing
import TestSupport

@Suite struct CSVReportTests {
    /// Python's csv module on `data`: the rows, as JSON.
    static func parse(_ data: Data) throws -> [[String]] {
        let code = "import csv, io, json, sys\nprint(json.dumps(list(csv.reader(io.StringIO(sys.stdin.buffer.read().decode('utf-8'), newline='')))))"
        let r = try Python.run(code: code, stdin: data)
        return try #require(try JSONSerialization.jsonObject(with: r.stdout) as? [[String]])
    }

    @Test func everyTableMatchesTheJSONReport() throws {
        let records = try SampleRecords.attributed()
        let json = try #require(
            try JSONSerialization.jsonObject(with: runReport(["--format", "json", "--servers", SampleRecords.servers, records]).stdout) as? [String: Any])
        func table(_ t: String) throws -> [[String]] {
            let r = try runReport(["--format", "csv", "--table", t, "--servers", SampleRecords.servers, records])
            #expect(r.status == 0, "\(r.stderrText)")
            #expect(r.stdoutText.hasSuffix("\r\n") && !r.stdoutText.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
            return try Self.parse(r.stdout)
        }
        let hosts = try table("hosts")
        #expect(hosts.first?.prefix(3) == ["host", "items", "value_bytes"])
        let jsonHosts = try #require(json["hosts"] as? [[String: Any]])
        #expect(hosts.count == jsonHosts.count + 1)
        for (row, h) in zip(hosts.dropFirst(), jsonHosts) {
            #expect(row[0] == h["host"] as? String)
            #expect(Int(row[1]) == h["items"] as? Int)
            #expect(Double(row[2]) == (h["value_bytes"] as? NSNumber)?.doubleValue)
        }
        let users = try table("users")
        #expect(users.first?.contains("bytes_on 127.0.0.1:21212") == true)
        let jsonUsers = try #require((json["users"] as? [String: Any])?["top"] as? [[String: Any]])
        #expect(users.count == jsonUsers.count + 1 && users.count > 1)
        #expect(users[1][1] == jsonUsers[0]["name"] as? String)
        let keys = try table("keys")
        let jsonKeys = try #require(json["keys"] as? [[String: Any]])
        #expect(keys.count == jsonKeys.count + 1 && keys.count > 1)
        #expect(keys[1][0] == jsonKeys[0]["key"] as? String && Double(keys[1][3]) == (jsonKeys[0]["size"] as? NSNumber)?.doubleValue)
        let slabs = try table("slabs")
        #expect(slabs.count == ((json["slabs"] as? [Any])?.count ?? 0) + 1 && slabs.count > 1)
        let families = try table("families")
        let jsonFamilies = try #require(json["families"] as? [[String: Any]])
        #expect(families.count == jsonFamilies.count + 1)
        #expect(families[1][0] == jsonFamilies[0]["family"] as? String)
        #expect(families.dropFirst().allSatisfy { $0.count == families[0].count })
    }

    @Test func hostileKeysSurviveQuoting() throws {
        let key = "a,b \\\"quoted\\\" \\r\\nnext"
        let line = #"{"type":"item","host":"h","port":1,"key":"\#(key)","size":5}"# + "\n"
        let r = try runReport(["--format", "csv", "--table", "keys", "-"], stdin: Data(line.utf8))
        #expect(r.status == 0, "\(r.stderrText)")
        let rows = try Self.parse(r.stdout)
        #expect(rows.count == 2 && rows[1][0] == "a,b \"quoted\" \r\nnext" && rows[1][3] == "5")
    }

    @Test func tableAndFormatGoTogether() throws {
        let noTable = try runReport(["--format", "csv", "-"], stdin: Data())
        #expect(noTable.status == 64 && noTable.stderrText.contains("--format csv writes one table: give --table hosts|users|keys|slabs|families"))
        let noCSV = try runReport(["--table", "hosts", "-"], stdin: Data())
        #expect(noCSV.status == 64 && noCSV.stderrText.contains("--table is for --format csv"))
        let bad = try runReport(["--format", "csv", "--table", "nope", "-"], stdin: Data())
        #expect(bad.status == 64)
    }
}
