// CacheValuesTests/AutoClientTests: `--client auto` — each item's client told by its flags and bytes
// (Dalli's Marshal, php-memcached's own types and compression, spymemcached's Java serialization,
// else python-memcached), the key's family deciding where two clients read the same bytes alike, JSON
// documents as JSON, and "recognised, not decoded" as a note rather than an error. The real clients
// writing these values are in DecodeTests/OtherEcosystemsTests.
import CacheValues
import Foundation
import PipelineRecords
import Testing

@Suite("client auto")
struct AutoClientTests {
    let auto = ValueDecoder(convention: .auto, pickle: NoPickles())

    func decode(_ flags: UInt32, _ bytes: [UInt8], key: String? = nil) -> DecodedValue {
        auto.decode(flags: flags, value: bytes, key: key.map { Array($0.utf8) })
    }

    @Test func dalliMarshalIsRuby() {
        // Dalli's `set('s1', 'hello')`: flags 1, Marshal of a UTF-8 String.
        let d = decode(1, [0x04, 0x08, 0x49, 0x22, 0x0A] + Array("hello".utf8) + [0x06, 0x3A, 0x06, 0x45, 0x54])
        #expect(d.encoding == ["marshal"])
        #expect(text(d.value) == #""hello""#)
        #expect(d.error == nil)
    }

    @Test func phpOnlyFlagsAndBytesArePHP() {
        let serialized = decode(4, Array(#"a:1:{s:1:"a";i:1;}"#.utf8))
        #expect(serialized.encoding == ["php-serialize"])
        #expect(text(serialized.value) == #"{"a":1}"#)
        let bool = decode(3, Array("1".utf8))
        #expect(text(bool.value) == "true")
        let double = decode(2, Array("1.5".utf8))
        #expect(text(double.value) == "1.5")
        // An integer too large for 64 bits is still python-memcached's int, not a double.
        let huge = decode(2, Array("1208925819614629174706176".utf8))
        #expect(huge.encoding == ["int"])
        #expect(text(huge.value) == #"{"$int":"1208925819614629174706176"}"#)
        let userFlags = decode(5 << 16, Array("x".utf8))
        #expect(userFlags.note?.contains("user flags 5") == true)
        #expect(text(userFlags.value) == #""x""#)
    }

    @Test func theKeysFamilyDecidesWhereTwoClientsReadAlike() {
        // php-memcached's double 76.0 and python-memcached's int 76 are the same bytes with flags 2.
        #expect(text(decode(2, Array("76".utf8)).value) == "76")
        #expect(text(decode(2, Array("76".utf8), key: "wp_:options:ratio").value) == "76.0")
        #expect(text(decode(2, Array("76".utf8), key: "laravel_cache:ratio").value) == "76.0")
        #expect(text(decode(2, Array("76".utf8), key: ":1:ratio").value) == "76")
    }

    @Test func javaSerializationIsNamedNotDecodedAndIsNoError() {
        // `new java.util.Date(0)` as ObjectOutputStream writes it (header, TC_OBJECT, TC_CLASSDESC "java.util.Date", …).
        var bytes: [UInt8] = [0xAC, 0xED, 0x00, 0x05, 0x73, 0x72, 0x00, 0x0E] + Array("java.util.Date".utf8)
        bytes += [0x68, 0x6A, 0x81, 0x01, 0x4B, 0x59, 0x74, 0x19, 0x03, 0x00, 0x00, 0x78, 0x70, 0x77, 0x08] + [UInt8](repeating: 0, count: 8) + [0x78]
        let d = decode(1, bytes)
        #expect(d.encoding == ["java-serialization"])
        #expect(d.error == nil)
        #expect(d.note == "Java serialization (recognised, not decoded); classes: java.util.Date")
    }

    @Test func jsonDocumentsAreJSONAndOtherJSONTextsStayText() {
        let doc = decode(0, Array(#"{"user": 7, "tags": ["a", "b"]}"#.utf8))
        #expect(doc.encoding == ["bytes", "json"])
        #expect(text(doc.value) == #"{"user":7,"tags":["a","b"]}"#)
        let str = decode(16, Array(#"[1, 2.5]"#.utf8))
        #expect(str.encoding == ["text", "json"])
        #expect(text(str.value) == "[1,2.5]")
        #expect(decode(0, Array("42".utf8)).encoding == ["bytes"])
        #expect(decode(0, Array("{not json".utf8)).encoding == ["bytes"])
    }

    @Test func flagsNoClientKnowsAreAnError() {
        let d = decode(256, [1, 2, 3])
        #expect(d.error?.layer == "flags")
    }

    @Test func aForcedConventionReadsEveryItemItsWay() {
        let php = ValueDecoder(convention: .phpMemcached, pickle: NoPickles())
        #expect(text(php.decode(flags: 2, value: Array("76".utf8)).value) == "76.0")
        let dalli = ValueDecoder(convention: .dalli, pickle: NoPickles())
        let bad = dalli.decode(flags: 1, value: [0x04, 0x08, 0x22])
        #expect(bad.error?.layer == "marshal")
    }
}
