// DecodeTests/RealClientTests: dumps captured by the real `collect` from a real memcached filled by
// the real Python clients (python-memcached with and without compression, pymemcache protocol 5 +
// CompressedSerde, dogpile regions with the memcached and pymemcache backends, and with a
// serializer), decoded by `decode` and compared item by item with what Python itself decodes from
// the bytes it reads back from the same server (oracle.py check).
import Foundation
import Testing
import TestSupport

@Suite("decode vs Python on real client data", .serialized)
struct RealClientTests {
    func roundTrip(_ scenarios: [String], extra: [String] = []) throws -> (ProcessResult, [[String: Any]]) {
        let dir = try ScratchDir()
        let server = try MemcachedServer(memoryMB: 64)
        defer { server.stop() }
        let capture = try Oracle.fillAndCapture(port: server.port, scenarios: scenarios, into: dir)
        let out = dir.file("dumps")
        let c = try runProcess(Repo.executable("collect"), ["127.0.0.1:\(server.port)", "--out", out])
        #expect(c.status == 0, "collect exited \(c.status): \(c.stderrText)")
        let dump = out + "/127.0.0.1_\(server.port).mcdump.gz"
        let manifest = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/MANIFEST.json"))) as? [String: Any])
        let hosts = try #require(manifest["servers"] as? [[String: Any]])
        let ndjson = dir.file("out.ndjson")
        let r = try DecodeTool.run([dump, "--output", ndjson] + extra)
        #expect(r.status == 0, "decode exited \(r.status): \(r.stderrText)")
        let check = try Oracle.check(capture: capture, ndjson: ndjson)
        #expect(check.status == 0, "Python disagrees:\n\(check.stdoutText)\(check.stderrText)")
        let records = try DecodeTool.records(try String(contentsOfFile: ndjson, encoding: .utf8))
        let source = try #require(DecodeTool.sources(records).first)
        #expect(source["sha256"] as? String == hosts.first?["sha256"] as? String)
        #expect(source["complete"] as? Bool == true)
        #expect(source["port"] as? Int == Int(server.port))
        #expect(source["method"] as? String == "metadump")
        return (r, records)
    }

    @Test("python-memcached, no compression")
    func pythonMemcached() throws {
        let (_, records) = try roundTrip(["pm"])
        let items = DecodeTool.items(records)
        #expect(items.count == 20)
        let text = try #require(items.first { $0["key"] as? String == "pm:text" })
        #expect(text["value"] as? String == "plain text é")
        #expect(text["encoding"] as? [String] == ["text"])
    }

    @Test("python-memcached with min_compress_len: zlib layers")
    func pythonMemcachedCompressed() throws {
        let (_, records) = try roundTrip(["pmz"])
        let zipped = DecodeTool.items(records).filter { ($0["encoding"] as? [String])?.first == "zlib" }
        #expect(zipped.count >= 3)
    }

    @Test("pymemcache, protocol 5 + CompressedSerde")
    func pymemcache() throws {
        let (_, records) = try roundTrip(["pymc"], extra: ["--client", "pymemcache"])
        let protos = Set(DecodeTool.items(records).compactMap { $0["pickle_protocol"] as? Int })
        #expect(protos == [5])
    }

    @Test("dogpile regions: memcached and pymemcache backends, and a serializer")
    func dogpile() throws {
        let (_, records) = try roundTrip(["dogpile", "dogpile-pymc", "dogpile-ser"])
        let items = DecodeTool.items(records)
        #expect(items.count == 36)
        for item in items {
            let dogpile = try #require(item["dogpile"] as? [String: Any], "no dogpile field: \(item)")
            #expect(dogpile["v"] as? Int == 2)
            #expect(dogpile["ct"] is Double)
        }
        let serialized = items.filter { ($0["encoding"] as? [String]) == ["dogpile", "pickle"] }
        #expect(serialized.count == 12)
    }
}
