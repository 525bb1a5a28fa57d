// KeyPlacementTests/DalliRingTests: DalliRing against Dalli 3.0.6's own ring (Tests/oracles/dalli_oracle.rb,
// Debian ruby-dalli): placement over several server lists, the single-server case, failover chains, errors,
// and keys stored through a real Dalli client into three memcached processes.
import Foundation
import KeyPlacement
import Testing
import TestSupport

/// A server list as a `Dalli::Client` is configured with it: `host:port:weight`, `[v6]:port:weight`, `/path:weight`.
private func dalliServers(_ specs: [ServerSpec]) -> String {
    let items = specs.map { s -> String in
        switch s.family {
        case .unix: return "\"\(s.host):\(s.weight)\""
        case .inet6: return "\"[\(s.host)]:\(s.port):\(s.weight)\""
        case .inet: return "\"\(s.host):\(s.port):\(s.weight)\""
        }
    }
    return "[" + items.joined(separator: ",") + "]"
}

private enum Dalli {
    /// Runs `ruby dalli_oracle.rb MODE CONFIG` over the keys; one output line per key.
    static func run(_ mode: String, _ config: String, keys: [[UInt8]]) throws -> [String] {
        let input = keys.map { KeystoneKeys.hex($0) + "\n" }.joined()
        let r = try runProcess("/usr/bin/env", ["ruby", Repo.path("Tests/oracles/dalli_oracle.rb"), mode, config], stdin: Data(input.utf8))
        if r.status != 0 { throw TestSupportError.failed("dalli_oracle.rb \(mode) exited \(r.status): \(r.stderrText)") }
        return r.stdoutText.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }
}

/// Server lists the ring is checked on: 2, 3 and 5 servers, weights, IPv4 and IPv6 addresses, hostnames,
/// non-default ports, a UNIX socket, a weight of 0, and one server alone.
private let dalliLists: [[ServerSpec]] = [
    [ServerSpec(host: "10.0.0.1"), ServerSpec(host: "10.0.0.2")],
    [ServerSpec(host: "10.0.0.1", weight: 1), ServerSpec(host: "cache-2.example.org", port: 22122, weight: 3), ServerSpec(host: "10.0.0.3", weight: 2)],
    [
        ServerSpec(host: "mc1.internal", port: 11212), ServerSpec(host: "mc2.internal", port: 11213, weight: 2),
        ServerSpec(host: "192.168.10.7"), ServerSpec(host: "fd00::5", port: 11211, weight: 1, family: .inet6),
        ServerSpec(host: "/var/run/memcached/memcached.sock", port: 0, weight: 3, family: .unix),
    ],
    [ServerSpec(host: "a.example", weight: 0), ServerSpec(host: "b.example"), ServerSpec(host: "c.example", weight: 5)],
    [ServerSpec(host: "only.example", port: 11311, weight: 3)],
]

@Suite struct DalliRingTests {
    static let keys = KeySets.allBytes()

    @Test(arguments: dalliLists.indices)
    func ringMatchesDalli(list: Int) throws {
        let servers = dalliLists[list]
        let ring = try DalliRing(servers: servers)
        let expected = try Dalli.run("server", "{\"servers\": \(dalliServers(servers))}", keys: Self.keys).map { Int($0) ?? -1 }
        let got = Self.keys.map { ring.serverIndex(for: $0) }
        #expect(Self.keys.count >= 2000)
        #expect(mismatches(got, expected, keys: Self.keys).isEmpty, "\(servers): \(mismatches(got, expected, keys: Self.keys))")
        // Every server with a weight above 0 gets keys (a sanity check that the lists exercise the ring).
        let used = Set(got)
        #expect(used == Set(servers.indices.filter { servers.count == 1 || servers[$0].weight > 0 }), "\(used)")
    }

    @Test func keyHashIsZlibCRC32() throws {
        let keys = Array(Self.keys.prefix(500)) + [[]]
        let expected = try Dalli.run("crc32", "{}", keys: keys).map { UInt32($0) ?? 0 }
        #expect(keys.map { DalliRing.keyHash($0) } == expected)
        let ring = try DalliRing(servers: dalliLists[1])
        #expect(ring.placement(for: Array("abc".utf8)).hash == 0x3524_41c2)
    }

