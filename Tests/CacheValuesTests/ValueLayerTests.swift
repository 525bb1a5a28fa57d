// CacheValuesTests/ValueLayerTests: the non-pickle layers of CacheValues — the client flag table,
// zlib from Python's zlib (incl. bombs past the size and ratio limits, truncated and corrupt
// streams), integers, text and raw bytes, dogpile's serializer form, summaries and truncation.
import CacheValues
import Foundation
import PipelineRecords
import Testing
import TestSupport

/// A renderer that must not be reached: these tests feed no pickles to the decoder.
struct NoPickles: PickleRendering {
    func render(_ pickle: UnsafeRawBufferPointer) -> PickleOutcome {
        .failure(kind: "not_expected", message: "a pickle reached the renderer (\(pickle.count) bytes)", offset: 0)
    }
    func disassemble(_ pickle: UnsafeRawBufferPointer) -> String { "" }
}

func text(_ b: [UInt8]?) -> String? { b.map { String(decoding: $0, as: UTF8.self) } }

func pythonBytes(_ expr: String) throws -> [UInt8] {
    let r = try Python.run(code: "import sys, zlib, pickle, json\nsys.stdout.buffer.write(\(expr))")
    return Array(r.stdout)
}

@Suite("value layers")
struct ValueLayerTests {
    let decoder = ValueDecoder(pickle: NoPickles())

    @Test("flag table per client (DOMAIN §3.5)")
    func flagTable() {
        let pm = ClientConvention.pythonMemcached, bm = ClientConvention.bmemcached
        #expect(pm.kind(forFlags: 0) == .bytes)
        #expect(bm.kind(forFlags: 0) == .text)
        #expect(pm.kind(forFlags: 16) == .text)
        #expect(bm.kind(forFlags: 16) == .bytes)
        #expect(ClientConvention.pylibmc.kind(forFlags: 16) == .text)
        #expect(ClientConvention.pymemcache.kind(forFlags: 1 | 8) == .pickle)
        for c in ClientConvention.allCases {
            #expect(c.kind(forFlags: 2) == .int)
            #expect(c.kind(forFlags: 4) == .long)
            #expect(c.kind(forFlags: 3) == .unknown)
            #expect(c.kind(forFlags: 32) == .unknown)
        }
    }

    @Test("zlib from Python's zlib.compress, then text")
    func zlibText() throws {
        let z = try pythonBytes("zlib.compress(('héllo ' * 500).encode())")
        let d = decoder.decode(flags: 16 | 8, value: z)
        #expect(d.encoding == ["zlib", "text"])
        #expect(d.error == nil)
        let want = "\"" + String(repeating: "héllo ", count: 500) + "\""
        #expect(text(d.value) == want)
    }

    @Test("a zlib bomb stops at the size limit")
    func bombSize() throws {
        let z = try pythonBytes("zlib.compress(b'\\0' * (80 << 20), 9)")
        var limits = ValueLimits()
        limits.maxInflatedBytes = 8 << 20
        let d = ValueDecoder(limits: limits, pickle: NoPickles()).decode(flags: 8, value: z)
        #expect(d.error?.layer == "zlib")
        #expect(d.error?.message.contains("limit") == true)
        #expect(d.value == nil)
    }

    @Test("a highly compressed value over the floor stops at the ratio limit")
    func bombRatio() throws {
        let z = try pythonBytes("zlib.compress(b'a' * (4 << 20), 9)")  // ~4 KB → 4 MiB, ratio ~1000
        let d = decoder.decode(flags: 8, value: z)
        #expect(d.error?.layer == "zlib")
        var limits = ValueLimits()
        limits.maxInflateRatio = 2000
        let ok = ValueDecoder(limits: limits, pickle: NoPickles()).decode(flags: 8, value: z)
        #expect(ok.error == nil)
        #expect(ok.value?.count == (4 << 20) + 2)
    }

    @Test("truncated and corrupt zlib data are zlib errors")
    func badZlib() throws {
        let z = try pythonBytes("zlib.compress(b'some text that compresses ' * 50)")
        #expect(decoder.decode(flags: 8, value: Array(z.prefix(z.count / 2))).error?.layer == "zlib")
        var corrupt = z
        corrupt[z.count / 2] ^= 0xFF
        #expect(decoder.decode(flags: 8, value: corrupt).error?.layer == "zlib")
        #expect(decoder.decode(flags: 8, value: Array("not zlib".utf8)).error?.layer == "zlib")
        #expect(decoder.decode(flags: 8, value: []).error?.layer == "zlib")
    }

