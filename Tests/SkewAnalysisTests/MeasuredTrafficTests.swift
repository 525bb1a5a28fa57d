// SkewAnalysisTests/MeasuredTrafficTests: traffic and stats_sample records summed per host, key, family
// and user; the measured explanation's arithmetic (a key's share of the excess is rate × (N−1)/N /
// excess); per-host partials merged give the same section as one pass; a bad partial is named.
import Foundation
import JSONText
import KeyPlacement
import PipelineRecords
import SkewAnalysis
import Testing

@Suite struct MeasuredTrafficTests {
    static func traffic(_ host: String, _ key: String, family: String, read: Int, written: Int = 0, gets: Int, sets: Int = 0, owner: String? = nil) -> String {
        var s = #"{"type":"traffic","host":"\#(host)","port":11211,"key":"\#(key)","family":"\#(family)","window":{"started_local":1.5,"seconds":10.0},"#
        s += #""gets":\#(gets),"hits":\#(gets),"misses":0,"sets":\#(sets),"stored":\#(sets),"bytes_read":\#(read),"bytes_written":\#(written),"evictions":0"#
        if let owner { s += #","user":{"id":"\#(owner)-id","name":"\#(owner)","domain":null,"in_export":true}"# }
        return s + "}"
    }
    static func sample(_ host: String, time: Int, written: Int) -> String {
        #"{"type":"stats_sample","host":"\#(host)","port":11211,"label":"sample-\#(time)","time":\#(time),"bytes_read":10,"bytes_written":\#(written),"cmd_get":\#(time * 100),"connections":3}"#
    }
    static let lines = [
        traffic("a", "hot", family: "hot", read: 800_000, gets: 160, owner: "nova"),
        traffic("a", "cfg:1", family: "cfg:{n}", read: 100_000, written: 100_000, gets: 100, sets: 10),
        traffic("b", "cfg:2", family: "cfg:{n}", read: 100_000, gets: 100),
        sample("a", time: 100, written: 0), sample("a", time: 101, written: 90_000), sample("b", time: 100, written: 0),
        sample("b", time: 101, written: 10_000),
    ]

    static func report(_ lines: [String]) throws -> Report {
        let a = Aggregator(top: 10)
        for l in lines { try a.add(ArraySlice(Array(l.utf8))) }
        return a.finish()
    }

    @Test func sumsPerHostKeyFamilyAndUser() throws {
        let m = try #require(try Self.report(Self.lines).traffic)
        #expect(m.hosts.map(\.host) == ["a:11211", "b:11211"])
        #expect(m.hosts[0].bytesPerSecond == 100_000 && m.hosts[1].bytesPerSecond == 10_000)
        #expect(m.hosts[0].opsPerSecond == 27 && m.hosts[0].keys == 2)
        #expect(m.keys.map(\.key) == ["hot", "cfg:1", "cfg:2"])
        #expect(m.families.map(\.name) == ["hot", "cfg:{n}"] && m.families[1].bytesPerSecond == 30_000)
        #expect(m.families[1].byHost == ["a:11211": 20_000, "b:11211": 10_000])
        #expect(m.users.map(\.name) == ["nova"] && m.users[0].bytesPerSecond == 80_000)
        #expect(m.timeline["a:11211"]?.map(\.time) == [100, 101])
        // Mean 55 kB/s; excess 45 kB/s. "hot" adds 80 kB/s × 1/2 = 40 kB/s: 89% of it, then cfg:1 (10 kB/s, 22%).
        let e = try #require(m.explanation)
        #expect(e.host == "a:11211" && e.mean == 55_000)
        #expect(e.parts.map(\.key) == ["hot", "cfg:1"])
        #expect(abs(e.parts[0].share - 40_000.0 / 45_000.0) < 1e-12)
        #expect(
            e.sentence()
                == "Measured over the watch window (10 s), a:11211 moved 100.0 kB/s, 45.0 kB/s over the mean of 55.0 kB/s; its top 2 keys account for more than all of that excess (111%): hot 89% (hot, nova), cfg:1 22% (cfg:{n})."
        )
    }

