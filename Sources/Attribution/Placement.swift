// Attribution/Placement: where a client would put a key, given the ordered server list —
// python-memcached's weighted modulo over cmemcache_hash (≤1.59 with `or 1`, ≥1.60 without) and its
// dead-server rehash chain, and pymemcache's rendezvous (murmur3). DOMAIN §3.1, §5.1, §5.5.
// KeyPlacement (branch placement) will own the schemes; this is the subset attribute needs now.

/// One memcached server as the client is configured: `HOST:PORT[:WEIGHT]`.
public struct ServerSpec: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var weight: Int
    public var address: String { "\(host):\(port)" }

    public init(host: String, port: Int, weight: Int = 1) {
        self.host = host
        self.port = port
        self.weight = weight
    }
}

public struct ServerListError: Error, Sendable, CustomStringConvertible, Equatable {
    public var message: String
    public var description: String { message }
}

public enum ServerList {
    /// Parses `HOST:PORT[:WEIGHT]` items separated by commas or whitespace (`[v6]:port` accepted).
    public static func parse(_ text: String) throws(ServerListError) -> [ServerSpec] {
        var out: [ServerSpec] = []
        for raw in text.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" || $0 == "\n" }) {
            out.append(try parseOne(String(raw)))
        }
        guard !out.isEmpty else { throw ServerListError(message: "empty server list") }
        return out
    }

    static func parseOne(_ s: String) throws(ServerListError) -> ServerSpec {
        var host: String
        var rest: [Substring]
        if s.hasPrefix("[") {
            guard let close = s.firstIndex(of: "]") else { throw ServerListError(message: "bad server '\(s)': unclosed '['") }
            host = String(s[s.index(after: s.startIndex)..<close])
            let tail = s[s.index(after: close)...]
            rest = tail.split(separator: ":", omittingEmptySubsequences: false).dropFirst().map { $0 }
        } else {
            let parts = s.split(separator: ":", omittingEmptySubsequences: false)
            host = String(parts[0])
            rest = Array(parts.dropFirst())
        }
        if host.hasPrefix("inet:") { host.removeFirst(5) }
        guard !host.isEmpty, rest.count == 1 || rest.count == 2 else {
            throw ServerListError(message: "bad server '\(s)': expected HOST:PORT[:WEIGHT]")
        }
        guard let port = Int(rest[0]), (1...65535).contains(port) else { throw ServerListError(message: "bad port in '\(s)'") }
        var weight = 1
        if rest.count == 2 {
            guard let w = Int(rest[1]), (1...1000).contains(w) else { throw ServerListError(message: "bad weight in '\(s)'") }
            weight = w
        }
        return ServerSpec(host: host, port: port, weight: weight)
    }

    /// The server list from a keystone.conf: `[memcache] servers` (token persistence) or, failing that,
    /// `[cache] memcache_servers`.
    public static func fromKeystoneConf(_ text: String) throws(ServerListError) -> [ServerSpec] {
        var section = ""
        var memcache: String?
        var cache: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let t = line.trimmingCharacters(in: " \t\r")
            if t.hasPrefix("#") || t.hasPrefix(";") || t.isEmpty { continue }
            if t.hasPrefix("[") && t.hasSuffix("]") { section = String(t.dropFirst().dropLast()).lowercased(); continue }
            guard let eq = t.firstIndex(of: "=") else { continue }
            let name = t[..<eq].trimmingCharacters(in: " \t")
            let value = t[t.index(after: eq)...].trimmingCharacters(in: " \t")
            if section == "memcache" && name == "servers" { memcache = value }
            if section == "cache" && name == "memcache_servers" { cache = value }
        }
        guard let list = memcache ?? cache else {
            throw ServerListError(message: "no [memcache] servers or [cache] memcache_servers in the config")
        }
        return try parse(list)
    }
}

extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        let chars = Set(set)
        var s = Substring(self)
        while let f = s.first, chars.contains(f) { s.removeFirst() }
        while let l = s.last, chars.contains(l) { s.removeLast() }
        return String(s)
    }
}

/// A placement scheme: which server index a key goes to.
public enum PlacementScheme: String, Sendable, CaseIterable {
    /// python-memcached ≤1.59: cmemcache_hash with `or 1` (the Kilo era).
    case pythonMemcachedOld = "python-memcached<=1.59"
    /// python-memcached ≥1.60: cmemcache_hash without `or 1`.
    case pythonMemcached = "python-memcached>=1.60"
    /// pymemcache HashClient: rendezvous over murmur3_32("host:port-key").
    case pymemcacheRendezvous = "pymemcache-rendezvous"
}

public struct Placer: Sendable {
    public let servers: [ServerSpec]
    public let scheme: PlacementScheme
    private let buckets: [Int]

    public init(servers: [ServerSpec], scheme: PlacementScheme) {
        self.servers = servers
        self.scheme = scheme
        var b: [Int] = []
        for (i, s) in servers.enumerated() { b += Array(repeating: i, count: s.weight) }
        buckets = b
    }

    /// python-memcached's cmemcache_hash of the key as sent.
    public static func cmemcacheHash<C: Collection>(_ key: C, orOne: Bool) -> UInt32 where C.Element == UInt8 {
        let h = (Checksums.crc32(key) >> 16) & 0x7FFF
        return orOne && h == 0 ? 1 : h
    }

    /// The hash value this scheme computes for `key` (cmemcache_hash, or the winning rendezvous score).
    public func hash(_ key: [UInt8]) -> UInt32 {
        switch scheme {
        case .pythonMemcachedOld: return Placer.cmemcacheHash(key, orOne: true)
        case .pythonMemcached: return Placer.cmemcacheHash(key, orOne: false)
        case .pymemcacheRendezvous: return rendezvous(key).score
        }
    }

    /// Index into `servers` of the key's home (no dead servers).
    public func serverIndex(_ key: [UInt8]) -> Int? {
        guard !servers.isEmpty else { return nil }
        switch scheme {
        case .pythonMemcachedOld, .pythonMemcached:
            return buckets[Int(hash(key)) % buckets.count]
        case .pymemcacheRendezvous:
            return rendezvous(key).index
        }
    }

    /// python-memcached's retry chain: the server indices tried in order while earlier ones are dead
    /// (first element = home), up to `tries` (the client's _SERVER_RETRIES is 10).
    public func failoverChain(_ key: [UInt8], tries: Int = 10) -> [Int] {
        guard !buckets.isEmpty, scheme != .pymemcacheRendezvous else { return serverIndex(key).map { [$0] } ?? [] }
        let orOne = scheme == .pythonMemcachedOld
        var h = Placer.cmemcacheHash(key, orOne: orOne)
        var chain: [Int] = []
        for i in 0..<tries {
            chain.append(buckets[Int(h) % buckets.count])
            h = Placer.cmemcacheHash(Array((String(h) + String(i)).utf8), orOne: orOne)
        }
        return chain
    }

    private func rendezvous(_ key: [UInt8]) -> (index: Int?, score: UInt32) {
        var best: Int?
        var bestScore: UInt32 = 0
        for (i, s) in servers.enumerated() {
            let score = Checksums.murmur3_32(Array((s.address + "-").utf8) + key)
            if let b = best {
                if score > bestScore || (score == bestScore && s.address > servers[b].address) { best = i; bestScore = score }
            } else {
                best = i
                bestScore = score
            }
        }
        return (best, bestScore)
    }
}
