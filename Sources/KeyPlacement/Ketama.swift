// Ketama: the consistent-hash continuum of libmemcached and twemproxy (md5 points, lower-bound
// lookup with wrap), and the modula distributions of the same two libraries.

/// The key hashes libhashkit and twemproxy offer (the ones implemented here).
public enum HashKitFunction: String, Sendable, CaseIterable {
    case oneAtATime = "one_at_a_time"
    case md5
    case crc = "crc32"
    case fnv1_64, fnv1a_64, fnv1_32, fnv1a_32

    public func hash(_ key: [UInt8]) -> UInt32 {
        switch self {
        case .oneAtATime: return KeyHash.oneAtATime(key)
        case .md5: return KeyHash.md5First32(key)
        case .crc: return KeyHash.libhashkitCRC(key)
        case .fnv1_64: return KeyHash.fnv1_64(key)
        case .fnv1a_64: return KeyHash.fnv1a_64(key)
        case .fnv1_32: return KeyHash.fnv1_32(key)
        case .fnv1a_32: return KeyHash.fnv1a_32(key)
        }
    }
}

/// A sorted ring of (point, server) pairs; lookup takes the first point ≥ hash, wrapping to the start.
public struct Continuum: Sendable {
    public let points: [UInt32]
    public let owners: [Int]

    /// Sorts by (value, server index): libmemcached/twemproxy qsort by value only, so the order of
    /// equal points (rare) is unspecified there; this picks the lower server index.
    public init(_ pairs: [(point: UInt32, server: Int)]) {
        let sorted = pairs.sorted { ($0.point, $0.server) < ($1.point, $1.server) }
        points = sorted.map(\.point)
        owners = sorted.map(\.server)
    }

    /// Server owning the first point ≥ hash (lower bound), wrapping; 0 for an empty ring.
    public func lowerBoundOwner(_ hash: UInt32) -> Int {
        var lo = 0, hi = points.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if points[mid] < hash { lo = mid + 1 } else { hi = mid }
        }
        if owners.isEmpty { return 0 }
        return owners[lo == points.count ? 0 : lo]
    }

    /// Classic weighted ketama (libmemcached KETAMA_WEIGHTED, twemproxy): per server
    /// `floor(weight/total * 160/4 * n + 1e-10) * 4` points, strings `"<name>-<i>"`, four little-endian
    /// words per md5 digest.
    static func weightedKetama(names: [String], weights: [Int]) -> Continuum {
        let total = weights.reduce(0, +)
        let live = Float(names.count)
        var pairs: [(point: UInt32, server: Int)] = []
        for (index, name) in names.enumerated() where total > 0 {
            let pct = Float(weights[index]) / Float(total)
            let perServer = Int((Double(pct * 160 / 4 * live) + 0.0000000001).rounded(.down)) * 4
            for i in 0..<(perServer / 4) {
                let digest = KeyHash.md5(Array("\(name)-\(i)".utf8))
                for word in 0..<4 { pairs.append((KeyHash.md5Word(digest, word), index)) }
            }
        }
        return Continuum(pairs)
    }
}

/// libmemcached `MEMCACHED_DISTRIBUTION_MODULA`: `hash(key) % server_count`, weights ignored.
/// pylibmc's default (with `one_at_a_time`).
public struct LibmemcachedModula: PlacementScheme {
    public let servers: [ServerSpec]
    public let hash: HashKitFunction
    public var name: String { "libmemcached-modula-\(hash.rawValue)" }
    public var serverCount: Int { servers.count }

    public init(servers: [ServerSpec], hash: HashKitFunction = .oneAtATime) throws(PlacementError) {
        if servers.isEmpty { throw PlacementError(.noServers, "no servers") }
        self.servers = servers
        self.hash = hash
    }

    public func placement(for key: [UInt8]) -> Placement {
        let h = hash.hash(key)
        return Placement(serverIndex: servers.count == 1 ? 0 : Int(h % UInt32(servers.count)), hash: UInt64(h))
    }
}

/// libmemcached ketama. `.weighted` is `MEMCACHED_BEHAVIOR_KETAMA_WEIGHTED` (md5 points and md5 key
/// hash, 160 points per server scaled by weight); `.unweighted` is `MEMCACHED_BEHAVIOR_KETAMA`
/// (100 points per server, one point per string hashed with `pointHash`, key hashed with `keyHash`;
/// both are the behavior's current HASH, one-at-a-time by default — they differ only when HASH is set
/// after KETAMA, libmemcached's order quirk). Server strings: host alone on port 11211, else host:port.
public struct LibmemcachedKetama: PlacementScheme {
    public enum Mode: String, Sendable { case weighted, unweighted }
    public let servers: [ServerSpec]
    public let mode: Mode
    public let keyHash: HashKitFunction
    public let continuum: Continuum
    public var name: String { "libmemcached-ketama-\(mode.rawValue)" }
    public var serverCount: Int { servers.count }

