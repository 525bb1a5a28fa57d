// SkewAnalysis/WhatIfSection: the report's what-if — the same items (by their memcached key bytes
// and value bytes) placed by other clients' schemes and on other server counts, and the best max/mean
// any placement could reach given the largest items (KeyPlacement.WhatIfAccumulator, streaming:
// memory is schemes × servers counters plus the largest item sizes).
import ByteText
import KeyPlacement
import PipelineRecords

/// What the what-if compares: the clients' ordered server list, the server counts and the schemes.
public struct WhatIfConfig: Sendable, Equatable {
    public var servers: [ServerSpec]
    /// Server counts to try (the configured list trimmed from the end, or extended with `whatif-<n>:11211`).
    public var counts: [Int]
    public var clients: [ClientPlacement]

    /// The schemes of the report's comparison: python-memcached ≥1.60 and ≤1.59, libmemcached ketama,
    /// twemproxy ketama, pymemcache rendezvous, jump.
    public static let defaultClients: [ClientPlacement] = [
        .pythonMemcached, .pythonMemcached159, .libmemcachedKetama, .twemproxy, .pymemcache, .jump,
    ]
    /// Largest item sizes kept for the balance bound (exact greedy packing below this many items).
    public static let keepLargest = 65_536
    public static let maxCount = 1000
    /// At most this many server counts in one what-if (each builds every client's scheme).
    public static let maxCounts = 32

    /// `counts` nil: N−1 (when N > 1), N, N+1 and N+2 for the N configured servers.
    public init(servers: [ServerSpec], counts: [Int]? = nil, clients: [ClientPlacement] = WhatIfConfig.defaultClients) {
        self.servers = servers
        let n = servers.count
        self.counts = counts ?? ((n > 1 ? [n - 1] : []) + [n, n + 1, n + 2])
        self.clients = clients
    }

    /// Parses `--servers` (`HOST:PORT[:WEIGHT],...`), `--what-if-servers` (`N,...`) and `--what-if-clients`.
    public static func parse(servers: String, counts: String?, clients: String?) throws(PlacementError) -> WhatIfConfig {
        let list = try ServerSpec.parseList(servers)
        var parsedCounts: [Int]?
        if let counts {
            var out: [Int] = []
            // Up to maxCount, or up to N+2 for a list longer than that: the default counts of any list (N−1…N+2)
            // are valid, so a partial of a large fleet merges.
            let limit = max(maxCount, list.count + 2)
            for part in counts.split(separator: ",", omittingEmptySubsequences: false) {
                guard let n = Int(part.trimmingCharacters(" ")), (1...limit).contains(n) else {
                    throw PlacementError(.badArgument, "--what-if-servers: \"\(part)\" is not a server count from 1 to \(limit)")
                }
                if !out.contains(n) { out.append(n) }
            }
            if out.count > maxCounts { throw PlacementError(.badArgument, "--what-if-servers: at most \(maxCounts) server counts") }
            parsedCounts = out
        }
        var parsedClients = defaultClients
        if let clients {
            parsedClients = []
            for part in clients.split(separator: ",") {
                let c = try ClientPlacement.named(part.trimmingCharacters(" "))
                if !parsedClients.contains(c) { parsedClients.append(c) }
            }
            if parsedClients.isEmpty { throw PlacementError(.badArgument, "--what-if-clients: no client named") }
        }
        return WhatIfConfig(servers: list, counts: parsedCounts, clients: parsedClients)
    }

    /// One scheme per (count, client), counts outermost, in the order given.
    func schemes() throws(PlacementError) -> [(count: Int, client: ClientPlacement, scheme: any PlacementScheme)] {
        var out: [(count: Int, client: ClientPlacement, scheme: any PlacementScheme)] = []
        for n in counts {
            let list = WhatIf.resized(servers, by: n - servers.count)
            for c in clients { out.append((n, c, try c.scheme(servers: list))) }
        }
        return out
    }
}