    @Test("integers: small, beyond 2^53, signed, padded, and garbage")
    func integers() {
        func json(_ s: String, flags: UInt32 = 2) -> String? { text(decoder.decode(flags: flags, value: Array(s.utf8)).value) }
        #expect(json("42") == "42")
        #expect(json("-7") == "-7")
        #expect(json("007") == "7")
        #expect(json("-0") == "0")
        #expect(json(" 12\r\n") == "12")
        #expect(json("9007199254740991") == "9007199254740991")
        #expect(json("9007199254740992") == #"{"$int":"9007199254740992"}"#)
        #expect(json("-1208925819614629174706176", flags: 4) == #"{"$int":"-1208925819614629174706176"}"#)
        let bad = decoder.decode(flags: 2, value: Array("12a".utf8))
        #expect(bad.error == LayerError(layer: "int", message: "not a decimal integer", offset: 2))
        #expect(decoder.decode(flags: 2, value: []).error?.layer == "int")
        #expect(decoder.decode(flags: 2, value: Array(repeating: UInt8(ascii: "9"), count: 5000)).error?.layer == "int")
    }

    @Test("raw bytes: UTF-8 as a string, anything else as $bytes; bmemcached's flag 16 is bytes")
    func rawBytes() {
        #expect(text(decoder.decode(flags: 0, value: Array("café\n".utf8)).value) == #""café\n""#)
        let bin = decoder.decode(flags: 0, value: [0xFF, 0x00, 0x80])
        #expect(text(bin.value) == #"{"$bytes":"/wCA"}"#)
        #expect(bin.encoding == ["bytes"])
        let bm = ValueDecoder(convention: .bmemcached, pickle: NoPickles())
        #expect(bm.decode(flags: 16, value: [0xFF]).encoding == ["bytes"])
        #expect(bm.decode(flags: 0, value: Array("t".utf8)).encoding == ["text"])
        let badText = decoder.decode(flags: 16, value: [0x61, 0xFF])
        #expect(badText.error == LayerError(layer: "text", message: "not valid UTF-8", offset: 1))
        #expect(text(badText.value) == #"{"$bytes":"Yf8="}"#)
    }

    @Test("unknown flag bits are an error, with the bytes kept")
    func unknownFlags() {
        let d = decoder.decode(flags: 64, value: Array("x".utf8))
        #expect(d.error?.layer == "flags")
        #expect(text(d.value) == #""x""#)
    }

    @Test("dogpile serializer form with a non-pickle payload; look-alikes are plain bytes")
    func serializerForm() {
        let blob = Array(#"{"ct": 1795711461.7891417, "v": 2}|{"json": true}"#.utf8)
        let d = decoder.decode(flags: 0, value: blob)
        #expect(d.encoding == ["dogpile", "bytes"])
        #expect(text(d.dogpile) == #"{"ct":1795711461.7891417,"v":2}"#)
        #expect(text(d.value) == #""{\"json\": true}""#)
        for s in [#"{"ct": 1"#, #"{"ct": 1}x"#, #"{"cx": 1}|a"#, #"{"ct": [}|a"#] {
            let p = decoder.decode(flags: 0, value: Array(s.utf8))
            #expect(p.encoding == ["bytes"], "\(s)")
            #expect(p.dogpile == nil)
        }
    }

    @Test("summary and truncation of value JSON")
    func summaryAndTruncation() throws {
        #expect(text(ValueSummary.summarize(Array("[1,[2,3],{}]".utf8))) == #"{"type":"list","json_bytes":12,"count":3}"#)
        #expect(text(ValueSummary.summarize(Array(#"{"a":1,"b":2}"#.utf8))) == #"{"type":"dict","json_bytes":13,"count":2}"#)
        #expect(text(ValueSummary.summarize(Array(#"{"$bytes":"/wCA"}"#.utf8))) == #"{"type":"bytes","json_bytes":17,"count":3}"#)
        #expect(text(ValueSummary.summarize(Array(#"{"$set":[1,2]}"#.utf8))) == #"{"type":"set","json_bytes":14,"count":2}"#)
        #expect(text(ValueSummary.summarize(Array("1.5".utf8))) == #"{"type":"float","json_bytes":3}"#)
        #expect(text(ValueSummary.summarize(Array(#""s""#.utf8))) == #"{"type":"str","json_bytes":3}"#)
        // Cut inside a 2-byte character: the prefix stops before it and stays valid JSON.
        let cut = ValueSummary.truncated(Array(#"["aé"]"#.utf8), to: 4)
        #expect(text(cut) == #"{"$truncated":{"json_bytes":7,"prefix":"[\"a"}}"#)
        _ = try JSONSerialization.jsonObject(with: Data(cut))
        var rec = ItemRecord(key: [0x6B])
        var d = DecodedValue()
        d.value = Array("[1,2,3]".utf8)
        d.apply(to: &rec, detail: .full, maxValueJSON: 3)
        #expect(text(rec.value)?.hasPrefix(#"{"$truncated""#) == true)
        rec = ItemRecord(key: [0x6B])
        d.apply(to: &rec, detail: .none, maxValueJSON: nil)
        #expect(rec.value == nil && rec.summary == nil)
    }

    @Test("inflate cap: floor, ratio, absolute maximum, no overflow")
    func inflateCap() {
        let l = ValueLimits()
        #expect(l.inflateCap(compressedCount: 10) == l.ratioFloorBytes)
        #expect(l.inflateCap(compressedCount: 100_000) == 100_000 * l.maxInflateRatio)
        #expect(l.inflateCap(compressedCount: Int.max) == l.maxInflatedBytes)
    }
}
