// PHPValuesTests/MemcachedTests: the real php-memcached 3.2 writing into a real memcached on a free
// loopback port (serializers php, igbinary, json, msgpack; no compression, FastLZ and zlib; user
// flags), items read back raw by a text-protocol get: PHPMemcachedPayload.decode must give what
// php-memcached's own get() gives, and FastLZ must reproduce the original bytes at both levels.
import Foundation
import PHPValues
import Testing
import TestSupport

@Suite("Real php-memcached into a real memcached")
struct MemcachedTests {
    struct Item {
        var key: String
        var flags: UInt32
        var raw: [UInt8]
        var expect: String
        var original: [UInt8]?
    }

    static func items() throws -> [Item] {
        let server = try MemcachedServer(memoryMB: 64)
        defer { server.stop() }
        let r = try runProcess(PHPOracle.php, [PHPOracle.fixtures + "/memcached_items.php", String(server.port)])
        guard r.status == 0 else { throw TestSupportError.failed("memcached_items.php exited \(r.status): \(r.stderrText)") }
        return try r.stdoutText.split(separator: "\n").map { line in
            guard let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let key = o["key"] as? String, let flags = o["flags"] as? Int,
                let raw = (o["raw"] as? String).flatMap({ Data(base64Encoded: $0) }), let expect = o["expect"] as? String
            else { throw TestSupportError.failed("bad item line: \(line.prefix(200))") }
            let original = (o["original"] as? String).flatMap { Data(base64Encoded: $0) }.map { [UInt8]($0) }
            return Item(key: key, flags: UInt32(flags), raw: [UInt8](raw), expect: expect, original: original)
        }
    }

    @Test("every item php-memcached stored decodes to the canonical JSON of what its get() returns")
    func everyItem() throws {
        let items = try MemcachedTests.items()
        #expect(items.count >= 250)
        var layerSets: Set<[String]> = []
        for item in items {
            let d = PHPMemcachedPayload.decode(flags: item.flags, value: item.raw, maxInflated: 64 << 20)
            #expect(d.error == nil, "\(item.key): \(String(describing: d.error))")
            #expect(d.value.map { String(decoding: $0, as: UTF8.self) } == item.expect, "\(item.key) (flags \(item.flags))")
            #expect(d.userFlags == (item.key.contains(".5.") ? 5 : 0), "\(item.key)")
            layerSets.insert(d.layers)
            if item.key.hasSuffix(".object") {
                #expect(d.classes == ["Visibility"], "\(item.key)")
            }
        }
        for expected in [
            ["string"], ["long"], ["double"], ["bool"], ["php-serialize"], ["igbinary"], ["json"], ["msgpack"], ["fastlz", "string"],
            ["fastlz", "php-serialize"], ["zlib", "string"], ["zlib", "igbinary"], ["fastlz", "json"], ["zlib", "msgpack"],
        ] {
            #expect(layerSets.contains(expected), "no item decoded through \(expected)")
        }
    }

    @Test("FastLZ: flags 0x50/0x54, both levels, and the decompressed bytes equal the original string")
    func fastlzAgainstPHPMemcached() throws {
        let items = try MemcachedTests.items()
        var levels: Set<Int> = []
        var checked = 0
        for item in items where item.flags & 0xFFFF == 0x50 || item.flags & 0xFFFF == 0x54 {
            let prefix = Int(item.raw[0]) | Int(item.raw[1]) << 8 | Int(item.raw[2]) << 16 | Int(item.raw[3]) << 24
            let body = Array(item.raw[4...])
            levels.insert(Int(body[0] >> 5) + 1)
            let out = try FastLZ.decompress(body, expectedCount: prefix)
            if let original = item.original {
                #expect(out == original, "\(item.key)")
                #expect(item.flags & 0xFFFF == 0x50)
                checked += 1
            } else {
                #expect(item.flags & 0xFFFF == 0x54)
                #expect(out.starts(with: Array("a:2000:{".utf8)), "\(item.key)")
            }
            // Any other expected length is refused.
            #expect(throws: PHPValueError.self) { try FastLZ.decompress(body, expectedCount: prefix - 1) }
            #expect(throws: PHPValueError.self) { try FastLZ.decompress(body, expectedCount: prefix + 1) }
        }
        #expect(levels == [1, 2])
        #expect(checked >= 6)
        #expect(items.contains { $0.flags == 0x54 })
    }
}
