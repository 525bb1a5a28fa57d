// report on the committed Samples capture: the capture window there is 0 s (nothing ran during it),
// so traffic comes from the cumulative counters since server start, labelled as such; every figure
// matches the Python oracle; the command line is ArgumentParser's, with one-line usage errors.
import Foundation
import Testing
import TestSupport

@Suite struct SampleReportTests {
    @Test func trafficSinceStartWhenTheCaptureWindowIsEmpty() throws {
        let records = try SampleRecords.attributed()
        let json = try runReport(["--format", "json", records])
        #expect(json.status == 0)
        let verdict = try reportOracle(records, json.stdout)
        #expect(verdict.hasPrefix("ok "), "\(verdict)")
        let doc = try #require(try JSONSerialization.jsonObject(with: json.stdout) as? [String: Any])
        let hosts = try #require(doc["hosts"] as? [[String: Any]])
        #expect(hosts.count == 2)
        for h in hosts {
            #expect(h["traffic"] is NSNull, "the 0 s window gives no window figures")
            let since = try #require(h["since_start"] as? [String: Any])
            #expect((since["uptime"] as? Double ?? 0) > 0)
        }
        let e = try #require(doc["explanation"] as? [String: Any])
        #expect(e["basis"] as? String == "traffic-since-start")
        #expect(e["host"] as? String == "127.0.0.1:21212")
        #expect(e["users"] as? [String] == ["ceilometer", "nova", "neutron"])

        let text = try runReport(["--width", "100", records]).stdoutText
        let flat = text.replacingOccurrences(of: "\n", with: " ")
        #expect(flat.contains("of its excess traffic since server start"))
        #expect(text.contains("since start"))
        let lines = text.split(separator: "\n")
        #expect(!lines.contains { $0.hasPrefix("127.0.0.1:") && $0.contains("capture window") }, "no window rows for a 0 s window")
        #expect(flat.contains("the capture window is shorter than a second"))
        let trafficRows = lines.filter { $0.hasPrefix("127.0.0.1:") && $0.contains("since start") }
        #expect(trafficRows.count == 2)
        #expect(trafficRows.allSatisfy { !$0.contains(" - ") }, "no '-' placeholders in the traffic rows")
    }

    @Test func windowAndSinceStartAreBothShownAndLabelled() throws {
        let kilo = try KiloRecords.generate()
        let text = try runReport(["--width", "120", "--format", "markdown", kilo.records]).stdoutText
        #expect(text.contains("| since start |"))
        #expect(text.contains("| capture window |"))
        let json = try runReport(["--format", "json", kilo.records])
        #expect(try reportOracle(kilo.records, json.stdout).hasPrefix("ok "))
    }

    @Test func helpAndOneLineUsageErrors() throws {
        let help = try runReport(["--help"])
        #expect(help.status == 0)
        #expect(help.stdoutText.contains("EXAMPLES:"))
        #expect(help.stdoutText.contains("EXIT STATUS:"))
        #expect(help.stdoutText.contains("64  usage error"))
        for args in [["--top", "0"], ["--nope"], ["--format", "pdf"], ["--top"], ["--width", "10"], ["-", "-"]] {
            let r = try runReport(args, stdin: Data())
            #expect(r.status == 64, "\(args)")
            let lines = r.stderrText.split(separator: "\n")
            #expect(lines.count == 1, "\(args): \(r.stderrText)")
            #expect(lines.first?.hasPrefix("report: error: ") == true, "\(args)")
            #expect(r.stdout.isEmpty)
        }
    }
}

/// The Markdown report of Samples/kilo-2host (with the what-if) is committed as
/// Tests/Fixtures/report/kilo-2host.md: a layout or figure change shows up as a diff of that file.
/// After a deliberate change, regenerate it with MCF_UPDATE_GOLDEN=1 and review the diff.
@Suite struct SampleGoldenTests {
    @Test func markdownEqualsTheCommittedReport() throws {
        let records = try SampleRecords.attributed()
        let md = try runReport(["--format", "markdown", "--servers", SampleRecords.servers, records])
        #expect(md.status == 0)
        let golden = Repo.path("Tests/Fixtures/report/kilo-2host.md")
        if ProcessInfo.processInfo.environment["MCF_UPDATE_GOLDEN"] == "1" {
            try md.stdout.write(to: URL(fileURLWithPath: golden))
        }
        let expected = try String(contentsOfFile: golden, encoding: .utf8)
        #expect(md.stdoutText == expected)
    }
}

/// `--fail-above X`: exit 1 when the hottest host's max/mean on the explanation's basis is above X (the
/// report is still written in full), 0 otherwise; nonsense limits are usage errors.
@Suite struct FailAboveTests {
    @Test func exitOneAboveTheLimitWithTheReportWritten() throws {
        let records = try SampleRecords.attributed()
        let json = try runReport(["--format", "json", records])
        let doc = try #require(try JSONSerialization.jsonObject(with: json.stdout) as? [String: Any])
        let skew = try #require(doc["skew"] as? [[String: Any]])
        let since = try #require(skew.first { $0["metric"] as? String == "traffic since start" })
        let figure = try #require(since["max_over_mean"] as? Double)
        #expect(figure > 1.5)

        let failed = try runReport(["--fail-above", String(figure - 0.01), records])
        #expect(failed.status == 1)
        #expect(failed.stdoutText.contains("WHY IS ONE HOST HOTTER"), "the report is written before the check")
        #expect(failed.stderrText.contains("check failed: traffic since start max/mean on 127.0.0.1:21212"))
        let passed = try runReport(["--fail-above", String(figure + 0.01), records])
        #expect(passed.status == 0)
        #expect(passed.stdoutText == failed.stdoutText)
        for bad in [["--fail-above", "0.5"], ["--fail-above", "nan"], ["--fail-above", "2", "--format", "json", "--partial"]] {
            #expect(try runReport(bad + [records]).status == 64, "\(bad)")
        }
    }
}
