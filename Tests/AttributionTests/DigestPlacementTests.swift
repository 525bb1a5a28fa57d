// Digests and placement against Python's own libraries (hashlib, hmac, zlib, pymemcache's murmur3
// and RendezvousHash, python-memcached's cmemcache_hash and Client._get_server) for 3000 keys.
import Attribution
import Foundation
import Testing
import TestSupport

@Suite struct DigestPlacementTests {
    static let servers = [ServerSpec(host: "10.0.0.1", port: 11211, weight: 1), ServerSpec(host: "10.0.0.2", port: 11211, weight: 3),
                          ServerSpec(host: "10.0.0.3", port: 11212, weight: 2)]

    static func oracle() throws -> [[String: Any]] {
        let r = try Python.run(script: Repo.path("Tests/python/placement_oracle.py"), ["3000"])
        return ndjsonObjects(r.stdout)
    }

    static func bytes(hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var it = hex.makeIterator()
        while let a = it.next(), let b = it.next() { out.append(UInt8(String([a, b]), radix: 16) ?? 0) }
        return out
    }

    @Test func digestsMatchPython() throws {
        let rows = try Self.oracle()
        #expect(rows.count == 3000)
        let key = Array("attribution-test-key".utf8)
        for row in rows {
            let raw = Self.bytes(hex: try #require(row["raw"] as? String))
            #expect(Digest20(SHA1.hash(raw)).hex == row["sha1"] as? String)
            #expect(Digest20(SHA1.hmac(key: key, message: raw)).hex == row["hmac"] as? String)
            #expect(Int(Checksums.crc32(raw)) == row["crc32"] as? Int)
            #expect(Int(Checksums.murmur3_32(raw)) == row["murmur"] as? Int)
        }
    }

    @Test func placementMatchesPythonClients() throws {
        let rows = try Self.oracle()
        let old = Placer(servers: Self.servers, scheme: .pythonMemcachedOld)
        let new = Placer(servers: Self.servers, scheme: .pythonMemcached)
        let hrw = Placer(servers: Self.servers, scheme: .pymemcacheRendezvous)
        var zeroHashes = 0
        for row in rows {
            let uid = try #require(row["uid"] as? String)
            let key = SHA1.hex("usertokens-" + uid)
            #expect(key == row["key"] as? String)
            let k = Array(key.utf8)
            #expect(Int(new.hash(k)) == row["hash_new"] as? Int)
            #expect(Int(old.hash(k)) == row["hash_old"] as? Int)
            if row["hash_new"] as? Int == 0 { zeroHashes += 1 }
            #expect(new.serverIndex(k) == row["home"] as? Int)
            #expect(old.serverIndex(k) == row["home_old"] as? Int)
            // python-memcached with the home server dead: the first server of the chain that is not home.
            let chain = new.failoverChain(k)
            #expect(chain.first == row["home"] as? Int)
            #expect(chain.first { $0 != chain.first } == row["failover"] as? Int)
            #expect(hrw.serverIndex(k) == row["rendezvous"] as? Int)
        }
        #expect(zeroHashes == 3)
    }

    @Test func seedWriteUpFigures() {
        // The seed write-up: sha1('usertokens-eef9…') = 6e49b8…, cmemcache_hash 3065 (≤1.59), second of two hosts.
        let key = SHA1.hex("usertokens-eef939600bc111e69aeb57d4fa849231")
        #expect(key == "6e49b86a7502dae881f3b9466ecbdfa4743c7eb9")
        let p = Placer(servers: [ServerSpec(host: "a", port: 1), ServerSpec(host: "b", port: 1)], scheme: .pythonMemcachedOld)
        #expect(p.hash(Array(key.utf8)) == 3065)
        #expect(p.serverIndex(Array(key.utf8)) == 1)
        #expect(SHA1.hex("revocation-list") == "d08fca1361cfc00a936d7c93e4308aceb6ebc6ac")
    }

    @Test func serverListsParseAndReject() throws {
        let s = try ServerList.parse("10.0.0.1:11211:2, 10.0.0.2:11212 [::1]:11213")
        #expect(s == [ServerSpec(host: "10.0.0.1", port: 11211, weight: 2), ServerSpec(host: "10.0.0.2", port: 11212),
                      ServerSpec(host: "::1", port: 11213)])
        for bad in ["", "host", "host:0", "host:70000", "host:11211:0", "host:11211:x", "host:1:2:3", "[::1:11211", ":11211"] {
            #expect(throws: ServerListError.self, "\(bad)") { try ServerList.parse(bad) }
        }
        let conf = """
            [DEFAULT]
            servers = wrong:1
            [cache]
            memcache_servers = c1:11211
            [memcache]
            # the token persistence list
            servers = m1:11211,m2:11211
            """
        #expect(try ServerList.fromKeystoneConf(conf).map(\.address) == ["m1:11211", "m2:11211"])
        #expect(try ServerList.fromKeystoneConf("[cache]\nmemcache_servers = c1:11211\n").map(\.address) == ["c1:11211"])
        #expect(throws: ServerListError.self) { try ServerList.fromKeystoneConf("[token]\nexpiration = 3600\n") }
    }
}
