// libhashkit hashes and libmemcached distributions against libmemcached 1.1.4 itself (ctypes:
// libhashkit_<fn>, memcached_generate_hash), and twemproxy's pools by their documented equivalences.
import Testing
import KeyPlacement
import TestSupport

/// `memcached_behavior_t` and `memcached_hash_t` numbers from libmemcached-1.0/types/*.h.
private enum Behavior { static let hash = 2, ketama = 3, ketamaWeighted = 16 }
private let hashNumber: [HashKitFunction: Int] = [
    .md5: 1, .crc: 2, .fnv1_64: 3, .fnv1a_64: 4, .fnv1_32: 5, .fnv1a_32: 6,
]

private let ketamaServers = [
    ServerSpec(host: "127.0.0.11", weight: 1), ServerSpec(host: "127.0.0.12", weight: 1),
    ServerSpec(host: "127.0.0.13", port: 22122, weight: 2),
]
private let fourServers = [
    ServerSpec(host: "mc-a", weight: 1), ServerSpec(host: "mc-b", weight: 3),
    ServerSpec(host: "mc-c", port: 11311, weight: 1), ServerSpec(host: "127.0.2.3", weight: 2),
]

private func lmConfig(_ servers: [ServerSpec], _ setup: [(Int, Int)]) -> String {
    let s = servers.map { "[\"\($0.host)\", \($0.port), \($0.weight)]" }.joined(separator: ",")
    let b = setup.map { "[\($0.0), \($0.1)]" }.joined(separator: ",")
    return "{\"servers\": [\(s)], \"setup\": [\(b)]}"
}

@Suite struct LibhashkitTests {
    static let keys = KeySets.keystone(count: 500) + KeySets.ascii(count: 300) + KeySets.highBytes(count: 300) + [[]]

    @Test(arguments: HashKitFunction.allCases)
    func hashMatchesLibhashkit(function: HashKitFunction) throws {
        let name = function == .oneAtATime ? "one_at_a_time" : function.rawValue
        let expected = try Oracle.ints("hashkit", "{\"function\": \"\(name)\"}", keys: Self.keys)
        let got = Self.keys.map { Int64(function.hash($0)) }
        #expect(mismatches(got, expected, keys: Self.keys).isEmpty, "\(mismatches(got, expected, keys: Self.keys))")
    }

    @Test func murmur3KnownVectors() {
        // MurmurHash3_x86_32 reference values (SMHasher): "" seed 0 → 0, "" seed 1 → 0x514E28B7.
        #expect(KeyHash.murmur3_32([]) == 0)
        #expect(KeyHash.murmur3_32([], seed: 1) == 0x514e_28b7)
        #expect(KeyHash.murmur3_32(Array("a".utf8)) == 1_009_084_850)
    }
}

@Suite struct LibmemcachedDistributionTests {
    static let keys = KeySets.keystone(count: 1200) + KeySets.ascii(count: 400) + KeySets.highBytes(count: 400)

    func check(_ scheme: any PlacementScheme, _ config: String) throws {
        let expected = try Oracle.ints("libmemcached", config, keys: Self.keys)
        let got = Self.keys.map { Int64(scheme.serverIndex(for: $0)) }
        #expect(mismatches(got, expected, keys: Self.keys).isEmpty, "\(scheme.name): \(mismatches(got, expected, keys: Self.keys))")
    }

    @Test func modulaDefaultOneAtATime() throws {
        try check(LibmemcachedModula(servers: fourServers), lmConfig(fourServers, []))
    }

    @Test(arguments: [HashKitFunction.md5, .crc, .fnv1_64, .fnv1a_64, .fnv1_32, .fnv1a_32])
    func modulaWithHash(hash: HashKitFunction) throws {
        try check(
            LibmemcachedModula(servers: fourServers, hash: hash),
            lmConfig(fourServers, [(Behavior.hash, hashNumber[hash] ?? 0)]))
    }

