// PHPValuesTests/HostileTests: hostile and malformed input — every truncation of every fixture, huge
// counts and lengths refused before allocating, nesting limits, bad references, reference bombs, bad
// tags, FastLZ damage and php-memcached prefix abuse — each with its error kind and offset.
import Foundation
import PHPValues
import Testing
import TestSupport

func serr(_ s: String, _ limits: PHPLimits = .default) -> PHPValueError? { PHPOracle.error(PHPSerialize.canonicalJSON(latin1(s), limits: limits)) }
func ierr(_ b: [UInt8], _ limits: PHPLimits = .default) -> PHPValueError? { PHPOracle.error(Igbinary.canonicalJSON(b, limits: limits)) }

@Suite("Hostile input")
struct HostileTests {
    @Test("every truncation of every serialize and igbinary fixture is `truncated` with an offset")
    func truncations() throws {
        var checked = 0
        for c in try PHPOracle.cases(count: 100) {
            for (name, bytes) in [("serialize", c.serialized), ("igbinary", c.igbinary)] {
                let cuts = bytes.count <= 2048 ? Array(0..<bytes.count) : Array(stride(from: 0, to: bytes.count, by: bytes.count / 200)) + [bytes.count - 1]
                for n in cuts {
                    let prefix = Array(bytes[0..<n])
                    let e = name == "serialize" ? PHPOracle.error(PHPSerialize.canonicalJSON(prefix)) : PHPOracle.error(Igbinary.canonicalJSON(prefix))
                    #expect(e?.kind == .truncated, "\(c.id) \(name) cut at \(n) of \(bytes.count): \(String(describing: e))")
                    #expect((e?.offset ?? -1) >= 0 && (e?.offset ?? Int.max) <= n)
                    checked += 1
                }
            }
        }
        #expect(checked > 20_000)
    }

