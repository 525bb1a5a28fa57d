// KeyPlacement/DalliRing: Dalli's (Ruby) consistent-hash ring, 2.x and 3.x alike: sha1 points read
// big-endian, crc32 of the wire key, the last point ≤ hash (wrapping to the last), and its failover rehash.
import Crypto

/// Dalli's `Dalli::Ring`. Per server `floor(n · 160 · weight / Σweight)` points (`n` = server count), each
/// the first 4 bytes of `SHA1("#{name}:#{idx}")` read big-endian, `name` = `host:port` (IPv6 without
/// brackets, a UNIX socket as its path). Keys hash with `Zlib.crc32` of the wire key (namespace and any
/// `:md5:` shortening already applied). With one server there is no ring: every key goes to it.
public struct DalliRing: PlacementScheme {
    /// `Dalli::Ring::POINTS_PER_SERVER`.
    public static let pointsPerServer = 160
    /// Lookups `server_from_continuum` makes before giving up (the key's hash, then 19 rehashes).
    public static let maxLookups = 20

    /// Node names (`Dalli::Protocol::Binary#name`) in configuration order, each with its weight.
    public let nodes: [(name: String, weight: Int)]
    /// Sorted point values and the server index owning each (empty with one server).
    let points: [UInt32]
    let owners: [Int]

    public var name: String { "dalli" }
    public var serverCount: Int { nodes.count }

    /// Nodes named as Dalli names them: `host:port` (the port defaulting to 11211), the path for a socket.
    public init(servers: [ServerSpec]) throws(PlacementError) {
        try ServerSpec.checkWeights(servers)
        try self.init(nodes: servers.map { ($0.hostPortName, $0.weight) })
    }

    /// Nodes by name, e.g. `[("10.0.0.1:11211", 1)]`. Throws `.noServers` for an empty list or (with more
    /// than one node) all weights 0, `.badWeight` for a weight outside 0…`ServerSpec.maxWeight`.
    public init(nodes: [(name: String, weight: Int)]) throws(PlacementError) {
        if nodes.isEmpty { throw PlacementError(.noServers, "no servers") }
        for (i, n) in nodes.enumerated() where !(0...ServerSpec.maxWeight).contains(n.weight) {
            throw PlacementError(.badWeight, "weight \(n.weight) of node \(n.name) is outside 0…\(ServerSpec.maxWeight)", offset: i)
        }
        let totalWeight = nodes.reduce(0) { $0 + $1.weight }
        // Dalli divides by Float(total_weight): all zero weights raise FloatDomainError there.
        if nodes.count > 1, totalWeight == 0 { throw PlacementError(.noServers, "all weights are 0") }
        self.nodes = nodes
        guard nodes.count > 1 else {
            points = []
            owners = []
            return
        }
        var pairs: [(point: UInt32, server: Int)] = []
        for (index, node) in nodes.enumerated() {
            // `((n * 160 * weight) / Float(total)).floor`: exact in integers for these magnitudes.
            let count = nodes.count * Self.pointsPerServer * node.weight / totalWeight
            for idx in 0..<count {
                let digest = Insecure.SHA1.hash(data: Array("\(node.name):\(idx)".utf8))
                var value: UInt32 = 0
                for byte in digest.prefix(4) { value = value << 8 | UInt32(byte) }
                pairs.append((value, index))
            }
        }
        // Ruby's sort_by is not stable: equal points (rare) are in no defined order there; here the
        // lower server index sorts first, so the lookup (the last point ≤ hash) takes the higher one.
        pairs.sort { ($0.point, $0.server) < ($1.point, $1.server) }
        points = pairs.map(\.point)
        owners = pairs.map(\.server)
    }

    /// `Dalli::Ring#hash_for`: crc32 of the bytes.
    public static func keyHash(_ key: [UInt8]) -> UInt32 { KeyHash.crc32(key) }

    /// The server owning the last point ≤ `hash`; a hash below every point wraps to the last point.
    public func serverIndex(forHash hash: UInt32) -> Int {
        guard !owners.isEmpty else { return 0 }
        // First index whose point is > hash (Ruby `bsearch_index { |e| e.value > h }`), minus one.
        var lo = 0, hi = points.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if points[mid] > hash { hi = mid } else { lo = mid + 1 }
        }
        return owners[lo == 0 ? owners.count - 1 : lo - 1]
    }

    public func placement(for key: [UInt8]) -> Placement {
        let h = Self.keyHash(key)
        return Placement(serverIndex: serverIndex(forHash: h), hash: UInt64(h))
    }

    /// The hashes `server_from_continuum` looks up while every server it meets is down, in order:
    /// `crc32(key)`, then `crc32("#{try}#{key}")` for try = 0…18 (`maxLookups` values).
    public func hashChain(for key: [UInt8]) -> [UInt32] {
        [Self.keyHash(key)] + (0..<(Self.maxLookups - 1)).map { Self.keyHash(Array(String($0).utf8) + key) }
    }

    /// The server indices whose `alive?` the ring asks, in order: it stops at the first live one (the
    /// last element), or after `maxLookups` dead ones (Dalli then raises `RingError`). With one server,
    /// only that server is asked. `failover: false` (Dalli's option) stops after the first dead server.
    public func retryChain(for key: [UInt8], failover: Bool = true, isDead: (Int) -> Bool) -> [Int] {
        if owners.isEmpty { return [0] }
        var tried: [Int] = []
        for h in hashChain(for: key) {
            let server = serverIndex(forHash: h)
            tried.append(server)
            if !isDead(server) || !failover { break }
        }
        return tried
    }

    /// The server a key is stored on while the `dead` servers are down, or nil when Dalli raises
    /// `RingError` (every lookup hit a dead server).
    public func failoverServer(for key: [UInt8], dead: Set<Int>, failover: Bool = true) -> Int? {
        let chain = retryChain(for: key, failover: failover) { dead.contains($0) }
        guard let last = chain.last, !dead.contains(last) else { return nil }
        return last
    }
}