    @Test func ketamaWeighted() throws {
        let seven = (1...7).map { ServerSpec(host: "10.0.1.\($0)", port: 11211 + $0 % 2, weight: $0) }
        let tenEqual = (1...10).map { ServerSpec(host: "mc\($0).example.org") }
        let withZero = [ServerSpec(host: "z", weight: 0)] + ketamaServers
        for servers in [ketamaServers, fourServers, Array(fourServers.prefix(1)), seven, tenEqual, withZero] {
            try check(
                LibmemcachedKetama(servers: servers, mode: .weighted),
                lmConfig(servers, [(Behavior.ketamaWeighted, 1)]))
        }
    }

    @Test func ketamaUnweighted() throws {
        for servers in [ketamaServers, fourServers] {
            try check(LibmemcachedKetama(servers: servers, mode: .unweighted), lmConfig(servers, [(Behavior.ketama, 1)]))
        }
    }

    @Test func ketamaUnweightedHashOrder() throws {
        // HASH before KETAMA: md5 points and md5 keys.
        try check(
            LibmemcachedKetama(servers: fourServers, mode: .unweighted, pointHash: .md5),
            lmConfig(fourServers, [(Behavior.hash, 1), (Behavior.ketama, 1)]))
        // HASH after KETAMA: docs/placement.md says only key hashing changes; the oracle decides.
        try check(
            LibmemcachedKetama(servers: fourServers, mode: .unweighted, pointHash: .oneAtATime, keyHash: .md5),
            lmConfig(fourServers, [(Behavior.ketama, 1), (Behavior.hash, 1)]))
    }
}

@Suite struct TwemproxyTests {
    static let keys = KeySets.keystone(count: 1000) + KeySets.highBytes(count: 200)

    /// twemproxy's ketama continuum is libmemcached's weighted one; with `hash: md5` the pools agree.
    @Test func ketamaWithMD5IsLibmemcachedWeighted() throws {
        let pool = try TwemproxyPool(servers: fourServers, distribution: .ketama, hash: .md5)
        let lm = try LibmemcachedKetama(servers: fourServers, mode: .weighted)
        #expect(Self.keys.allSatisfy { pool.serverIndex(for: $0) == lm.serverIndex(for: $0) })
    }

    /// `hash: crc32` + modula is python-memcached's bucket scheme (≥1.60 hash), weights included.
    /// twemproxy's modula with crc32 is python-memcached's buckets over the servers in twemproxy's
    /// order (sorted by name: shorter first, then bytewise; real nutcracker in TwemproxyNutcrackerTests):
    /// mc-a, mc-b, 127.0.2.3, mc-c:11311 for `fourServers`.
    @Test func modulaWithCRCIsPythonMemcachedOverTheNameOrder() throws {
        let pool = try TwemproxyPool(servers: fourServers, distribution: .modula, hash: .crc)
        let order = [0, 1, 3, 2]
        let py = try PythonMemcachedModulo(servers: order.map { fourServers[$0] }, variant: .modern)
        #expect(Self.keys.allSatisfy { pool.serverIndex(for: $0) == order[py.serverIndex(for: $0)] })
        let inListOrder = try PythonMemcachedModulo(servers: fourServers, variant: .modern)
        #expect(Self.keys.contains { pool.serverIndex(for: $0) != inListOrder.serverIndex(for: $0) })
    }

    @Test func defaultHashIsTruncatedFNV1a() throws {
        let pool = try TwemproxyPool(servers: fourServers)
        #expect(pool.hash == .fnv1a_64 && pool.distribution == .ketama)
        #expect(pool.placement(for: Array("abc".utf8)).hash == UInt64(KeyHash.fnv1a_64(Array("abc".utf8))))
        let named = try TwemproxyPool(servers: fourServers, names: ["s1", "s2", "s3", "s4"])
        #expect(Self.keys.contains { named.serverIndex(for: $0) != pool.serverIndex(for: $0) })
        #expect(throws: PlacementError.self) { try TwemproxyPool(servers: fourServers, names: ["x"]) }
        #expect(throws: PlacementError.self) { try TwemproxyPool(servers: []) }
        #expect(throws: PlacementError.self) { try LibmemcachedKetama(servers: [], mode: .weighted) }
        #expect(throws: PlacementError.self) { try LibmemcachedModula(servers: []) }
    }
}
