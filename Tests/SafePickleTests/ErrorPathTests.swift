// SafePickleTests/ErrorPathTests: each VM fault path gives its error kind and byte offset, and the
// deliberate spec semantics (huge memo ids, POP of a MARK, bytes after STOP, key merging) hold.
import Foundation
import SafePickle
import Testing
import TestSupport

@Suite("VM error paths and semantics")
struct ErrorPathTests {
    @Test(
        "error kinds",
        arguments: [
            ("\u{FF}", PickleError.Kind.badOpcode), ("K\u{01}", .truncated), ("", .truncated), ("I12", .truncated),
            ("h\u{05}.", .memoError), ("g7\n.", .memoError), ("Va\np-1\n.", .badArgument), ("I0x10\n.", .badArgument),
            ("I 5\n.", .badArgument), ("F1e400\n.", .badArgument), ("Fabc\n.", .badArgument), ("S'\\x4'\n.", .badArgument),
            ("S'abc\n.", .badArgument), ("S'\\'\n.", .badArgument), ("V\\u12\n.", .badArgument), ("V\\U00110000\n.", .badArgument),
            ("(o.", .stackError), ("(K\u{01}d.", .stackError), ("0", .stackError), ("a.", .stackError), ("t.", .stackError),
            ("(.", .stackError), ("K\u{01}K\u{02}}(K\u{01}u.", .stackError),
            ("}K\u{01}a.", .typeError), ("](K\u{01}\u{90}.", .typeError), ("]N\u{85}b.", .typeError), ("N)R.", .typeError),
            ("cbuiltins\nint\nNR.", .typeError), ("cx\ny\nN\u{81}.", .typeError), ("K\u{01}K\u{02}\u{93}.", .typeError),
            ("}]K\u{01}s.", .typeError), ("(]\u{91}.", .typeError),
            ("P1\n.", .unsupported), ("N\u{51}.", .unsupported), ("\u{82}\u{01}.", .unsupported), ("\u{97}.", .unsupported),
            ("N\u{98}.", .unsupported),
        ])
    func kinds(_ text: String, _ kind: PickleError.Kind) {
        let b = Array(text.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) })
        #expect(errorKind(b) == kind, "\(text.debugDescription)")
        let line = out(b)
        #expect(line.hasPrefix("{\"$error\":\"\(kind.rawValue)\""))
    }

    @Test("the byte offset of the failing opcode is reported")
    func offsets() throws {
        guard case .failure(let e) = SafePickle.canonicalJSON([0x4B, 0x01, 0xFF, 0x2E]) else {
            Issue.record("no error")
            return
        }
        #expect(e.offset == 2)
        #expect(e.kind == .badOpcode)
        #expect(e.description.contains("at byte 2"))
    }

    @Test("bad UTF-8 in BINUNICODE and GLOBAL is bad_argument; surrogates are combined or replaced")
    func utf8() {
        #expect(errorKind([0x58, 0x02, 0, 0, 0, 0xC3, 0x28, 0x2E]) == .badArgument)
        #expect(errorKind([0x63, 0xFF, 0x0A, 0x61, 0x0A, 0x2E]) == .badArgument)
        #expect(out([0x58, 0x06, 0, 0, 0, 0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80, 0x2E]) == "\"😀\"")
        #expect(out([0x58, 0x03, 0, 0, 0, 0xED, 0xA0, 0x80, 0x2E]) == "\"\u{FFFD}\"")
        #expect(out(bytes("V\\ud83d\\ude00 caf\u{E9}\n.")) == "\"😀 café\"")
        #expect(out(bytes("S'caf\\xc3\\xa9'\n.")) == "\"café\"")
        #expect(out(bytes("S'\\xff'\n.")) == #"{"$bytes":"/w=="}"#)
    }

    @Test("spec semantics: huge memo ids, POP of a MARK, bytes after STOP, empty APPENDS on anything")
    func semantics() {
        #expect(out([0x5D, 0x72, 0xFF, 0xFF, 0xFF, 0xFF, 0x6A, 0xFF, 0xFF, 0xFF, 0xFF, 0x2E]) == "[]")
        #expect(out(bytes("]p100000000000\n0g100000000000\n.")) == "[]")
        #expect(out(bytes("(0K\u{01}.")) == "1")
        #expect(out(bytes("K\u{01}.garbage")) == "1")
        #expect(out(bytes("K\u{01}(e.")) == "1")
        #expect(out(bytes("I01\nI00\n\u{86}.")) == "[true,false]")
        #expect(out(bytes("L12345678901234567890L\n.")) == #"{"$int":"12345678901234567890"}"#)
        #expect(out(bytes("I9007199254740991\n.")) == "9007199254740991")
        #expect(out(bytes("I9007199254740992\n.")) == #"{"$int":"9007199254740992"}"#)
        #expect(out([0x8A, 0x09, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x2E]) == #"{"$int":"-2361183241434822606848"}"#)
        #expect(out(bytes("Fnan\n.")) == #"{"$float":"nan"}"#)
        #expect(out(bytes("F-0.0\n.")) == "-0.0")
        #expect(out(bytes("F1e16\n.")) == "1e+16")
        #expect(out(bytes("F100\n.")) == "100.0")
    }

    @Test("dict keys merge by Python equality; colliding renderings fall back to $dict")
    func keyMerging() {
        // {1: 'one', True: 'true', 1.0: 'float'} is one key (the first object, the last value).
        let p = bytes("}(K\u{01}Vone\n\u{88}Vtrue\nG") + [0x3F, 0xF0, 0, 0, 0, 0, 0, 0] + bytes("Vfloat\nu.")
        #expect(out(p) == #"{"$dict":[[1,"float"]]}"#)
        // Py2 str 'a' and bytes b'a' are equal; Py2 str 'a' and text 'a' are not (and render alike).
        #expect(out(bytes("}(U\u{01}aK\u{01}C\u{01}aK\u{02}u.")) == #"{"a":2}"#)
        #expect(out(bytes("}(U\u{01}aK\u{01}X\u{01}\u{00}\u{00}\u{00}aK\u{02}u.")) == #"{"$dict":[["a",1],["a",2]]}"#)
        #expect(out(bytes("}(V$x\nK\u{01}u.")) == #"{"$dict":[["$x",1]]}"#)
        #expect(out(bytes("\u{8F}(K\u{01}\u{88}K\u{02}\u{90}.")) == #"{"$set":[1,2]}"#)
    }

    @Test("limits: stack depth, opcodes, memo size, input size")
    func limits() {
        var l = PickleLimits.default
        l.maxStackDepth = 10
        #expect(errorKind([UInt8](repeating: 0x4E, count: 20) + [0x2E], l) == .limit)
        l = .default
        l.maxOpcodes = 5
        #expect(errorKind([UInt8](repeating: 0x4E, count: 20) + [0x2E], l) == .limit)
        l = .default
        l.maxMemoEntries = 3
        #expect(errorKind(bytes("N\u{94}\u{94}\u{94}\u{94}."), l) == .limit)
        l = .default
        l.maxInputBytes = 4
        #expect(errorKind(bytes("NNNNN."), l) == .limit)
        l = .default
        l.maxOutputBytes = 100
        #expect(errorKind(bytes("(") + [UInt8](repeating: 0x4E, count: 200) + bytes("l."), l) == .limit)
    }

    @Test("disassembly lists opcodes with offsets and arguments")
    func disassembly() {
        let listing = SafePickle.disassemble([0x80, 0x02, 0x5D, 0x71, 0x00, 0x4B, 0x07, 0x61, 0x2E])
        #expect(listing.contains("    0: \\x80 PROTO            2"))
        #expect(listing.contains("BINPUT"))
        #expect(listing.contains("BININT1          7"))
        #expect(listing.contains("STOP"))
        #expect(SafePickle.disassemble([0x58, 0xFF, 0xFF, 0xFF, 0xFF]).contains("<truncated or bad argument>"))
    }

    /// Object-building opcodes whose class slot holds a plain value: CPython's unpickler refuses them
    /// (TypeError or UnpicklingError, before calling anything), and so must SafePickle. CPython is run
    /// on each to confirm it refuses.
    @Test(
        "a class slot that cannot be a class is refused, as CPython refuses it",
        arguments: [
            "K\u{01})\u{81}.", "X\u{01}\u{00}\u{00}\u{00}a)\u{81}.", "N)\u{81}.", "))\u{81}.", "](K\u{01}t\u{81}.",
            "K\u{01})}\u{92}.", "N)}\u{92}.", "(K\u{01}o.", "(]o.", "(NK\u{02}o.",
        ])
    func classSlotMustBeAClass(_ text: String) throws {
        let b = Array(text.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) })
        #expect(errorKind(b) == .typeError, "\(text.debugDescription)")
        let cpython = try Python.run(
            code: """
                import pickle, sys
                try:
                    pickle.loads(bytes.fromhex(sys.argv[1]))
                    print('accepted')
                except Exception as e:
                    print('refused', type(e).__name__)
                """, [b.map { String(format: "%02x", $0) }.joined()])
        #expect(cpython.stdoutText.hasPrefix("refused"), "CPython: \(cpython.stdoutText)")
    }
}
