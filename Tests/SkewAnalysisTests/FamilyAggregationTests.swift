// SkewAnalysisTests/FamilyAggregationTests: key families in the report — per host and family totals
// (items, bytes, expiry, idleness, fetches, largest key), the folding of tiny families, the cap on
// their number, partials that merge to the one-pass result, and the explanation naming the families;
// the caps on hosts × families and users × hosts figures.
import Foundation
import JSONText
import PipelineRecords
import SkewAnalysis
import Testing

private func item(_ host: String, _ key: String, size: Int, family: String? = nil, exp: Int?? = .some(nil), la: Int? = nil, fetched: Bool? = nil)
    -> String
{
    var s = #"{"type":"item","host":"\#(host)","port":11211,"key":"\#(key)","size":\#(size)"#
    if let e = exp { s += e.map { #","exp":\#($0)"# } ?? #","exp":null"# }
    if let la { s += #","la":\#(la)"# }
    if let fetched { s += #","fetched":\#(fetched)"# }
    if let family { s += #","family":"\#(family)""# }
    return s + "}"
}

private func aggregate(_ lines: [String]) throws -> Report {
    let a = Aggregator(top: 10)
    for l in lines { try a.add(ArraySlice(Array(l.utf8))) }
    return a.finish()
}

@Suite struct FamilyAggregationTests {
    static let lines: [String] = [
        item("a", "cart:1:items", size: 1000, family: "cart:{n}:items", exp: .some(nil), la: 100, fetched: true),
        item("a", "cart:2:items", size: 3000, family: "cart:{n}:items", exp: .some(500), la: 160, fetched: false),
        item("a", "cart:3:items", size: 2000, family: "cart:{n}:items", exp: .some(700), la: 190, fetched: false),
        item("b", "cart:4:items", size: 500, family: "cart:{n}:items", exp: .some(600), la: 200, fetched: true),
        item("a", ":1:django.contrib.sessions.cacheabc", size: 400, family: "django:session", la: 150),
        item("b", ":1:django.contrib.sessions.cachedef", size: 600, family: "django:session", la: 180),
        item("b", "lonely", size: 10, family: "lonely"),
        // A record of an older decode (no `family`): classified from its key.
        item("b", "cart:5:items", size: 100, exp: nil),
    ]

    @Test func totalsPerFamilyAndHost() throws {
        let r = try aggregate(Self.lines)
        #expect(r.families.map(\.family) == ["cart:{n}:items", "django:session", FamilyTotals.small])
        let cart = r.families[0]
        #expect(cart.total.items == 5)
        #expect(cart.total.bytes == 6600)
        #expect(cart.total.noExpiry == 1)
        #expect(cart.total.withExpiry == 3)
        #expect(cart.total.expMin == 500 && cart.total.expMax == 700)
        #expect(cart.total.fetchKnown == 4 && cart.total.neverFetched == 2)
        #expect(cart.total.largestKey == "cart:2:items" && cart.total.largestSize == 3000)
        #expect(cart.perHost.map(\.host) == ["a:11211", "b:11211"])
        #expect(cart.perHost.map(\.bytes) == [6000, 600])
        // Idle against each host's most recent access (a: 190, b: 200): a's items 90, 30, 0; b's 0.
        #expect(cart.meanIdleSeconds == 30)
        // A profile family is kept however few its keys; a tiny pattern family is folded.
        #expect(r.families[1].total.items == 2)
        #expect(r.families[2].total.items == 1 && r.families[2].total.bytes == 10)
    }

    @Test func theExplanationNamesTheFamiliesBehindTheExcess() throws {
        let r = try aggregate(Self.lines)
        let e = try #require(r.familyExplanation)
        // a holds 6400 bytes, b 1210: mean 3805, excess 2595. cart on a: 6000 − 6600/2 = 2700 (more than
        // all of the excess, so it alone is named).
        #expect(e.host == "a:11211")
        #expect(e.excess == 2595)
        #expect(e.parts.map(\.family) == ["cart:{n}:items"])
        #expect(e.parts[0].excess == 2700)
        #expect(e.parts[0].largestKey == "cart:2:items")
        let sentence = e.sentence()
        #expect(
            sentence.hasPrefix("On a:11211, 1 key family accounts for more than all of its excess value bytes (2.6 kB over the mean of 3.8 kB)"), "\(sentence)")
        #expect(sentence.contains("cart:{n}:items 100% (largest key cart:2:items, 3.0 kB)"), "\(sentence)")
    }

    @Test func partialsMergeToTheOnePassResult() throws {
        let whole = try aggregate(Self.lines)
        let merged = Aggregator(top: 10)
        for part in [Array(Self.lines[0..<3]), Array(Self.lines[3...])] {
            let a = Aggregator(top: 10)
            for l in part { try a.add(ArraySlice(Array(l.utf8))) }
            let json = try a.partialJSON()
            try merged.merge(partialLine: Array(json.utf8))
        }
        let r = merged.finish()
        #expect(r.families == whole.families)
        #expect(r.familyExplanation == whole.familyExplanation)
    }

    @Test func aPartialWithABadFamilyFieldIsRefusedNamingIt() throws {
        let a = Aggregator(top: 10)
        try a.add(ArraySlice(Array(Self.lines[0].utf8)))
        let json = try a.partialJSON().replacingOccurrences(of: #""never_fetched":0"#, with: #""never_fetched":-1"#)
        #expect(json.contains(#""never_fetched":-1"#))
        #expect {
            try Aggregator(top: 10).merge(partialLine: Array(json.utf8))
        } throws: { e in
            "\(e)".contains("families[0].never_fetched")
        }
    }

    @Test func familiesBeyondTheCapAreCountedTogetherWithAWarning() throws {
        var lines: [String] = []
        for k in 0..<(Aggregator.maxFamilies + 5) { lines.append(item("a", "k\(k)", size: 1, family: "f\(k)")) }
        lines.append(item("b", "z", size: 1, family: "f0"))
        let r = try aggregate(lines)
        #expect(r.warnings.contains { $0.contains("more than \(Aggregator.maxFamilies) key families") })
        #expect(r.families.count <= Aggregator.maxFamilies + 2)
        #expect(r.families.reduce(0) { $0 + $1.total.items } == Aggregator.maxFamilies + 6)
    }
}

/// Which client places each key family: known from `placement.ok` (Keystone's, or `--client`), inferred
/// from `placement.fits` (the schemes that put ≥95% of the family's items where they were found), and
/// the items left where no client reads them.
@Suite struct FamilyPlacementTests {
    static func placed(_ host: String, _ key: String, family: String, fits: [String]? = nil, ok: Bool? = nil, size: Int = 100) -> String {
        var placement = ""
        if let fits { placement = #","placement":{"fits":[\#(fits.map { "\"\($0)\"" }.joined(separator: ","))]}"# }
        if let ok { placement = #","placement":{"expected":"x","hash":1,"scheme":"python-memcached-1.59","ok":\#(ok)}"# }
        return #"{"type":"item","host":"\#(host)","port":11211,"key":"\#(key)","size":\#(size),"family":"\#(family)"\#(placement)}"#
    }

    static let lines: [String] = {
        var l: [String] = []
        // 40 Rails keys: dalli fits all but one stray copy; pymemcache fits some by chance.
        for i in 0..<40 { l.append(placed("a", "v\(i)", family: "rails:views", fits: i == 7 ? [] : (i % 3 == 0 ? ["dalli", "pymemcache"] : ["dalli"]))) }
        // 10 keys nothing fits consistently.
        for i in 0..<10 { l.append(placed("b", "x\(i)", family: "mystery", fits: i % 2 == 0 ? ["libmemcached"] : ["dalli"])) }
        // Keystone: known client, one misplaced.
        for i in 0..<5 { l.append(placed("a", "k\(i)", family: "keystone:sha1-key", ok: i != 2)) }
        // Two items: too few to infer.
        l.append(placed("b", "w1", family: "wordpress:options", fits: ["libmemcached"]))
        return l
    }()

    @Test func knownInferredUnknownAndTooFew() throws {
        let r = try aggregate(Self.lines)
        let byName = Dictionary(uniqueKeysWithValues: r.families.map { ($0.family, $0.placement) })
        let rails = try #require(byName["rails:views"] ?? nil)
        #expect(rails.basis == .inferred && rails.schemes == ["dalli"])
        #expect(rails.items == 40 && rails.misplaced == 1 && rails.misplacedBytes == 100)
        let mystery = try #require(byName["mystery"] ?? nil)
        #expect(mystery.basis == .unknown && mystery.misplaced == 0)
        let keystone = try #require(byName["keystone:sha1-key"] ?? nil)
        #expect(keystone.basis == .known && keystone.schemes == ["python-memcached-1.59"] && keystone.misplaced == 1)
        let few = try #require(byName["wordpress:options"] ?? nil)
        #expect(few.basis == .few)
    }

    @Test func partialsCarryThePlacementCounts() throws {
        let whole = try aggregate(Self.lines)
        let merged = Aggregator(top: 10)
        for part in [Array(Self.lines[0..<20]), Array(Self.lines[20...])] {
            let a = Aggregator(top: 10)
            for l in part { try a.add(ArraySlice(Array(l.utf8))) }
            try merged.merge(partialLine: Array(a.partialJSON().utf8))
        }
        #expect(merged.finish().families == whole.families)
    }
}

/// The server's own slab figures (the capture's `stats items` / `stats slabs`): per class the chunk size,
/// rounding loss, evictions and oldest item; and the read traffic each class's get_hits imply, per key
/// family (estimated), with the explanation it gives.
@Suite struct SlabStatsTests {
    static func source(_ host: String, hits: Int) -> String {
        let items =
            #"{"items:1:number":"2","items:1:mem_requested":"150","items:1:evicted":"3","items:1:evicted_unfetched":"1","items:1:age":"7200","items:5:number":"1","items:5:mem_requested":"900"}"#
        let slabs =
            #"{"1:chunk_size":"96","1:used_chunks":"2","1:get_hits":"0","5:chunk_size":"1184","5:used_chunks":"1","5:get_hits":"\#(hits)","active_slabs":"2"}"#
        return
            #"{"type":"source","schema":1,"host":"\#(host)","port":11211,"stats":{"start":{"general":{"uptime":"100","time":"1000","bytes_read":"1","bytes_written":"1"},"items":\#(items),"slabs":\#(slabs)}}}"#
    }
    static func item(_ host: String, _ key: String, cls: Int, size: Int, family: String) -> String {
        #"{"type":"item","host":"\#(host)","port":11211,"key":"\#(key)","size":\#(size),"cls":\#(cls),"family":"\#(family)"}"#
    }
    static let lines = [
        item("a", "s1", cls: 1, size: 40, family: "small"), item("a", "s2", cls: 1, size: 40, family: "small"),
        item("a", "big", cls: 5, size: 800, family: "big"), source("a", hits: 1000),
        item("b", "s3", cls: 1, size: 40, family: "small"), item("b", "s4", cls: 1, size: 40, family: "small"),
        item("b", "big2", cls: 5, size: 800, family: "big"), source("b", hits: 10),
    ]

    @Test func serverFiguresPerClassAndTheTrafficTheyImply() throws {
        let r = try aggregate(Self.lines)
        let a5 = try #require(r.slabs.first { $0.host == "a:11211" && $0.cls == 5 })
        let a1 = try #require(r.slabs.first { $0.host == "a:11211" && $0.cls == 1 })
        #expect(a5.server?.chunkSize == 1184 && a5.server?.getHits == 1000)
        #expect(a5.server?.roundingLoss == 284)  // 1184 × 1 − 900
        #expect(a1.server?.roundingLoss == 42)  // 96 × 2 − 150
        #expect(a1.server?.evicted == 3 && a1.server?.evictedUnfetched == 1 && a1.server?.age == 7200)
        // One item of class 5 on a is read 1000 times in 100 s: 10/s × 800 bytes = 8000 B/s; on b 80 B/s.
        let e = try #require(r.familyTrafficExplanation)
        #expect(e.basis == .estimatedTraffic)
        #expect(e.host == "a:11211")
        #expect(e.value == 8000 && e.mean == 4040)
        #expect(e.parts.map(\.family) == ["big"])
        #expect(e.parts[0].excess == 8000 - 4040)
        #expect(e.sentence().contains("By estimated read traffic"))
    }

    @Test func partialsCarryTheServerFiguresAndTheBytesPerClass() throws {
        let whole = try aggregate(Self.lines)
        let merged = Aggregator(top: 10)
        for part in [Array(Self.lines[0..<4]), Array(Self.lines[4...])] {
            let a = Aggregator(top: 10)
            for l in part { try a.add(ArraySlice(Array(l.utf8))) }
            try merged.merge(partialLine: Array(a.partialJSON().utf8))
        }
        let r = merged.finish()
        #expect(r.slabs == whole.slabs)
        #expect(r.familyTrafficExplanation == whole.familyTrafficExplanation)
        #expect(r.families == whole.families)
    }
}

/// Keys found on more than one host: counted with their extra copies and bytes, listed with each
/// copy's host and size and whether its value (size, flags, `value_crc32`) and CAS are the first copy's;
/// the same key twice on one host is not a copy; a partial of the whole stream carries them, partials of
/// single hosts cannot (docs/report.md).
@Suite struct CopiesTests {
    static func item(_ host: String, _ key: String, size: Int, crc: UInt32? = nil, cas: UInt64? = nil, flags: Int = 0) -> String {
        var s = #"{"type":"item","host":"\#(host)","port":11211,"key":"\#(key)","size":\#(size),"flags":\#(flags)"#
        if let cas { s += #","cas":\#(cas)"# }
        if let crc { s += #","value_crc32":\#(crc)"# }
        return s + "}"
    }
    static let lines = [
        item("a", "k1", size: 10, crc: 77, cas: 5), item("b", "k1", size: 12, crc: 78, cas: 5), item("c", "k1", size: 10, crc: 77, cas: 9),
        item("a", "k2", size: 5), item("a", "k2", size: 5), item("b", "k3", size: 7),
        // Same size and CRC, other flags: other bytes as a client reads them.
        item("a", "k4", size: 3, crc: 1, cas: 1, flags: 0), item("b", "k4", size: 3, crc: 1, cas: 2, flags: 1),
        // No CRC (an older decode, or metadata only): the value's sameness is unknown.
        item("a", "k5", size: 4), item("c", "k5", size: 4, crc: 9),
    ]

    @Test func copiesAreCountedAndListed() throws {
        let r = try aggregate(Self.lines)
        #expect(r.copies.keys == 3)
        #expect(r.copies.extraCopies == 4)
        #expect(r.copies.extraBytes == 29)
        #expect(r.copies.sameValueCopies == 1)
        #expect(r.copies.differingValueCopies == 2)
        #expect(
            r.copies.entries == [
                CopyEntry(key: "k1", hosts: ["a:11211", "b:11211", "c:11211"], sizes: [12, 10], sameValue: [false, true], sameCAS: [true, false]),
                CopyEntry(key: "k4", hosts: ["a:11211", "b:11211"], sizes: [3], sameValue: [false], sameCAS: [false]),
                CopyEntry(key: "k5", hosts: ["a:11211", "c:11211"], sizes: [4], sameValue: [nil], sameCAS: [nil]),
            ])
    }

    @Test func aPartialWithoutTheComparisonsStillMergesOneWithBadOnesIsNamed() throws {
        let a = Aggregator(top: 10)
        for l in Self.lines { try a.add(ArraySlice(Array(l.utf8))) }
        let partial = try a.partialJSON()
        // A partial written before value_crc32 has neither the counts nor the per-copy comparisons.
        var old = partial.replacingOccurrences(of: #","same_value_copies":1,"differing_value_copies":2"#, with: "")
        for (from, to) in [
            (#","same_value":[false,true],"same_cas":[true,false]"#, ""), (#","same_value":[false],"same_cas":[false]"#, ""),
            (#","same_value":[null],"same_cas":[null]"#, ""),
        ] {
            #expect(old.contains(from))
            old = old.replacingOccurrences(of: from, with: to)
        }
        let m = Aggregator(top: 10)
        try m.merge(partialLine: Array(old.utf8))
        let r = m.finish()
        #expect(r.copies.keys == 3 && r.copies.sameValueCopies == 0 && r.copies.entries[0].sameValue == [nil, nil])

        let bad = partial.replacingOccurrences(of: #""same_value":[false,true]"#, with: #""same_value":[false,"yes"]"#)
        #expect(bad != partial)
        do throws(AggregationIssue) {
            try Aggregator(top: 10).merge(partialLine: Array(bad.utf8))
            Issue.record("a same_value that is not a boolean was accepted")
        } catch {
            let e = error
            #expect(e.message.contains("copies.entries[0].same_value[1]"), "\(e.message)")
        }
        let short = partial.replacingOccurrences(of: #""same_value":[false,true]"#, with: #""same_value":[false]"#)
        do throws(AggregationIssue) {
            try Aggregator(top: 10).merge(partialLine: Array(short.utf8))
            Issue.record("a short same_value list was accepted")
        } catch {
            let e = error
            #expect(e.message == "copies.entries[0].same_value: one entry for each copy after the first")
        }
    }

    /// The partial of `lines` (with its key log unless `keyLog` is false).
    static func partial(_ lines: [String], keyLog: Bool = true) throws -> String {
        let p = Aggregator(top: 10, keyLog: keyLog)
        for l in lines { try p.add(ArraySlice(Array(l.utf8))) }
        return try p.partialJSON()
    }

    static func merge(_ partials: [String]) throws -> Report {
        let m = Aggregator(top: 10)
        for p in partials { try m.merge(partialLine: Array(p.utf8)) }
        return m.finish()
    }

    static func lines(of host: String, in lines: [String] = lines) -> [String] { lines.filter { $0.contains(#""host":"\#(host)""#) } }

    @Test func singleHostPartialsFindTheCopiesThroughTheirKeyLogs() throws {
        let whole = try aggregate(Self.lines)
        #expect(try Self.merge([try Self.partial(Self.lines)]).copies == whole.copies)
        let merged = try Self.merge(try ["a", "b", "c"].map { try Self.partial(Self.lines(of: $0)) })
        #expect(merged.copies == whole.copies)
        #expect(merged.copies.keys == 3)
        #expect(!merged.warnings.contains { $0.contains("key log") }, "\(merged.warnings)")

        // A merged partial carries the log on: merged again with the last host, the same copies.
        let m = Aggregator(top: 10, keyLog: true)
        for h in ["a", "b"] { try m.merge(partialLine: Array(try Self.partial(Self.lines(of: h)).utf8)) }
        let ab = try m.partialJSON()
        #expect(try Self.merge([ab, try Self.partial(Self.lines(of: "c"))]).copies == whole.copies)
    }

    @Test func partialsWithoutKeyLogsMissTheCopiesAndSaySo() throws {
        let merged = try Self.merge(try ["a", "b", "c"].map { try Self.partial(Self.lines(of: $0), keyLog: false) })
        #expect(merged.copies.keys == 0)
        #expect(merged.warnings.contains { $0.hasPrefix("3 partial(s) carry no key log (copy_log)") }, "\(merged.warnings)")
        // One such partial alone has nothing to miss.
        let one = try Self.merge([try Self.partial(Self.lines, keyLog: false)])
        #expect(one.copies == (try aggregate(Self.lines)).copies)
        #expect(!one.warnings.contains { $0.contains("key log") })
    }

    /// attribute writes the records it held (`"held":true`) after all the others: one report over the
    /// stream meets them last, and a merge replays the held entries of every partial after the main ones.
    @Test func heldRecordsAreReplayedInTheOrderOfOneStream() throws {
        func held(_ line: String) -> String { String(line.dropLast()) + #","held":true}"# }
        let aMain = [Self.item("a", "k7", size: 20, crc: 1, cas: 1)]
        let aHeld = [held(Self.item("a", "k8", size: 30, crc: 2, cas: 2)), held(Self.item("a", "k9", size: 40, crc: 3, cas: 3))]
        let bMain = [Self.item("b", "k9", size: 41, crc: 4, cas: 4), Self.item("b", "k7", size: 20, crc: 1, cas: 1)]
        let bHeld = [held(Self.item("b", "k8", size: 31, crc: 5, cas: 5))]
        // attribute over both hosts' records at once: main records first, then the held ones.
        let stream = aMain + bMain + aHeld + bHeld
        let whole = try aggregate(stream)
        #expect(whole.copies.keys == 3)
        // k9 is met first on b (a main record), then on a (held).
        let k9 = try #require(whole.copies.entries.first { $0.key == "k9" })
        #expect(k9.hosts == ["b:11211", "a:11211"] && k9.sizes == [40])
        #expect(whole.copies.entries.map(\.key) == ["k7", "k9", "k8"])
        // attribute per host: each host's held records at the end of its own stream.
        let merged = try Self.merge([try Self.partial(aMain + aHeld), try Self.partial(bMain + bHeld)])
        #expect(merged.copies == whole.copies)
    }

    @Test func aBadKeyLogIsNamedAndNothingOfItsPartialIsMerged() throws {
        let good = try Self.partial(Self.lines(of: "a"))
        for (from, to, message) in [
            (#""hosts":["a:11211"]"#, #""hosts":[]"#, "copy_log.main[0]: host 0 is not in copy_log.hosts"),
            (#"["k1",0,10,"#, #"["k1",0,-10,"#, "copy_log.main[0][2]: expected a non-negative integer, got -10"),
            (#"["k2",0,5,0,"#, #"["k2",0,5,4294967296,"#, "copy_log.main[1][3]: expected an integer from 0 to 4294967295, got 4294967296"),
            (#"["k1",0,10,"#, #"[1,0,10,"#, "copy_log.main[0][0]: expected a string"),
            (#""main":["#, #""main":7,"main_":["#, "copy_log.main: expected an array"),
            (#"["k1",0,10,"#, #"["k1",0,"#, "copy_log.main[0]: expected [key, host, size, value, cas, flags]"),
        ] {
            let bad = good.replacingOccurrences(of: from, with: to)
            #expect(bad != good, "\(from) not in the partial")
            let m = Aggregator(top: 10)
            do throws(AggregationIssue) {
                try m.merge(partialLine: Array(bad.utf8))
                Issue.record("a bad key log was merged: \(to)")
            } catch {
                let e = error
                #expect(e.message == message)
            }
            #expect(m.mergedPartials == 0 && m.finish().hosts.isEmpty)
        }
    }
}

@Suite struct FamilyCellCapTests {
    /// The cap on hosts × families figures: beyond it, a family new to a host goes to that host's
    /// "(more families)"; no byte is lost, a warning says so; a merge applies the same cap.
    @Test func familyCellsAreCapped() throws {
        var lines: [String] = []
        for h in ["a", "b", "c"] {
            for f in 0..<4 { lines.append(item(h, "f\(f):\(h)", size: 100 * (f + 1), family: "fam\(f):{n}")) }
        }
        let capped = Aggregator(top: 10, familyCells: 5)
        for l in lines { try capped.add(ArraySlice(Array(l.utf8))) }
        let report = capped.finish()
        let cells = report.families.reduce(0) { $0 + $1.perHost.count }
        #expect(cells <= 5 + 3, "\(cells) cells with a cap of 5 and 3 hosts")
        let overflow = try #require(report.families.first { $0.family == FamilyTotals.overflow })
        #expect(overflow.total.bytes > 0)
        let all = Int64(3 * (100 + 200 + 300 + 400))
        #expect(report.families.reduce(Int64(0)) { $0 + $1.total.bytes } == all, "bytes lost or doubled")
        #expect(report.warnings.contains { $0.hasPrefix("more than 5 key-family figures") }, "\(report.warnings)")

        // Uncapped, the same records keep every cell and give no such warning.
        let whole = Aggregator(top: 10)
        for l in lines { try whole.add(ArraySlice(Array(l.utf8))) }
        let full = whole.finish()
        #expect(full.families.reduce(0) { $0 + $1.perHost.count } == 12)
        #expect(!full.warnings.contains { $0.contains("key-family figures") })

        // Merging the uncapped partial under the cap: the same bound, the same bytes.
        let merged = Aggregator(top: 10, familyCells: 5)
        try merged.merge(partialLine: Array(whole.partialJSON().utf8))
        let m = merged.finish()
        #expect(m.families.reduce(0) { $0 + $1.perHost.count } <= 5 + 3)
        #expect(m.families.reduce(Int64(0)) { $0 + $1.total.bytes } == all)
        #expect(m.warnings.contains { $0.hasPrefix("more than 5 key-family figures") })
    }
}

/// An item of `user` (attributed) on `host`.
private func userItem(_ host: String, _ key: String, size: Int, user: String) -> String {
    #"{"type":"item","host":"\#(host)","port":11211,"key":"\#(key)","size":\#(size),"kind":"token","user":{"id":"\#(user)","name":"name-\#(user)","domain":"default","in_export":true}}"#
}

@Suite struct UserHostCellCapTests {
    static let hosts = ["a", "b", "c"]
    /// User `u` of 4 on host `h` of 3: 100 × (u + 1) + 10 × h bytes.
    static func size(_ u: Int, _ h: Int) -> Int { 100 * (u + 1) + 10 * h }
    /// Host by host, users in id order within a host (the order a merge of per-host partials meets them),
    /// then one more item of u0 on b (1,000 bytes) and of u1 on a (5 bytes): hosts they already have.
    static let lines: [String] = {
        var out: [String] = []
        for (h, host) in hosts.enumerated() {
            for u in 0..<4 { out.append(userItem(host, "t:\(host):\(u)", size: size(u, h), user: "u\(u)")) }
        }
        out.append(userItem("b", "t:b:0:2", size: 1000, user: "u0"))
        out.append(userItem("a", "t:a:1:2", size: 5, user: "u1"))
        // An item of no user: in its host's totals only.
        out.append(#"{"type":"item","host":"c","port":11211,"key":"free","size":7}"#)
        return out
    }()

    static func aggregate(_ lines: [String], cells: Int = Aggregator.maxUserHostCells) throws -> Aggregator {
        let a = Aggregator(top: 100, userHostCells: cells, keyLog: true)
        for l in lines { try a.add(ArraySlice(Array(l.utf8))) }
        return a
    }

    static func merge(_ partials: [String], cells: Int = Aggregator.maxUserHostCells) throws -> Aggregator {
        let a = Aggregator(top: 100, userHostCells: cells)
        for p in partials { try a.merge(partialLine: Array(p.utf8)) }
        return a
    }

    static func user(_ r: Report, _ id: String) throws -> UserTotals { try #require(r.users.first { $0.id == id }) }

    /// With a cap of 5 figures: u0..u3 on a, then u0 on b; every later host new to a user goes to its
    /// "(other hosts)"; a host the user already has still adds to its figure; totals are exact.
    @Test func userHostFiguresAreCapped() throws {
        let full = try Self.aggregate(Self.lines).finish()
        let capped = try Self.aggregate(Self.lines, cells: 5).finish()

        // Uncapped: 12 figures, nothing elsewhere, no warning.
        #expect(full.users.reduce(0) { $0 + $1.bytesByHost.count } == 12)
        #expect(full.users.allSatisfy { $0.otherHostsBytes == 0 })
        #expect(!full.warnings.contains { $0.contains("per-host user figures") })

        // Totals: every user's bytes and items, and every host's, as uncapped.
        #expect(capped.users.count == 4 && capped.userCount == 4)
        for u in full.users {
            let c = try Self.user(capped, u.id)
            #expect(c.bytes == u.bytes && c.items == u.items, "\(u.id)")
            #expect(c.bytesByHost.values.reduce(0, +) + c.otherHostsBytes == c.bytes, "\(u.id): bytes lost or doubled")
        }
        #expect(capped.hosts == full.hosts)
        let hostBytes: [Int64] = [1005, 2040, 1087]  // a: 100+200+300+400+5, b: 110+210+310+410+1000, c: 120+220+320+420+7
        #expect(capped.hosts.map(\.valueBytes) == hostBytes)

        // The figures kept and the overflow, exactly.
        let u0 = try Self.user(capped, "u0")
        #expect(u0.bytesByHost == ["a:11211": 100, "b:11211": 110 + 1000] && u0.otherHostsBytes == 120)
        let u1 = try Self.user(capped, "u1")
        #expect(u1.bytesByHost == ["a:11211": 200 + 5] && u1.otherHostsBytes == 210 + 220)
        let u3 = try Self.user(capped, "u3")
        #expect(u3.bytesByHost == ["a:11211": 400] && u3.otherHostsBytes == 410 + 420)
        #expect(capped.users.reduce(0) { $0 + $1.bytesByHost.count } == 5)
        #expect(
            capped.warnings.contains {
                $0.hasPrefix("more than 5 per-host user figures (users × hosts)") && $0.contains(UserTotals.otherHosts)
            }, "\(capped.warnings)")

        // Shares and the main host: unknown where the bytes elsewhere could be on that host or outweigh it.
        #expect(u1.share(on: "a:11211") == 205.0 / 635.0 && u1.share(on: "b:11211") == nil)
        let fullU1 = try Self.user(full, "u1")
        #expect(fullU1.share(on: "b:11211") == 210.0 / 635.0)
        #expect(u0.mainHost == "b:11211")
        #expect(u1.mainHost == nil && fullU1.mainHost == "c:11211")
    }

    /// Per-host partials merged under the cap give the one-pass result under the same cap; the partial of
    /// that merge carries the overflow, so merging it again (capped or not) gives the same users.
    @Test func mergedPartialsApplyTheSameCap() throws {
        let capped = try Self.aggregate(Self.lines, cells: 5)
        let one = capped.finish()
        var partials: [String] = []
        for host in Self.hosts {
            partials.append(try Self.aggregate(Self.lines.filter { $0.contains(#""host":"\#(host)""#) }).partialJSON())
        }
        let merged = try Self.merge(partials, cells: 5)
        let m = merged.finish()
        #expect(m.users == one.users)
        #expect(m.hosts == one.hosts)
        #expect(m.warnings == one.warnings)
        #expect(m.users.reduce(Int64(0)) { $0 + $1.otherHostsBytes } == 120 + 430 + 630 + 830)

        // The capped aggregate's partial says what went elsewhere; merged again it changes nothing.
        let partial = try merged.partialJSON()
        #expect(partial.contains(#""bytes_by_host":{"a:11211":205},"bytes_other_hosts":430,"#), "\(partial)")
        func usersPart(_ p: String) -> Substring? {
            guard let a = p.range(of: #""users":"#), let b = p.range(of: #""slabs":"#) else { return nil }
            return p[a.lowerBound..<b.lowerBound]
        }
        let cappedPartial = try capped.partialJSON()
        #expect(usersPart(partial) != nil && usersPart(partial) == usersPart(cappedPartial))
        for cells in [5, Aggregator.maxUserHostCells] {
            let again = try Self.merge([partial], cells: cells).finish()
            #expect(again.users == one.users, "cap \(cells)")
            #expect(again.hosts == one.hosts)
            #expect(again.warnings.contains { $0.contains("per-host user figures") }, "cap \(cells): \(again.warnings)")
        }

        // Uncapped, the same partials give every figure and a partial without the field.
        let whole = try Self.merge(partials)
        let wholeUsers = try Self.aggregate(Self.lines).finish().users
        #expect(whole.finish().users == wholeUsers)
        #expect(!(try whole.partialJSON()).contains("bytes_other_hosts"))
    }
}
