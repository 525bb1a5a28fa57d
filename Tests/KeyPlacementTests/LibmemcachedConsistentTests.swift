// KeyPlacementTests/LibmemcachedConsistentTests: LibmemcachedConsistent against the real pylibmc 1.6.3
// (Debian python3-pylibmc; Tests/oracles/pylibmc_oracle.py): `Client.hash`, and keys stored through
// pylibmc into three real memcached processes, found on the server that holds them.
import Foundation
import KeyPlacement
import Testing
import TestSupport

private enum Pylibmc {
    /// Debian's interpreter, which has Debian's pylibmc (the project's .venv does not).
    static let python = "/usr/bin/python3"

    /// Runs `pylibmc_oracle.py MODE CONFIG` over the keys; one output line per key.
    static func run(_ mode: String, _ config: String, keys: [[UInt8]]) throws -> [String] {
        let input = keys.map { KeystoneKeys.hex($0) + "\n" }.joined()
        let r = try runProcess(python, [Repo.path("Tests/oracles/pylibmc_oracle.py"), mode, config], stdin: Data(input.utf8))
        if r.status != 0 { throw TestSupportError.failed("pylibmc_oracle.py \(mode) exited \(r.status): \(r.stderrText)") }
        return r.stdoutText.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    static func config(_ servers: [ServerSpec], _ behaviors: String) -> String {
        let s = servers.map { "\"\($0.host):\($0.port):\($0.weight)\"" }.joined(separator: ",")
        return "{\"servers\": [\(s)], \"behaviors\": \(behaviors)}"
    }
}

/// Unweighted (all ≤ 1, one of them 0) and weighted lists, hostnames and addresses, ports 11211 and others.
private let consistentLists: [[ServerSpec]] = [
    [ServerSpec(host: "10.0.0.1"), ServerSpec(host: "10.0.0.2"), ServerSpec(host: "10.0.0.3", port: 22122)],
    [
        ServerSpec(host: "mc-a"), ServerSpec(host: "mc-b", port: 11311), ServerSpec(host: "mc-c"),
        ServerSpec(host: "10.1.2.3", port: 11212), ServerSpec(host: "cache.example.org"),
    ],
    [ServerSpec(host: "z", weight: 0), ServerSpec(host: "y"), ServerSpec(host: "x", port: 11999)],
    [ServerSpec(host: "10.0.0.1", weight: 1), ServerSpec(host: "10.0.0.2", weight: 3), ServerSpec(host: "10.0.0.3", port: 22122, weight: 2)],
    [ServerSpec(host: "w0", weight: 0), ServerSpec(host: "w2", weight: 2), ServerSpec(host: "w1", port: 11300)],
    [ServerSpec(host: "alone", weight: 4)],
]

/// pylibmc behaviors that select the consistent distribution; they place keys alike.
private let consistentBehaviors = [#"{"ketama": true}"#, #"{"distribution": "consistent"}"#, #"{"distribution": "consistent ketama"}"#]

@Suite struct LibmemcachedConsistentTests {
    static let keys = KeySets.keystone(count: 1200) + KeySets.ascii(count: 400) + KeySets.highBytes(count: 400)

    func check(_ scheme: any PlacementScheme, _ servers: [ServerSpec], _ behaviors: String) throws {
        let expected = try Pylibmc.run("place", Pylibmc.config(servers, behaviors), keys: Self.keys).map { Int($0) ?? -1 }
        let got = Self.keys.map { scheme.serverIndex(for: $0) }
        #expect(
            mismatches(got, expected, keys: Self.keys).isEmpty,
            "\(scheme.name) \(servers) \(behaviors): \(mismatches(got, expected, keys: Self.keys))")
    }

    @Test(arguments: consistentLists.indices, consistentBehaviors)
    func placementMatchesPylibmc(list: Int, behaviors: String) throws {
        let servers = consistentLists[list]
        let scheme = try LibmemcachedConsistent(servers: servers)
        #expect(scheme.isWeighted == servers.contains { $0.weight > 1 })
        try check(scheme, servers, behaviors)
    }

    /// pylibmc applies `hash` before `ketama`: the unweighted points and the keys both use it; with a weight
    /// above 1 the points are md5 words whatever the hash, and only the keys use it.
    @Test(arguments: [HashKitFunction.md5, .fnv1a_32, .crc], [0, 3])
    func hashBehavior(hash: HashKitFunction, list: Int) throws {
        let servers = consistentLists[list]
        let name = hash == .crc ? "crc" : hash.rawValue
        try check(try LibmemcachedConsistent(servers: servers, hash: hash), servers, #"{"ketama": true, "hash": "\#(name)"}"#)
    }

    @Test func relationToTheOtherLibmemcachedSchemes() throws {
        let keys = KeySets.keystone(count: 800)
        // Weights ≤ 1: the same ring as the KETAMA behavior.
        let unweighted = consistentLists[1]
        let a = try LibmemcachedConsistent(servers: unweighted)
        let b = try LibmemcachedKetama(servers: unweighted, mode: .unweighted)
        #expect(keys.allSatisfy { a.serverIndex(for: $0) == b.serverIndex(for: $0) })
        // A weight above 1: KETAMA_WEIGHTED's points, but one-at-a-time keys instead of md5.
        let weighted = consistentLists[3]
        let c = try LibmemcachedConsistent(servers: weighted)
        let d = try LibmemcachedKetama(servers: weighted, mode: .weighted)
        let e = try LibmemcachedConsistent(servers: weighted, hash: .md5)
        #expect(c.continuum.points == d.continuum.points && c.continuum.owners == d.continuum.owners)
        #expect(keys.contains { c.serverIndex(for: $0) != d.serverIndex(for: $0) })
        #expect(keys.allSatisfy { e.serverIndex(for: $0) == d.serverIndex(for: $0) })
        #expect(c.placement(for: Array("abc".utf8)).hash == UInt64(KeyHash.oneAtATime(Array("abc".utf8))))
        // Unweighted: 100 points per server; weighted: 160 per server on average.
        #expect(a.continuum.points.count == 100 * unweighted.count)
        #expect(c.continuum.points.count == 160 * weighted.count)
    }

    @Test func errorsAndNames() throws {
        #expect(throws: PlacementError(.noServers, "no servers")) { try LibmemcachedConsistent(servers: []) }
        do {
            _ = try LibmemcachedConsistent(servers: [ServerSpec(host: "a"), ServerSpec(host: "b", weight: ServerSpec.maxWeight + 1)])
            Issue.record("weight above the maximum accepted")
        } catch {
            #expect(error.kind == .badWeight && error.offset == 1)
        }
        #expect(try LibmemcachedConsistent(servers: consistentLists[0]).name == "libmemcached-consistent")
        #expect(try LibmemcachedConsistent(servers: consistentLists[0], hash: .md5).name == "libmemcached-consistent-md5")
        #expect(try ClientPlacement.named("pylibmc-consistent") == .pylibmcKetama)
        #expect(try ClientPlacement.pylibmcKetama.scheme(servers: consistentLists[3]) is LibmemcachedConsistent)
    }

    /// The `place` oracle asks pylibmc's `Client.hash`; this proves it is where pylibmc really stores keys:
    /// every key set through pylibmc is found on exactly the server the scheme names.
    @Test(arguments: [false, true])
    func keysStoredThroughPylibmcLandWherePredicted(weighted: Bool) throws {
        let servers = try (0..<3).map { _ in try MemcachedServer(memoryMB: 64) }
        defer { for s in servers { s.stop() } }
        let weights = weighted ? [1, 2, 1] : [1, 1, 1]
        let specs = zip(servers, weights).map { ServerSpec(host: "127.0.0.1", port: Int($0.port), weight: $1) }
        let scheme = try LibmemcachedConsistent(servers: specs)
        #expect(scheme.isWeighted == weighted)
        let keys = KeySets.keystone(count: 1400, seed: weighted ? 11 : 12) + KeySets.ascii(count: 300) + KeySets.highBytes(count: 300)
        let lines = try Pylibmc.run("store", Pylibmc.config(specs, #"{"ketama": true}"#), keys: keys)
        let predicted = keys.map { String(scheme.serverIndex(for: $0)) }
        let held = lines.map { String($0.split(separator: " ").first ?? "") }
        let hashed = lines.map { String($0.split(separator: " ").last ?? "") }
        #expect(mismatches(predicted, held, keys: keys).isEmpty, "stored: \(mismatches(predicted, held, keys: keys))")
        #expect(mismatches(predicted, hashed, keys: keys).isEmpty, "Client.hash: \(mismatches(predicted, hashed, keys: keys))")
        #expect(Set(held) == ["0", "1", "2"])
    }
}
