// JumpHash: Lamping & Veach's jump consistent hash (go-jump's Hash), and a placement scheme over it
// that derives the 64-bit key from md5 (first 8 digest bytes, big-endian = the first 16 hex digits).

public enum JumpHash {
    /// Bucket in 0..<buckets for a 64-bit key; 0 when buckets < 1. Bucket counts are capped at Int32.max.
    public static func bucket(_ key: UInt64, buckets: Int) -> Int {
        var key = key
        var b: Int64 = -1
        var j: Int64 = 0
        let n = Int64(min(max(buckets, 0), Int(Int32.max)))
        while j < n {
            b = j
            key = key &* 2_862_933_555_777_941_757 &+ 1
            j = Int64(Double(b + 1) * (Double(Int64(1) << 31) / Double((key >> 33) + 1)))
        }
        return Int(max(b, 0))
    }

    /// The 64-bit key this project uses for a memcached key: `int(md5(key).hexdigest()[:16], 16)`.
    public static func key(for bytes: [UInt8]) -> UInt64 {
        let d = KeyHash.md5(bytes)
        var k: UInt64 = 0
        for i in 0..<8 { k = k << 8 | UInt64(d[i]) }
        return k
    }
}

/// Jump hash over the server list (weights ignored; only adding or removing the last server is cheap).
public struct JumpPlacement: PlacementScheme {
    public let servers: [ServerSpec]
    public var name: String { "jump-md5" }
    public var serverCount: Int { servers.count }

    public init(servers: [ServerSpec]) throws(PlacementError) {
        if servers.isEmpty { throw PlacementError(.noServers, "no servers") }
        self.servers = servers
    }

    public func placement(for key: [UInt8]) -> Placement {
        let k = JumpHash.key(for: key)
        return Placement(serverIndex: JumpHash.bucket(k, buckets: servers.count), hash: k)
    }
}
