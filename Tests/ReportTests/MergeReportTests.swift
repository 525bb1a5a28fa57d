// Partial aggregates and `report --merge`: the merge of per-host (or any per-chunk) partials, in input
// order, is byte for byte the report of all inputs read at once, in every format; merged partials
// can be merged again; partials that do not fit together are refused.
import Foundation
import Testing
import TestSupport

@Suite struct MergeReportTests {
    /// Splits an NDJSON file into pieces by a line predicate index; returns the piece paths in order.
    func split(_ path: String, pieces: Int, by piece: (String, Int) -> Int) throws -> [String] {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        var out = Array(repeating: "", count: pieces)
        for (i, line) in lines.enumerated() { out[piece(line, i)] += line + "\n" }
        let dir = try Scratch.directory("merge")
        return try out.enumerated().map { i, text in
            let p = dir + "/piece-\(i).ndjson"
            try text.write(toFile: p, atomically: true, encoding: .utf8)
            return p
        }
    }

    func partials(_ pieces: [String], _ extra: [String]) throws -> [String] {
        try pieces.map { piece in
            let r = try runReport(["--format", "json", "--partial"] + extra + [piece])
            #expect(r.status == 0, "\(r.stderrText)")
            let p = piece + ".partial"
            try r.stdout.write(to: URL(fileURLWithPath: p))
            return p
        }
    }

    @Test func perHostPartialsMergeIntoTheSameReport() throws {
        let records = try SampleRecords.attributed()
        let servers = ["--servers", SampleRecords.servers]
        let pieces = try split(records, pieces: 2) { line, _ in line.contains("\"port\":21211") ? 0 : 1 }
        let parts = try partials(pieces, servers)
        for format in ["json", "text", "markdown", "html"] {
            let all = try runReport(["--format", format, "--width", "100"] + servers + pieces)
            let merged = try runReport(["--merge", "--format", format, "--width", "100"] + parts)
            #expect(all.status == 0 && merged.status == 0, "\(merged.stderrText)")
            #expect(all.stdout == merged.stdout, "\(format)")
        }
        // The merged JSON also satisfies both oracles against the original records.
        let merged = try runReport(["--merge", "--format", "json"] + parts)
        #expect(try reportOracle(records, merged.stdout).hasPrefix("ok "))
    }

    @Test func arbitraryChunksAndMergesOfMergesAgree() throws {
        let kilo = try KiloRecords.generate(shuffle: true)
        let servers = ["--servers", "127.0.0.1:21211,127.0.0.1:21212", "--what-if-servers", "2,3"]
        // Lines dealt round-robin into three chunks: every host and most users are in all of them.
        let pieces = try split(kilo.records, pieces: 3) { _, i in i % 3 }
        let parts = try partials(pieces, servers + ["--top", "5"])
        let all = try runReport(["--format", "json", "--top", "5"] + servers + pieces)
        let merged = try runReport(["--merge", "--format", "json", "--top", "5"] + parts)
        #expect(all.stdout == merged.stdout)
        #expect(try reportOracle(kilo.records, merged.stdout, top: 5).hasPrefix("ok "))
        // (p0 + p1) as a partial, then with p2; and all partials through stdin, one per line.
        let first = try runReport(["--merge", "--partial", "--format", "json", "--top", "5", parts[0], parts[1]])
        let firstPath = parts[0] + ".01"
        try first.stdout.write(to: URL(fileURLWithPath: firstPath))
        let nested = try runReport(["--merge", "--format", "json", "--top", "5", firstPath, parts[2]])
        #expect(nested.stdout == all.stdout)
        var joined = Data()
        for p in parts { joined.append(try Data(contentsOf: URL(fileURLWithPath: p))) }
        #expect(try runReport(["--merge", "--format", "json", "--top", "5", "-"], stdin: joined).stdout == all.stdout)
        // A larger --top than the partials kept is said in the output.
        let wider = try runReport(["--merge", "--format", "json", "--top", "8"] + parts).stdoutText
        #expect(wider.contains("kept only its 5 largest keys"))
    }

