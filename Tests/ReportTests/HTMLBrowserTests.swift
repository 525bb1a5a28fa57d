// `report --format html` in a real browser: Debian's headless Chromium (Tests/run installs it) loads the
// report of Samples/kilo-2host — plus a 250-character key and a key made of markup — from a file, and
// Tests/python/html_browser.py drives it over the DevTools protocol with real mouse and keyboard input:
// sorts a table by clicking a numeric header twice, types into the search box, drills down from a host
// to its keys and users and from a user to its keys, hovers a chart bar, prints it; the page stays within
// a 1280-pixel window; no script error and no console error. Screenshots and the printed PDF go to
// $MCF_ARTEFACTS (default .build/test-artefacts): report-html.png, report-html-keys.png, report-html.pdf.
import Foundation
import Testing
import TestSupport

@Suite struct HTMLBrowserTests {
    /// 250 characters (the longest key memcached takes).
    static let longKey = "longkey-" + String(String(repeating: "0123456789abcdef", count: 16).prefix(242))
    static let hostileKey = #"<b>bold</b>"q"&'x"#

    /// Two items for the sample's hosts, large enough to be among the largest keys; a watch window's
    /// measured traffic and stats samples on both (the measured tables and the timeline chart).
    static func extraRecords(_ dir: String) throws -> String {
        var lines: [[String: Any]] = [
            ["type": "item", "host": "127.0.0.1", "port": 21211, "key": longKey, "size": 2_500_000, "cls": 42],
            ["type": "item", "host": "127.0.0.1", "port": 21212, "key": hostileKey, "size": 2_400_000, "cls": 42],
        ]
        for (i, port) in [21211, 21212].enumerated() {
            for (k, family) in ["cfg:{n}", "session:{id}", "hot"].enumerated() {
                lines.append([
                    "type": "traffic", "host": "127.0.0.1", "port": port, "key": "\(family.prefix(3))-\(i)-\(k)", "family": family,
                    "window": ["started_local": 1.5, "seconds": 10.0], "gets": 100 * (k + 1), "hits": 90 * (k + 1), "misses": 10 * (k + 1),
                    "sets": 5, "stored": 5, "bytes_read": 10_000 * (i + 1) * (k + 1), "bytes_written": 2_000 * (k + 1), "evictions": 0,
                    "user": ["id": "u\(k)", "name": ["nova", "glance", "heat"][k], "domain": NSNull(), "in_export": true],
                ])
            }
            for t in 0..<6 {
                lines.append([
                    "type": "stats_sample", "host": "127.0.0.1", "port": port, "label": "sample-\(t)", "time": 100 + t,
                    "bytes_read": 1000 * t, "bytes_written": 40_000 * t * t * (i + 1), "cmd_get": 100 * t, "connections": 3 + t,
                ])
            }
        }
        let text = try lines.map { String(decoding: try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]), as: UTF8.self) }
        let path = dir + "/long-keys.ndjson"
        try (text.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func sortSearchDrillDownTooltipPrintAndWidthInChromium() throws {
        let chromium = ProcessInfo.processInfo.environment["MCF_CHROMIUM"].flatMap { $0.isEmpty ? nil : $0 } ?? "/usr/bin/chromium"
        try #require(
            FileManager.default.isExecutableFile(atPath: chromium),
            "no Chromium at \(chromium): Tests/run installs Debian's chromium (apt-get install chromium), or set MCF_CHROMIUM")
        #expect(Self.longKey.utf8.count == 250)
        let dir = try Scratch.directory("html-browser")
        let report = try runReport(["--format", "html", "--servers", SampleRecords.servers, try SampleRecords.attributed(), try Self.extraRecords(dir)])
        #expect(report.status == 0, "\(report.stderrText)")
        let page = dir + "/report.html"
        try report.stdout.write(to: URL(fileURLWithPath: page))
        let artefacts = ProcessInfo.processInfo.environment["MCF_ARTEFACTS"].flatMap { $0.isEmpty ? nil : $0 } ?? Repo.path(".build/test-artefacts")

        let script = Repo.path("Tests/python/html_browser.py")
        let interpreter = Python.interpreter
        let args = [script, chromium, page, artefacts, Self.longKey, Self.hostileKey]
        let r = try runProcess(interpreter, interpreter == "/usr/bin/env" ? ["python3"] + args : args, timeout: 300)
        #expect(r.status == 0, "html_browser.py exited \(r.status):\n\(r.stderrText)")
        let facts = try #require(try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any], "no JSON from html_browser.py: \(r.stdoutText)")

        #expect(facts["failures"] as? [String] == [], "\(facts["failures"] ?? "")")
        #expect(facts["errors"] as? [String] == [], "script or console errors: \(facts["errors"] ?? "missing")")
        let width = try #require(facts["scroll_width"] as? Int)
        #expect(width > 0 && width <= 1280, "the page is \(width) px wide in a 1280 px window")
        #expect((facts["long_key_cells"] as? Int ?? 0) >= 1)
        // Sorting, read back from the DOM: the sizes largest first, then smallest first.
        let sorted = try #require(facts["sorted"] as? [String: [Double]])
        let desc = try #require(sorted["largest_keys_size_desc"])
        #expect(desc.count >= 10 && desc == desc.sorted(by: >), "\(desc)")
        #expect(sorted["largest_keys_size_asc"] == Array(desc.reversed()))
        #expect(desc.first == 2_500_000, "the added long key is the largest")
        let items = try #require(sorted["top_users_items_desc"])
        #expect(items.count >= 2 && items == items.sorted(by: >), "\(items)")
        // Search and drill-down did something.
        let search = try #require(facts["search"] as? [String: Any])
        let shown = search["visible"] as? Int ?? 0, total = search["rows"] as? Int ?? 0
        #expect(shown >= 1 && shown < total, "\(search)")
        let drill = try #require(facts["drill"] as? [String: Any])
        #expect(drill["host"] as? String == "127.0.0.1:21212")
        #expect((drill["user_keys"] as? Int ?? 0) >= 1)
        // The screenshot is a real picture of the page.
        let shot = try #require(facts["screenshot"] as? [String: Any])
        let path = try #require(shot["path"] as? String)
        let png = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 20000, "\(path): \(png.count) bytes")
        #expect(shot["width"] as? Int == 1280 && (shot["height"] as? Int ?? 0) > 500, "\(shot)")
        #expect(FileManager.default.fileExists(atPath: artefacts + "/report-html.pdf"))
        #expect(facts["chromium_exit"] != nil, "chromium was stopped")
    }
}
