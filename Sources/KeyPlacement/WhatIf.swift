// WhatIf: streaming per-server totals of the same items under several placement schemes and server
// counts, and how balanced any placement could be given the largest items (a lower bound, and an
// achievable figure from greedy LPT packing). Memory: schemes × servers counters plus the K largest sizes.

/// Per-server totals of one scheme.
public struct LoadSummary: Sendable, Equatable {
    public var scheme: String
    public var serverCount: Int
    public var bytes: [UInt64]
    public var items: [Int]

    public init(scheme: String, serverCount: Int, bytes: [UInt64], items: [Int]) {
        self.scheme = scheme
        self.serverCount = serverCount
        self.bytes = bytes
        self.items = items
    }

    /// max(bytes) / mean(bytes); 0 when nothing was added.
    public var maxOverMean: Double { WhatIf.maxOverMean(bytes) }
    /// Share of all bytes on the fullest server (0…1); 0 when empty.
    public var topShare: Double {
        let total = bytes.reduce(0, +)
        return total == 0 ? 0 : Double(bytes.max() ?? 0) / Double(total)
    }
}

/// How balanced any placement of these items on `serverCount` servers could be.
public struct BalanceBound: Sendable, Equatable {
    public var serverCount: Int
    /// max(largest item, total / n) / mean: no placement does better.
    public var lowerBound: Double
    /// max/mean of greedy LPT (largest first onto the least-loaded server) over the kept largest
    /// items, the rest poured as fluid onto the least-loaded servers. Exact LPT when every item was kept.
    public var greedy: Double
    /// Whether every item was kept (so `greedy` is plain LPT, not approximated).
    public var exact: Bool

    public init(serverCount: Int, lowerBound: Double, greedy: Double, exact: Bool) {
        self.serverCount = serverCount
        self.lowerBound = lowerBound
        self.greedy = greedy
        self.exact = exact
    }
}

/// Accumulates items one at a time; never holds more than `keepLargest` item sizes.
public struct WhatIfAccumulator: Sendable {
    public let schemes: [any PlacementScheme]
    public private(set) var summaries: [LoadSummary]
    public private(set) var totalBytes: UInt64 = 0
    public private(set) var itemCount = 0
    public let keepLargest: Int
    /// Min-heap of the largest sizes seen.
    private var largest: [UInt64] = []
    /// Sum of the sizes not in `largest`.
    private var restBytes: UInt64 = 0

    public init(schemes: [any PlacementScheme], keepLargest: Int = 4096) {
        self.schemes = schemes
        self.keepLargest = max(keepLargest, 1)
        summaries = schemes.map {
            LoadSummary(
                scheme: $0.name, serverCount: $0.serverCount, bytes: Array(repeating: 0, count: $0.serverCount),
                items: Array(repeating: 0, count: $0.serverCount))
        }
    }

    /// Adds one item: `size` is what the caller weighs by (value bytes, or key + value bytes).
    public mutating func add(key: [UInt8], size: UInt64) {
        totalBytes &+= size
        itemCount += 1
        for (i, scheme) in schemes.enumerated() {
            let s = scheme.serverIndex(for: key)
            guard summaries[i].bytes.indices.contains(s) else { continue }  // a scheme outside its own range
            summaries[i].bytes[s] &+= size
            summaries[i].items[s] += 1
        }
        keep(size)
    }

    private mutating func keep(_ size: UInt64) {
        if largest.count < keepLargest {
            largest.append(size)
            var c = largest.count - 1
            while c > 0 {
                let p = (c - 1) / 2
                if largest[p] <= largest[c] { break }
                largest.swapAt(p, c)
                c = p
            }
        } else if let smallest = largest.first, size > smallest {
            restBytes &+= smallest
            largest[0] = size
            var p = 0
            while true {
                let l = 2 * p + 1, r = l + 1
                var m = p
                if l < largest.count, largest[l] < largest[m] { m = l }
                if r < largest.count, largest[r] < largest[m] { m = r }
                if m == p { break }
                largest.swapAt(p, m)
                p = m
            }
        } else {
            restBytes &+= size
        }
    }

    /// Largest item size seen.
    public var largestItem: UInt64 { largest.max() ?? 0 }

