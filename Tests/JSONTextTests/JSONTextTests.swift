// JSONTextTests: the project's one JSON escaping is byte for byte what Python's json.dumps writes
// (ensure_ascii=False), every writer of the project uses it (NDJSONWriter, SafePickle's canonical JSON
// through the same functions), and JSONTextEncoder writes what Foundation's JSONEncoder wrote before
// it — the same bytes on one line, the same values indented, the same snake_case names.
import ByteText
import Foundation
import JSONText
import Testing
import TestSupport

@Suite("JSON text")
struct JSONTextTests {
    /// Every ASCII byte alone, then a mix with non-ASCII, DEL, `/` and U+2028.
    static let samples: [String] =
        (0..<0x80).map { String(UnicodeScalar(UInt8($0))) }
        + ["a\u{08}b\u{0C}c\"d\\e/f\u{7F}g é ☃ 😀 \u{2028}", "plain text over eight bytes", "", "0123456789abcdef\n"]

    @Test("escaping is byte for byte Python's json.dumps(ensure_ascii=False)")
    func escapingIsPythons() throws {
        var mine: [UInt8] = []
        for s in Self.samples {
            var t = s
            t.withUTF8 { JSONString.appendQuotedValid(UnsafeRawBufferPointer($0), to: &mine) }
            mine.append(0x0A)
        }
        let input = Self.samples.map { Array($0.utf8).map { String(format: "%02x", $0) }.joined() }.joined(separator: "\n")
        let code = """
            import json, sys
            out = sys.stdout.buffer
            for h in sys.stdin.read().split('\\n'):
                out.write(json.dumps(bytes.fromhex(h).decode('utf-8'), ensure_ascii=False).encode('utf-8') + b'\\n')
            """
        let r = try Python.run(code: code, stdin: Data(input.utf8))
        #expect(r.stdout == Data(mine))
        // NDJSONWriter writes strings with the same function.
        var w = NDJSONWriter()
        w.beginArray(); for s in Self.samples { w.string(s) }; w.endArray()
        let joined =
            "[" + String(decoding: mine, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).dropLast().joined(separator: ",") + "]"
        #expect(w.text == joined)
    }

