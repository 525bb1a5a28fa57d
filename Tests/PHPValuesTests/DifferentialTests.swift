// PHPValuesTests/DifferentialTests: PHP 8.2 as the oracle. Every value generate.php builds (fixed and
// seeded random) must decode, from serialize() and from igbinary_serialize(), to exactly the canonical
// JSON canon.php writes for what unserialize()/igbinary_unserialize() give back — and the two encodings
// of one value to the same JSON.
import Foundation
import PHPValues
import Testing
import TestSupport

@Suite("Differential against PHP's unserialize and igbinary_unserialize")
struct DifferentialTests {
    @Test("serialize() and igbinary_serialize() of ~390 values decode byte for byte as PHP's reference canonicalizer says")
    func phpReference() throws {
        let cases = try PHPOracle.cases()
        #expect(cases.count >= 390)
        var serializeMismatches: [String] = []
        var igbinaryMismatches: [String] = []
        var sameValue = 0
        for c in cases {
            let s = PHPOracle.serialize(c.serialized)
            let i = PHPOracle.igbinary(c.igbinary)
            if s != c.expectSerialize { serializeMismatches.append("\(c.id): got \(s.prefix(300)) want \(c.expectSerialize.prefix(300))") }
            if i != c.expectIgbinary { igbinaryMismatches.append("\(c.id): got \(i.prefix(300)) want \(c.expectIgbinary.prefix(300))") }
            if c.expectSerialize == c.expectIgbinary {
                sameValue += 1
                #expect(s == i, "\(c.id): the two encodings of one value decode differently")
            }
        }
        #expect(serializeMismatches.isEmpty, "\(serializeMismatches.count) serialize mismatches: \(serializeMismatches.prefix(5))")
        #expect(igbinaryMismatches.isEmpty, "\(igbinaryMismatches.count) igbinary mismatches: \(igbinaryMismatches.prefix(5))")
        #expect(sameValue == cases.count, "PHP itself gave different values for the two encodings of \(cases.count - sameValue) cases")
    }

    @Test("the fixture set covers every serialize tag and the igbinary types that matter")
    func coverage() throws {
        let cases = try PHPOracle.cases(count: 0)
        let allSerialized = cases.map { String(decoding: $0.serialized, as: UTF8.self) }.joined(separator: "\n")
        for tag in ["N;", "b:1;", "i:", "d:", "s:", "a:", "O:", "C:", "E:", "r:", "R:", "d:NAN;", "d:INF;", "d:-INF;", "d:-0;"] {
            #expect(allSerialized.contains(tag), "no fixture has \(tag)")
        }
        let types = Set(cases.flatMap { $0.igbinary.dropFirst(4) })
        for t: UInt8 in [0x01, 0x0E, 0x11, 0x12, 0x13, 0x14, 0x15, 0x17, 0x1A, 0x1D, 0x20, 0x21, 0x22, 0x25, 0x27] {
            #expect(types.contains(t), "no igbinary fixture contains byte 0x\(String(t, radix: 16))")
        }
    }

    @Test("class names are recorded in first-seen order, POP-chain classes by name only")
    func classes() throws {
        let cases = try PHPOracle.cases(count: 0)
        let pop = try #require(cases.first { $0.id == "object-pop-chain" })
        for r in [PHPSerialize.canonicalJSON(pop.serialized), Igbinary.canonicalJSON(pop.igbinary)] {
            let doc = try r.get()
            #expect(doc.classes == ["GuzzleHttp\\Psr7\\FnStream"])
            #expect(doc.text.hasPrefix(#"{"$class":"GuzzleHttp\\Psr7\\FnStream","$props":{"methods":[],"_fn_close":"system"}"#))
        }
        let enums = try #require(cases.first { $0.id == "enum-in-array" })
        #expect(try PHPSerialize.canonicalJSON(enums.serialized).get().classes == ["Suit", "Status"])
        #expect(try Igbinary.canonicalJSON(enums.igbinary).get().classes == ["Suit", "Status"])
        let mixed = latin1(#"a:3:{i:0;O:1:"B":0:{}i:1;C:1:"A":1:{x}i:2;O:1:"B":0:{}}"#)
        #expect(try PHPSerialize.canonicalJSON(mixed).get().classes == ["B", "A"])
    }
}
