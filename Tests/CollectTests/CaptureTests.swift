// End-to-end capture of Keystone-shaped data written by the real Python clients: every value
// byte-identical to what the server holds, metadata right, the server undisturbed, and only
// allowlisted commands on the wire (a recording proxy sits between collect and memcached).
import DumpContainer
import Foundation
import Testing
import TestSupport

@Suite(.serialized) struct CaptureTests {
    /// Every request line on the wire is one of docs/collect.md's allowlist (`also`: the ones a watch adds).
    static func expectAllowlisted(_ lines: [String], also: [String] = []) throws {
        let allowed = try
            ([
                "version", "stats", "stats settings", "stats items", "stats slabs", "lru_crawler metadump all", "mn",
                "mg [^ ]+( b)?( v f t c u| f t s c u) q O[0-9]+", "stats cachedump [0-9]+ 0",
            ] + also).map { try Regex($0) }
        for line in lines {
            #expect(allowed.contains { line.wholeMatch(of: $0) != nil }, "not allowlisted: \(line.prefix(120))")
        }
    }

    @Test func keystoneDataCapturedExactlyWithoutDisturbingTheServer() throws {
        let server = try MemcachedServer(memoryMB: 256, extraArguments: ["-I", "2m"])
        defer { server.stop() }
        let written = try #require(try PyScript.json("collect_fill.py", [String(server.port)]) as? [String])
        let before = try PyScript.snapshot(server.port)
        #expect(Set(written).isSubset(of: Set(before.keys)))

        let work = try CollectRun.tempDir("keystone")
        let out = work + "/out"
        let log = work + "/proxy.log"
        let proxy = try Background(Python.interpreter, [PyScript.path("collect_proxy.py"), String(server.port), log])
        defer { proxy.stop() }
        let proxyPort = try #require(UInt16(proxy.firstLine))
        let r = try CollectRun.run(["127.0.0.1:\(proxyPort)", "--out", out])
        #expect(r.status == 0, "\(r.stderrText)")

        // Not disturbed: the same metadump afterwards (la, cas, exp unchanged; nothing marked fetched).
        let after = try PyScript.snapshot(server.port)
        #expect(NSDictionary(dictionary: before).isEqual(to: after))
        #expect(after.values.allSatisfy { ($0["fetch"] as? String) == "no" })

        // Byte-identical values and right metadata, against Python reading the server afterwards.
        let dump = try ReadDump(path: out + "/127.0.0.1_\(proxyPort).mcdump.gz")
        #expect(dump.error == nil)
        let trailer = try #require(dump.trailer)
        #expect(trailer.complete && trailer.captured == before.count && trailer.missed == 0)
        #expect(dump.header?.method == "metadump" && dump.header?.serverVersion == "1.6.18")
        #expect(
            Set(dump.stats.map { "\($0.section)/\($0.label)" }).isSuperset(of: ["general/start", "settings/start", "items/start", "slabs/start", "general/end"])
        )
        let keysJSON = try JSONSerialization.data(withJSONObject: Array(before.keys))
        let oracle = try #require(try PyScript.json("collect_oracle.py", [String(server.port)], stdin: keysJSON) as? [String: [String: Any]])
        let items = dump.itemsByHexKey
        #expect(items.count == before.count && dump.items.count == before.count)
        for (hex, meta) in before {
            let item = try #require(items[hex], "missing \(hex)")
            let truth = try #require(oracle[hex])
            #expect(item.value?.hex == truth["value"] as? String, "value of \(hex)")
            #expect(item.valueLength == item.value?.count)
            #expect(Int(item.flags) == truth["flags"] as? Int)
            #expect(Int(item.cas) == truth["cas"] as? Int && Int(item.cas) == meta["cas"] as? Int)
            #expect(Int(item.exp) == meta["exp"] as? Int)
            #expect(Int(item.lastAccess) == meta["la"] as? Int)
            #expect(item.slabClass == meta["cls"] as? Int)
            #expect(item.totalSize == meta["size"] as? Int)
            #expect(item.fetched == false)
        }
        // The shapes the test meant to cover are really there.
        let flags = Set(dump.items.map(\.flags))
        #expect(flags.isSuperset(of: [0, 1, 2, 5, 9, 16]))
        #expect(dump.items.contains { $0.valueLength >= 1_000_000 })
        #expect(dump.items.contains { (560_000...620_000).contains($0.valueLength) && $0.slabClass == 39 })
        #expect(items[Array("spécial-ключ".utf8).hex] != nil && items[Array("a%b%%".utf8).hex] != nil)
        #expect(items[[0x73, 0x70, 0x20, 0x61, 0x63, 0x65, 0x01, 0xFF, 0x00].hex + Array("end".utf8).hex]?.value == [0x62, 0x0D, 0x0A, 0x69, 0x6E])
        #expect(dump.items.contains { $0.exp == -1 })

        // Manifest.
        let manifest = try CollectRun.manifest(out)
        #expect(manifest["complete"] as? Bool == true && manifest["exit_status"] as? Int == 0)
        let host = try #require(CollectRun.servers(manifest).first)
        #expect(host["status"] as? String == "complete" && host["captured"] as? Int == before.count)
        #expect((host["sha256"] as? String)?.count == 64 && host["server_version"] as? String == "1.6.18")
        let attrs = try FileManager.default.attributesOfItem(atPath: out + "/127.0.0.1_\(proxyPort).mcdump.gz")
        #expect((attrs[.posixPermissions] as? Int) == 0o600)

