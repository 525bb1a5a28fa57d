// WhatIfAccumulator state save and merge (report --partial / --merge): accumulators fed disjoint parts
// of the items and merged equal one accumulator fed every item — totals, counts, kept sizes and
// bounds — also when each part keeps fewer sizes than it saw; mismatched schemes are refused.
import Testing
import KeyPlacement

@Suite struct WhatIfMergeTests {
    func schemes(_ n: Int) throws -> [any PlacementScheme] {
        try WhatIf.standardSchemes(servers: (1...n).map { ServerSpec(host: "10.0.0.\($0)") }, deltas: [0, 1])
    }

    @Test func mergedPartsEqualTheWhole() throws {
        var rng = SystemRandomNumberGenerator()
        let items: [([UInt8], UInt64)] = (0..<3000).map { i in
            (Array("key-\(i)-\(UInt32.random(in: 0...UInt32.max, using: &rng))".utf8), UInt64.random(in: 1...200_000, using: &rng))
        }
        for keep in [16, 100_000] {
            let three = try schemes(3)
            var whole = WhatIfAccumulator(schemes: three, keepLargest: keep)
            var parts = (0..<3).map { _ in WhatIfAccumulator(schemes: three, keepLargest: keep) }
            for (i, item) in items.enumerated() {
                whole.add(key: item.0, size: item.1)
                parts[i % 3].add(key: item.0, size: item.1)
            }
            var merged = parts[0]
            for p in parts.dropFirst() {
                try merged.merge(summaries: p.summaries, totalBytes: p.totalBytes, itemCount: p.itemCount, keptSizes: p.keptSizes, otherBytes: p.otherBytes)
            }
            #expect(merged.summaries == whole.summaries)
            #expect(merged.totalBytes == whole.totalBytes)
            #expect(merged.itemCount == whole.itemCount)
            #expect(merged.keptSizes.sorted() == whole.keptSizes.sorted())
            #expect(merged.otherBytes == whole.otherBytes)
            for n in [1, 2, 3, 4, 7] { #expect(merged.bound(servers: n) == whole.bound(servers: n), "keep \(keep), n \(n)") }
            #expect(whole.bound(servers: 3).exact == (keep > items.count))
        }
    }

    @Test func mismatchedSchemesAreRefused() throws {
        var a = WhatIfAccumulator(schemes: try schemes(3))
        let b = WhatIfAccumulator(schemes: try schemes(4))
        #expect(throws: PlacementError.self) {
            try a.merge(summaries: b.summaries, totalBytes: 0, itemCount: 0, keptSizes: [], otherBytes: 0)
        }
        #expect(throws: PlacementError.self) {
            try a.merge(summaries: Array(a.summaries.dropLast()), totalBytes: 0, itemCount: 0, keptSizes: [], otherBytes: 0)
        }
    }
}
