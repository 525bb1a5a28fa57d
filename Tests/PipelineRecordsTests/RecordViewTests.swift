// RecordView, JSONSlice and RecordCheck: records read on demand — fields located in one scan, read
// and checked only when asked, escapes and invalid UTF-8 handled, a broken line named with its offset;
// and the JSON reader agrees with JSONParser on every field it reads.
import Foundation
import PipelineRecords
import Testing

@Suite struct RecordViewTests {
    func view<T>(_ text: String, _ body: (RecordView) throws -> T) throws -> T {
        try Array(text.utf8).withUnsafeBytes { p in try body(try RecordView(p)) }
    }

    @Test func fieldsAreFoundWithoutReadingTheValue() throws {
        let line =
            #"{"type":"item","host":"10.0.0.2","port":11211,"key":"k\"1","size":12,"value":{"a":[1,"]}",{"b":null}],"c":"\\"},"kind":"token","user":{"id":"u1","name":"al\u00e9","in_export":false},"placement":{"ok":false}}"#
        try view(line) { r in
            #expect(r.type == .item)
            #expect(r.hostKey == "10.0.0.2:11211")
            #expect(r[.key]?.string == "k\"1")
            #expect(r[.key]?.plainStringBytes == nil)
            #expect(r.keyBytes == Array("k\"1".utf8))
            #expect(r[.size]?.int == 12)
            #expect(r[.kind]?.string == "token")
            #expect(r[.user]?[.userName]?.string == "alé")
            #expect(r[.user]?[.userInExport]?.bool == false)
            #expect(r[.placement]?[.placementOK]?.bool == false)
            #expect(r[.tokens] == nil)
            let value = try #require(r[.value])
            #expect(String(decoding: value.raw, as: UTF8.self) == #"{"a":[1,"]}",{"b":null}],"c":"\\"}"#)
            #expect(value.tree == (try JSONParser.parse(value.raw)))
            #expect(value["a"]?.elements?.count == 3)
            // Fields are appended before the closing brace.
            #expect(r.closingBrace == line.utf8.count - 1)
        }
    }

