// PipelineRecordsTests/WriterTests: the NDJSON writer, JSON escaping, UTF-8 validation and base64,
// checked against Python's json, codecs and base64 modules on the same bytes.
import ByteText
import Foundation
import PipelineRecords
import Testing
import TestSupport
import JSONText

@Suite("NDJSON writer")
struct WriterTests {
    @Test("strings with every control character, quotes, backslashes and non-ASCII parse back in Python")
    func escapingMatchesPython() throws {
        var s = ""
        for c in 0..<0x20 { s.unicodeScalars.append(UnicodeScalar(UInt8(c))) }
        s += "\"\\/ é ☃ 😀 \u{7F} \u{2028}"
        var w = NDJSONWriter()
        w.beginObject()
        w.key("s"); w.string(s)
        w.key("n"); w.int(-9_223_372_036_854_775_808)
        w.key("u"); w.uint(UInt64.max)
        w.key("d"); w.double(1.5)
        w.key("e"); w.double(1e-7)
        w.key("a"); w.beginArray(); w.int(1); w.null(); w.bool(true); w.beginObject(); w.endObject(); w.endArray()
        w.endObject()
        w.endLine()
        let code = """
            import json, sys
            o = json.loads(sys.stdin.buffer.read())
            want = ''.join(chr(c) for c in range(32)) + '"\\\\/ é ☃ 😀 \\x7f \\u2028'
            assert o['s'] == want, repr(o['s'])
            assert o['n'] == -2**63 and o['u'] == 2**64 - 1
            assert o['d'] == 1.5 and type(o['e']) is float and o['e'] == 1e-7
            assert o['a'] == [1, None, True, {}]
            assert list(o) == ['s', 'n', 'u', 'd', 'e', 'a']
            print('ok')
            """
        let r = try Python.run(code: code, stdin: Data(w.buffer))
        #expect(r.stdoutText == "ok\n")
        #expect(w.buffer.last == UInt8(ascii: "\n"))
        #expect(w.buffer.filter { $0 == UInt8(ascii: "\n") }.count == 1)
    }

    @Test("keys that are not UTF-8 go to key_b64, exactly the bytes")
    func keyBase64() throws {
        let keys: [[UInt8]] = [Array("plain".utf8), [0xFF, 0xFE, 0x41], [0xC3, 0xA9], [0xED, 0xA0, 0x80], [0xC0, 0x80]]
        var w = NDJSONWriter()
        for k in keys {
            w.beginObject()
            k.withUnsafeBytes { w.bytesField("key", b64Name: "key_b64", $0) }
            w.endObject()
            w.endLine()
        }
        let code = """
            import json, sys, base64
            for line in sys.stdin.buffer.read().splitlines():
                o = json.loads(line)
                if 'key' in o: print('t', o['key'].encode('utf-8').hex())
                else: print('b', base64.b64decode(o['key_b64']).hex())
            """
        let r = try Python.run(code: code, stdin: Data(w.buffer))
        #expect(r.stdoutText == "t 706c61696e\nb fffe41\nt c3a9\nb eda080\nb c080\n")
    }

    @Test("strict UTF-8 validation agrees with Python on tricky sequences")
    func utf8AgreesWithPython() throws {
        let cases: [[UInt8]] = [
            [], [0x41], [0xC3, 0xA9], [0xC3], [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xED, 0x9F, 0xBF], [0xED, 0xA0, 0x80],
            [0xF4, 0x8F, 0xBF, 0xBF], [0xF4, 0x90, 0x80, 0x80], [0xF0, 0x8F, 0xBF, 0xBF], [0xF0, 0x9F, 0x98, 0x80],
            [0xFF], [0x80], [0xE2, 0x98], [0xEF, 0xBF, 0xBF], [0x61, 0xF0, 0x9F, 0x98],
        ]
        let hex = cases.map { $0.map { String(format: "%02x", $0) }.joined() }.joined(separator: " ")
        let code = """
            import sys
            out = []
            for h in sys.argv[1:]:
                try: bytes.fromhex(h).decode('utf-8'); out.append('1')
                except UnicodeDecodeError: out.append('0')
            print(''.join(out))
            """
        let args = cases.map { $0.map { String(format: "%02x", $0) }.joined() }
        let r = try Python.run(code: code, args.map { $0.isEmpty ? "" : $0 })
        let mine = cases.map { c in c.withUnsafeBytes { JSONString.isValidUTF8($0) } ? "1" : "0" }.joined()
        #expect(r.stdoutText == mine + "\n", "cases: \(hex)")
    }

