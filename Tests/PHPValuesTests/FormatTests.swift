// PHPValuesTests/FormatTests: the mapping rows of docs/php-values.md one by one (serialize, igbinary,
// msgpack, JSON, php-memcached scalar text), msgpack against PHP's own msgpack_pack, and the error JSON.
import Foundation
import PHPValues
import Testing
import TestSupport

func mp(_ b: [UInt8]) -> String { PHPOracle.text(MsgPack.canonicalJSON(b)) }
func js(_ s: String) -> String { PHPOracle.text(PHPJSON.canonicalJSON(Array(s.utf8))) }

@Suite("Mapping rows")
struct FormatTests {
    @Test(
        "PHP serialize rows of the doc table",
        arguments: [
            ("N;", "null"), ("b:1;", "true"), ("b:0;", "false"), ("i:-42;", "-42"),
            ("i:9007199254740992;", #"{"$int":"9007199254740992"}"#), ("d:0.1;", "0.1"), ("d:76;", "76.0"), ("d:1.0E+25;", "1e+25"),
            ("d:-0;", "-0.0"), ("d:NAN;", #"{"$float":"nan"}"#), ("d:INF;", #"{"$float":"inf"}"#), ("d:-INF;", #"{"$float":"-inf"}"#),
            (#"s:5:"hello";"#, #""hello""#), ("s:2:\"\u{FF}\u{00}\";", #"{"$bytes":"/wA="}"#), (#"S:4:"\41\62cd";"#, #""Abcd""#),
            (#"a:2:{i:0;s:1:"a";i:1;s:1:"b";}"#, #"["a","b"]"#), (#"a:2:{i:1;s:1:"a";i:0;s:1:"b";}"#, #"{"1":"a","0":"b"}"#),
            (#"a:1:{s:2:"$x";i:1;}"#, #"{"$array":[["$x",1]]}"#), (#"a:2:{i:7;N;s:2:"$x";N;}"#, #"{"$array":[[7,null],["$x",null]]}"#),
            (
                #"O:1:"C":3:{s:1:"p";i:1;s:4:"\#u{0}*\#u{0}q";i:2;s:4:"\#u{0}C\#u{0}r";i:3;}"#,
                #"{"$class":"C","$props":{"p":1,"\u0000*\u0000q":2,"\u0000C\u0000r":3}}"#
            ),
            (#"C:3:"Foo":5:{hello}"#, #"{"$class":"Foo","$serialized":"hello"}"#), (#"E:11:"Suit:Hearts";"#, #"{"$enum":"Suit:Hearts"}"#),
            (#"a:2:{i:0;O:1:"A":0:{}i:1;r:2;}"#, #"[{"$class":"A","$props":{}},{"$class":"A","$props":{}}]"#),
            (#"O:1:"A":1:{s:4:"self";r:1;}"#, #"{"$class":"A","$props":{"self":{"$ref":""}}}"#),
        ])
    func serializeRows(_ input: String, _ expected: String) {
        #expect(PHPOracle.serialize(latin1(input)) == expected)
    }

    @Test("UTF-8 strings stay strings; the declared length counts bytes")
    func utf8String() {
        #expect(PHPOracle.serialize(Array(#"s:6:"héllo";"#.utf8)) == #""héllo""#)
        #expect(PHPOracle.serialize(Array(#"s:5:"héllo";"#.utf8)).hasPrefix(#"{"$error":"bad_argument""#))
    }

    @Test("msgpack rows: ints, floats, str/bin, maps with string and other keys, ext, errors")
    func msgpackRows() {
        #expect(mp([0x2A]) == "42")
        #expect(mp([0xFF]) == "-1")
        #expect(mp([0xD3, 0x80, 0, 0, 0, 0, 0, 0, 0]) == #"{"$int":"-9223372036854775808"}"#)
        #expect(mp([0xCF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]) == #"{"$int":"18446744073709551615"}"#)
        #expect(mp([0xCB, 0x3F, 0xF8, 0, 0, 0, 0, 0, 0]) == "1.5")
        #expect(mp([0xCA, 0x3F, 0xC0, 0, 0]) == "1.5")
        #expect(mp([0xCB, 0x7F, 0xF8, 0, 0, 0, 0, 0, 0]) == #"{"$float":"nan"}"#)
        #expect(mp([0xA2, 0x68, 0x69]) == #""hi""#)
        #expect(mp([0xA1, 0xFF]) == #"{"$bytes":"/w=="}"#)
        #expect(mp([0xC4, 0x02, 0x68, 0x69]) == #"{"$bytes":"aGk="}"#)
        #expect(mp([0x82, 0xA1, 0x61, 0x01, 0xA1, 0x62, 0xC3]) == #"{"a":1,"b":true}"#)
        #expect(mp([0x81, 0x05, 0xC0]) == #"{"$map":[[5,null]]}"#)
        #expect(mp([0x82, 0xA1, 0x61, 0x01, 0xA1, 0x61, 0x02]) == #"{"$map":[["a",1],["a",2]]}"#)
        #expect(mp([0x81, 0xA2, 0x24, 0x78, 0x90]) == #"{"$map":[["$x",[]]]}"#)
        #expect(mp([0xD6, 0xFF, 0, 0, 0, 1]) == #"{"$ext":-1,"$bytes":"AAAAAQ=="}"#)
        #expect(mp([0xC7, 0x01, 0x05, 0x41]) == #"{"$ext":5,"$bytes":"QQ=="}"#)
        #expect(PHPOracle.error(MsgPack.canonicalJSON([0xC1]))?.kind == .badTag)
        #expect(PHPOracle.error(MsgPack.canonicalJSON([0x92, 0x01]))?.kind == .truncated)
        #expect(PHPOracle.error(MsgPack.canonicalJSON([0x01, 0x02])) == PHPValueError(.badArgument, "1 bytes after the value", offset: 1))
        #expect(PHPOracle.error(MsgPack.canonicalJSON([]))?.kind == .truncated)
    }

    @Test("msgpack against PHP's msgpack_pack: lists, string-keyed maps, scalars")
    func msgpackAgainstPHP() throws {
        let code = #"""
            ini_set('serialize_precision', '-1');
            $vals = [[1, 2.5, 'three', null, false, true], ['a' => 1, 'b' => ['c' => 'd', 'e' => [-1, -200, 70000, PHP_INT_MAX, PHP_INT_MIN]]], 'héllo', 0.1, 1e25, -0.0];
            foreach ($vals as $v) echo base64_encode(msgpack_pack($v)), "\n";
            """#
        let r = try runProcess(PHPOracle.php, ["-r", code])
        let lines = r.stdoutText.split(separator: "\n").map { [UInt8](Data(base64Encoded: String($0)) ?? Data()) }
        #expect(lines.count == 6)
        let want = [
            #"[1,2.5,"three",null,false,true]"#, #"{"a":1,"b":{"c":"d","e":[-1,-200,70000,{"$int":"9223372036854775807"},{"$int":"-9223372036854775808"}]}}"#,
            "\"h\u{E9}llo\"", "0.1", "1e+25", "-0.0",
        ]
        for (bytes, w) in zip(lines, want) { #expect(mp(bytes) == w) }
    }

    @Test("JSON (type 6) re-emitted compactly and canonically")
    func jsonRows() {
        #expect(js(#" { "a" : [1, 2.50, -0, 1E2, true, null], "b" : "x\/y\u00e9\ud83d\ude00" } "#) == #"{"a":[1,2.5,0,100.0,true,null],"b":"x/yé😀"}"#)
        #expect(js("123456789012345678901234567890") == #"{"$int":"123456789012345678901234567890"}"#)
        #expect(js("9007199254740993") == #"{"$int":"9007199254740993"}"#)
        #expect(js("1e999") == #"{"$float":"inf"}"#)
        #expect(js(#"{"$ref":"x"}"#) == #"{"$object":[["$ref","x"]]}"#)
        #expect(js(#"{"a":1,"a":2}"#) == #"{"$object":[["a",1],["a",2]]}"#)
        #expect(js(#""\ud800""#) == "\"\u{FFFD}\"")
        #expect(js(#""\u001f\t""#) == #""\u001f\t""#)
        #expect(PHPOracle.error(PHPJSON.canonicalJSON(Array("[1,]".utf8)))?.kind == .badTag)
        #expect(PHPOracle.error(PHPJSON.canonicalJSON(Array("{\"a\" 1}".utf8))) == PHPValueError(.badArgument, "expected ':' after an object key", offset: 5))
        #expect(PHPOracle.error(PHPJSON.canonicalJSON(Array("[1".utf8)))?.kind == .truncated)
        #expect(PHPOracle.error(PHPJSON.canonicalJSON(Array("01".utf8)))?.kind == .badArgument)
        #expect(PHPOracle.error(PHPJSON.canonicalJSON(Array("\"a\u{1}\"".utf8)))?.kind == .badArgument)
        #expect(PHPOracle.error(PHPJSON.canonicalJSON([0x22, 0xFF, 0x22]))?.kind == .badArgument)
        #expect(PHPOracle.error(PHPJSON.canonicalJSON(Array("nul".utf8)))?.kind == .truncated)
        #expect(PHPOracle.error(PHPJSON.canonicalJSON(Array("1 2".utf8)))?.kind == .badArgument)
    }

    @Test(
        "php-memcached scalar text: long, g_fmt double, bool",
        arguments: [
            (1, "-42", "-42"), (1, "9223372036854775807", #"{"$int":"9223372036854775807"}"#), (2, ".1", "0.1"), (2, "1e+06", "1000000.0"),
            (2, "1.5e-05", "1.5e-05"), (2, "-0", "-0.0"), (2, "Infinity", #"{"$float":"inf"}"#), (2, "-Infinity", #"{"$float":"-inf"}"#),
            (2, "NaN", #"{"$float":"nan"}"#), (3, "1", "true"), (3, "", "false"), (0, "plain", #""plain""#),
        ] as [(UInt32, String, String)])
    func scalarText(_ type: UInt32, _ text: String, _ expected: String) {
        let d = PHPMemcachedPayload.decode(flags: type, value: Array(text.utf8), maxInflated: 0)
        #expect(d.value.map { String(decoding: $0, as: UTF8.self) } == expected)
        #expect(d.layers == [PHPMemcachedPayload.typeNames[Int(type)]])
    }

    @Test("error JSON: {\"$error\": kind, \"$detail\": message (at byte N)}; every kind has its text")
    func errorJSON() {
        let e = PHPValueError(.refError, "r: refers to slot 0", offset: 2)
        #expect(String(decoding: e.errorJSON, as: UTF8.self) == #"{"$error":"ref_error","$detail":"r: refers to slot 0 (at byte 2)"}"#)
        #expect(String(decoding: PHPValueError(.limit, "x\"y", offset: -1).errorJSON, as: UTF8.self) == #"{"$error":"limit","$detail":"x\"y"}"#)
        #expect(PHPValueError.Kind.allCases.map(\.rawValue) == ["truncated", "bad_tag", "bad_argument", "ref_error", "limit", "unsupported"])
        var small = PHPLimits()
        small.maxInputBytes = 3
        #expect(serr("i:12;", small)?.kind == .limit)
        small = PHPLimits()
        small.maxOutputBytes = 10
        #expect(serr(#"s:20:"aaaaaaaaaaaaaaaaaaaa";"#, small) == PHPValueError(.limit, "output would exceed 10 bytes", offset: -1))
        small = PHPLimits()
        small.maxNumberText = 5
        #expect(serr("i:1234567;", small)?.kind == .limit)
    }
}