/// One row of the what-if: a client's scheme on `serverCount` servers.
public struct WhatIfRow: Sendable, Equatable {
    public var client: String
    public var scheme: String
    public var serverCount: Int
    /// Server names in the scheme's order (the configured list, trimmed or extended).
    public var servers: [String]
    public var bytes: [UInt64]
    public var items: [Int]
    /// Estimated traffic of the token lists (size × issue rate × 2, bytes/s, rounded) per server.
    public var traffic: [UInt64]
    public var maxOverMean: Double { WhatIf.maxOverMean(bytes) }
    /// max/mean of the token lists' estimated traffic; 0 without token lists.
    public var trafficMaxOverMean: Double { WhatIf.maxOverMean(traffic) }
    public var topShare: Double {
        let total = bytes.reduce(0, +)
        return total == 0 ? 0 : Double(bytes.max() ?? 0) / Double(total)
    }
}

/// The what-if section of a report.
public struct WhatIfResult: Sendable, Equatable {
    public var configured: [String]
    public var rows: [WhatIfRow]
    public var bounds: [BalanceBound]
    public var largestItem: UInt64
    public var items: Int
    public var bytes: UInt64
    /// Token lists placed by their estimated traffic, and that traffic's sum (bytes/s).
    public var lists: Int
    public var listTraffic: UInt64
    /// The balance bounds of the lists' estimated traffic, per server count.
    public var trafficBounds: [BalanceBound]
    /// Item records without a usable key (not placed).
    public var skipped: Int
}

/// Streams items into one WhatIfAccumulator over every configured scheme.
public struct WhatIfAnalysis: Sendable {
    public let config: WhatIfConfig
    let labels: [(count: Int, client: ClientPlacement)]
    let names: [[String]]
    var accumulator: WhatIfAccumulator
    /// The same schemes weighted by each token list's estimated traffic (usertokens items only).
    var traffic: WhatIfAccumulator
    var skipped = 0

    public init(config: WhatIfConfig) throws(PlacementError) {
        self.config = config
        let schemes = try config.schemes()
        labels = schemes.map { ($0.count, $0.client) }
        names = schemes.map { s in WhatIf.resized(config.servers, by: s.count - config.servers.count).map(\.description) }
        accumulator = WhatIfAccumulator(schemes: schemes.map(\.scheme), keepLargest: WhatIfConfig.keepLargest)
        traffic = WhatIfAccumulator(schemes: schemes.map(\.scheme), keepLargest: WhatIfConfig.keepLargest)
    }

    /// Adds one item record (its `key`, or `key_b64`, and `size`).
    mutating func add(_ r: ItemFacts) {
        guard let key = r.keyBytes else {
            skipped += 1
            return
        }
        let size = max(0, r.size)
        accumulator.add(key: key, size: UInt64(size))
        if r.kind == KeyKind.usertokens.rawValue, let rate = r.tokens?.issueRate, rate > 0 {
            let estimate = (Double(size) * rate * 2).rounded()
            if estimate >= 1, estimate < 1e18 { traffic.add(key: key, size: UInt64(estimate)) }
        }
    }

    public func result() -> WhatIfResult {
        let rows = accumulator.summaries.enumerated().map { i, s in
            WhatIfRow(
                client: labels[i].client.rawValue, scheme: s.scheme, serverCount: s.serverCount, servers: names[i], bytes: s.bytes,
                items: s.items, traffic: traffic.summaries[i].bytes)
        }
        return WhatIfResult(
            configured: config.servers.map(\.description), rows: rows, bounds: config.counts.map { accumulator.bound(servers: $0) },
            largestItem: accumulator.largestItem, items: accumulator.itemCount, bytes: accumulator.totalBytes, lists: traffic.itemCount,
            listTraffic: traffic.totalBytes, trafficBounds: config.counts.map { traffic.bound(servers: $0) }, skipped: skipped)
    }
}

extension Substring {
    func trimmingCharacters(_ c: Character) -> String {
        var s = self
        while s.first == c { s = s.dropFirst() }
        while s.last == c { s = s.dropLast() }
        return String(s)
    }
}
