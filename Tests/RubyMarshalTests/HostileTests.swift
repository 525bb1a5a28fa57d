// RubyMarshalTests/HostileTests: what untrusted Marshal data can do — every truncation of every fixture,
// huge counts and lengths, nesting at and past the limit, links to nothing or to the future, cycles,
// a billion-laughs link bomb, unknown type bytes, wrong versions, malformed numbers and wrappers — and
// gadget-chain payloads, which decode to class names only.
import Foundation
import RubyMarshal
import Testing

@Suite("RubyMarshal on hostile input")
struct HostileTests {
    @Test("every truncation of every committed fixture is `truncated`, with an offset inside the input")
    func truncations() throws {
        var checked = 0
        for c in try RubyOracle.committedCases() where c.bytes.count <= 4096 {
            for n in 0..<c.bytes.count {
                let e = decodeError(Array(c.bytes[0..<n]))
                #expect(e?.kind == .truncated, "\(c.name) cut at \(n): \(String(describing: e))")
                #expect((e?.offset ?? -1) >= 0 && (e?.offset ?? Int.max) <= n, "\(c.name) cut at \(n)")
                checked += 1
            }
        }
        #expect(checked > 3000)
    }

    @Test("huge counts and lengths fail before allocating: truncated, or limit for a Bignum")
    func hugeCounts() {
        let big: [UInt8] = [0x04, 0xFF, 0xFF, 0xFF, 0x7F]  // long 2^31-1
        for tag in ["[", "{", "}", "\"", "f", ":", "/", "c", "m", "M"] {
            #expect(decodeError(m(tag, big))?.kind == .truncated, "\(tag)")
        }
        #expect(decodeError(m("o", sym("A"), big))?.kind == .truncated)
        #expect(decodeError(m("S", sym("A"), big))?.kind == .truncated)
        #expect(decodeError(m("u", sym("A"), big))?.kind == .truncated)
        #expect(decodeError(m("I\"", 6, "x", big))?.kind == .truncated)
        #expect(decodeError(m("l+", big))?.kind == .limit)
        #expect(decodeError(m("l+", 0x02, 0x01, 0x02))?.kind == .limit)  // 513 words = 1026 bytes
        // A long has at most 4 bytes after its count byte (count bytes 5…8 are small values, c − 5).
        #expect(decodedText(m("[", 8, "0", "0", "0")) == "[null,null,null]")
        // Negative lengths.
        #expect(decodeError(m("\"", 0xFA))?.kind == .badArgument)
        #expect(decodeError(m("[", 0xFA))?.kind == .badArgument)
        #expect(decodeError(m("l+", 0xFA))?.kind == .badArgument)
        // The object-count limit.
        var small = MarshalLimits()
        small.maxObjects = 10
        #expect(decodeError(m("[", 20, [UInt8](repeating: UInt8(ascii: "0"), count: 15)), limits: small)?.kind == .limit)
        #expect(decodeError(m("[", 6, "f", 6, "1"), limits: small) == nil)
    }

    /// `n` nested arrays around nil.
    func nested(_ n: Int) -> [UInt8] {
        m([UInt8](repeating: 0, count: 0)) + Array(repeating: [UInt8(ascii: "["), 6], count: n).flatMap { $0 } + [UInt8(ascii: "0")]
    }

    @Test("nesting: 1000 arrays decode, 1001 is `limit`; a long chain of wrappers is `limit`, not a crash")
    func depth() {
        #expect(decodeError(nested(1000)) == nil)
        #expect(decodeError(nested(1001))?.kind == .limit)
        #expect(decodeError(nested(100_000))?.kind == .limit)
        let wrappers = m(Array(repeating: [UInt8(ascii: "e")] + sym("M"), count: 5000).flatMap { $0 }, "[", 0)
        #expect(decodeError(wrappers)?.kind == .limit)
        let ivars = m(Array(repeating: Array("I".utf8), count: 5000).flatMap { $0 }, "\"", 6, "x")
        #expect(decodeError(ivars)?.kind == .limit)
    }

