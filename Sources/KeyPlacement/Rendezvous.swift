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
    let longestPrefix: Int

    public var name: String { keyForm == .bytes ? "pymemcache-rendezvous-bytes" : "pymemcache-rendezvous" }
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
        longestPrefix = prefixes.map(\.count).max() ?? 0
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
        // One buffer reused for every node's "<node>-<key>".
        var buffer: [UInt8] = []
        buffer.reserveCapacity(longestPrefix + low.count)
        var best = 0
        var bestScore: UInt32 = 0
        for i in 0..<nodes.count {
            buffer.removeAll(keepingCapacity: true)
            buffer.append(contentsOf: prefixes[i])
            buffer.append(contentsOf: low)
            let s = KeyHash.murmur3_32(buffer, seed: seed)
            // Python compares str by code point: `max(str(node), str(winner))`.
            if i == 0 || s > bestScore || (s == bestScore && nodeScalars[best].lexicographicallyPrecedes(nodeScalars[i])) {
                best = i
                bestScore = s
            }
        }
        return Placement(serverIndex: best, hash: UInt64(bestScore))
    }
}
