// pymemcache rendezvous and uhashring rings against the real pymemcache 4.0 and uhashring 2.5,
// including non-ASCII str keys and bytes keys (hashed as their `b'…'` repr).
import Foundation
import Testing
import KeyPlacement
import TestSupport

private let nodes3 = ["10.0.0.1:11211", "10.0.0.2:11211", "10.0.0.3:11211"].compactMap { try? ServerSpec.parse($0) }

private func vectorKey(_ logical: String) -> [UInt8] { Array(KeystoneKeys.mangled(logical).utf8) }

@Suite struct RendezvousTests {
    static let textKeys = KeySets.keystone(count: 1000) + KeySets.ascii(count: 400) + KeySets.unicode(count: 600)
    static let byteKeys =
        KeySets.keystone(count: 300) + KeySets.ascii(count: 300) + KeySets.highBytes(count: 400)
        + [Array("it's".utf8), Array("say \"it's\"".utf8), [0x5c, 0x09, 0x0a, 0x0d, 0x7f, 0x00]]

    @Test func domainVectors() throws {
        let r = try PymemcacheRendezvous(servers: nodes3)
        #expect(r.serverIndex(for: vectorKey("usertokens-ceilometer-uid-0001")) == 1)
        #expect(r.serverIndex(for: vectorKey("usertokens-nova-uid-0002")) == 0)
        #expect(r.serverIndex(for: vectorKey("usertokens-neutron-uid-0003")) == 0)
        #expect(r.serverIndex(for: vectorKey("usertokens-3f1c4e2a9b8d4c7e8f6a5b4c3d2e1f00")) == 1)
        // DOMAIN §3.2: 'abc' → 10.0.0.3, b'abc' → 10.0.0.2 (the same as the str "b'abc'").
        #expect(r.serverIndex(for: Array("abc".utf8)) == 2)
        let rb = try PymemcacheRendezvous(servers: nodes3, keyForm: .bytes)
        #expect(rb.serverIndex(for: Array("abc".utf8)) == 1)
        #expect(r.serverIndex(for: Array("b'abc'".utf8)) == 1)
    }

    @Test func murmurMatchesPymemcache() throws {
        let expected = try Oracle.ints("murmur", "{}", keys: Self.textKeys)
        let got = Self.textKeys.map { Int64(KeyHash.pymemcacheMurmur3(scalars: PythonKeyForm.str.pythonScalars(of: $0))) }
        #expect(mismatches(got, expected, keys: Self.textKeys).isEmpty, "\(mismatches(got, expected, keys: Self.textKeys))")
    }

    @Test func strKeysMatchHashClient() throws {
        let servers = nodes3 + [try ServerSpec.parse("[::1]:11212"), try ServerSpec.parse("unix:/tmp/mc.sock")]
        let config = "{\"servers\": [" + servers.map { "\"\($0.description)\"" }.joined(separator: ",") + "], \"form\": \"str\"}"
        let expected = try Oracle.ints("rendezvous", config, keys: Self.textKeys)
        let scheme = try PymemcacheRendezvous(servers: servers)
        let got = Self.textKeys.map { Int64(scheme.serverIndex(for: $0)) }
        #expect(mismatches(got, expected, keys: Self.textKeys).isEmpty, "\(mismatches(got, expected, keys: Self.textKeys))")
    }

    @Test func bytesKeysMatchHashClient() throws {
        let config = "{\"servers\": [\"10.0.0.1:11211\", \"10.0.0.2:11211\", \"10.0.0.3:11211\"], \"form\": \"bytes\"}"
        let expected = try Oracle.ints("rendezvous", config, keys: Self.byteKeys)
        let scheme = try PymemcacheRendezvous(servers: nodes3, keyForm: .bytes)
        let got = Self.byteKeys.map { Int64(scheme.serverIndex(for: $0)) }
        #expect(mismatches(got, expected, keys: Self.byteKeys).isEmpty, "\(mismatches(got, expected, keys: Self.byteKeys))")
    }

    @Test func bytesReprMatchesPython() throws {
        let code = "import sys\nfor l in sys.stdin: print(repr(bytes.fromhex(l.strip())))"
        let input = Self.byteKeys.map { KeystoneKeys.hex($0) + "\n" }.joined()
        let expected = try Python.run(code: code, stdin: Data(input.utf8)).stdoutText.split(separator: "\n").map(String.init)
        #expect(Self.byteKeys.map { String(decoding: PythonRepr.bytesRepr($0), as: UTF8.self) } == expected)
    }