    @Test("links: to a future or nonexistent index is `ref_error`; a bad symlink is `ref_error`; negative links too")
    func links() {
        #expect(decodeError(m("@", 6))?.kind == .refError)
        #expect(decodeError(m("[", 7, "@", 7, "i", 6))?.kind == .refError)  // [@1, 1]: index 1 does not exist yet
        #expect(decodeError(m("[", 7, "@", 0, "@", 0xFA))?.kind == .refError)
        #expect(decodeError(m(";", 0))?.kind == .refError)
        #expect(decodeError(m("[", 7, ":", 6, "a", ";", 7))?.kind == .refError)
        #expect(decodeText(m("[", 7, ":", 6, "a", ";", 0)) == "[{\"$symbol\":\"a\"},{\"$symbol\":\"a\"}]")
        #expect(decodeError(m("o", ";", 0, 0))?.kind == .refError)
        let e = decodeError(m("[", 7, "i", 6, "@", 0x10))
        #expect(e?.offset == 6)
    }

    func decodeText(_ b: [UInt8]) -> String { decodedText(b) }

    @Test("cycles become $ref pointers to the enclosing value; shared values are written in full")
    func cycles() {
        #expect(decodedText(m("[", 7, "i", 6, "@", 0)) == "[1,{\"$ref\":\"\"}]")
        // {"a/b~": [<self>]}: the pointer escapes / and ~.
        #expect(decodedText(m("{", 6, "\"", 9, "a/b~", "[", 6, "@", 0)) == "{\"a/b~\":[{\"$ref\":\"\"}]}")
        #expect(decodedText(m("[", 6, "{", 6, "\"", 6, "k", "@", 6)) == "[{\"k\":{\"$ref\":\"/0\"}}]")
        // A hash in pair form: the pointer goes through $hash.
        #expect(decodedText(m("[", 6, "{", 6, "i", 6, "@", 6)) == "[{\"$hash\":[[1,{\"$ref\":\"/0\"}]]}]")
        // A U object whose data links back to it.
        #expect(decodedText(m("U", sym("Node"), "[", 6, "@", 0)) == "{\"$class\":\"Node\",\"$data\":[{\"$ref\":\"\"}]}")
        #expect(decodedText(m("[", 7, "\"", 6, "s", "@", 6)) == "[\"s\",\"s\"]")
    }

    @Test("a billion-laughs link bomb is `limit` (expansion budget, here 1,000,000 values; 10,000,000 by default)")
    func linkBomb() {
        // a0 = [nil, nil]; a(k) = [a(k-1), a(k-1)] via links: 2^40 values when expanded.
        var body: [UInt8] = []
        let levels = 40
        for _ in 0..<levels { body += [UInt8(ascii: "["), 7] }
        body += [UInt8(ascii: "0"), UInt8(ascii: "0")]
        for child in stride(from: levels - 1, through: 1, by: -1) {  // array child-1's second element: a link to its first
            body += [UInt8(ascii: "@")] + longBytes(child)
        }
        var limits = MarshalLimits()
        limits.maxOutputValues = 1_000_000
        let e = decodeError(m(body), limits: limits)
        #expect(e?.kind == .limit)
        #expect(e.map { $0.message.contains("values written") } == true)
    }

    func longBytes(_ n: Int) -> [UInt8] { n == 0 ? [0] : n < 123 ? [UInt8(n + 5)] : [2, UInt8(n & 0xFF), UInt8(n >> 8)] }

    @Test("unknown type bytes are `bad_tag`; non-symbols where a symbol must be are `bad_tag`")
    func badTags() {
        for b in [UInt8(ascii: "X"), UInt8(ascii: "z"), 0x00, 0xFF, UInt8(ascii: "?")] {
            #expect(decodeError(m([b]))?.kind == .badTag, "0x\(String(b, radix: 16))")
        }
        #expect(decodeError(m("o", "i", 6, 0))?.kind == .badTag)
        #expect(decodeError(m("o", "I", "\"", 6, "x", 0))?.kind == .badTag)
        #expect(decodeError(m("[", 6, "Q"))?.offset == 4)
    }

    @Test("wrong major or minor versions are `bad_argument`; short headers are `truncated`; 4.0–4.8 are read")
    func versions() {
        #expect(decodeError([4, 9, 0x30])?.kind == .badArgument)
        #expect(decodeError([3, 8, 0x30])?.kind == .badArgument)
        #expect(decodeError([5, 0, 0x30])?.kind == .badArgument)
        #expect(decodeError([4])?.kind == .truncated)
        #expect(decodeError([])?.kind == .truncated)
        #expect(decodedText([4, 7, 0x30]) == "null")
        #expect(decodedText([4, 8, 0x54, 0xFF, 0xFF]) == "true")  // bytes after the value are ignored, as Ruby does
    }

