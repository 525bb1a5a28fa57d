// RubyMarshalTests/DalliRailsTests: real Dalli 3.0.6 and ActiveSupport 6.1 MemCacheStore writing into a
// real memcached (plus Rails 7.0 / 7.1 entries built as Rails' own code builds them); the raw bytes and
// flags read back over a plain socket decode to what Ruby itself loads, item by item. Also the Rails
// layer's recognition rules and error paths on constructed bytes.
import Compression
import Foundation
import RubyMarshal
import Testing
import TestSupport

@Suite("Dalli and Rails cache entries", .serialized)
struct DalliRailsTests {
    @Test("every item Dalli / MemCacheStore stored decodes to Ruby's reference JSON, classes, format, layers and metadata")
    func realClients() throws {
        let server = try MemcachedServer(memoryMB: 64)
        defer { server.stop() }
        let fill = try RubyOracle.run("dalli_fill.rb", [String(server.port)])
        let expected = try fill.stdoutText.split(separator: "\n").map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(expected.count == 29)
        let keys = expected.compactMap { $0["key"] as? String }
        let raw = try runProcess("/usr/bin/python3", [RubyOracle.fixtures + "/raw_get.py", String(server.port)] + keys)
        #expect(raw.status == 0, "\(raw.stderrText)")
        let items = try raw.stdoutText.split(separator: "\n").map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(items.count == expected.count)
        var flagsSeen = Set<Int>()
        var formats: [String: Int] = [:]
        for (want, item) in zip(expected, items) {
            let key = try #require(want["key"] as? String)
            #expect(item["key"] as? String == key)
            let flags = try #require(item["flags"] as? Int, "\(key) missing")
            flagsSeen.insert(flags)
            let b64 = try #require(item["b64"] as? String)
            let bytes = [UInt8](try #require(Data(base64Encoded: b64)))
            let decoded = try DalliValue.decode(bytes, flags: UInt32(flags)).get()
            #expect(String(decoding: decoded.json, as: UTF8.self) == want["json"] as? String, "\(key)")
            #expect(decoded.classes == want["classes"] as? [String] ?? [], "\(key)")
            if let format = want["format"] as? String {
                let rails = try #require(decoded.rails, "\(key) not recognised as a Rails entry")
                formats[format, default: 0] += 1
                #expect(rails.format == format, "\(key)")
                #expect(rails.layers == want["layers"] as? [String], "\(key): \(rails.layers)")
                #expect(String(decoding: rails.metadata, as: UTF8.self) == want["metadata"] as? String, "\(key)")
                #expect(rails.value == decoded.json)
            } else {
                #expect(decoded.rails == nil, "\(key)")
            }
        }
        // Dalli's zlib flag (2) appears with Marshal (3) and with raw values (2).
        #expect(flagsSeen == [0, 1, 2, 3])
        #expect(formats == ["activesupport-6.1": 6, "activesupport-7.0": 3, "activesupport-7.1": 6])
    }

    /// `"\x00\x11"`, type, expires_at, version length, version, payload.
    func coder(type: UInt8, expiresAt: Double = -1, version: [UInt8]? = nil, payload: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0, 0x11, type]
        withUnsafeBytes(of: expiresAt.bitPattern.littleEndian) { out += $0 }
        withUnsafeBytes(of: Int32(version.map { $0.count } ?? -1).littleEndian) { out += $0 }
        return out + (version ?? []) + payload
    }

