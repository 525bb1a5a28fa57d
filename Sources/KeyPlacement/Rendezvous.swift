// Rendezvous: pymemcache HashClient's default hasher (highest random weight): every node scores
// murmur3_32(f"{node}-{key}") with pymemcache's str-character murmur, the highest score wins, a tie
// goes to the larger node name.

public struct PymemcacheRendezvous: PlacementScheme {
    /// Node names in insertion order (`"host:port"`, IPv6 unbracketed, or a socket path).
    public let nodes: [String]
    /// How the application held its keys (`str` or `bytes`, formatted as `b'…'`).
    public let keyForm: PythonKeyForm
    public let seed: UInt32
    /// `"<node>-"` as the low bytes of its Python characters, precomputed.
    let prefixes: [[UInt8]]
    let nodeScalars: [[UInt32]]

    public var name: String { "pymemcache-rendezvous" }
    public var serverCount: Int { nodes.count }

    public init(servers: [ServerSpec], keyForm: PythonKeyForm = .str, seed: UInt32 = 0) throws(PlacementError) {
        try self.init(nodes: servers.map(\.pymemcacheNodeName), keyForm: keyForm, seed: seed)
    }

    /// Explicit node names (for a hasher fed by hand).
    public init(nodes: [String], keyForm: PythonKeyForm = .str, seed: UInt32 = 0) throws(PlacementError) {
        if nodes.isEmpty { throw PlacementError(.noServers, "no nodes") }
        self.nodes = nodes
        self.keyForm = keyForm
        self.seed = seed
        prefixes = nodes.map { ($0 + "-").unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) } }
        nodeScalars = nodes.map { $0.unicodeScalars.map(\.value) }
    }

    /// `murmur3_32(f"{node}-{key}")` for one node.
    public func score(node index: Int, key: [UInt8]) -> UInt32 {
        score(node: index, keyLowBytes: keyForm.pythonScalars(of: key).map { UInt8(truncatingIfNeeded: $0.value) })
    }

    func score(node index: Int, keyLowBytes: [UInt8]) -> UInt32 {
        KeyHash.murmur3_32(prefixes[index] + keyLowBytes, seed: seed)
    }

    public func placement(for key: [UInt8]) -> Placement {
        let low = keyForm.pythonScalars(of: key).map { UInt8(truncatingIfNeeded: $0.value) }
        var best = 0
        var bestScore = score(node: 0, keyLowBytes: low)
        for i in 1..<nodes.count {
            let s = score(node: i, keyLowBytes: low)
            // Python compares str by code point: `max(str(node), str(winner))`.
            if s > bestScore || (s == bestScore && nodeScalars[best].lexicographicallyPrecedes(nodeScalars[i])) {
                best = i
                bestScore = s
            }
        }
        return Placement(serverIndex: best, hash: UInt64(bestScore))
    }
}