    /// Finds two node names that score the same for one key (a birthday search over 2^32), then checks
    /// that both orders pick the larger name, as pymemcache's `max(str(node), str(winner))` does.
    @Test func tieGoesToLargerNodeName() throws {
        let key = Array("k".utf8)
        var seen: [UInt32: String] = [:]
        var pair: (String, String)?
        var i = 0
        while pair == nil, i < 400_000 {
            let name = "n\(i)"
            let s = KeyHash.murmur3_32(Array("\(name)-k".utf8))
            if let other = seen[s] { pair = (other, name) } else { seen[s] = name }
            i += 1
        }
        let (a, b) = try #require(pair)
        let larger = Array(a.unicodeScalars.map(\.value)).lexicographicallyPrecedes(b.unicodeScalars.map(\.value)) ? b : a
        for nodes in [[a, b], [b, a], ["zzz-unrelated", a, b]] {
            let r = try PymemcacheRendezvous(nodes: nodes)
            let code = "import sys\nfrom pymemcache.client.rendezvous import RendezvousHash\nprint(RendezvousHash(sys.argv[1:]).get_node('k'))"
            let python = try Python.run(code: code, nodes).stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
            let winner = nodes[r.serverIndex(for: key)]
            #expect(winner == python, "\(nodes)")
            if r.placement(for: key).hash == UInt64(KeyHash.murmur3_32(Array("\(a)-k".utf8))) { #expect(winner == larger) }
        }
        #expect(throws: PlacementError.self) { try PymemcacheRendezvous(nodes: []) }
    }
}

@Suite struct UHashRingTests {
    static let textKeys = KeySets.keystone(count: 1000) + KeySets.ascii(count: 300) + KeySets.unicode(count: 300)
    static let nodes: [(name: String, weight: Int)] = [
        ("10.0.0.1:11211", 1), ("10.0.0.2:11211", 2), ("10.0.0.3:11211", 1), ("10.0.0.4:11211_None_None", 3),
    ]

    @Test func domainVectors() throws {
        let meta = try UHashRing(servers: nodes3, kind: .meta)
        let ketama = try UHashRing(servers: nodes3, kind: .ketama)
        let rows: [(String, Int, Int)] = [
            ("usertokens-ceilometer-uid-0001", 1, 2), ("usertokens-nova-uid-0002", 2, 1),
            ("usertokens-neutron-uid-0003", 2, 0), ("usertokens-3f1c4e2a9b8d4c7e8f6a5b4c3d2e1f00", 1, 1),
        ]
        for (logical, m, k) in rows {
            #expect(meta.serverIndex(for: vectorKey(logical)) == m, "\(logical)")
            #expect(ketama.serverIndex(for: vectorKey(logical)) == k, "\(logical)")
        }
    }

    @Test(arguments: [(UHashRing.Kind.meta, PythonKeyForm.str), (.ketama, .str), (.meta, .bytes), (.ketama, .bytes)])
    func matchesUhashring(kind: UHashRing.Kind, form: PythonKeyForm) throws {
        let keys = form == .str ? Self.textKeys : Self.textKeys.prefix(800) + KeySets.highBytes(count: 300)
        let config =
            "{\"nodes\": [" + Self.nodes.map { "[\"\($0.name)\", \($0.weight)]" }.joined(separator: ",")
            + "], \"kind\": \"\(kind.rawValue)\", \"form\": \"\(form.rawValue)\"}"
        let expected = try Oracle.ints("uhashring", config, keys: Array(keys))
        let ring = try UHashRing(nodes: Self.nodes, kind: kind, keyForm: form)
        let got = keys.map { Int64(ring.serverIndex(for: $0)) }
        #expect(mismatches(got, expected, keys: Array(keys)).isEmpty, "\(mismatches(got, expected, keys: Array(keys)))")
    }

    @Test func badNodes() {
        #expect(throws: PlacementError.self) { try UHashRing(nodes: []) }
        #expect(throws: PlacementError.self) { try UHashRing(nodes: [("a", 0)]) }
        #expect(throws: PlacementError.self) { try UHashRing(nodes: [("a", -2)]) }
    }
}