    @Test("the bare Rails strings (without Dalli's Marshal) are recognised too; other values are not Rails entries")
    func recognition() throws {
        let packed70: [UInt8] = [0] + m("[", 6, "i", 6)
        let e70 = try #require(RailsCacheEntry.decode(packed70)).get()
        #expect(e70.format == "activesupport-7.0" && e70.layers == ["rails-entry", "marshal"])
        #expect(String(decoding: e70.value, as: UTF8.self) == "1")
        #expect(String(decoding: e70.metadata, as: UTF8.self) == "{\"expires_at\":null,\"version\":null}")
        let empty70 = try #require(RailsCacheEntry.decode([0] + m("[", 0))).get()
        #expect(String(decoding: empty70.value, as: UTF8.self) == "null")
        let e71 = try #require(RailsCacheEntry.decode(coder(type: 2, expiresAt: 12.5, version: Array("v".utf8), payload: Array("x".utf8)))).get()
        #expect(e71.format == "activesupport-7.1" && e71.layers == ["rails-entry"])
        #expect(String(decoding: e71.metadata, as: UTF8.self) == "{\"expires_at\":12.5,\"version\":\"v\"}")
        // A version that is Marshal data (not UTF-8, or starting 04 08) is decoded as Marshal.
        let mv = try #require(RailsCacheEntry.decode(coder(type: 3, version: m("I\"", 6, "v", 6, ":", 6, "ET"), payload: [0xFF]))).get()
        #expect(String(decoding: mv.metadata, as: UTF8.self) == "{\"expires_at\":null,\"version\":\"v\"}")
        #expect(String(decoding: mv.value, as: UTF8.self) == "{\"$bytes\":\"/w==\"}")
        let rawVersion = try #require(RailsCacheEntry.decode(coder(type: 2, version: [0xFF], payload: []))).get()
        #expect(String(decoding: rawVersion.metadata, as: UTF8.self) == "{\"expires_at\":null,\"version\":{\"$bytes\":\"/w==\"}}")
        // Not Rails: plain Marshal values, other strings, other bytes.
        #expect(RailsCacheEntry.decode(m("i", 6)) == nil)
        #expect(RailsCacheEntry.decode(m("\"", 8, "abc")) == nil)
        #expect(RailsCacheEntry.decode(m("o", sym("Other"), 0)) == nil)
        #expect(RailsCacheEntry.decode(Array("hello".utf8)) == nil)
        #expect(RailsCacheEntry.decode([]) == nil)
        // DalliValue without Rails: Marshal, and a raw value that is not UTF-8.
        let plain = try DalliValue.decode(m("[", 6, "i", 6), flags: 1).get()
        #expect(plain.layers == ["marshal"] && plain.rails == nil && String(decoding: plain.json, as: UTF8.self) == "[1]")
        let rawBytes = try DalliValue.decode([0xFF, 0x00], flags: 0).get()
        #expect(rawBytes.layers == [] && String(decoding: rawBytes.json, as: UTF8.self) == "{\"$bytes\":\"/wA=\"}")
    }

    @Test("msgpack payloads (Rails 7.1 :message_pack) are recognised, not decoded")
    func msgpack() throws {
        let e = try #require(RailsCacheEntry.decode(coder(type: 1, payload: [0xCC, 0x80, 0x93, 1, 2, 3]))).get()
        #expect(e.undecodedPayload == "msgpack")
        #expect(e.layers == ["rails-entry", "msgpack"])
        #expect(String(decoding: e.value, as: UTF8.self) == "{\"$bytes\":\"zICTAQID\"}")
    }

    @Test("error paths: truncated 7.1 header and version, unknown 7.1 type, broken zlib, zlib bomb, bad 7.0 shape, broken inner Marshal, 6.1 without @value")
    func errors() throws {
        func kind(_ b: [UInt8], maxInflated: Int = 64 << 20) -> MarshalError.Kind? {
            guard case .failure(let e) = RailsCacheEntry.decode(b, maxInflated: maxInflated) else { return nil }
            return e.kind
        }
        #expect(kind([0, 0x11, 2, 0, 0]) == .truncated)
        var longVersion = coder(type: 2, version: Array("abc".utf8), payload: [])
        longVersion.removeLast(2)
        #expect(kind(longVersion) == .truncated)
        #expect(kind(coder(type: 9, payload: [1])) == .unsupported)
        #expect(kind(coder(type: 0x82, payload: [0x12, 0x34, 0x56])) == .badArgument)
        #expect(kind([1, 0x78, 0x9C, 0xCB]) == .truncated)
        let deflated = try GzipDeflater(level: 9, format: .zlib).compress([UInt8](repeating: 0, count: 1 << 20))
        #expect(kind([1] + deflated, maxInflated: 1000) == .limit)
        #expect(kind([0] + m("i", 6)) == .badArgument)
        #expect(kind([0] + m("[", 9)) == .truncated)
        #expect(kind(m("o", sym("ActiveSupport::Cache::Entry"), 0)) == .badArgument)
        // 6.1 compressed whose @value is not a String.
        let notString = m("o", sym("ActiveSupport::Cache::Entry"), 7, sym("@value"), "i", 6, sym("@compressed"), "T")
        #expect(kind(notString) == .badArgument)
        // The offset of an error inside the 7.0 Marshal is counted in the outer input.
        guard case .failure(let e) = RailsCacheEntry.decode(m("\"", 10, [0, 4, 8, 0x5B, 0x07])) else {
            Issue.record("no error")
            return
        }
        #expect(e.kind == .truncated && e.offset >= 5)
    }
}
