// PipelineRecordsTests/JSONParserTests: the record reader of attribute and report — a full parse
// equals Foundation's, members named in `skipping` are stepped over (at any depth) with their byte
// ranges kept, and bad text gives an error with its offset, skipped members included.
import Foundation
import PipelineRecords
import Testing

@Suite struct JSONParserTests {
    static let record =
        #"{"type":"item","key":"k1","size":12,"value":{"id":"t","catalog":[{"a":[1,2,{"b":"}]"}]}],"user":{"id":"u1"}},"tail":[true,null,-1.5e3]}"#

    @Test func fullParseMatchesFoundation() throws {
        let v = try JSONParser.parse(Array(Self.record.utf8))
        #expect(v["type"]?.string == "item")
        #expect(v["size"]?.int == 12)
        #expect(v["value"]?["user"]?["id"]?.string == "u1")
        #expect(v["tail"]?.array?.count == 3)
        #expect(v["tail"]?.array?[2].double == -1500)
        let foundation = try #require(try JSONSerialization.jsonObject(with: Data(Self.record.utf8)) as? [String: Any])
        guard case .object(let members) = v else { Issue.record("not an object"); return }
        #expect(Set(members.map(\.0)) == Set(foundation.keys))
    }

    /// Integers of up to 18 digits are read without strtod: the same value and Double as the text's.
    @Test func numbersReadExactlyAsTheirText() throws {
        for text in [
            "0", "7", "-42", "-0", "123456789012345678", "-999999999999999999", "9007199254740993", "1234567890123456789",
            "-9223372036854775808", "9223372036854775808", "1.5", "-1.5e3", "1E2", "0.1",
        ] {
            guard case .number(let d, let i) = try JSONParser.parse(Array("[\(text)]".utf8)).array?.first else {
                Issue.record("\(text): not a number")
                continue
            }
            let want = try #require(Double(text))
            #expect(d.bitPattern == want.bitPattern, "\(text): \(d) against \(want)")
            let integral = !text.contains(where: { ".eE".contains($0) })
            #expect(i == (integral ? Int64(text) : nil), "\(text): \(String(describing: i))")
        }
    }

    @Test func skippedMembersAreLeftOutWithTheirRanges() throws {
        let bytes = Array(Self.record.utf8)
        let (top, skipped) = try JSONParser.parse(bytes, skipping: ["value"])
        #expect(top["value"] == nil)
        #expect(top["tail"]?.array?.count == 3)
        let range = try #require(skipped["value"])
        let text = String(decoding: bytes[range], as: UTF8.self)
        #expect(text == #"{"id":"t","catalog":[{"a":[1,2,{"b":"}]"}]}],"user":{"id":"u1"}}"#)
        // Parsing that range on its own, without catalogs (nested skip).
        let (value, inner) = try JSONParser.parse(bytes[range], skipping: ["catalog"])
        #expect(value["catalog"] == nil)
        #expect(value["user"]?["id"]?.string == "u1")
        #expect(inner["catalog"] != nil)
        // A slice that does not start at index 0 gives offsets relative to the slice.
        let slice = (Array("xx".utf8) + bytes)[2...]
        #expect(try JSONParser.parse(slice, skipping: ["value"]).skipped["value"] == range)
    }

    @Test(arguments: [#"{"value":{"a":1"#, #"{"value":"unterminated}"#, #"{"value":}"#, #"{"a":1,"value":[1,2}"#])
    func badSkippedValuesAreErrors(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(Array(text.utf8), skipping: ["value"]) }
    }
}