        // Only allowlisted commands reached the server.
        proxy.stop()
        let wire = try Data(contentsOf: URL(fileURLWithPath: log))
        let lines = String(decoding: wire, as: UTF8.self).components(separatedBy: "\r\n").filter { !$0.isEmpty }
        try Self.expectAllowlisted(lines)
        #expect(lines.filter { $0 == "lru_crawler metadump all" }.count == 1)
        #expect(lines.filter { $0.hasPrefix("mg ") }.count == before.count)
        #expect(lines.contains { $0.hasPrefix("mg ") && $0.contains(" b ") })
    }

    /// With --watch the wire carries two more read-only requests, `watch …` and `stats conns`, and the
    /// server is as undisturbed as without it.
    @Test func aWatchSendsOnlyAllowlistedRequestsAndChangesNothing() throws {
        let server = try MemcachedServer(memoryMB: 64)
        defer { server.stop() }
        try Python.run(
            code: """
                import memcache, sys
                c = memcache.Client(['127.0.0.1:%s' % sys.argv[1]])
                for i in range(50): c.set('w%d' % i, 'v' * (i + 1), time=600)
                """, [String(server.port)])
        let before = try PyScript.snapshot(server.port)
        let work = try CollectRun.tempDir("watchwire")
        let log = work + "/proxy.log"
        let proxy = try Background(Python.interpreter, [PyScript.path("collect_proxy.py"), String(server.port), log])
        defer { proxy.stop() }
        let proxyPort = try #require(UInt16(proxy.firstLine))
        let r = try CollectRun.run(["127.0.0.1:\(proxyPort)", "--out", work + "/out", "--watch", "1", "--stats-every", "0.25"])
        #expect(r.status == 0, "\(r.stderrText)")
        let after = try PyScript.snapshot(server.port)
        #expect(NSDictionary(dictionary: before).isEqual(to: after))
        proxy.stop()
        let wire = try Data(contentsOf: URL(fileURLWithPath: log))
        let lines = String(decoding: wire, as: UTF8.self).components(separatedBy: "\r\n").filter { !$0.isEmpty }
        try Self.expectAllowlisted(lines, also: ["stats conns", "watch fetchers mutations evictions connevents"])
        #expect(lines.filter { $0.hasPrefix("watch") }.count == 1)
        #expect(lines.filter { $0 == "stats conns" }.count >= 3)
        let dump = try ReadDump(path: work + "/out/127.0.0.1_\(proxyPort).mcdump.gz")
        #expect(dump.header?.format == 2 && dump.watch?.ended == "elapsed" && dump.items.count == 50)
        #expect(dump.stats.contains { $0.section == "conns" && $0.label == "sample-1" })
        let manifest = try CollectRun.manifest(work + "/out")
        #expect((CollectRun.servers(manifest).first?["watch"] as? [String: Any])?["ended"] as? String == "elapsed")
        #expect((manifest["options"] as? [String: Any])?["watch"] as? Double == 1)
    }

    @Test func keysOnlyAndKeyListFromStdin() throws {
        let server = try MemcachedServer(memoryMB: 64)
        defer { server.stop() }
        try Python.run(
            code: """
                import memcache, sys
                c = memcache.Client(['127.0.0.1:%s' % sys.argv[1]])
                for i in range(300): c.set('k%d' % i, 'v' * (i + 1), time=600)
                """, [String(server.port)])
        let work = try CollectRun.tempDir("keysonly")
        let r = try CollectRun.run(["127.0.0.1:\(server.port)", "--out", work + "/a", "--keys-only"])
        #expect(r.status == 0, "\(r.stderrText)")
        let dump = try ReadDump(path: work + "/a/127.0.0.1_\(server.port).mcdump.gz")
        #expect(dump.items.count == 300 && dump.items.allSatisfy { $0.value == nil })
        #expect(dump.itemsByHexKey[Array("k9".utf8).hex]?.valueLength == 10)
        #expect(dump.header?.keysOnly == true)

        let keys = Data("k1\nk299\r\nnot-there\n\n".utf8)
        let r2 = try CollectRun.run(["127.0.0.1:\(server.port)", "--out", work + "/b", "--keys", "-"], stdin: keys)
        #expect(r2.status == 0, "\(r2.stderrText)")
        let d2 = try ReadDump(path: work + "/b/127.0.0.1_\(server.port).mcdump.gz")
        #expect(d2.header?.method == "keys")
        #expect(d2.items.map { String(decoding: $0.key, as: UTF8.self) }.sorted() == ["k1", "k299"])
        #expect(d2.itemsByHexKey[Array("k299".utf8).hex]?.value == Array(String(repeating: "v", count: 300).utf8))
        #expect(d2.misses.map { String(decoding: $0.key, as: UTF8.self) } == ["not-there"])
        #expect(d2.trailer?.complete == true && d2.trailer?.missed == 1)
    }

    @Test func valuesOverTheLimitKeepMetadataOnly() throws {
        let server = try MemcachedServer(memoryMB: 64)
        defer { server.stop() }
        try Python.run(
            code: """
                import memcache, sys
                c = memcache.Client(['127.0.0.1:%s' % sys.argv[1]])
                c.set('small', 'x' * 100); c.set('large', 'y' * 200000)
                """, [String(server.port)])
        let work = try CollectRun.tempDir("maxvalue")
        let r = try CollectRun.run([
            "127.0.0.1:\(server.port)", "--out", work, "--max-value-bytes", "1000", "--rate", "1000", "--bandwidth", "10", "--stats-every", "60",
        ])
        #expect(r.status == 0, "\(r.stderrText)")
        let dump = try ReadDump(path: work + "/127.0.0.1_\(server.port).mcdump.gz")
        let items = dump.itemsByHexKey
        #expect(items[Array("small".utf8).hex]?.value == Array(String(repeating: "x", count: 100).utf8))
        #expect(items[Array("large".utf8).hex]?.value == nil)
        #expect(items[Array("large".utf8).hex]?.valueLength == 200_000)
    }
}