    @Test("malformed numbers and wrappers are `bad_argument`")
    func badArguments() {
        #expect(decodeError(m("l*", 6, 1, 0))?.kind == .badArgument)
        #expect(decodeError(m("f", 8, "abc"))?.kind == .badArgument)
        #expect(decodeError(m("f", 6, "."))?.kind == .badArgument)
        #expect(decodeError(m("f", 0))?.kind == .badArgument)
        #expect(decodeError(m("C", sym("X"), "i", 6))?.kind == .badArgument)
        #expect(decodeError(m("C", sym("X"), "C", sym("Y"), "[", 0))?.kind == .badArgument)
        #expect(decodeError(m("[", 7, "\"", 6, "s", "e", sym("M"), "@", 6))?.kind == .badArgument)
        #expect(decodeError(m("I", "i", 6, 6, sym("@a"), "T"))?.kind == .badArgument)
        #expect(decodeError(m("[", 7, "[", 0, "I", "@", 6, 6, sym("@a"), "T"))?.kind == .badArgument)
    }

    @Test("raw-byte forms Ruby's dumper does not write here: d, M, compare_by_identity, extra ivars, odd floats and bignums")
    func rawForms() {
        #expect(decodedText(m("d", sym("OpenSSL::X509::Name"), "[", 6, "i", 6)) == "{\"$class\":\"OpenSSL::X509::Name\",\"$data\":[1]}")
        #expect(decodedText(m("M", 11, "Kernel")) == "{\"$module\":\"Kernel\"}")
        #expect(decodedText(m("C", sym("Hash"), "{", 6, "I\"", 6, "a", 6, ":", 6, "ET", "i", 6)) == "{\"$class\":\"Hash\",\"$value\":{\"a\":1}}")
        #expect(decodedText(m("I\"", 6, "x", 7, ":", 6, "ET", sym("@n"), "i", 7)) == "{\"$value\":\"x\",\"$ivars\":{\"@n\":2}}")
        #expect(decodedText(m("Io", sym("A"), 6, sym("@a"), "i", 6, 6, sym("@b"), "i", 7)) == "{\"$class\":\"A\",\"$ivars\":{\"@a\":1,\"@b\":2}}")
        #expect(decodedText(m("S", sym("P"), 7, sym("x"), "i", 6, ";", 6, "i", 7)) == "{\"$class\":\"P\",\"$struct\":[[\"x\",1],[\"x\",2]]}")
        #expect(decodedText(m("f", 15, "1.5", [0, 0xAB, 0xCD, 0xEF, 0x01, 0x02, 0x03])) == "1.5")
        #expect(decodedText(m("f", 7, "-0")) == "-0.0")
        #expect(decodedText(m("l-", 6, 0, 0)) == "0")
        #expect(decodedText(m("l+", 9, [0, 0, 0, 0, 0, 0, 0x20, 0])) == "{\"$int\":\"9007199254740992\"}")
        #expect(decodedText(m("l-", 9, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0])) == "-9007199254740991")
        #expect(decodedText(m("i", [0xFC, 0, 0, 0, 0x80])) == "-2147483648")
        #expect(decodedText(m("i", [0x04, 0xFF, 0xFF, 0xFF, 0x7F])) == "2147483647")
        #expect(decodedText(m("i", [0xFF, 0x00])) == "-256")
        // Old Time layout, a `year` ivar and an unknown ivar keep the generic $dump form.
        let old = m("Iu", sym("Time"), 13, [1, 0, 0, 0, 0, 0, 0, 0], 6, sym("zone"), "0")
        #expect(decodedText(old) == "{\"$class\":\"Time\",\"$dump\":{\"$bytes\":\"AQAAAAAAAAA=\"},\"$ivars\":{\"zone\":null}}")
        let year = m("Iu", sym("Time"), 13, [0, 0, 0, 0xC0, 0, 0, 0, 0], 6, sym("year"), "i", 6)
        #expect(decodedText(year).hasPrefix("{\"$class\":\"Time\",\"$dump\""))
        let ok = m("Iu", sym("Time"), 13, [0x20, 0, 0, 0xC0, 0, 0, 0, 0], 0)
        #expect(decodedText(ok) == "{\"$time\":\"1900-01-01T00:00:00.000000000Z\"}")
        // The error JSON form.
        let e = MarshalError(.truncated, "data ends inside a value", offset: 7)
        #expect(String(decoding: RubyMarshal.errorJSON(e), as: UTF8.self) == "{\"$error\":\"truncated\",\"$detail\":\"data ends inside a value (at byte 7)\"}")
        #expect(String(decoding: RubyMarshal.errorJSON(MarshalError(.limit, "x", offset: -1)), as: UTF8.self) == "{\"$error\":\"limit\",\"$detail\":\"x\"}")
    }

