// The digests and placement attribute writes, against Python's own libraries (hashlib, hmac,
// pymemcache's RendezvousHash, python-memcached's cmemcache_hash and Client._get_server) for 3000 keys,
// through the same KeyPlacement schemes and Digest20 form the Attributor uses.
import Attribution
import Foundation
import KeyPlacement
import Testing
import TestSupport

@Suite struct DigestPlacementTests {
    static let servers = [
        ServerSpec(host: "10.0.0.1", port: 11211, weight: 1), ServerSpec(host: "10.0.0.2", port: 11211, weight: 3),
        ServerSpec(host: "10.0.0.3", port: 11212, weight: 2),
    ]

    static func oracle() throws -> [[String: Any]] {
        let r = try Python.run(script: Repo.path("Tests/python/attribution_oracle.py"), ["3000"])
        return ndjsonObjects(r.stdout)
    }

    static func bytes(hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var it = hex.makeIterator()
        while let a = it.next(), let b = it.next() { out.append(UInt8(String([a, b]), radix: 16) ?? 0) }
        return out
    }

    @Test func compactDigestsMatchPython() throws {
        let rows = try Self.oracle()
        #expect(rows.count == 3000)
        for row in rows {
            let raw = Self.bytes(hex: try #require(row["raw"] as? String))
            let sha = try #require(row["sha1"] as? String)
            #expect(Digest20(KeystoneKeys.sha1(raw)).hex == sha)
            #expect(Digest20(hex: sha) == Digest20(KeystoneKeys.sha1(raw)))
            #expect(Digest20(hex: sha.uppercased()) == Digest20(hex: sha))
            let uid = try #require(row["uid"] as? String)
            #expect(Digest20(logicalKey: "usertokens-" + uid) == Digest20(hex: try #require(row["key"] as? String)))
        }
        #expect(Digest20(hex: "xyz") == nil)
        #expect(Digest20(hex: String(repeating: "g", count: 40)) == nil)
    }

    @Test func placementMatchesPythonClients() throws {
        let rows = try Self.oracle()
        let old = try #require(try ClientPlacement.pythonMemcached159.scheme(servers: Self.servers) as? PythonMemcachedModulo)
        let new = try #require(try ClientPlacement.named("python-memcached-1.60").scheme(servers: Self.servers) as? PythonMemcachedModulo)
        let hrw = try ClientPlacement.pymemcache.scheme(servers: Self.servers)
        var zeroHashes = 0
        for row in rows {
            let uid = try #require(row["uid"] as? String)
            let key = KeystoneKeys.userTokensKey(uid)
            #expect(key == row["key"] as? String)
            let k = Array(key.utf8)
            #expect(Int(new.placement(for: k).hash) == row["hash_new"] as? Int)
            #expect(Int(old.placement(for: k).hash) == row["hash_old"] as? Int)
            if row["hash_new"] as? Int == 0 { zeroHashes += 1 }
            #expect(new.serverIndex(for: k) == row["home"] as? Int)
            #expect(old.serverIndex(for: k) == row["home_old"] as? Int)
            // python-memcached with the home server dead: where the retry chain lands.
            let home = new.serverIndex(for: k)
            #expect(new.failoverServer(for: k, dead: [home]) == row["failover"] as? Int)
            #expect(hrw.serverIndex(for: k) == row["rendezvous"] as? Int)
        }
        #expect(zeroHashes == 3)
    }

    @Test func seedWriteUpFigures() throws {
        // The seed write-up: sha1('usertokens-eef9…') = 6e49b8…, cmemcache_hash 3065 (≤1.59), second of two hosts.
        let key = KeystoneKeys.userTokensKey("eef939600bc111e69aeb57d4fa849231")
        #expect(key == "6e49b86a7502dae881f3b9466ecbdfa4743c7eb9")
        let p = try ClientPlacement.pythonMemcached159.scheme(servers: [ServerSpec(host: "a", port: 1), ServerSpec(host: "b", port: 1)])
        #expect(p.placement(for: Array(key.utf8)).hash == 3065)
        #expect(p.serverIndex(for: Array(key.utf8)) == 1)
        #expect(Attributor.revocationListKey == "d08fca1361cfc00a936d7c93e4308aceb6ebc6ac")
    }

    @Test func unusableServerListIsAnError() {
        var options = AttributionOptions()
        options.servers = [ServerSpec(host: "a", port: 1, weight: 0)]
        #expect(throws: PlacementError.self) { try Attributor(users: [], options: options) }
    }
}
