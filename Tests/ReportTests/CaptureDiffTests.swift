// `report --diff BEFORE AFTER` on two real captures: an application writes through python-memcached to
// two servers, is captured, then "the fix" adds a third server to the clients' list and reworks the big
// values (one deleted, one shrunk, one grown, the ones the longer list places elsewhere moved, a new
// family written), and is captured again. Every per-host and per-key figure of the diff equals what the
// client itself says it put where (Tests/python/diff_fix.py); the diff of the two captures' partials
// equals the diff of their records; every format renders; bad inputs fail naming the file and line.
import Foundation
import Testing
import TestSupport

@Suite(.serialized) struct CaptureDiffTests {
    struct Capture {
        var records: String
        var partial: String
        var expected: [String: Any]
    }

    static func capture(_ dir: String, _ name: String, ports: [Int], expected: [String: Any]) throws -> Capture {
        let out = dir + "/" + name
        let collect = try runProcess(Repo.executable("collect"), ports.map { "127.0.0.1:\($0)" } + ["--out", out])
        #expect(collect.status == 0, "collect: \(collect.stderrText)")
        let dumps = ports.map { "\(out)/127.0.0.1_\($0).mcdump.gz" }
        let records = dir + "/\(name).ndjson"
        let decode = try runProcess(Repo.executable("decode"), dumps + ["--output", records])
        #expect(decode.status == 0, "decode: \(decode.stderrText)")
        let partial = dir + "/\(name).partial"
        let report = try runProcess(Repo.executable("report"), ["--format", "json", "--partial", "--top", "100", "-o", partial, records])
        #expect(report.status == 0, "report --partial: \(report.stderrText)")
        return Capture(records: records, partial: partial, expected: expected)
    }

