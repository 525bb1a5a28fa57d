// A crawl can miss items the LRU maintainer moves while it walks, so when the first metadump lists
// fewer lines than `curr_items`, collect takes a second crawl and fetches only the keys the first did
// not list. Tested against a real memcached: two real spools chained yield the union without
// duplicates, and a server whose `curr_items` counts expired items makes collect take the second
// crawl, say so, and still write every live item exactly once.
import Foundation
import MemcacheProtocol
import Testing
import TestSupport

@testable import MemcacheClient

@Suite(.serialized) struct SecondCrawlTests {
    /// The server's `lru_crawler metadump all` answer, read to END by Python, spooled and sealed by the
    /// crawl side of a MetadumpSpool. (Not through MemcacheConnection: an async test can starve behind the
    /// blocking tests that run beside it.)
    func spool(_ port: UInt16, after earlier: MetadumpSpool?) throws -> MetadumpSpool {
        let r = try Python.run(
            code: """
                import socket, sys
                s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
                s.sendall(b'lru_crawler metadump all\\r\\n')
                data = b''
                while not data.endswith(b'END\\r\\n'):
                    data += s.recv(65536)
                sys.stdout.buffer.write(data)
                """, [String(port)])
        let spool = try MetadumpSpool(directory: NSTemporaryDirectory())
        var buffer = ResponseBuffer()
        buffer.append(contentsOf: [UInt8](r.stdout))
        var parser = MetadumpParser()
        #expect(try spool.ingest(&buffer, parser: &parser) == .end)
        try spool.seal(after: earlier)
        return spool
    }

    func set(_ port: UInt16, _ keys: [String], ttl: Int = 0) throws {
        try Python.run(
            code: """
                import sys, pymemcache
                c = pymemcache.Client(('127.0.0.1', int(sys.argv[1])))
                for k in sys.argv[3:]: c.set(k, b'value of ' + k.encode(), expire=int(sys.argv[2]))
                """, [String(port), String(ttl)] + keys)
    }

    @Test func chainedSpoolsYieldTheUnionOnce() throws {
        let server = try MemcachedServer(memoryMB: 64)
        defer { server.stop() }
        let first = (0..<120).map { "first-\($0)" }
        let later = (0..<45).map { "later-\($0)" }
        try set(server.port, first)
        let one = try spool(server.port, after: nil)
        try set(server.port, later)
        let two = try spool(server.port, after: one)
        #expect(one.lines == 120 && two.lines == 165)
        let crawls = MetadumpCrawls(completedSpools: [one, two])
        var keys: [String] = []
        while case .key(let k) = try crawls.nextKey() { keys.append(String(decoding: k.key, as: UTF8.self)) }
        #expect(keys.count == 165)
        #expect(Set(keys) == Set(first + later))
        #expect(one.yielded == 120 && two.yielded == 45 && two.duplicates == 120)
    }

    /// 80 live items and 40 that have just expired: until a crawl reclaims the expired ones, curr_items
    /// still counts them, so the first crawl lists fewer lines than curr_items and a second crawl follows.
    func serverWithExpiredItems() throws -> (server: MemcachedServer, live: [String]) {
        let server = try MemcachedServer(memoryMB: 64)
        let live = (0..<80).map { "live-\($0)" }
        try set(server.port, live)
        try set(server.port, (0..<40).map { "short-\($0)" }, ttl: 1)
        Thread.sleep(forTimeInterval: 2.2)
        return (server, live)
    }

    @Test func collectTakesASecondCrawlWhenTheFirstListsFewerThanCurrItems() throws {
        let (server, live) = try serverWithExpiredItems()
        defer { server.stop() }
        let dir = try CollectRun.tempDir("second-crawl-collect")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try CollectRun.run(["127.0.0.1:\(server.port)", "--out", dir + "/out"])
        #expect(r.status == 0, "\(r.stderrText)")
        let host = try #require(CollectRun.servers(try CollectRun.manifest(dir + "/out")).first)
        let notes = host["notes"] as? [String] ?? []
        #expect(notes.contains { $0.contains("a second crawl listed") }, "no second crawl: \(notes)")
        #expect(notes.contains { $0.contains("the second crawl listed 0 key(s) the first had missed") }, "\(notes)")
        let dump = try ReadDump(path: dir + "/out/127.0.0.1_\(server.port).mcdump.gz")
        let keys = dump.items.map { String(decoding: $0.key, as: UTF8.self) }
        #expect(keys.count == 80 && Set(keys) == Set(live))
        #expect(dump.trailer?.complete == true)
    }

    @Test func aSecondCrawlThatBreaksOffMakesTheHostPartial() throws {
        let (server, live) = try serverWithExpiredItems()
        defer { server.stop() }
        let dir = try CollectRun.tempDir("second-crawl-cut")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let proxy = try Background(
            Python.interpreter, [PyScript.path("collect_proxy.py"), String(server.port), dir + "/proxy.log", "--cut-crawl", "2"])
        defer { proxy.stop() }
        let proxyPort = try #require(UInt16(proxy.firstLine))
        let r = try CollectRun.run(["127.0.0.1:\(proxyPort)", "--out", dir + "/out"])
        #expect(r.status == 3, "\(r.stderrText)")
        let host = try #require(CollectRun.servers(try CollectRun.manifest(dir + "/out")).first)
        #expect(host["status"] as? String == "partial")
        let errors = host["errors"] as? [String] ?? []
        #expect(errors.contains { $0.hasPrefix("metadump listing: second crawl:") }, "\(errors)")
        // The first crawl's items are all in the dump; the trailer says it is not complete.
        let dump = try ReadDump(path: dir + "/out/127.0.0.1_\(proxyPort).mcdump.gz")
        #expect(Set(dump.items.map { String(decoding: $0.key, as: UTF8.self) }) == Set(live))
        #expect(dump.trailer?.complete == false)
    }
}