    @Test("the eight-byte test agrees with the byte rule on every byte in every lane")
    func plain8AgreesWithBytes() {
        for b in 0...255 {
            for lane in 0..<8 {
                var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 8)
                bytes[lane] = UInt8(b)
                let w = bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
                let needs = b < 0x20 || b == 0x22 || b == 0x5C
                #expect(JSONString.plain8(w) == !needs, "byte \(b) lane \(lane)")
            }
        }
    }

    @Test("doubles: shortest round trip, always a fraction or an exponent, null when not finite")
    func doubles() {
        func text(_ d: Double) -> String { var o: [UInt8] = []; JSONString.appendDouble(d, to: &o); return String(decoding: o, as: UTF8.self) }
        #expect(text(1) == "1.0")
        #expect(text(-0.0) == "-0.0")
        #expect(text(1e16) == "1e+16")
        #expect(text(0.1) == "0.1")
        #expect(text(1796556382.697568) == "1796556382.697568")
        #expect(text(.infinity) == "null")
        #expect(text(.nan) == "null")
    }

    struct Inner: Codable, Equatable {
        var name: String
        var weight: Int
        var ratio: Double?
    }

    enum Mode: String, Codable { case metadump, cachedump }

    struct Sample: Codable, Equatable {
        var format: Int
        var hostName: String
        var serverTimeStart: Int64?
        var missing: String?
        var startedLocal: Double
        var bandwidthMbPerS: Double?
        var sha256: String
        var keysOnly: Bool
        var big: UInt64
        var mode: Mode
        var notes: [String]
        var empty: [Int]
        var servers: [Inner]
        var commandLine: [String]
        var nested: [String: Int]
    }

    static let sample = Sample(
        format: 1, hostName: "127.0.0.1", serverTimeStart: 1_796_556_382, missing: nil, startedLocal: 1796556382.697568,
        bandwidthMbPerS: 12.5, sha256: "47f9", keysOnly: false, big: UInt64.max, mode: .metadump,
        notes: ["a/b \"q\" \\ \u{1B}[31m é\n"], empty: [],
        servers: [Inner(name: "x", weight: 2, ratio: 0.25), Inner(name: "y", weight: -1, ratio: nil)],
        commandLine: ["collect", "--out", "/tmp/x"], nested: ["b": 2, "a": 1, "a_b": 3])

    @Test("one line: the same bytes as Foundation's JSONEncoder with sorted keys and unescaped slashes")
    func compactIsFoundations() throws {
        let foundation = JSONEncoder()
        foundation.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let theirs = try foundation.encode(Self.sample)
        let mine = try JSONTextEncoder().encode(Self.sample)
        #expect(String(decoding: mine, as: UTF8.self) == String(decoding: theirs, as: UTF8.self))
        #expect(try JSONDecoder().decode(Sample.self, from: Data(mine)) == Self.sample)
    }

    @Test("indented with snake_case keys: Foundation's values and key names, two-space indentation")
    func indentedIsFoundations() throws {
        let foundation = JSONEncoder()
        foundation.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        foundation.keyEncodingStrategy = .convertToSnakeCase
        let theirs = try JSONSerialization.jsonObject(with: foundation.encode(Self.sample)) as? NSDictionary
        let mine = try JSONTextEncoder(layout: .indented, keyName: JSONTextEncoder.snakeCase).encode(Self.sample)
        let parsed = try JSONSerialization.jsonObject(with: Data(mine)) as? NSDictionary
        #expect(parsed != nil && parsed == theirs)
        let text = String(decoding: mine, as: UTF8.self)
        #expect(text.hasPrefix("{\n  \"bandwidth_mb_per_s\": 12.5,\n"))
        #expect(text.contains("\n  \"empty\": [],\n"))
        #expect(text.contains("\n    {\n      \"name\": \"x\",\n"))
        #expect(!text.contains("\"missing\""))
    }

    @Test("a NaN or an infinity is refused, naming where it is")
    func nonFiniteIsRefused() {
        var s = Self.sample
        s.servers[0].ratio = .nan
        #expect { try JSONTextEncoder().encode(s) } throws: { error in
            guard case EncodingError.invalidValue(_, let context)? = error as? EncodingError else { return false }
            return context.codingPath.map(\.stringValue).contains("ratio")
        }
        s.servers[0].ratio = 0.5
        s.startedLocal = -.infinity
        #expect(throws: EncodingError.self) { try JSONTextEncoder(layout: .indented).encode(s) }
    }

    @Test("snake_case names are Foundation's")
    func snakeCaseIsFoundations() throws {
        let names = [
            "format", "hostName", "serverTimeStart", "bandwidthMbPerS", "sha256", "keysOnly", "serverURLList",
            "uncompressedBytes", "listingComplete", "metadumpLines", "allowLruBump", "statsEvery", "a1B2", "myHTTP",
        ]
        // (Foundation spells an all-capital "ID" as "i_d"; no field of ours is named so, and "id" is what a reader expects.)
        struct Keys: Encodable {
            let names: [String]
            struct Key: CodingKey {
                var stringValue: String
                var intValue: Int? { nil }
                init(stringValue: String) { self.stringValue = stringValue }
                init?(intValue: Int) { nil }
            }
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: Key.self)
                for n in names { try c.encode(1, forKey: Key(stringValue: n)) }
            }
        }
        let foundation = JSONEncoder()
        foundation.keyEncodingStrategy = .convertToSnakeCase
        let theirs = try JSONSerialization.jsonObject(with: foundation.encode(Keys(names: names))) as? [String: Int] ?? [:]
        let mine = Set(names.map(JSONTextEncoder.snakeCase))
        #expect(mine == Set(theirs.keys), "ours \(mine.sorted()) Foundation \(theirs.keys.sorted())")
    }
}