    /// The kept largest sizes (in heap order) and the bytes of every other item: with the summaries,
    /// the whole state, so partial accumulators can be saved and merged.
    public var keptSizes: [UInt64] { largest }
    public var otherBytes: UInt64 { restBytes }

    /// Adds another accumulator's state (saved from one over the same schemes): per-server totals add
    /// up, the largest sizes are re-kept, so the result equals one accumulator fed every item.
    public mutating func merge(
        summaries other: [LoadSummary], totalBytes: UInt64, itemCount: Int, keptSizes: [UInt64], otherBytes: UInt64
    ) throws(PlacementError) {
        guard other.count == summaries.count,
            zip(other, summaries).allSatisfy({ $0.scheme == $1.scheme && $0.bytes.count == $1.bytes.count && $0.items.count == $1.items.count })
        else { throw PlacementError(.badArgument, "the partial's what-if schemes differ from this one's") }
        for i in summaries.indices {
            for s in summaries[i].bytes.indices {
                summaries[i].bytes[s] &+= other[i].bytes[s]
                summaries[i].items[s] &+= other[i].items[s]
            }
        }
        self.totalBytes &+= totalBytes
        self.itemCount &+= itemCount
        restBytes &+= otherBytes
        for size in keptSizes { keep(size) }
    }

    /// Best achievable balance on `serverCount` servers (≥ 1).
    public func bound(servers serverCount: Int) -> BalanceBound {
        let n = max(serverCount, 1)
        let exact = itemCount == largest.count
        guard totalBytes > 0 else { return BalanceBound(serverCount: n, lowerBound: 0, greedy: 0, exact: exact) }
        let mean = Double(totalBytes) / Double(n)
        let lower = max(Double(largestItem), mean) / mean
        var loads = [Double](repeating: 0, count: n)
        for size in largest.sorted(by: >) {
            var m = 0
            for j in 1..<n where loads[j] < loads[m] { m = j }
            loads[m] += Double(size)
        }
        // Pour the remaining mass onto the lowest servers (water-filling).
        var rest = Double(restBytes)
        let sorted = loads.sorted()
        var level = sorted[0]
        var k = 1
        while rest > 0 {
            let next = k < n ? sorted[k] : Double.infinity
            let room = (next - level) * Double(k)
            if room >= rest {
                level += rest / Double(k)
                rest = 0
            } else {
                rest -= room
                level = next
                k += 1
            }
        }
        let maxLoad = max(sorted[n - 1], level)
        return BalanceBound(serverCount: n, lowerBound: lower, greedy: maxLoad / mean, exact: exact)
    }
}

public enum WhatIf {
    /// max/mean of per-server loads; 0 for no load.
    public static func maxOverMean(_ loads: [UInt64]) -> Double {
        let total = loads.reduce(0, +)
        guard total > 0, !loads.isEmpty else { return 0 }
        return Double(loads.max() ?? 0) / (Double(total) / Double(loads.count))
    }

    /// The server list with `delta` servers added (`ServerSpec.hypothetical`, weight 1) or the last
    /// `-delta` removed; never fewer than one server.
    public static func resized(_ servers: [ServerSpec], by delta: Int) -> [ServerSpec] {
        if delta >= 0 { return servers + (0..<delta).map { ServerSpec.hypothetical(servers.count + $0 + 1) } }
        return Array(servers.prefix(max(1, servers.count + delta)))
    }

    /// The comparison set for a report: python-memcached (≥1.60 and ≤1.59), libmemcached ketama
    /// (weighted), twemproxy ketama (fnv1a_64), pymemcache rendezvous, jump — for each server list
    /// `servers` resized by every delta in `deltas` (0 = as configured).
    public static func standardSchemes(
        servers: [ServerSpec], deltas: [Int] = [0], keyForm: PythonKeyForm = .str
    ) throws(PlacementError) -> [any PlacementScheme] {
        var out: [any PlacementScheme] = []
        for d in deltas {
            let list = resized(servers, by: d)
            out.append(try PythonMemcachedModulo(servers: list, variant: .modern))
            out.append(try PythonMemcachedModulo(servers: list, variant: .orOne))
            out.append(try LibmemcachedKetama(servers: list, mode: .weighted))
            out.append(try TwemproxyPool(servers: list))
            out.append(try PymemcacheRendezvous(servers: list, keyForm: keyForm))
            out.append(try JumpPlacement(servers: list))
        }
        return out
    }
}
