// Skew figures, number formatting and the explanation rule, checked against Python
// (statistics computed by a straightforward Python loop; Decimal half-up rounding).
import Foundation
import PipelineRecords
import SkewAnalysis
import Testing
import TestSupport

@Suite struct SkewAnalysisTests {
    @Test func skewFiguresMatchPython() throws {
        var rng = SystemRandomNumberGenerator()
        var vectors: [[Double]] = [[1, 1], [0, 10], [5, 5, 5, 5], [0, 0, 0], [3]]
        for _ in 0..<200 { vectors.append((0..<Int.random(in: 2...9, using: &rng)).map { _ in Double(Int.random(in: 0...1_000_000, using: &rng)) }) }
        let input = vectors.map { $0.map { String(Int($0)) }.joined(separator: " ") }.joined(separator: "\n") + "\n"
        let code = """
            import sys
            for line in sys.stdin:
                v = [float(x) for x in line.split()]
                n, s = len(v), sum(v)
                m = s / n
                t = max(v)
                g = sum(abs(a - b) for a in v for b in v) / (2 * n * n * m) if m > 0 else 0
                print(repr(t / m if m > 0 else 0), repr(t / s if s > 0 else 0), repr(g), v.index(t))
            """
        let rows = try Python.run(code: code, stdin: Data(input.utf8)).stdoutText.split(separator: "\n")
        #expect(rows.count == vectors.count)
        for (v, row) in zip(vectors, rows) {
            let e = row.split(separator: " ").map { Double($0) ?? .nan }
            let hosts = v.indices.map { "h\($0)" }
            let s = try #require(SkewFigures.compute(metric: "bytes", hosts: hosts, values: v))
            #expect(abs(s.maxOverMean - e[0]) <= 1e-12 * max(1, e[0]))
            #expect(abs(s.topShare - e[1]) <= 1e-12)
            #expect(abs(s.gini - e[2]) <= 1e-12)
            #expect(s.topHost == "h\(Int(e[3]))")
        }
        #expect(SkewFigures.compute(metric: "x", hosts: [], values: []) == nil)
        #expect(SkewFigures.compute(metric: "x", hosts: ["a"], values: [1, 2]) == nil)
    }

    @Test func unitsRoundHalfUpLikePythonDecimal() throws {
        let values: [Double] = [0, 0.05, 0.15, 0.25, 1.005, 2.5, 999.95, 1234.5678, 1e6, 9_999_999, 10_000_000, 123_456_789, 0.9149, 0.915]
        let code = """
            import sys
            from decimal import Decimal, ROUND_HALF_UP
            for s in sys.argv[1:]:
                v = float(s)
                print(*[str(Decimal(repr(v)).quantize(Decimal(1).scaleb(-d), rounding=ROUND_HALF_UP)) for d in (0, 1, 2, 3)])
            """
        let rows = try Python.run(code: code, values.map { "\($0)" }).stdoutText.split(separator: "\n")
        for (v, row) in zip(values, rows) {
            #expect([0, 1, 2, 3].map { Units.fixed(v, $0) }.joined(separator: " ") == String(row), "\(v)")
        }
        #expect(Units.megabytes(578_966) == "0.6 MB")
        #expect(Units.percent(0.914) == "91%")
        #expect(Units.rate(135_000) == "135.0 kB/s")
    }

    func host(_ name: String, bytes: Int64, rate: Double?) -> HostTotals {
        var h = HostTotals(host: name)
        h.valueBytes = bytes
        h.traffic = rate.map { HostTraffic(bytesRead: $0 * 10, bytesWritten: 0, seconds: 10) }
        return h
    }

    func user(_ id: String, lists: [(String, Int64, Double)]) -> UserTotals {
        var u = UserTotals(id: id, name: id.uppercased(), inExport: true)
        u.lists = lists.map { TokenListSummary(key: "k-\(id)", host: $0.0, size: $0.1, entries: 1, expired: 0, issueRate: $0.2, ceilingShare: 0) }
        return u
    }