    /// Failover: `crc32("#{try}#{key}")` while the chosen server is down, up to 20 lookups.
    @Test(arguments: [[1], [0, 2], [0, 1], [0, 1, 2]])
    func failoverChainMatchesDalli(dead: [Int]) throws {
        let servers = dalliLists[1]
        let ring = try DalliRing(servers: servers)
        let keys = KeySets.keystone(count: 700) + KeySets.highBytes(count: 100)
        let config = "{\"servers\": \(dalliServers(servers)), \"dead\": \(dead)}"
        let expected = try Dalli.run("chain", config, keys: keys)
        let deadSet = Set(dead)
        let got = keys.map { k -> String in
            let chain = ring.retryChain(for: k) { deadSet.contains($0) }.map(String.init).joined(separator: " ")
            return ring.failoverServer(for: k, dead: deadSet) == nil ? chain + " none" : chain
        }
        #expect(mismatches(got, expected, keys: keys).isEmpty, "dead \(dead): \(mismatches(got, expected, keys: keys))")
        // Keys whose first server is alive stay put; the others move only to live servers.
        for k in keys {
            let home = ring.serverIndex(for: k)
            if let s = ring.failoverServer(for: k, dead: deadSet) {
                #expect(!deadSet.contains(s))
                if !deadSet.contains(home) { #expect(s == home) }
            }
        }
        if deadSet.count == servers.count {
            #expect(keys.allSatisfy { ring.retryChain(for: $0) { _ in true }.count == DalliRing.maxLookups })
        }
    }

    @Test func failoverOffAndSingleServerChains() throws {
        let servers = dalliLists[1]
        let ring = try DalliRing(servers: servers)
        let keys = KeySets.keystone(count: 300)
        let expected = try Dalli.run("chain", "{\"servers\": \(dalliServers(servers)), \"dead\": [2], \"failover\": false}", keys: keys)
        let got = keys.map { k -> String in
            let chain = ring.retryChain(for: k, failover: false) { $0 == 2 }.map(String.init).joined(separator: " ")
            return ring.failoverServer(for: k, dead: [2], failover: false) == nil ? chain + " none" : chain
        }
        #expect(mismatches(got, expected, keys: keys).isEmpty, "\(mismatches(got, expected, keys: keys))")
        #expect(got.contains { $0.hasSuffix("none") } && got.contains { !$0.hasSuffix("none") })

        let single = dalliLists[4]
        let one = try DalliRing(servers: single)
        let singleExpected = try Dalli.run("chain", "{\"servers\": \(dalliServers(single)), \"dead\": [0]}", keys: keys)
        #expect(singleExpected.allSatisfy { $0 == "0 none" })
        #expect(keys.allSatisfy { one.retryChain(for: $0) { _ in true } == [0] && one.failoverServer(for: $0, dead: [0]) == nil })
    }

    @Test func hashChainIsTryThenKey() throws {
        let ring = try DalliRing(servers: dalliLists[0])
        let key = Array("user:42".utf8)
        let chain = ring.hashChain(for: key)
        #expect(chain.count == DalliRing.maxLookups)
        #expect(chain[0] == KeyHash.crc32(key))
        #expect(chain[1] == KeyHash.crc32(Array("0user:42".utf8)))
        #expect(chain[19] == KeyHash.crc32(Array("18user:42".utf8)))
    }

    @Test func nodeNamesAreHostColonPort() throws {
        // `10.0.0.1` and `10.0.0.1:11211` are the same Dalli name; a different port is a different ring.
        let implicit = try DalliRing(servers: ServerSpec.parseList("10.0.0.1,10.0.0.2"))
        let explicit = try DalliRing(nodes: [("10.0.0.1:11211", 1), ("10.0.0.2:11211", 1)])
        let otherPort = try DalliRing(nodes: [("10.0.0.1:11212", 1), ("10.0.0.2:11211", 1)])
        let keys = KeySets.keystone(count: 400)
        #expect(keys.allSatisfy { implicit.serverIndex(for: $0) == explicit.serverIndex(for: $0) })
        #expect(keys.contains { implicit.serverIndex(for: $0) != otherPort.serverIndex(for: $0) })
        #expect(try DalliRing(servers: [ServerSpec.parse("[::1]:11211")]).nodes[0].name == "::1:11211")
        #expect(try DalliRing(servers: [ServerSpec.parse("unix:/tmp/mc.sock:2")]).nodes[0].name == "/tmp/mc.sock")
    }

    @Test func errors() throws {
        #expect(throws: PlacementError(.noServers, "no servers")) { try DalliRing(servers: []) }
        do {
            _ = try DalliRing(servers: [ServerSpec(host: "a", weight: 0), ServerSpec(host: "b", weight: 0)])
            Issue.record("all-zero weights accepted")
        } catch {
            #expect(error.kind == .noServers)
        }
        do {
            _ = try DalliRing(nodes: [("a:11211", 1), ("b:11211", ServerSpec.maxWeight + 1)])
            Issue.record("weight above the maximum accepted")
        } catch {
            #expect(error.kind == .badWeight && error.offset == 1)
        }
        do {
            _ = try DalliRing(servers: [ServerSpec(host: "a", weight: -1)])
            Issue.record("negative weight accepted")
        } catch {
            #expect(error.kind == .badWeight && error.offset == 0)
        }
        // One server needs no ring, so its weight (even 0) does not matter, as in Dalli.
        let lone = try DalliRing(servers: [ServerSpec(host: "a", weight: 0)])
        #expect(KeySets.keystone(count: 50).allSatisfy { lone.serverIndex(for: $0) == 0 })
        #expect(lone.name == "dalli" && lone.serverCount == 1)
    }

    /// The `server` oracle asks Dalli's ring; this proves it is where a real `Dalli::Client` stores keys.
    @Test func keysStoredThroughDalliLandWherePredicted() throws {
        let servers = try (0..<3).map { _ in try MemcachedServer(memoryMB: 64) }
        defer { for s in servers { s.stop() } }
        let specs = zip(servers, [1, 2, 1]).map { ServerSpec(host: "127.0.0.1", port: Int($0.port), weight: $1) }
        let ring = try DalliRing(servers: specs)
        let keys = KeySets.keystone(count: 1500, seed: 21) + KeySets.ascii(count: 300, seed: 22) + KeySets.highBytes(count: 200, seed: 23)
        let held = try Dalli.run("store", "{\"servers\": \(dalliServers(specs))}", keys: keys)
        let predicted = keys.map { String(ring.serverIndex(for: $0)) }
        #expect(mismatches(predicted, held, keys: keys).isEmpty, "\(mismatches(predicted, held, keys: keys))")
        #expect(Set(held) == ["0", "1", "2"])
    }
}