    @Test("huge counts and lengths are refused before anything is allocated")
    func hugeClaims() {
        #expect(serr("a:999999999:{") == PHPValueError(.truncated, "array count 999999999 is more than the 2 bytes left can hold", offset: 2))
        #expect(serr(#"s:4294967295:""#)?.kind == .truncated)
        #expect(serr(#"s:4294967295:""#)?.offset == 2)
        #expect(serr(#"s:99999999999999999999999999:"x";"#)?.kind == .truncated)
        #expect(serr(#"O:8:"stdClass":999999999:{"#)?.kind == .truncated)
        #expect(serr(#"C:1:"A":999999:{x}"#)?.kind == .truncated)
        #expect(serr(#"E:999999:"A:B";"#)?.kind == .truncated)
        // igbinary: string32, array32, object property count, Serializable blob, string64.
        #expect(
            ierr([0, 0, 0, 2, 0x13, 0xFF, 0xFF, 0xFF, 0xFF, 0x61])
                == PHPValueError(.truncated, "a string length 4294967295 is more than the 1 bytes left", offset: 5))
        #expect(ierr([0, 0, 0, 2, 0x16, 0xFF, 0xFF, 0xFF, 0xFF, 0x00])?.kind == .truncated)
        #expect(ierr([0, 0, 0, 2, 0x17, 0x01, 0x41, 0x16, 0x7F, 0xFF, 0xFF, 0xFF])?.kind == .truncated)
        #expect(ierr([0, 0, 0, 2, 0x17, 0x01, 0x41, 0x1F, 0x7F, 0xFF, 0xFF, 0xFF])?.kind == .truncated)
        #expect(ierr([0, 0, 0, 2, 0x26, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])?.kind == .truncated)
        #expect(PHPOracle.error(MsgPack.canonicalJSON([0xDD, 0xFF, 0xFF, 0xFF, 0xFF]))?.kind == .truncated)
        #expect(PHPOracle.error(MsgPack.canonicalJSON([0xC6, 0xFF, 0xFF, 0xFF, 0xFF]))?.kind == .truncated)
    }

    @Test("nesting: 1000 levels decode, 1001 are refused as limit (serialize, igbinary, msgpack, JSON)")
    func depth() {
        func ser(_ n: Int) -> [UInt8] {
            Array(String(repeating: "a:1:{i:0;", count: n).utf8) + Array("N;".utf8) + Array(repeating: UInt8(ascii: "}"), count: n)
        }
        func igb(_ n: Int) -> [UInt8] { [0, 0, 0, 2] + Array([[UInt8]](repeating: [0x14, 0x01, 0x06, 0x00], count: n).joined()) + [0x00] }
        let mp: (Int) -> [UInt8] = { [UInt8](repeating: 0x91, count: $0) + [0xC0] }
        let js: (Int) -> [UInt8] = { [UInt8](repeating: 0x5B, count: $0) + [UInt8](repeating: 0x5D, count: $0) }
        #expect((try? PHPSerialize.canonicalJSON(ser(1000)).get())?.json.count == 1000 * 2 + 4)
        #expect(serr(String(decoding: ser(1001), as: UTF8.self)) == PHPValueError(.limit, "nesting deeper than 1000", offset: 9000))
        #expect((try? Igbinary.canonicalJSON(igb(1000)).get()) != nil)
        #expect(ierr(igb(1001))?.kind == .limit)
        #expect((try? MsgPack.canonicalJSON(mp(1000)).get()) != nil)
        #expect(PHPOracle.error(MsgPack.canonicalJSON(mp(1001)))?.kind == .limit)
        #expect((try? PHPJSON.canonicalJSON(js(1000)).get()) != nil)
        #expect(PHPOracle.error(PHPJSON.canonicalJSON(js(1001)))?.kind == .limit)
        // A map one level down renders as {"$array": [[k, v]]}: three JSON levels per PHP level.
        let maps = String(repeating: #"a:1:{s:2:"$x";"#, count: 400) + "N;" + String(repeating: "}", count: 400)
        #expect(serr(maps) == PHPValueError(.limit, "JSON nesting deeper than 1000", offset: -1))
        // A million-deep input fails fast, without recursion.
        #expect(ierr(igb(1_000_000))?.kind == .limit)
        #expect(PHPOracle.error(PHPJSON.canonicalJSON(js(1_000_000)))?.kind == .limit)
    }

    @Test("bad references: r:0; R:99; a self reference; igbinary ids beyond the table")
    func badReferences() {
        #expect(serr("r:0;") == PHPValueError(.refError, "r: refers to slot 0 (slots count from 1)", offset: 2))
        #expect(serr("R:99;")?.kind == .refError)
        #expect(serr("r:1;") == PHPValueError(.refError, "r: refers to its own slot", offset: 2))
        #expect(serr("a:1:{i:0;R:2;}")?.kind == .refError)
        #expect(serr("a:2:{i:0;i:5;i:1;R:2;}") == nil)
        #expect(PHPOracle.serialize(latin1("a:2:{i:0;i:5;i:1;R:2;}")) == "[5,5]")
        #expect(PHPOracle.serialize(latin1("a:1:{i:0;R:1;}")) == #"[{"$ref":""}]"#)
        // igbinary: ref8 and objref8 beyond the ids defined so far, string id beyond the table.
        #expect(
            ierr([0, 0, 0, 2, 0x14, 0x01, 0x06, 0x00, 0x01, 0x01])
                == PHPValueError(.refError, "reference id 1 is not below the 1 ids defined so far", offset: 9))
        #expect(ierr([0, 0, 0, 2, 0x22, 0x00])?.kind == .refError)
        #expect(ierr([0, 0, 0, 2, 0x0E, 0x00]) == PHPValueError(.refError, "string id 0 is not below the string table size 0", offset: 5))
        #expect(ierr([0, 0, 0, 2, 0x1A, 0x00, 0x14, 0x00])?.kind == .refError)
        // `&` to a scalar takes an id: [&$x, &$x] then a third ref to id 1.
        #expect(PHPOracle.igbinary([0, 0, 0, 2, 0x14, 0x02, 0x06, 0x00, 0x25, 0x06, 0x07, 0x06, 0x01, 0x01, 0x01]) == "[7,7]")
    }

    @Test("reference bombs are refused by the expansion budget")
    func bombs() {
        // 40 nested arrays, each holding the next one twice (the second time by R:): 2^40 values expanded.
        var serialized = "a:2:{i:0;i:1;i:1;i:2;}"
        for depth in (1...40).reversed() {
            serialized = "a:2:{i:0;\(serialized)i:1;R:\(depth + 1);}"
        }
        #expect(serr(serialized)?.kind == .limit)
        // igbinary: nested arrays each holding the previous one twice (ref8 to the previous array id).
        var igb: [UInt8] = [0, 0, 0, 2]
        let depth = 40
        for _ in 0..<depth { igb += [0x14, 0x02, 0x06, 0x00] }
        igb += [0x14, 0x00]
        for level in (0..<depth).reversed() { igb += [0x06, 0x01, 0x01, UInt8(level + 1)] }
        var budget = PHPLimits()
        budget.maxOutputValues = 1_000_000
        #expect(ierr(igb, budget) == PHPValueError(.limit, "output would exceed 1000000 values", offset: -1))
        var small = PHPLimits()
        small.maxOutputValues = 100
        #expect(serr("a:3:{i:0;a:2:{i:0;i:1;i:1;i:2;}i:1;R:2;i:2;R:2;}", small) == nil)
        #expect(serr(String(repeating: "a:1:{i:0;", count: 200) + "N;" + String(repeating: "}", count: 200), small)?.kind == .limit)
    }

    @Test("exact syntax: the first deviating byte is named")
    func syntax() {
        #expect(serr("i:5") == PHPValueError(.truncated, "input ends inside an int", offset: 3))
        #expect(serr("i:5:") == PHPValueError(.badArgument, "expected ';' in an int, found byte 0x3a", offset: 3))
        #expect(serr(#"s:3:"abcd";"#) == PHPValueError(.badArgument, "expected '\"' in a string (its declared length), found byte 0x64", offset: 8))
        #expect(serr(#"s:3:'abc';"#)?.offset == 4)
        #expect(serr("b:2;")?.kind == .badArgument)
        #expect(serr("i:99999999999999999999;")?.kind == .badArgument)
        #expect(serr("N;N;") == PHPValueError(.badArgument, "2 bytes after the value", offset: 2))
        #expect(serr("x:1;") == PHPValueError(.badTag, "unknown type byte 0x78", offset: 0))
        #expect(serr("a:1:{d:1.5;N;}")?.kind == .badArgument)
        #expect(serr("a:2:{i:0;N;}") == PHPValueError(.badArgument, "a key expected, found '}' (fewer elements than the count says)", offset: 11))
        #expect(serr("a:1:{i:0;}") == PHPValueError(.badArgument, "a value expected, found '}' (fewer elements than the count says)", offset: 9))
        #expect(serr("a:0:{i:0;N;}")?.offset == 5)
        #expect(serr(#"O:1:"1x":0:{}"#)?.kind == .badArgument)
        #expect(serr(#"O:3:"\Ab":0:{}"#)?.kind == .badArgument)
        #expect(serr(#"E:4:"Enum";"#)?.kind == .badArgument)
        #expect(serr(#"S:2:"\4"";"#)?.kind == .badArgument)
        #expect(PHPOracle.serialize(latin1(#"S:3:"a\00b";"#)) == "\"a\\u0000b\"")
        #expect(serr("d:1.5e;") == PHPValueError(.badArgument, "an exponent needs digits in a double", offset: 6))
        #expect(PHPOracle.serialize(latin1("d:.5;")) == "0.5")
        #expect(PHPOracle.serialize(latin1("d:76;")) == "76.0")
        #expect(PHPOracle.serialize(latin1("i:+007;")) == "7")
        #expect(ierr([0, 0, 0, 3, 0x00]) == PHPValueError(.badArgument, "igbinary header version 3, not 1 or 2", offset: 0))
        #expect(ierr([0, 0, 0, 1, 0x00]) == nil)
        #expect(ierr([0, 0, 0, 2, 0x28]) == PHPValueError(.badTag, "unknown type byte 0x28", offset: 4))
        #expect(ierr([0, 0, 0, 2, 0x00, 0x00])?.kind == .badArgument)
        #expect(ierr([0, 0, 0, 2, 0x14, 0x01, 0x0C, 0x00])?.kind == .badTag)
        #expect(ierr([0, 0, 0, 2, 0x17, 0x01, 0x41, 0x06])?.kind == .badTag)
        #expect(ierr([0, 0, 0, 2, 0x21, 0x80, 0, 0, 0, 0, 0, 0, 1])?.kind == .badArgument)
        #expect(PHPOracle.igbinary([0, 0, 0, 2, 0x21, 0x80, 0, 0, 0, 0, 0, 0, 0]) == #"{"$int":"-9223372036854775808"}"#)
    }

    @Test("repeated keys: PHP semantics (first position, last value); igbinary string \"1\" beside int 1 stays a pair list")
    func repeatedKeys() throws {
        let php = try PHPOracle.cases(count: 0)
        _ = php
        #expect(PHPOracle.serialize(latin1(#"a:3:{s:1:"a";i:1;s:1:"b";i:2;s:1:"a";i:3;}"#)) == #"{"a":3,"b":2}"#)
        #expect(PHPOracle.serialize(latin1(#"a:2:{i:1;s:1:"x";s:1:"1";s:1:"y";}"#)) == #"{"1":"y"}"#)
        let igb: [UInt8] = [0, 0, 0, 2, 0x14, 0x02, 0x06, 0x01, 0x06, 0x0A, 0x11, 0x01, 0x31, 0x06, 0x0B]
        #expect(PHPOracle.igbinary(igb) == #"{"$array":[[1,10],["1",11]]}"#)
        // A null key in igbinary is an entry left out.
        #expect(PHPOracle.igbinary([0, 0, 0, 2, 0x14, 0x02, 0x00, 0x06, 0x00, 0x06, 0x05]) == "[5]")
        // Cross-check the PHP semantics with PHP itself.
        let r = try runProcess(PHPOracle.php, ["-r", #"echo json_encode(unserialize('a:3:{s:1:"a";i:1;s:1:"b";i:2;s:1:"a";i:3;}'));"#])
        #expect(r.stdoutText == #"{"a":3,"b":2}"#)
    }

    @Test("FastLZ: distance beyond the output, cut extension bytes, wrong lengths, bad level")
    func fastlzDamage() {
        func err(_ b: [UInt8], _ n: Int) -> PHPValueError? {
            do {
                _ = try FastLZ.decompress(b, expectedCount: n)
                return nil
            } catch { return error }
        }
        // literal "ab", then a match of 3 at distance 1 → "abbbb".
        #expect((try? FastLZ.decompress([0x01, 0x61, 0x62, 0x20, 0x00], expectedCount: 5)) == Array("abbbb".utf8))
        #expect(err([0x01, 0x61, 0x62, 0x20, 0x05], 10) == PHPValueError(.refError, "match distance 6 reaches before the 2 bytes written", offset: 3))
        #expect(err([0x01, 0x61, 0x62, 0xE0], 300) == PHPValueError(.truncated, "match length byte past the input", offset: 4))
        #expect(err([0x01, 0x61, 0x62, 0xE0, 0x05], 300)?.kind == .truncated)
        #expect(err([0x05, 0x61, 0x62], 6) == PHPValueError(.truncated, "literal run of 6 bytes runs past the input", offset: 0))
        #expect(err([0x01, 0x61, 0x62, 0x20, 0x00], 4)?.kind == .badArgument)
        #expect(err([0x01, 0x61, 0x62, 0x20, 0x00], 6) == PHPValueError(.badArgument, "FastLZ output is 5 bytes, 6 expected", offset: 5))
        #expect(err([0x61, 0x61], 1) == PHPValueError(.badArgument, "FastLZ level 4 (only 1 and 2 exist)", offset: 0))
        // Level 2: 255-runs of length bytes cut short, 16-bit distance cut short, far distance beyond output.
        #expect(err([0x21, 0x61, 0x62, 0xE0, 0xFF, 0xFF], 2000)?.kind == .truncated)
        #expect(err([0x21, 0x61, 0x62, 0x3F, 0xFF, 0x00], 2000)?.kind == .truncated)
        #expect(err([0x21, 0x61, 0x62, 0x3F, 0xFF, 0x00, 0x00], 2000)?.kind == .refError)
        #expect(err([], 0) == nil)
        #expect(err([], 1)?.kind == .truncated)
    }

    @Test("php-memcached prefix: above maxInflated, mismatch, missing; zstd recognised; unknown types")
    func payloadDamage() throws {
        let body: [UInt8] = [0x01, 0x61, 0x62, 0x20, 0x00]
        let ok = PHPMemcachedPayload.decode(flags: 0x50, value: [5, 0, 0, 0] + body, maxInflated: 100)
        #expect(ok.value == Array("\"abbbb\"".utf8))
        #expect(ok.layers == ["fastlz", "string"])
        let big = PHPMemcachedPayload.decode(flags: 0x50, value: [0xFF, 0xFF, 0xFF, 0x7F] + body, maxInflated: 1 << 20)
        #expect(big.error == PHPValueError(.limit, "length prefix 2147483647 is above the 1048576 bytes allowed", offset: 0))
        #expect(big.value == nil)
        let mismatch = PHPMemcachedPayload.decode(flags: 0x50, value: [6, 0, 0, 0] + body, maxInflated: 100)
        #expect(mismatch.error == PHPValueError(.badArgument, "FastLZ output is 5 bytes, 6 expected", offset: 9))
        #expect(PHPMemcachedPayload.decode(flags: 0x50, value: [5, 0], maxInflated: 100).error?.kind == .truncated)
        #expect(PHPMemcachedPayload.decode(flags: 0x30, value: [5, 0, 0, 0, 1, 2, 3], maxInflated: 100).error?.kind == .badArgument)
        let zlibWrongLength = PHPMemcachedPayload.decode(
            flags: 0x30, value: [4, 0, 0, 0] + [0x78, 0x9C, 0x4B, 0x4C, 0x4A, 0x06, 0x00, 0x02, 0x4D, 0x01, 0x27], maxInflated: 100)
        #expect(zlibWrongLength.error?.kind == .badArgument)
        let zlibOK = PHPMemcachedPayload.decode(
            flags: 0x30, value: [3, 0, 0, 0] + [0x78, 0x9C, 0x4B, 0x4C, 0x4A, 0x06, 0x00, 0x02, 0x4D, 0x01, 0x27], maxInflated: 100)
        #expect(zlibOK.value == Array("\"abc\"".utf8))
        let zstd = PHPMemcachedPayload.decode(flags: 0x94, value: [9, 0, 0, 0, 0x28, 0xB5, 0x2F, 0xFD], maxInflated: 100)
        #expect(zstd.layers == ["zstd"])
        #expect(zstd.value == nil && zstd.error == nil)
        #expect(zstd.note?.contains("zstd") == true)
        #expect(PHPMemcachedPayload.decode(flags: 0x10, value: [0, 0, 0, 0], maxInflated: 100).error?.kind == .unsupported)
        #expect(PHPMemcachedPayload.decode(flags: 0x09, value: [], maxInflated: 100).error?.kind == .unsupported)
        let userFlags = PHPMemcachedPayload.decode(flags: 0x0003_0001 | 0x100, value: Array("12".utf8), maxInflated: 100)
        #expect(userFlags.userFlags == 3 && userFlags.value == Array("12".utf8))
        #expect(userFlags.note == "unknown flag bits 0x100 ignored")
        #expect(PHPMemcachedPayload.decode(flags: 1, value: Array("1x".utf8), maxInflated: 100).error?.kind == .badArgument)
        #expect(PHPMemcachedPayload.decode(flags: 3, value: Array("0".utf8), maxInflated: 100).error?.kind == .badArgument)
        #expect(PHPMemcachedPayload.decode(flags: 2, value: Array("1e+06x".utf8), maxInflated: 100).error?.kind == .badArgument)
        let serErr = PHPMemcachedPayload.decode(flags: 4, value: Array("a:1:{".utf8), maxInflated: 100)
        #expect(serErr.layers == ["php-serialize"] && serErr.error?.kind == .truncated)
    }
}
