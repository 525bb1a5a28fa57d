// python-memcached placement against the vectors of docs/placement.md, the seed's worked example and the real
// python-memcached 1.62 (`cmemcache_hash`, `Client._get_server` with `_Host.connect` patched).
import Foundation
import Testing
import KeyPlacement
import TestSupport

private let three = [
    ServerSpec(host: "10.0.0.1"), ServerSpec(host: "10.0.0.2"), ServerSpec(host: "10.0.0.3"),
]
private let weighted = [
    ServerSpec(host: "10.0.0.1", weight: 1), ServerSpec(host: "10.0.0.2", weight: 2),
    ServerSpec(host: "10.0.0.3", port: 11212, weight: 3), ServerSpec(host: "10.0.0.4", weight: 1),
]

private func pyServers(_ specs: [ServerSpec]) -> String {
    "[" + specs.map { "[\"\($0.host):\($0.port)\", \($0.weight)]" }.joined(separator: ",") + "]"
}

private func key(_ logical: String) -> [UInt8] { Array(KeystoneKeys.mangled(logical).utf8) }

@Suite struct PythonMemcachedVectorTests {
    @Test func domainTable() throws {
        let rows: [(String, UInt32, UInt32, Int)] = [
            ("usertokens-ceilometer-uid-0001", 0x8288_0c8c, 648, 0),
            ("usertokens-nova-uid-0002", 0x2927_ceae, 10535, 2),
            ("usertokens-neutron-uid-0003", 0x3f81_529f, 16257, 0),
            ("usertokens-3f1c4e2a9b8d4c7e8f6a5b4c3d2e1f00", 0xb283_1254, 12931, 1),
        ]
        let scheme = try PythonMemcachedModulo(servers: three)
        for (logical, crc, hash, index) in rows {
            #expect(KeyHash.crc32(key(logical)) == crc, "\(logical)")
            #expect(KeyHash.cmemcache(key(logical), orOne: false) == hash, "\(logical)")
            #expect(scheme.placement(for: key(logical)) == Placement(serverIndex: index, hash: UInt64(hash)))
        }
    }

    @Test func seedWorkedExample() throws {
        let k = key("usertokens-eef939600bc111e69aeb57d4fa849231")
        #expect(String(decoding: k, as: UTF8.self) == "6e49b86a7502dae881f3b9466ecbdfa4743c7eb9")
        #expect(KeyHash.cmemcache(k, orOne: true) == 3065)
        let two = try PythonMemcachedModulo(servers: [ServerSpec(host: "a"), ServerSpec(host: "b")], variant: .orOne)
        #expect(two.serverIndex(for: k) == 1)
    }

    @Test func domainRetryChain() throws {
        let scheme = try PythonMemcachedModulo(servers: three)
        let k = key("usertokens-nova-uid-0002")
        #expect(Array(scheme.hashChain(for: k).prefix(4)) == [10535, 15093, 26881, 18300])
        #expect(scheme.retryChain(for: k) { $0 != 0 ? true : false } == [2, 0])
        #expect(scheme.retryChain(for: k) { $0 != 1 } == [2, 0, 1])
        #expect(scheme.failoverServer(for: k, dead: [2]) == 0)
        #expect(scheme.failoverServer(for: k, dead: [0, 1, 2]) == nil)
        #expect(scheme.retryChain(for: k) { _ in true }.count == PythonMemcachedModulo.serverRetries)
    }

    @Test func orOneOnlyMattersForZero() throws {
        let zero = KeySets.zeroHash(count: 1)[0]
        #expect(KeyHash.cmemcache(zero, orOne: false) == 0)
        #expect(KeyHash.cmemcache(zero, orOne: true) == 1)
        let modern = try PythonMemcachedModulo(servers: three, variant: .modern)
        let old = try PythonMemcachedModulo(servers: three, variant: .orOne)
        #expect(modern.serverIndex(for: zero) == 0)
        #expect(old.serverIndex(for: zero) == 1)
    }

    @Test func badServerListsAreErrors() {
        #expect(throws: PlacementError.self) { try PythonMemcachedModulo(servers: []) }
        #expect(throws: PlacementError.self) { try PythonMemcachedModulo(servers: [ServerSpec(host: "a", weight: 0)]) }
        #expect(throws: PlacementError.self) { try PythonMemcachedModulo(servers: [ServerSpec(host: "a", weight: -1)]) }
        do {
            _ = try PythonMemcachedModulo(servers: [ServerSpec(host: "a"), ServerSpec(host: "b", weight: 1_000_000)])
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .badWeight && error.offset == 1)
        }
    }
}