    @Test("output and nesting limits while rendering")
    func renderLimits() {
        var tight = MarshalLimits()
        tight.maxOutputBytes = 100
        #expect(decodeError(m("\"", [0x02, 0xC8, 0x00], [UInt8](repeating: 0x61, count: 200)), limits: tight)?.kind == .limit)
        // An object is two JSON levels (itself and its $ivars): 500 deep is 1000 levels, 501 is 1002.
        var objects: [UInt8] = []
        for _ in 0..<501 { objects += [UInt8(ascii: "o")] + sym("A") + [6] + sym("@a") }
        #expect(decodeError(m(objects, "0"))?.kind == .limit)
        objects = []
        for _ in 0..<500 { objects += [UInt8(ascii: "o")] + sym("A") + [6] + sym("@a") }
        #expect(decodeError(m(objects, "0")) == nil)
    }

    @Test("gadget-chain payloads decode to records and class names, nothing more")
    func gadgets() throws {
        // Gem::Requirement → Gem::DependencyList → Gem::Source::SpecificFile (the 2.x universal chain), as raw bytes.
        let gemChain = m(
            "[", 7, "o", sym("Gem::SpecFetcher"), 0,
            "U", sym("Gem::Requirement"), "[", 6, "o", sym("Gem::DependencyList"), 7, sym("@specs"), "[", 6,
            "o", sym("Gem::Source::SpecificFile"), 6, sym("@spec"), "o", sym("Gem::StubSpecification"), 6, sym("@loaded_from"),
            "I\"", 13, "|id 1>&2", 6, ":", 6, "ET", sym("@development"), "T")
        let doc = try RubyMarshal.canonicalJSON(gemChain).get()
        #expect(doc.classes == ["Gem::SpecFetcher", "Gem::Requirement", "Gem::DependencyList", "Gem::Source::SpecificFile", "Gem::StubSpecification"])
        #expect(String(decoding: doc.json, as: UTF8.self).contains("\"@loaded_from\":\"|id 1>&2\""))
        // ERB + ActiveSupport::Deprecation::DeprecatedInstanceVariableProxy (the Rails chain).
        let erbChain = m(
            "o", sym("ActiveSupport::Deprecation::DeprecatedInstanceVariableProxy"), 9,
            sym("@instance"), "o", sym("ERB"), 6, sym("@src"), "I\"", 19, "`touch /tmp/x`", 6, ":", 6, "ET",
            sym("@method"), ":", 11, "result", sym("@var"), "I\"", 12, "@result", 6, ";", 9, "T",
            sym("@deprecator"), "Iu", sym("ActiveSupport::Deprecation"), 6, "x", 0)
        let erb = try RubyMarshal.canonicalJSON(erbChain).get()
        #expect(erb.classes == ["ActiveSupport::Deprecation::DeprecatedInstanceVariableProxy", "ERB", "ActiveSupport::Deprecation"])
        #expect(String(decoding: erb.json, as: UTF8.self).contains("\"@method\":{\"$symbol\":\"result\"}"))
        // Class and module objects are names, never looked up.
        let refs = try RubyMarshal.canonicalJSON(m("[", 7, "c", 17, "Kernel::Nope", "m", 15, "Evil::Mod!")).get()
        #expect(String(decoding: refs.json, as: UTF8.self) == "[{\"$rubyclass\":\"Kernel::Nope\"},{\"$module\":\"Evil::Mod!\"}]")
        #expect(refs.classes == ["Kernel::Nope", "Evil::Mod!"])
    }
}
