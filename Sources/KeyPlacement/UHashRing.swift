// UHashRing: uhashring 2.5's two rings (python-binary-memcached's DistributedClient uses the meta ring):
// the default meta ring of 128-bit md5 points, and its ketama ring of md5 little-endian words.
// Both look up with bisect_right and wrap; on colliding points the later node wins.

/// A 128-bit md5 value as a comparable pair (big-endian reading of the digest: `int(hexdigest, 16)`).
public struct MD5Point: Sendable, Comparable, Hashable {
    public var high: UInt64
    public var low: UInt64
    public init(digest d: [UInt8]) {
        var h: UInt64 = 0, l: UInt64 = 0
        for i in 0..<8 { h = h << 8 | UInt64(d[i]) }
        for i in 8..<16 { l = l << 8 | UInt64(d[i]) }
        high = h
        low = l
    }
    public static func < (a: MD5Point, b: MD5Point) -> Bool { (a.high, a.low) < (b.high, b.low) }
}

/// First index whose element is > value (Python `bisect.bisect_right`).
func bisectRight<T: Comparable>(_ sorted: [T], _ value: T) -> Int {
    var lo = 0, hi = sorted.count
    while lo < hi {
        let mid = (lo + hi) / 2
        if value < sorted[mid] { hi = mid } else { lo = mid + 1 }
    }
    return lo
}

public struct UHashRing: PlacementScheme {
    public enum Kind: String, Sendable { case meta, ketama }
    public let kind: Kind
    /// Node names in insertion order, each with its weight.
    public let nodes: [(name: String, weight: Int)]
    public let keyForm: PythonKeyForm
    let metaPoints: [MD5Point]
    let ketamaPoints: [UInt32]
    let owners: [Int]

    public var name: String { "uhashring-\(kind.rawValue)" + (keyForm == .bytes ? "-bytes" : "") }
    public var serverCount: Int { nodes.count }

    /// Nodes named `host:port` from server specs.
    public init(servers: [ServerSpec], kind: Kind = .meta, keyForm: PythonKeyForm = .str) throws(PlacementError) {
        try ServerSpec.checkWeights(servers)
        try self.init(nodes: servers.map { ($0.hostPortName, $0.weight) }, kind: kind, keyForm: keyForm)
    }

    /// `vnodes` defaults to uhashring's: 160 (meta) or 40 (ketama).
    public init(
        nodes: [(name: String, weight: Int)], kind: Kind = .meta, keyForm: PythonKeyForm = .str, vnodes: Int? = nil
    ) throws(PlacementError) {
        if nodes.isEmpty { throw PlacementError(.noServers, "no nodes") }
        for (i, n) in nodes.enumerated() where !(0...ServerSpec.maxWeight).contains(n.weight) {
            throw PlacementError(.badWeight, "weight \(n.weight) of node \(n.name)", offset: i)
        }
        let weightSum = nodes.reduce(0) { $0 + $1.weight }
        if weightSum == 0 { throw PlacementError(.noServers, "all weights are 0") }
        self.kind = kind
        self.nodes = nodes
        self.keyForm = keyForm
        // Python dict semantics: a point maps to the last node that wrote it.
        switch kind {
        case .meta:
            let v = vnodes ?? 160
            var ring: [MD5Point: Int] = [:]
            for (i, n) in nodes.enumerated() {
                for w in 0..<(v * n.weight) { ring[MD5Point(digest: KeyHash.md5(Array("\(n.name)-\(w)".utf8)))] = i }
            }
            metaPoints = ring.keys.sorted()
            owners = metaPoints.map { ring[$0] ?? 0 }
            ketamaPoints = []
        case .ketama:
            let v = vnodes ?? 40
            var ring: [UInt32: Int] = [:]
            for (i, n) in nodes.enumerated() {
                let ks = (v * nodes.count * n.weight) / weightSum
                for w in 0..<ks {
                    let d = KeyHash.md5(Array("\(n.name)-\(w)".utf8))
                    for r in 0..<4 { ring[KeyHash.md5Word(d, r)] = i }
                }
            }
            ketamaPoints = ring.keys.sorted()
            owners = ketamaPoints.map { ring[$0] ?? 0 }
            metaPoints = []
        }
    }

    public func placement(for key: [UInt8]) -> Placement {
        let digest = KeyHash.md5(keyForm.pythonStrUTF8(of: key))
        switch kind {
        case .meta:
            let h = MD5Point(digest: digest)
            let p = bisectRight(metaPoints, h)
            return Placement(serverIndex: owners.isEmpty ? 0 : owners[p == owners.count ? 0 : p], hash: h.high)
        case .ketama:
            let h = KeyHash.md5Word(digest, 0)
            let p = bisectRight(ketamaPoints, h)
            return Placement(serverIndex: owners.isEmpty ? 0 : owners[p == owners.count ? 0 : p], hash: UInt64(h))
        }
    }
}
