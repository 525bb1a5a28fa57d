// PythonMemcached: python-memcached's placement (the distribution Keystone's Kilo token store used):
// server = buckets[serverHashFunction(key) % len(buckets)], buckets = each server repeated `weight`
// times, plus its dead-server retry chain (rehash str(h)+str(i), up to 10 tries).

public struct PythonMemcachedModulo: PlacementScheme {
    /// Which `serverHashFunction` the client ran.
    public enum HashVariant: String, Sendable, CaseIterable {
        /// ≥1.60: `((crc32(key) & 0xffffffff) >> 16) & 0x7fff`.
        case modern = "1.60"
        /// ≤1.59: the same with `or 1` (a zero hash becomes 1).
        case orOne = "1.59"
        /// `useOldServerHashFunction()` on Python 3: raw unsigned `binascii.crc32`.
        case rawCRC32 = "old-crc32"
        /// `useOldServerHashFunction()` on Python 2: `binascii.crc32` is signed; `%` floors.
        case rawCRC32Signed = "old-crc32-py2"
    }

    /// `Client._SERVER_RETRIES`.
    public static let serverRetries = 10

    public let servers: [ServerSpec]
    public let variant: HashVariant
    /// Server index for each bucket.
    public let buckets: [Int]

    public var name: String { "python-memcached-\(variant.rawValue)" }
    public var serverCount: Int { servers.count }

    /// Throws `.noServers` when the list is empty or every weight is 0 (python-memcached then returns no server).
    public init(servers: [ServerSpec], variant: HashVariant = .modern) throws(PlacementError) {
        try ServerSpec.checkWeights(servers)
        var buckets: [Int] = []
        for (i, s) in servers.enumerated() {
            buckets += Array(repeating: i, count: s.weight)
        }
        if buckets.isEmpty { throw PlacementError(.noServers, "no server with a weight above 0") }
        self.servers = servers
        self.variant = variant
        self.buckets = buckets
    }

    /// `serverHashFunction(key)` as a Python int (negative only for `.rawCRC32Signed`).
    public func serverHash(_ key: [UInt8]) -> Int64 {
        switch variant {
        case .modern: return Int64(KeyHash.cmemcache(key, orOne: false))
        case .orOne: return Int64(KeyHash.cmemcache(key, orOne: true))
        case .rawCRC32: return Int64(KeyHash.crc32(key))
        case .rawCRC32Signed: return Int64(Int32(bitPattern: KeyHash.crc32(key)))
        }
    }

    /// Python's `h % n` (floored, so never negative for n > 0).
    func bucket(_ h: Int64) -> Int {
        let n = Int64(buckets.count)
        let r = h % n
        return buckets[Int(r < 0 ? r + n : r)]
    }

    public func placement(for key: [UInt8]) -> Placement {
        let h = serverHash(key)
        return Placement(serverIndex: bucket(h), hash: UInt64(bitPattern: h))
    }

    /// One step of `_get_server`'s retry: `serverHashFunction((str(h) + str(i)).encode('ascii'))`.
    public func rehash(_ h: Int64, attempt i: Int) -> Int64 {
        serverHash(Array((String(h) + String(i)).utf8))
    }

    /// The hashes `_get_server` computes for a key when every server is dead, in order
    /// (`serverRetries` values: the key's hash, then each rehash).
    public func hashChain(for key: [UInt8]) -> [Int64] {
        var h = serverHash(key)
        var chain: [Int64] = []
        for i in 0..<Self.serverRetries {
            chain.append(h)
            h = rehash(h, attempt: i)
        }
        return chain
    }

    /// The server indices `_get_server` tries, in order, given which servers are dead: it stops at the
    /// first live one (the last element) or after `serverRetries` tries (then no server is used and the
    /// client silently drops the operation). `isDead` is asked by server index.
    public func retryChain(for key: [UInt8], isDead: (Int) -> Bool) -> [Int] {
        var tried: [Int] = []
        var h = serverHash(key)
        for i in 0..<Self.serverRetries {
            let server = bucket(h)
            tried.append(server)
            if !isDead(server) { return tried }
            h = rehash(h, attempt: i)
        }
        return tried
    }

    /// The server a key is stored on while the `dead` servers are down, or nil if all 10 tries hit dead ones.
    public func failoverServer(for key: [UInt8], dead: Set<Int>) -> Int? {
        let chain = retryChain(for: key) { dead.contains($0) }
        guard let last = chain.last, !dead.contains(last) else { return nil }
        return last
    }
}