    @Test("base64 matches Python for lengths 0…40 and decodes back")
    func base64MatchesPython() throws {
        var inputs: [[UInt8]] = []
        for n in 0...40 { inputs.append((0..<n).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ n) }) }
        let mine = inputs.map { Base64.encode($0) }
        let code = """
            import sys, base64
            for h in sys.argv[1:]: print(base64.b64encode(bytes.fromhex(h)).decode())
            """
        let r = try Python.run(code: code, inputs.map { $0.map { String(format: "%02x", $0) }.joined() })
        #expect(r.stdoutText == mine.map { $0 + "\n" }.joined())
        for (i, s) in mine.enumerated() { #expect(Base64.decode(s) == inputs[i]) }
        for bad in ["A", "AB=C", "====", "AB*=", "QQ==QQ==", "QQ=A"] { #expect(Base64.decode(bad) == nil, "\(bad)") }
    }

    @Test("item record fields come in the documented order, optional ones left out")
    func itemFieldOrder() throws {
        var r = ItemRecord(key: Array("k".utf8))
        r.host = "h"; r.port = 1; r.size = 2; r.flags = 1; r.cas = 3; r.exp = .never; r.la = 4; r.cls = 5
        r.fetched = true; r.totalSize = 70; r.encoding = ["zlib", "pickle"]; r.pickleProtocol = 2
        r.dogpile = Array(#"{"ct":1.5,"v":2}"#.utf8); r.value = Array("[1]".utf8)
        r.error = LayerError(layer: "pickle", message: "m", offset: 7); r.note = "n"
        var w = NDJSONWriter()
        r.write(to: &w)
        #expect(
            String(decoding: w.buffer, as: UTF8.self) == #"""
                {"type":"item","host":"h","port":1,"key":"k","size":2,"flags":1,"cas":3,"exp":null,"la":4,"cls":5,"fetched":true,"total_size":70,"encoding":["zlib","pickle"],"pickle_protocol":2,"dogpile":{"ct":1.5,"v":2},"value_json_bytes":3,"value":[1],"error":{"layer":"pickle","message":"m","offset":7},"note":"n"}

                """#)
        var bare = ItemRecord(key: [0xFF])
        bare.captured = false
        w.clear()
        bare.write(to: &w)
        #expect(String(decoding: w.buffer, as: UTF8.self) == "{\"type\":\"item\",\"key_b64\":\"/w==\",\"captured\":false}\n")
    }

    @Test("source record: rates between the first and last general sample")
    func sourceRates() throws {
        var s = SourceRecord(file: "f", format: "mcdump", complete: true)
        s.stats = [
            StatsSample(label: "start", sections: [("general", [("time", "100"), ("bytes_read", "1000"), ("cmd_get", "5")])]),
            StatsSample(label: "end", sections: [("general", [("time", "110"), ("bytes_read", "6000"), ("cmd_get", "25")])]),
        ]
        let rates = try #require(s.rates())
        #expect(rates.interval == 10)
        #expect(rates.values.first { $0.0 == "bytes_read" }?.1 == 500)
        #expect(rates.values.first { $0.0 == "cmd_get" }?.1 == 2)
        var w = NDJSONWriter()
        s.write(to: &w)
        let o = try #require(try JSONSerialization.jsonObject(with: Data(w.buffer)) as? [String: Any])
        #expect(o["schema"] as? Int == RecordSchema.version)
        #expect((o["rates"] as? [String: Any])?["interval_s"] as? Int == 10)
        s.stats.removeLast()
        #expect(s.rates() == nil)
    }
}