@Suite struct PythonMemcachedOracleTests {
    static let keys = KeySets.allBytes()

    @Test(arguments: PythonMemcachedModulo.HashVariant.allCases.filter { $0 != .rawCRC32Signed })
    func serverHashMatchesPython(variant: PythonMemcachedModulo.HashVariant) throws {
        let scheme = try PythonMemcachedModulo(servers: three, variant: variant)
        let expected = try Oracle.ints("pymc-hash", "{\"variant\": \"\(variant.rawValue)\"}", keys: Self.keys)
        let got = Self.keys.map { scheme.serverHash($0) }
        #expect(mismatches(got, expected, keys: Self.keys).isEmpty, "\(mismatches(got, expected, keys: Self.keys))")
    }

    @Test(arguments: PythonMemcachedModulo.HashVariant.allCases.filter { $0 != .rawCRC32Signed })
    func getServerMatchesPython(variant: PythonMemcachedModulo.HashVariant) throws {
        let withZero = [ServerSpec(host: "10.0.0.9", weight: 0)] + weighted
        for servers in [three, weighted, Array(three.prefix(2)), withZero] {
            let scheme = try PythonMemcachedModulo(servers: servers, variant: variant)
            let config = "{\"variant\": \"\(variant.rawValue)\", \"servers\": \(pyServers(servers))}"
            let expected = try Oracle.ints("pymc-server", config, keys: Self.keys)
            let got = Self.keys.map { Int64(scheme.serverIndex(for: $0)) }
            #expect(mismatches(got, expected, keys: Self.keys).isEmpty, "\(mismatches(got, expected, keys: Self.keys))")
        }
    }

    @Test(arguments: [[1], [0, 2], [1, 3], [0, 1, 2, 3]])
    func deadServerChainMatchesPython(dead: [Int]) throws {
        let keys = Array(Self.keys.prefix(1500))
        for variant in [PythonMemcachedModulo.HashVariant.modern, .orOne, .rawCRC32] {
            let scheme = try PythonMemcachedModulo(servers: weighted, variant: variant)
            let config = "{\"variant\": \"\(variant.rawValue)\", \"servers\": \(pyServers(weighted)), \"dead\": \(dead)}"
            let expected = try Oracle.run("pymc-chain", config, keys: keys)
            let got = keys.map { k in
                let chain = scheme.retryChain(for: k) { dead.contains($0) }
                let none = scheme.failoverServer(for: k, dead: Set(dead)) == nil
                return chain.map(String.init).joined(separator: " ") + (none ? " none" : "")
            }
            #expect(mismatches(got, expected, keys: keys).isEmpty, "\(variant): \(mismatches(got, expected, keys: keys))")
        }
    }

    /// Python 2's signed crc32: `str(h)` keeps the minus sign and `%` floors; checked against Python
    /// arithmetic on the same signed values (the Py2 library itself is not in the test environment).
    @Test func signedOldHashFollowsPythonArithmetic() throws {
        let keys = Array(Self.keys.prefix(500))
        let scheme = try PythonMemcachedModulo(servers: weighted, variant: .rawCRC32Signed)
        let code = """
            import sys, binascii
            def h(b):
                v = binascii.crc32(b)
                return v - (1 << 32) if v >= 1 << 31 else v
            n = [0, 1, 1, 2, 2, 2, 3]
            for line in sys.stdin:
                v = h(bytes.fromhex(line.strip()))
                tried = []
                for i in range(10):
                    s = n[v % len(n)]
                    tried.append(s)
                    if s != 1: break
                    v = h((str(v) + str(i)).encode('ascii'))
                print(' '.join(map(str, tried)))
            """
        let input = keys.map { KeystoneKeys.hex($0) + "\n" }.joined()
        let expected = try TestSupport.Python.run(code: code, stdin: Data(input.utf8)).stdoutText
            .split(separator: "\n").map(String.init)
        let got = keys.map { k in scheme.retryChain(for: k) { $0 == 1 }.map(String.init).joined(separator: " ") }
        #expect(got.contains { $0.contains(" ") })
        #expect(mismatches(got, expected, keys: keys).isEmpty, "\(mismatches(got, expected, keys: keys))")
    }
}