    @Test func explanationPicksTheFewListsBehindTheExcess() throws {
        let hosts = [host("a", bytes: 100, rate: 1000), host("b", bytes: 900, rate: 9000)]
        let users = [
            user("x", lists: [("b", 500, 4)]), user("y", lists: [("b", 300, 2)]), user("z", lists: [("b", 10, 1)]),
            user("w", lists: [("a", 10, 1)]),
        ]
        // Traffic: excess = 9000 − 5000 = 4000; x alone explains 500×4×2 = 4000.
        let e = try #require(Explainer.explain(hosts: hosts, users: users, useTraffic: true))
        #expect(e.host == "b")
        #expect(e.userIDs == ["x"])
        #expect(e.shareOfExcess == 1)
        #expect(
            e.sentence == "1 user's token list (X), 500 B, all on b, account for 100% of its excess traffic during the capture "
                + "(4.0 kB/s over the mean of 5.0 kB/s).")
        // Bytes: excess 400; x (500) covers more than all of it: said so, not "125% of".
        let byBytes = try #require(Explainer.explain(hosts: hosts, users: users, useTraffic: false))
        #expect(byBytes.basis == "bytes")
        #expect(byBytes.shareOfExcess == 500.0 / 400.0)
        #expect(
            byBytes.sentence == "1 user's token list (X), 500 B, all on b, account for more than all of its excess bytes "
                + "(500 B, 125% of the 400 B it has over the mean of 500 B).")
        // Since start: the cumulative counters over the uptime; x and y (8000 + 2400 B/s) against 4000 B/s.
        var a = host("a", bytes: 100, rate: nil), b = host("b", bytes: 900, rate: nil)
        a.sinceStart = CumulativeTraffic(bytesRead: 500_000, bytesWritten: 500_000, uptime: 1000)
        b.sinceStart = CumulativeTraffic(bytesRead: 4_000_000, bytesWritten: 5_000_000, uptime: 1000)
        let since = try #require(Explainer.explain(hosts: [a, b], users: users, basis: .trafficSinceStart))
        #expect(since.basis == "traffic-since-start")
        #expect(since.excess == 4000)
        #expect(since.sentence.hasPrefix("1 user's token list (X), 500 B, all on b, account for 100% of its excess traffic since server start"))
        let slow = [user("x", lists: [("b", 500, 1)]), user("y", lists: [("b", 300, 1)])]
        let part = try #require(Explainer.explain(hosts: [a, b], users: slow, basis: .trafficSinceStart))
        #expect(
            part.sentence == "2 users' token lists (X, Y), 800 B, all on b, account for 40% of its excess traffic since server start "
                + "(4.0 kB/s over the mean of 5.0 kB/s).")
        // No skew, or a single host: nothing to explain.
        #expect(Explainer.explain(hosts: [host("a", bytes: 5, rate: 1), host("b", bytes: 5, rate: 1)], users: users, useTraffic: true) == nil)
        #expect(Explainer.explain(hosts: [host("b", bytes: 5, rate: 1)], users: users, useTraffic: true) == nil)
        // Excess but no token lists on the hot host.
        #expect(Explainer.explain(hosts: hosts, users: [user("w", lists: [("a", 10, 1)])], useTraffic: true) == nil)
    }

    @Test func theSentenceWithEscapedNamesChangesOnlyTheNamesAndTheHost() throws {
        let hosts = [host("a", bytes: 100, rate: 1000), host("b", bytes: 900, rate: 9000)]
        let users = [user("x", lists: [("b", 500, 4)]), user("y", lists: [("b", 300, 2)])]
        for basis in [ExplanationBasis.traffic, .bytes] {
            let e = try #require(Explainer.explain(hosts: hosts, users: users, basis: basis))
            #expect(e.sentence(escapingNames: { $0 }) == e.sentence)
            #expect(
                e.sentence(escapingNames: { "<" + $0 + ">" })
                    == e.sentence.replacingOccurrences(of: "(X", with: "(<X>")
                    .replacingOccurrences(of: "on b,", with: "on <b>,"))
        }
    }

    @Test func aggregatorSkipsBadLinesAndBoundsTopKeys() throws {
        let agg = Aggregator(top: 2)
        #expect(throws: AggregationIssue.self) { try agg.add(ArraySlice("not json".utf8)) }
        for (k, size) in [("a", 5), ("b", 50), ("c", 7), ("d", 50), ("e", 1)] {
            try agg.add(ArraySlice(#"{"type":"item","host":"h","port":1,"key":"\#(k)","size":\#(size),"cls":3}"#.utf8))
        }
        try agg.add(ArraySlice(#"{"type":"note","message":"ignored"}"#.utf8))
        let r = agg.finish()
        #expect(r.keys.map(\.key) == ["b", "d"])
        #expect(r.hosts.map(\.items) == [5])
        #expect(r.hosts.map(\.valueBytes) == [113])
        #expect(r.slabs.map(\.items) == [5])
        #expect(r.explanation == nil)
        #expect(r.attributed == false)
    }
}