    static func json(_ r: ProcessResult) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any], "not a JSON object: \(r.stderrText)")
    }

    @Test func theFixOnRealServers() throws {
        let dir = try Scratch.directory("diff")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let servers = try (0..<3).map { _ in try MemcachedServer(memoryMB: 64) }
        defer { for s in servers { s.stop() } }
        let ports = servers.map { Int($0.port) }
        let script = Repo.path("Tests/python/diff_fix.py")

        let wantBefore = try #require(
            try JSONSerialization.jsonObject(with: Python.run(script: script, ["before"] + ports.prefix(2).map { String($0) }).stdout)
                as? [String: Any])
        let before = try Self.capture(dir, "before", ports: Array(ports.prefix(2)), expected: wantBefore)
        let wantAfter = try #require(
            try JSONSerialization.jsonObject(with: Python.run(script: script, ["after"] + ports.map { String($0) }).stdout) as? [String: Any])
        let after = try Self.capture(dir, "after", ports: ports, expected: wantAfter)
        let moved = try #require(wantAfter["moved"] as? [String])
        #expect(!moved.isEmpty, "the third server moved none of the big values: the test would not see a move")

        let run = try runProcess(Repo.executable("report"), ["--diff", "--format", "json", "--top", "100", before.records, after.records])
        #expect(run.status == 0, "report --diff: \(run.stderrText)")
        let diff = try Self.json(run)
        #expect(diff["type"] as? String == "report-diff")

        // Hosts: value bytes on each side equal what the client put there; the new server appeared.
        let hostsBefore = try #require(wantBefore["hosts"] as? [String: Int])
        let hostsAfter = try #require(wantAfter["hosts"] as? [String: Int])
        let hosts = try #require(diff["hosts"] as? [[String: Any]])
        #expect(Set(hosts.compactMap { $0["name"] as? String }) == Set(hostsAfter.keys))
        for h in hosts {
            let name = try #require(h["name"] as? String)
            #expect(h["bytes_before"] as? Int == hostsBefore[name], "\(name) before")
            #expect(h["bytes_after"] as? Int == hostsAfter[name], "\(name) after")
            if hostsBefore[name] == nil { #expect(h["change"] as? String == "appeared", "\(name)") }
        }

        // Keys: sizes and hosts on both sides as the client placed them; what happened to each.
        let keysBefore = try #require(wantBefore["keys"] as? [String: [String: Any]])
        let keysAfter = try #require(wantAfter["keys"] as? [String: [String: Any]])
        let keyRows = try #require(diff["keys"] as? [[String: Any]])
        let rows = Dictionary(keyRows.map { ($0["name"] as? String ?? "", $0) }, uniquingKeysWith: { a, _ in a })
        func expectKey(_ key: String, _ change: String, moved isMoved: Bool = false) throws {
            let row = try #require(rows[key], "\(key) is not in the diff's keys")
            #expect(row["change"] as? String == change, "\(key): \(row)")
            #expect(row["moved"] as? Bool == isMoved, "\(key) moved")
            #expect(row["bytes_before"] as? Int == keysBefore[key]?["size"] as? Int, "\(key) size before")
            #expect(row["bytes_after"] as? Int == keysAfter[key]?["size"] as? Int, "\(key) size after")
            #expect(row["host_before"] as? String == keysBefore[key]?["host"] as? String, "\(key) host before")
            #expect(row["host_after"] as? String == keysAfter[key]?["host"] as? String, "\(key) host after")
        }
        try expectKey("app:big:0", "no longer listed")
        try expectKey("app:big:1", "shrank")
        try expectKey("app:big:2", "grew")
        for k in moved { try expectKey(k, "unchanged", moved: true) }
        for i in 3..<10 where !moved.contains("app:big:\(i)") { try expectKey("app:big:\(i)", "unchanged") }
        try expectKey("app:feed:0", "newly listed")

        // Families: the big values' family shrank by what the client says; the feeds' family appeared.
        let familyOf = try Self.families(after.records)
        let familyRows = try #require(diff["families"] as? [[String: Any]])
        let families = Dictionary(familyRows.map { ($0["name"] as? String ?? "", $0) }, uniquingKeysWith: { a, _ in a })
        func sum(_ keys: [String: [String: Any]], _ prefix: String) -> Int {
            keys.filter { $0.key.hasPrefix(prefix) }.reduce(0) { $0 + ($1.value["size"] as? Int ?? 0) }
        }
        let bigName = try #require(familyOf["app:big:2"])
        let big = try #require(families[bigName])
        #expect(big["bytes_before"] as? Int == sum(keysBefore, "app:big:"))
        #expect(big["bytes_after"] as? Int == sum(keysAfter, "app:big:"))
        #expect(big["change"] as? String == "shrank")
        let feedName = try #require(familyOf["app:feed:0"])
        let feed = try #require(families[feedName])
        #expect(feed["change"] as? String == "appeared")
        #expect(feed["bytes_before"] is NSNull)
        #expect(feed["bytes_after"] as? Int == sum(keysAfter, "app:feed:"))

        // Skew of value bytes on each side, from the client's own sums.
        let skew = try #require((diff["skew"] as? [[String: Any]])?.first { $0["metric"] as? String == "bytes" })
        for (side, sums) in [("before", hostsBefore), ("after", hostsAfter)] {
            let f = try #require(skew[side] as? [String: Any])
            let mean = Double(sums.values.reduce(0, +)) / Double(sums.count)
            let top = try #require(sums.max { $0.value < $1.value })
            #expect(abs((f["max_over_mean"] as? Double ?? 0) - Double(top.value) / mean) < 1e-9, "\(side) max/mean")
            // (Two hosts may hold the same bytes: the hottest is one of those with the most.)
            #expect(sums[f["top_host"] as? String ?? ""] == top.value, "\(side) hottest host")
        }

        // The partials' diff is the records' diff (only the inputs' names differ).
        let fromPartials = try runProcess(Repo.executable("report"), ["--diff", "--format", "json", "--top", "100", before.partial, after.partial])
        #expect(fromPartials.status == 0, "report --diff partials: \(fromPartials.stderrText)")
        var p = try Self.json(fromPartials)
        var r = diff
        for k in ["before", "after"] {
            p[k] = nil
            r[k] = nil
        }
        #expect(NSDictionary(dictionary: p).isEqual(to: r), "the partials' diff differs from the records' diff")

        // Pipelines/compare.sh on two analysis folders: every format, the JSON the same as above.
        let analyses = [dir + "/analysis-before", dir + "/analysis-after"]
        for (folder, partial) in zip(analyses, [before.partial, after.partial]) {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: partial, toPath: folder + "/report.partial")
        }
        let env = ProcessInfo.processInfo.environment.merging(["MCF_BIN": Repo.productsDirectory.path], uniquingKeysWith: { _, b in b })
        let compare = try runProcess(Repo.path("Pipelines/compare.sh"), analyses + [dir + "/diff", "--top", "100"], environment: env)
        #expect(compare.status == 0, "compare.sh: \(compare.stderrText)")
        for ext in ["txt", "md", "html", "json"] { #expect(FileManager.default.fileExists(atPath: dir + "/diff/diff.\(ext)"), "diff.\(ext)") }
        var c = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/diff/diff.json"))) as? [String: Any])
        for k in ["before", "after"] { c[k] = nil }
        #expect(NSDictionary(dictionary: c).isEqual(to: r), "compare.sh's diff.json differs from report --diff's")
        let noPartial = try runProcess(Repo.path("Pipelines/compare.sh"), [dir, analyses[1], dir + "/diff2"], environment: env)
        #expect(noPartial.status == 2 && noPartial.stderrText.contains("\(dir)/report.partial: no report.partial there"), "\(noPartial.stderrText)")

        // Every format: the summary names the largest changes; CSV rows parse back to the JSON's figures.
        let text = try runProcess(Repo.executable("report"), ["--diff", "--width", "200", before.partial, after.partial])
        #expect(text.status == 0)
        #expect(text.stdoutText.hasPrefix("WHAT CHANGED BETWEEN THE CAPTURES\n"))
        #expect(text.stdoutText.contains("app:big:0"), "\(text.stdoutText)")
        let markdown = try runProcess(Repo.executable("report"), ["--diff", "-f", "markdown", before.partial, after.partial])
        #expect(markdown.stdoutText.contains("## Keys (the largest keys and token lists each side names)"))
        #expect(markdown.stdoutText.contains("| app:big:2 |"))
        let html = try runProcess(Repo.executable("report"), ["--diff", "-f", "html", before.partial, after.partial])
        #expect(html.stdoutText.hasPrefix("<!DOCTYPE html>") && html.stdoutText.contains("<td>app:big:1</td>"))
        try Self.inChromium(html.stdout, dir: dir)
        let csv = try runProcess(Repo.executable("report"), ["--diff", "-f", "csv", "--table", "keys", before.partial, after.partial])
        let lines = csv.stdoutText.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(lines.first?.hasPrefix("name,detail,items_before,items_after,bytes_before,bytes_after,delta_bytes,change,moved") == true)
        let goneLine = try #require(lines.first { $0.hasPrefix("app:big:0,") })
        let gone = goneLine.components(separatedBy: ",")
        let goneSize = try #require(keysBefore["app:big:0"]?["size"] as? Int)
        #expect(gone[4] == String(goneSize) && gone[5] == "" && gone[7] == "no longer listed", "\(goneLine)")
    }

    /// The diff's HTML page in headless Chromium (Tests/python/html_browser.py --diff): sorting the keys
    /// by their change, drilling down from the new host to its keys, the page's width, no script error;
    /// a screenshot, report-diff.png, in $MCF_ARTEFACTS (default .build/test-artefacts).
    static func inChromium(_ html: Data, dir: String) throws {
        let chromium = ProcessInfo.processInfo.environment["MCF_CHROMIUM"].flatMap { $0.isEmpty ? nil : $0 } ?? "/usr/bin/chromium"
        try #require(FileManager.default.isExecutableFile(atPath: chromium), "no Chromium at \(chromium): Tests/run installs Debian's chromium")
        let page = dir + "/diff.html"
        try html.write(to: URL(fileURLWithPath: page))
        let artefacts = ProcessInfo.processInfo.environment["MCF_ARTEFACTS"].flatMap { $0.isEmpty ? nil : $0 } ?? Repo.path(".build/test-artefacts")
        let args = [Repo.path("Tests/python/html_browser.py"), "--diff", chromium, page, artefacts, "Keys (the largest keys and token lists each side names)"]
        let interpreter = Python.interpreter
        let r = try runProcess(interpreter, interpreter == "/usr/bin/env" ? ["python3"] + args : args, timeout: 300)
        #expect(r.status == 0, "html_browser.py --diff exited \(r.status):\n\(r.stderrText)")
        let facts = try #require(try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any], "no JSON: \(r.stdoutText)")
        #expect(facts["failures"] as? [String] == [], "\(facts["failures"] ?? "")")
        let deltas = try #require(facts["keys_change_desc"] as? [Double])
        #expect(deltas.count >= 3 && deltas == deltas.sorted(by: >), "\(deltas)")
        let drill = try #require(facts["drill"] as? [String: Any])
        #expect((drill["keys_shown"] as? Int ?? 0) >= 1 && (drill["keys_shown"] as? Int ?? 0) < (drill["keys"] as? Int ?? 0), "\(drill)")
    }

    /// key → family, from decode's records.
    static func families(_ records: String) throws -> [String: String] {
        var out: [String: String] = [:]
        for line in try String(contentsOfFile: records, encoding: .utf8).split(separator: "\n") {
            guard let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], let key = o["key"] as? String,
                let family = o["family"] as? String
            else { continue }
            out[key] = family
        }
        return out
    }

    @Test func badInputsFailNamingTheFile() throws {
        let dir = try Scratch.directory("diff-bad")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let records = try SampleRecords.attributed()
        let partial = dir + "/good.partial"
        let made = try runProcess(Repo.executable("report"), ["--format", "json", "--partial", "-o", partial, records])
        #expect(made.status == 0, "\(made.stderrText)")

        let one = try runProcess(Repo.executable("report"), ["--diff", partial])
        #expect(one.status == 64 && one.stderrText.contains("--diff compares two captures"), "\(one.stderrText)")
        let stdin = try runProcess(Repo.executable("report"), ["--diff", "-", partial])
        #expect(stdin.status == 64 && stdin.stderrText.contains("not stdin"), "\(stdin.stderrText)")
        let both = try runProcess(Repo.executable("report"), ["--diff", "--merge", partial, partial])
        #expect(both.status == 64, "\(both.stderrText)")

        let empty = dir + "/empty.ndjson"
        FileManager.default.createFile(atPath: empty, contents: Data())
        let e = try runProcess(Repo.executable("report"), ["--diff", empty, partial])
        #expect(e.status == 2 && e.stderrText.contains("\(empty): empty"), "\(e.stderrText)")
        #expect(e.stdout.isEmpty)

        // A partial file whose second line is broken: the error names the file and the line.
        let broken = dir + "/broken.partial"
        let good = try String(contentsOfFile: partial, encoding: .utf8)
        try (good + "{\"type\":\"report-partial\",\"schema\":1,\n").write(toFile: broken, atomically: true, encoding: .utf8)
        let b = try runProcess(Repo.executable("report"), ["--diff", partial, broken])
        #expect(b.status == 2 && b.stderrText.contains("\(broken): line 2"), "\(b.stderrText)")

        let missing = try runProcess(Repo.executable("report"), ["--diff", partial, dir + "/nope.partial"])
        #expect(missing.status == 2 && missing.stderrText.contains("nope.partial"), "\(missing.stderrText)")

        // A record file with lines that are not records: the diff is written, the exit status says 3.
        let noisy = dir + "/noisy.ndjson"
        try (try String(contentsOfFile: records, encoding: .utf8) + "not json\n").write(toFile: noisy, atomically: true, encoding: .utf8)
        let n = try runProcess(Repo.executable("report"), ["--diff", "-f", "json", records, noisy])
        #expect(n.status == 3 && n.stderrText.contains("\(noisy): line"), "\(n.stderrText)")
        let d = try Self.json(n)
        // The same records on both sides: nothing changed.
        for row in try #require(d["hosts"] as? [[String: Any]]) { #expect(row["change"] as? String == "unchanged") }
        for row in try #require(d["keys"] as? [[String: Any]]) { #expect(row["change"] as? String == "unchanged") }
    }

    /// Users on attributed records: the fix drops ceilometer's token list (Keystone's remedy); the diff's
    /// user and key rows equal Python's sums over the same records.
    @Test func usersOfAttributedRecords() throws {
        let dir = try Scratch.directory("diff-users")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let before = try SampleRecords.attributed()
        let after = dir + "/after.ndjson"
        let oracle = try Python.run(
            code: """
                import json, sys
                src, dst = sys.argv[1], sys.argv[2]
                by_user, dropped = {}, None
                with open(src) as f, open(dst, 'w') as out:
                    for line in f:
                        r = json.loads(line)
                        u = (r.get('user') or {}).get('name') if r.get('type') == 'item' else None
                        if u:
                            by_user.setdefault(u, [r['user']['id'], 0, 0])[1] += r['size']
                        if u == 'ceilometer' and r.get('kind') == 'usertokens' and dropped is None:
                            dropped = {'key': r['key'], 'size': r['size'], 'host': '%s:%d' % (r['host'], r['port'])}
                            continue
                        if u:
                            by_user[u][2] += r['size']
                        out.write(line)
                json.dump({'users': by_user, 'dropped': dropped}, sys.stdout)
                """, [before, after])
        let want = try #require(try JSONSerialization.jsonObject(with: oracle.stdout) as? [String: Any])
        let dropped = try #require(want["dropped"] as? [String: Any])
        let users = try #require(want["users"] as? [String: [Any]])
        let run = try runProcess(Repo.executable("report"), ["--diff", "-f", "json", before, after])
        #expect(run.status == 0, "\(run.stderrText)")
        let d = try Self.json(run)
        let rows = try #require(d["users"] as? [[String: Any]])
        #expect(rows.count == users.count)
        for (name, figures) in users {
            let id = try #require(figures[0] as? String)
            let row = try #require(rows.first { $0["name"] as? String == "\(name) [\(id)]" }, "user \(name)")
            #expect(row["bytes_before"] as? Int == figures[1] as? Int, "\(name) before")
            #expect(row["bytes_after"] as? Int == figures[2] as? Int, "\(name) after")
            #expect(row["change"] as? String == (name == "ceilometer" ? "shrank" : "unchanged"), "\(name)")
        }
        // The largest user change leads the table and the summary.
        #expect((rows.first?["name"] as? String)?.hasPrefix("ceilometer [") == true)
        let key = try #require((d["keys"] as? [[String: Any]])?.first { $0["name"] as? String == dropped["key"] as? String })
        #expect(key["change"] as? String == "no longer listed")
        #expect(key["bytes_before"] as? Int == dropped["size"] as? Int)
        #expect(key["host_before"] as? String == dropped["host"] as? String)
        #expect((d["summary"] as? String)?.contains("Largest user change: ceilometer") == true, "\(d["summary"] ?? "")")
    }
}