    @Test func perHostPartialsMergeToTheSameSection() throws {
        let whole = try Self.report(Self.lines)
        let merged = Aggregator(top: 10)
        for host in ["a", "b"] {
            let p = Aggregator(top: 10)
            for l in Self.lines where l.contains(#""host":"\#(host)""#) { try p.add(ArraySlice(Array(l.utf8))) }
            try merged.merge(partialLine: Array(p.partialJSON().utf8))
        }
        #expect(merged.finish().traffic == whole.traffic)
    }

    /// A source's watch accounting: a host whose window saw no client traffic still counts (at 0 B/s),
    /// and what memcached dropped and what the collector left out reach the report, through partials too.
    @Test func aQuietHostsWindowAndTheDropsCount() throws {
        let quiet =
            #"{"type":"source","schema":1,"host":"c","port":11211,"file":"c.mcdump.gz","complete":true,"watch":{"streams":[],"started_local":1.5,"seconds":10.0,"events":0,"keys":0,"store_lookups":0,"skipped":3,"unreadable":0,"own_events":42,"own_connections":3,"worker_dropped":4,"watcher_skipped":3,"ended":"elapsed"}}"#
        let lines = Self.lines + [quiet]
        let m = try #require(try Self.report(lines).traffic)
        let c = try #require(m.hosts.first { $0.host == "c:11211" })
        #expect(c.seconds == 10 && c.bytesPerSecond == 0 && c.account?.ownEvents == 42 && c.account?.dropped == 7)
        // The mean is over three hosts now: (100 + 10 + 0) / 3 kB/s.
        #expect(abs((m.explanation?.mean ?? 0) - 110_000.0 / 3) < 1e-9)
        let merged = Aggregator(top: 10)
        for host in ["a", "b", "c"] {
            let p = Aggregator(top: 10)
            for l in lines where l.contains(#""host":"\#(host)""#) { try p.add(ArraySlice(Array(l.utf8))) }
            try merged.merge(partialLine: Array(p.partialJSON().utf8))
        }
        #expect(merged.finish().traffic == m)
    }

    @Test func aReportWithoutTrafficHasNoSection() throws {
        #expect(try Self.report([#"{"type":"item","host":"a","port":1,"key":"k","size":3}"#]).traffic == nil)
    }

    @Test func aBadTrafficPartialIsNamed() throws {
        let p = Aggregator(top: 10)
        for l in Self.lines { try p.add(ArraySlice(Array(l.utf8))) }
        let text = try p.partialJSON()
        let bad = text.replacingOccurrences(of: #""bytes_moved":800000"#, with: #""bytes_moved":-1"#)
        #expect(bad != text)
        do throws(AggregationIssue) {
            try Aggregator(top: 10).merge(partialLine: Array(bad.utf8))
            Issue.record("a negative bytes_moved was accepted")
        } catch {
            let e = error
            #expect(e.message.hasPrefix("measured_traffic.keys[0].bytes_moved: expected a non-negative integer"), "\(e.message)")
        }
    }
}

/// A fleet's server list of nearly 1,000 servers: its default what-if counts (N−1…N+2) go past 1,000, and a
/// partial made with them merges (merge-bench.sh found that it did not); a short list keeps the 1,000 limit.
@Suite struct LargeFleetWhatIfTests {
    @Test func theDefaultCountsOfALongListMerge() throws {
        let servers = (0..<999).map { "10.0.\($0 / 250).\(1 + $0 % 250):11211" }.joined(separator: ",")
        let config = try WhatIfConfig.parse(servers: servers, counts: nil, clients: "python-memcached")
        #expect(config.counts == [998, 999, 1000, 1001])
        let a = Aggregator(top: 10, whatIf: try WhatIfAnalysis(config: config))
        try a.add(ArraySlice(Array(#"{"type":"item","host":"10.0.0.1","port":11211,"key":"k","size":5}"#.utf8)))
        let m = Aggregator(top: 10)
        try m.merge(partialLine: Array(a.partialJSON().utf8))
        #expect(m.finish().whatIf?.rows.count == 4)
        #expect(throws: PlacementError.self) { try WhatIfConfig.parse(servers: "a:1,b:2", counts: "1001", clients: nil) }
    }
}
