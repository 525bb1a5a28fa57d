// CacheValuesTests/PickleLayerTests: the pickle paths of CacheValues with the real SafePickle —
// dogpile CachedValue envelopes made by dogpile itself (protocols 0, 2, 5), the serializer form with
// a pickle payload, flags-0 sniffing, and failing pickles (error with the layer and offset).
import CacheValues
import Foundation
import Testing
import TestSupport

@Suite("pickle layers")
struct PickleLayerTests {
    let decoder = ValueDecoder(pickle: SafePickleRenderer())

    @Test("CachedValue from dogpile, protocols 0, 2 and 5: dogpile + value", arguments: [0, 2, 5])
    func cachedValue(proto: Int) throws {
        let v = try pythonBytes(
            "pickle.dumps(__import__('dogpile.cache.api', fromlist=['x']).CachedValue({'a': [1, 'b']}, {'ct': 1.25, 'v': 2}), protocol=\(proto))")
        let d = decoder.decode(flags: 1, value: v)
        #expect(d.error == nil)
        #expect(d.encoding == ["pickle", "dogpile"])
        #expect(d.pickleProtocol == (proto >= 2 ? proto : 0))
        #expect(text(d.dogpile) == #"{"ct":1.25,"v":2}"#)
        #expect(text(d.value) == #"{"a":[1,"b"]}"#)
    }

    @Test("a dict that merely has a $cachedvalue-like shape inside is not unwrapped")
    func notAnEnvelope() throws {
        let v = try pythonBytes("pickle.dumps([{'payload': 1, 'metadata': 2}], protocol=2)")
        let d = decoder.decode(flags: 1, value: v)
        #expect(d.encoding == ["pickle"])
        #expect(d.dogpile == nil)
    }

    @Test("serializer form with a pickle payload; an error offset counts from the value's start")
    func serializerPickle() throws {
        let good = try pythonBytes("b'{\"ct\": 5.5, \"v\": 2}|' + pickle.dumps([1, 2], protocol=5)")
        let d = decoder.decode(flags: 0, value: good)
        #expect(d.encoding == ["dogpile", "pickle"])
        #expect(text(d.value) == "[1,2]")
        #expect(d.pickleProtocol == 5)
        let header = Array(#"{"ct": 5.5, "v": 2}|"#.utf8)
        let bad = header + [0x80, 0x05, 0xFF, UInt8(ascii: ".")]
        let e = decoder.decode(flags: 0, value: bad)
        #expect(e.error?.layer == "pickle")
        #expect(e.error?.offset == header.count + 2)
    }

    @Test("flags 0 with a binary pickle is decoded (noted); a look-alike that fails stays bytes")
    func sniffing() throws {
        let p = try pythonBytes("pickle.dumps({'x': 1}, protocol=4)")
        let d = decoder.decode(flags: 0, value: p)
        #expect(d.encoding == ["pickle"])
        #expect(d.note?.contains("protocol-4 pickle") == true)
        let fake: [UInt8] = [0x80, 0x04, 0xFF, UInt8(ascii: ".")]
        let f = decoder.decode(flags: 0, value: fake)
        #expect(f.encoding == ["bytes"])
        #expect(f.error == nil)
    }

    @Test("failing pickles: truncated, refused opcodes, never executed")
    func failures() throws {
        let truncated = decoder.decode(flags: 1, value: Array("(lp0\nI1\n".utf8))
        #expect(truncated.error?.layer == "pickle")
        #expect(truncated.error?.message.hasPrefix("truncated") == true)
        let persid = decoder.decode(flags: 1, value: Array("P1\n.".utf8))
        #expect(persid.error?.message.hasPrefix("unsupported") == true)
        let evil = decoder.decode(flags: 1, value: Array("cos\nsystem\n(S'touch /tmp/x'\ntR.".utf8))
        #expect(evil.error == nil)
        #expect(text(evil.value) == #"{"$class":"os.system","$args":["touch /tmp/x"]}"#)
    }

    @Test("zlib + pickle from python-memcached's own compression")
    func zlibPickle() throws {
        let v = try pythonBytes("zlib.compress(pickle.dumps(['t%d' % i for i in range(300)], protocol=0))")
        let d = decoder.decode(flags: 9, value: v)
        #expect(d.encoding == ["zlib", "pickle"])
        #expect(text(d.value)?.hasSuffix(#""t299"]"#) == true)
    }
}
