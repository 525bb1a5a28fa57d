// ByteTextTests/PercentEncodingTests: memcached's key escapes and hex digits, one home for both
// (ByteText), against Python's urllib.parse (quote with safe="" and unquote_to_bytes, which is lenient
// like `decodeLenient`) on the same bytes.
import ByteText
import Foundation
import Testing
import TestSupport

@Suite struct PercentEncodingTests {
    static let keys: [[UInt8]] = [
        Array("plain-key_1.2~x".utf8), Array("a/b c%d".utf8), [0x00, 0x0A, 0x0D, 0x20, 0x25, 0x7F, 0x80, 0xFF],
        Array("é☃".utf8), Array(repeating: 0x25, count: 5), (0...255).map { UInt8($0) },
    ]

    @Test func encodingIsPythonsQuoteAndDecodesBack() throws {
        let code = """
            import sys, urllib.parse
            for h in sys.argv[1:]: print(urllib.parse.quote(bytes.fromhex(h), safe=''))
            """
        let r = try Python.run(code: code, Self.keys.map { Hex.lowercase($0) })
        let mine = Self.keys.map { PercentEncoding.encode($0) }
        #expect(r.stdoutText == mine.map { $0 + "\n" }.joined())
        for (k, text) in zip(Self.keys, mine) {
            #expect(PercentEncoding.decodeStrict(text.utf8) == k)
            #expect(PercentEncoding.decodeLenient(Array(text.utf8)) == k)
        }
    }

    @Test func strictRefusesWhatLenientKeepsAsPythonDoes() throws {
        let texts = ["100%", "%zz%4", "abc%", "abc%G0", "a b", "a\nb", "%2f%2F", "key:with/slash", "%C3%a9", "x%00y"]
        let code = """
            import sys, urllib.parse
            for t in sys.argv[1:]: print(urllib.parse.unquote_to_bytes(t).hex())
            """
        let r = try Python.run(code: code, texts)
        let lenient = texts.map { Hex.lowercase(PercentEncoding.decodeLenient(Array($0.utf8))) }
        #expect(r.stdoutText == lenient.map { $0 + "\n" }.joined())
        let strict = texts.map { PercentEncoding.decodeStrict($0.utf8) }
        #expect(strict.map { $0 == nil } == [true, true, true, true, true, true, false, false, false, false])
        #expect(strict[6] == [0x2F, 0x2F] && strict[8] == [0xC3, 0xA9] && strict[9] == [0x78, 0x00, 0x79])
    }

    @Test func hexDigitsBothWays() {
        for b in 0...255 {
            let byte = UInt8(b)
            let text = Hex.lowercase([byte])
            #expect(text == String(format: "%02x", b))
            let u = Array(text.utf8)
            #expect(Hex.value(u[0]).map { $0 << 4 | Hex.value(u[1])! } == byte)
            #expect(Hex.upperDigit(byte & 15) == Array(String(format: "%X", b & 15).utf8)[0])
        }
        #expect(Hex.value(UInt8(ascii: "g")) == nil && Hex.value(UInt8(ascii: "F")) == 15 && Hex.value(UInt8(ascii: "/")) == nil)
    }
}