    @Test func partialsThatDoNotFitAreRefused() throws {
        let kilo = try KiloRecords.generate()
        let pieces = try split(kilo.records, pieces: 2) { _, i in i % 2 }
        let two = try partials([pieces[0]], ["--servers", "127.0.0.1:21211,127.0.0.1:21212"])[0]
        let three = try partials([pieces[1]], ["--servers", "127.0.0.1:21211,127.0.0.1:21212,127.0.0.1:21213"])[0]
        let plain = try runReport(["--format", "json", "--partial", pieces[1]])
        let plainPath = pieces[1] + ".plain"
        try plain.stdout.write(to: URL(fileURLWithPath: plainPath))
        let garbage = pieces[0] + ".garbage"
        try "{\"type\":\"report-partial\",\n".write(toFile: garbage, atomically: true, encoding: .utf8)
        for inputs in [[two, three], [two, plainPath], [two, kilo.records], [garbage]] {
            let r = try runReport(["--merge"] + inputs)
            #expect(r.status == 2, "\(inputs)")
            #expect(r.stderrText.contains("report: error: "), "\(r.stderrText)")
            #expect(r.stdout.isEmpty)
        }
        // Absurd but well-formed counters wrap instead of trapping (two partials, one host each).
        let huge = pieces[0] + ".huge"
        func hostile(_ host: String) -> String {
            #"{"type":"report-partial","schema":1,"records":9223372036854775807,"misplaced":0,"hosts":[{"host":"\#(host)","items":9223372036854775807,"value_bytes":9223372036854775807}],"users":[],"slabs":[],"keys":[],"what_if":null}"#
        }
        try (hostile("h:1") + "\n" + hostile("h:2") + "\n").write(toFile: huge, atomically: true, encoding: .utf8)
        #expect(try runReport(["--merge", "--format", "json", huge]).status == 0)
        #expect(try runReport(["--partial", kilo.records]).status == 64)
        let many = (1...33).map(String.init).joined(separator: ",")
        #expect(try runReport(["--servers", "a:11211", "--what-if-servers", many, kilo.records]).status == 64)
        #expect(try runReport(["--merge", "--servers", "a:11211", two]).status == 64)
    }

    /// A partial that was edited or mixed up is refused with the field it fails on (exit 2), never
    /// read as a silent 0, a negative figure or a host counted twice.
    @Test func tamperedPartialsAreRefused() throws {
        let records = try SampleRecords.attributed()
        let pieces = try split(records, pieces: 2) { line, _ in line.contains("\"port\":21211") ? 0 : 1 }
        let parts = try partials(pieces, [])
        let dir = try Scratch.directory("tampered")
        func tampered(_ name: String, _ python: String) throws -> String {
            let out = dir + "/" + name
            _ = try Python.run(
                code: """
                    import json, sys
                    p = json.loads(open(sys.argv[1]).read())
                    \(python)
                    open(sys.argv[2], 'w').write(json.dumps(p) + '\\n')
                    """, [parts[0], out])
            return out
        }
        let cases: [(String, String, String)] = [
            ("string", "p['hosts'][0]['value_bytes'] = '12'", "hosts[0].value_bytes: expected a non-negative integer, got \"12\""),
            ("fraction", "p['hosts'][0]['value_bytes'] = 1.5", "hosts[0].value_bytes: expected a non-negative integer, got 1.5"),
            ("huge", "p['hosts'][0]['value_bytes'] = 1e30", "hosts[0].value_bytes: expected a non-negative integer"),
            ("negative", "p['users'][0]['bytes'] = -5", "users[0].bytes: expected a non-negative integer, got -5"),
            ("no-hosts", "del p['hosts']", "hosts: expected an array, got nothing (missing)"),
            ("host-twice", "p['hosts'].append(p['hosts'][0])", "is listed twice"),
            (
                "bad-traffic", "p['hosts'][0]['traffic'] = {'bytes_read': 'x', 'bytes_written': 1, 'seconds': 1}",
                "hosts[0].traffic.bytes_read: expected a finite number"
            ),
        ]
        for (name, edit, message) in cases {
            let r = try runReport(["--merge", try tampered(name, edit), parts[1]])
            #expect(r.status == 2, "\(name): \(r.stderrText)")
            #expect(r.stderrText.contains(message) && r.stderrText.contains("line 1"), "\(name): \(r.stderrText)")
        }
        // The same partial twice, or one dump in two partials (its source twice), would count it twice.
        let twice = try runReport(["--merge", parts[0], parts[1], parts[0]])
        #expect(twice.status == 2 && twice.stderrText.contains("given before"), "\(twice.stderrText)")
        let again = try runReport(["--merge", parts[0], try tampered("copy", "p['top'] = 9"), parts[1]])
        #expect(again.status == 2 && again.stderrText.contains("is in an earlier partial too"), "\(again.stderrText)")
        // An empty input is no partial at all.
        let empty = dir + "/empty.partial"
        try Data().write(to: URL(fileURLWithPath: empty))
        let none = try runReport(["--merge", empty])
        #expect(none.status == 2 && none.stderrText.contains("no report partial to merge"), "\(none.stderrText)")
    }
}