    @Test func anAnnouncedValueLengthIsTrustedOnlyWhenTheBytesAgree() throws {
        let value = #"{"a":[1,"x}"],"b":{"c":null}}"#
        // A wrong length is either noticed (the value is scanned) or breaks the framing (the record is
        // refused as malformed): it never reads as another value.
        var refused = 0
        for (announced, note) in [
            (value.utf8.count, "right"), (value.utf8.count - 1, "one short"), (5, "inside"),
            (value.utf8.count + 3, "past"), (0, "zero"), (10_000, "beyond the line"), (7, "at a comma"),
        ] {
            let line = #"{"type":"item","key":"k","value_json_bytes":\#(announced),"value":\#(value),"kind":"token"}"#
            let read: (String?, String?)? = Array(line.utf8).withUnsafeBytes { p in
                guard let r = try? RecordView(p) else { return nil }
                return (r[.value].map { String(decoding: $0.raw, as: UTF8.self) }, r[.kind]?.string)
            }
            if let read {
                #expect(read.0 == value && read.1 == "token", "\(note)")
            } else {
                refused += 1
                #expect(note != "right")
            }
        }
        #expect(refused <= 2)
        // Scalars and strings are announced too.
        for value in ["12", "-3", "true", "null", #""s\"q""#] {
            let line = #"{"type":"item","key":"k","value_json_bytes":\#(value.utf8.count),"value":\#(value)}"#
            try view(line) { r in #expect(r[.value].map { String(decoding: $0.raw, as: UTF8.self) } == value) }
        }
    }

    @Test func numbersReadLikeTheParser() throws {
        for (text, int, double) in [
            ("0", Int64(0), 0.0), ("-7", -7, -7), ("123456789012345678", 123456789012345678, 123456789012345678),
            ("9223372036854775807", Int64.max, 9223372036854775807), ("1.5", nil, 1.5), ("1e400", nil, .infinity), ("2E3", nil, 2000),
        ] as [(String, Int64?, Double)] {
            try view(#"{"type":"item","n":\#(text)}"#) { r in
                let n = try #require(r[RecordField("n")])
                #expect(n.int == int, "\(text)")
                #expect(n.double == double, "\(text)")
            }
        }
        try view(#"{"type":"item","n":"12","b":true,"z":null}"#) { r in
            #expect(r[RecordField("n")]?.int == nil)
            #expect(r[RecordField("b")]?.bool == true)
            #expect(r[RecordField("z")]?.isNull == true)
        }
    }

    @Test(arguments: [
        ("", "not a JSON object at byte 0"),
        ("[1]", "not a JSON object at byte 0"),
        (#"{"type" "item"}"#, "expected `:` at byte 8"),
        (#"{"type":"item""#, "unexpected end of the record at byte 14"),
        (#"{"type":"item"} x"#, "trailing characters at byte 15"),
        (#"{"type":"item","value":{"a":1}"#, "unexpected end of the record at byte 30"),
        (#"{"type":"item","value":"open}"#, "unterminated value at byte 23"),
        (#"{type:"item"}"#, "expected a member name at byte 1"),
        (#"{"type":"item";"k":1}"#, "expected `,` or `}` at byte 14"),
    ])
    func brokenLinesAreNamedWithTheirOffset(line: String, message: String) {
        Array(line.utf8).withUnsafeBytes { p in
            do throws(RecordSyntaxError) {
                _ = try RecordView(p)
                Issue.record("\(line) was accepted")
            } catch {
                #expect(error.description == message, "\(line)")
            }
        }
    }

    @Test func checksNameTheFieldAndInvalidUTF8() throws {
        var bad = Array(#"{"type":"item","key":"k","kind":"tok"#.utf8) + [0xFF] + Array(#""}"#.utf8)
        try bad.withUnsafeBytes { p in
            let r = try RecordView(p)
            #expect(RecordCheck.problem(in: r)?.message == "`kind` has invalid UTF-8")
        }
        bad = Array(#"{"type":"item","key":"k","user":{"id":"u","name":"x"#.utf8) + [0xC3] + Array(#""}}"#.utf8)
        try bad.withUnsafeBytes { p in
            let r = try RecordView(p)
            #expect(RecordCheck.problem(in: r)?.message == "`user.name` has invalid UTF-8")
        }
        try view(#"{"type":"source","schema":1.5}"#) { #expect(RecordCheck.problem(in: $0)?.message == "`schema` is not an integer") }
        try view(#"{"type":"source","schema":2}"#) { #expect(RecordCheck.problem(in: $0)?.fatal == true) }
        try view(#"{"type":"item","key":"k","cas":9223372036854775808}"#) { #expect(RecordCheck.problem(in: $0) == nil) }
        try view(#"{"type":"item","key":"k","cas":-1}"#) { #expect(RecordCheck.problem(in: $0)?.message == "`cas` is not a non-negative integer") }
        try view(#"{"type":"item","key":"k","value_crc32":4294967295}"#) { #expect(RecordCheck.problem(in: $0) == nil) }
        for crc in ["4294967296", "-1", "\"0a1b2c3d\"", "1.5"] {
            try view(#"{"type":"item","key":"k","value_crc32":"# + crc + "}") {
                #expect(RecordCheck.problem(in: $0)?.message == "`value_crc32` is not a CRC-32 (0…4294967295)")
            }
        }
        try view(#"{"type":"item","key":"k","la":1.5}"#) { #expect(RecordCheck.problem(in: $0)?.message == "`la` is not an integer") }
        try view(#"{"type":7}"#) { #expect(RecordCheck.problem(in: $0)?.message == "no `type` string") }
        // Fields no stage reads are not checked: a value with anything in its strings passes.
        try view(#"{"type":"item","key":"k","value":"\ud800"}"#) { #expect(RecordCheck.problem(in: $0) == nil) }
    }

    /// The end of a string by the plain rule: a backslash escapes the next byte, the first unescaped
    /// quote closes it.
    static func referenceStringEnd(_ p: [UInt8], _ i: Int) -> Int? {
        guard i < p.count, p[i] == UInt8(ascii: "\"") else { return nil }
        var j = i + 1
        while j < p.count {
            if p[j] == UInt8(ascii: "\"") { return j + 1 }
            j += p[j] == UInt8(ascii: "\\") ? 2 : 1
        }
        return nil
    }

    @Test("a string's end is found eight bytes at a time exactly where the plain rule finds it")
    func stringEndMatchesThePlainRule() {
        // Every length up to 40, every position of one or two special bytes (quote, backslash, both,
        // runs of backslashes), with and without a closing quote, at several start offsets.
        var rng = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = [UInt8(ascii: "a"), UInt8(ascii: "\""), UInt8(ascii: "\\"), 0xC3, 0xA9, 0x00, UInt8(ascii: "u")]
        var checked = 0
        for length in 0...40 {
            for _ in 0..<200 {
                let lead = Int.random(in: 0...9, using: &rng)
                var bytes = [UInt8](repeating: UInt8(ascii: " "), count: lead) + [UInt8(ascii: "\"")]
                for _ in 0..<length { bytes.append(alphabet.randomElement(using: &rng)!) }
                if Bool.random(using: &rng) { bytes.append(UInt8(ascii: "\"")) }
                let mine = bytes.withUnsafeBytes { JSONSkim.stringEnd($0, lead) }
                #expect(mine == Self.referenceStringEnd(bytes, lead), "\(bytes)")
                checked += 1
            }
        }
        #expect(checked == 41 * 200)
        // Not a string start, and past the end.
        #expect([UInt8]("abc".utf8).withUnsafeBytes { JSONSkim.stringEnd($0, 0) } == nil)
        #expect([UInt8]("\"ab".utf8).withUnsafeBytes { JSONSkim.stringEnd($0, 5) } == nil)
    }
}
