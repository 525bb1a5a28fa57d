// DecodeTests/FamilyTests: every item record names its key family (docs/families.md) — built-in
// profiles and patterns by default, the operator's rules with `--families FILE` — and a rules file
// that cannot be used stops decode with a line naming the file and the line.
import Foundation
import Testing
import TestSupport

@Suite("key families in decode")
struct FamilyTests {
    static let capture = Data(
        ("VALUE :1:django.contrib.sessions.cacheq2x7k0v3n8m1p5r9t4w6y0z2a4c6e8g1 0 1 1\r\na\r\n"
            + "VALUE cart:17:items 0 1 2\r\nb\r\nVALUE cart:18:items 0 1 3\r\nc\r\n"
            + "VALUE wp_:posts:12 0 1 4\r\nd\r\nEND\r\n").utf8)

    @Test("profiles and patterns without rules; rules first, with owners, with --families")
    func familiesAndRules() throws {
        let dir = try ScratchDir()
        let input = dir.file("capture.txt")
        try Self.capture.write(to: URL(fileURLWithPath: input))
        let plain = DecodeTool.items(try DecodeTool.records(try DecodeTool.run([input]).stdoutText))
        #expect(plain.map { $0["family"] as? String } == ["django:session", "cart:{n}:items", "cart:{n}:items", "wordpress:posts"])
        #expect(plain.allSatisfy { $0["family_owner"] == nil })

        let rules = dir.file("families.txt")
        try "# shop\n^cart:([0-9]+): => cart shop-team client=dalli\n".write(toFile: rules, atomically: true, encoding: .utf8)
        let r = try DecodeTool.run(["--families", rules, input])
        #expect(r.status == 0, "\(r.stderrText)")
        let items = DecodeTool.items(try DecodeTool.records(r.stdoutText))
        #expect(items.map { $0["family"] as? String } == ["django:session", "cart", "cart", "wordpress:posts"])
        #expect(items.map { $0["family_owner"] as? String } == [nil, "shop-team", "shop-team", nil])
        #expect(items.map { $0["family_client"] as? String } == [nil, "dalli", "dalli", nil])
    }

    @Test("a bad rule or an unreadable rules file: exit 2, one line naming file and line, no records")
    func badRulesFile() throws {
        let dir = try ScratchDir()
        let input = dir.file("capture.txt")
        try Self.capture.write(to: URL(fileURLWithPath: input))
        let rules = dir.file("families.txt")
        try "^ok => fine\n^bad( => broken\n".write(toFile: rules, atomically: true, encoding: .utf8)
        let bad = try DecodeTool.run(["--families", rules, input])
        #expect(bad.status == 2)
        #expect(bad.stdoutText.isEmpty)
        #expect(bad.stderrText.contains("\(rules):2: bad regular expression ^bad("), "\(bad.stderrText)")
        #expect(bad.stderrText.split(separator: "\n").count == 1, "\(bad.stderrText)")

        try "^ok => fine\n^a => a client=memcachier\n".write(toFile: rules, atomically: true, encoding: .utf8)
        let unknownClient = try DecodeTool.run(["--families", rules, input])
        #expect(unknownClient.status == 2)
        #expect(unknownClient.stderrText.contains("\(rules):2: client=memcachier: unknown client \"memcachier\""), "\(unknownClient.stderrText)")

        let missing = try DecodeTool.run(["--families", dir.file("nope.txt"), input])
        #expect(missing.status == 2)
        #expect(missing.stderrText.contains("nope.txt: cannot read the family rules file"), "\(missing.stderrText)")
    }
}