    public init(
        servers: [ServerSpec], mode: Mode, pointHash: HashKitFunction = .oneAtATime, keyHash: HashKitFunction? = nil
    ) throws(PlacementError) {
        if servers.isEmpty { throw PlacementError(.noServers, "no servers") }
        try ServerSpec.checkWeights(servers)
        self.servers = servers
        self.mode = mode
        switch mode {
        case .weighted:
            self.keyHash = .md5
            // libmemcached stores a weight of 0 as 1 (checked against 1.1.4).
            continuum = .weightedKetama(names: servers.map(\.ketamaName), weights: servers.map { max($0.weight, 1) })
        case .unweighted:
            self.keyHash = keyHash ?? pointHash
            var pairs: [(point: UInt32, server: Int)] = []
            for (index, server) in servers.enumerated() {
                for i in 0..<100 { pairs.append((pointHash.hash(Array("\(server.ketamaName)-\(i)".utf8)), index)) }
            }
            continuum = Continuum(pairs)
        }
    }

    public func placement(for key: [UInt8]) -> Placement {
        let h = keyHash.hash(key)
        return Placement(serverIndex: continuum.lowerBoundOwner(h), hash: UInt64(h))
    }
}

/// twemproxy (nutcracker) pools: `distribution: ketama` (weighted ketama points, key hashed with the
/// pool's `hash`, fnv1a_64 by default) or `distribution: modula` (each server repeated `weight` times,
/// `continuum[hash % count]`, python-memcached's bucket scheme but over the servers sorted by name, see
/// `nameOrder`). Server names are the entry's name when given, else host on port 11211, else host:port.
/// `serverIndex` is always the index in the list as given.
public struct TwemproxyPool: PlacementScheme {
    public enum Distribution: String, Sendable { case ketama, modula }
    public let servers: [ServerSpec]
    public let distribution: Distribution
    public let hash: HashKitFunction
    let continuum: Continuum
    let buckets: [Int]
    public var name: String { "twemproxy-\(distribution.rawValue)-\(hash.rawValue)" }
    public var serverCount: Int { servers.count }

    /// `names`: the optional server names of the pool config (same order as `servers`).
    public init(
        servers: [ServerSpec], distribution: Distribution = .ketama, hash: HashKitFunction = .fnv1a_64,
        names: [String?]? = nil
    ) throws(PlacementError) {
        if servers.isEmpty { throw PlacementError(.noServers, "no servers") }
        if let names, names.count != servers.count {
            throw PlacementError(.badArgument, "\(names.count) names for \(servers.count) servers")
        }
        try ServerSpec.checkWeights(servers)
        if servers.allSatisfy({ $0.weight == 0 }) { throw PlacementError(.noServers, "all weights are 0") }
        self.servers = servers
        self.distribution = distribution
        self.hash = hash
        let ketamaNames = servers.enumerated().map { i, s in names?[i] ?? s.ketamaName }
        switch distribution {
        case .ketama:
            continuum = .weightedKetama(names: ketamaNames, weights: servers.map(\.weight))
            buckets = []
        case .modula:
            continuum = Continuum([])
            buckets = Self.nameOrder(ketamaNames).flatMap { i in Array(repeating: i, count: servers[i].weight) }
        }
    }

    /// Server indices in the order twemproxy keeps a pool's servers: its configuration check sorts them by
    /// name (`string_compare`: shorter names first, then bytewise) and never restores the file order, so the
    /// modula buckets follow that order. (Ketama points depend on the names only, not on the order.)
    /// Equal names, which twemproxy rejects, keep their list order here.
    static func nameOrder(_ names: [String]) -> [Int] {
        let bytes = names.map { Array($0.utf8) }
        return bytes.indices.sorted { a, b in
            if bytes[a].count != bytes[b].count { return bytes[a].count < bytes[b].count }
            if bytes[a] != bytes[b] { return bytes[a].lexicographicallyPrecedes(bytes[b]) }
            return a < b
        }
    }

    public func placement(for key: [UInt8]) -> Placement {
        let h = hash.hash(key)
        switch distribution {
        case .ketama: return Placement(serverIndex: continuum.lowerBoundOwner(h), hash: UInt64(h))
        case .modula: return Placement(serverIndex: buckets[Int(h % UInt32(buckets.count))], hash: UInt64(h))
        }
    }
}
