// KeyPlacement/LibmemcachedConsistent: libmemcached's consistent distribution as pylibmc reaches it
// (`ketama: True`, `distribution: "consistent"`), including its switch to the weighted md5 continuum.

/// libmemcached `MEMCACHED_DISTRIBUTION_CONSISTENT` / `CONSISTENT_KETAMA` with the distribution set before
/// the servers are added, which is what pylibmc does (`behaviors={"ketama": True}` or
/// `{"distribution": "consistent"}`; both place keys alike):
/// - every weight ≤ 1: 100 points per server, point `i` = `hash("<name>-<i>")` (name: host on port 11211,
///   else host:port), weights ignored (a weight-0 server still gets its 100 points);
/// - any weight > 1: adding that server turns on weighted ketama (`memcached_server_add_with_weight` does
///   this when the distribution is already consistent), so the points are the weighted md5 continuum of
///   `LibmemcachedKetama(.weighted)` (a weight of 0 counting as 1), but keys keep `hash`, one-at-a-time
///   by default, not md5.
///
/// Lookup: the first point ≥ the key's hash, wrapping to the first point; one server takes every key.
/// `hash` is pylibmc's `hash` behavior, which pylibmc applies before `ketama`/`distribution`, so in the
/// unweighted ring it hashes the points too.
public struct LibmemcachedConsistent: PlacementScheme {
    public let servers: [ServerSpec]
    public let hash: HashKitFunction
    /// Whether a weight above 1 switched the continuum to weighted md5 points.
    public let isWeighted: Bool
    public let continuum: Continuum

    public var name: String { "libmemcached-consistent" + (hash == .oneAtATime ? "" : "-\(hash.rawValue)") }
    public var serverCount: Int { servers.count }

    /// `libmemcached`'s `MEMCACHED_POINTS_PER_SERVER` for the unweighted continuum.
    public static let unweightedPointsPerServer = 100

    /// Throws `.noServers` for an empty list and `.badWeight` for a weight outside 0…`ServerSpec.maxWeight`.
    public init(servers: [ServerSpec], hash: HashKitFunction = .oneAtATime) throws(PlacementError) {
        if servers.isEmpty { throw PlacementError(.noServers, "no servers") }
        try ServerSpec.checkWeights(servers)
        self.servers = servers
        self.hash = hash
        isWeighted = servers.contains { $0.weight > 1 }
        if isWeighted {
            continuum = .weightedKetama(names: servers.map(\.ketamaName), weights: servers.map { max($0.weight, 1) })
        } else {
            var pairs: [(point: UInt32, server: Int)] = []
            for (index, server) in servers.enumerated() {
                for i in 0..<Self.unweightedPointsPerServer {
                    pairs.append((hash.hash(Array("\(server.ketamaName)-\(i)".utf8)), index))
                }
            }
            continuum = Continuum(pairs)
        }
    }

    public func placement(for key: [UInt8]) -> Placement {
        let h = hash.hash(key)
        return Placement(serverIndex: servers.count == 1 ? 0 : continuum.lowerBoundOwner(h), hash: UInt64(h))
    }
}
