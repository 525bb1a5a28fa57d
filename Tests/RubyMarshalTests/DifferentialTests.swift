// RubyMarshalTests/DifferentialTests: every value of Tests/Fixtures/ruby/marshal_cases.rb, dumped by the
// installed Ruby's Marshal.dump at test time, decodes to exactly the JSON (byte for byte) and class list
// that canon.rb writes from Ruby's own Marshal.load of the same bytes.
import Foundation
import RubyMarshal
import Testing

@Suite("RubyMarshal vs Ruby's Marshal.load")
struct DifferentialTests {
    @Test("every fixture case, dumped now by Ruby, matches the reference JSON and classes byte for byte")
    func freshFromRuby() throws {
        let cases = try RubyOracle.freshCases()
        #expect(cases.count >= 130)
        var mismatches: [String] = []
        for c in cases {
            switch RubyMarshal.canonicalJSON(c.bytes) {
            case .success(let doc):
                let got = String(decoding: doc.json, as: UTF8.self)
                if got != c.json { mismatches.append("\(c.name):\n  ruby:  \(c.json)\n  swift: \(got)") }
                if doc.classes != c.classes { mismatches.append("\(c.name): classes ruby \(c.classes) swift \(doc.classes)") }
            case .failure(let e):
                mismatches.append("\(c.name): \(e)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches:\n\(mismatches.prefix(20).joined(separator: "\n"))")
    }

    @Test("the committed cases.jsonl decodes to its recorded JSON (no Ruby needed)")
    func committed() throws {
        let cases = try RubyOracle.committedCases()
        #expect(cases.count >= 130)
        for c in cases {
            #expect(decodedText(c.bytes) == c.json, "\(c.name)")
        }
    }

    @Test("the committed cases.jsonl is what the installed Ruby writes now")
    func committedIsCurrent() throws {
        let fresh = try RubyOracle.freshCases()
        let committed = try RubyOracle.committedCases()
        #expect(fresh.map(\.name) == committed.map(\.name))
        for (a, b) in zip(fresh, committed) {
            #expect(a.bytes == b.bytes && a.json == b.json, "\(a.name) changed: regenerate cases.jsonl")
        }
    }
}
