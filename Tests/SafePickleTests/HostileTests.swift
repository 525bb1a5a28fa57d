// SafePickleTests/HostileTests: hostile and malformed input — truncations of every fixture, code
// execution attempts rendered symbolically, deep nesting, billion laughs, huge length claims — and
// one test per error path of the VM (kind and offset).
import Foundation
import SafePickle
import Testing
import TestSupport

/// Latin-1 bytes of a string literal (each scalar below 256 is one byte), for writing pickles inline.
func bytes(_ s: String) -> [UInt8] { s.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) } }
func out(_ b: [UInt8], _ limits: PickleLimits = .default) -> String { Oracle.output(b, limits: limits) }
func errorKind(_ b: [UInt8], _ limits: PickleLimits = .default) -> PickleError.Kind? {
    if case .failure(let e) = SafePickle.canonicalJSON(b, limits: limits) { return e.kind }
    return nil
}

@Suite("Hostile input")
struct HostileTests {
    static func fixtureFiles() throws -> [[UInt8]] {
        var all: [[UInt8]] = []
        for c in try Oracle.cases(Oracle.fixtures + "/py2/cases.jsonl") { all.append(c.bytes) }
        for c in try Oracle.cases(Oracle.fixtures + "/cpython/cases.jsonl") where c.id.hasPrefix("DATA") || c.id.hasPrefix("exception") {
            all.append(c.bytes)
        }
        return all
    }

    @Test("every truncation of every fixture is a truncated error (files over 4 KiB: ~80 cut points each)")
    func truncations() throws {
        var checked = 0
        for file in try HostileTests.fixtureFiles() {
            let cuts: [Int] =
                file.count <= 4096
                ? Array(0..<file.count)
                : Array(Set(stride(from: 0, to: file.count, by: max(1, file.count / 60)).map { $0 } + Array((file.count - 16)..<file.count))).sorted()
            for n in cuts {
                let kind = errorKind(Array(file[0..<n]))
                #expect(kind == .truncated, "prefix \(n) of \(file.count) bytes gave \(String(describing: kind))")
                checked += 1
            }
        }
        #expect(checked > 3_000)
    }

    @Test("os.system, subprocess and getattr(__import__) calls are rendered, never executed")
    func codeExecutionIsSymbolic() {
        #expect(out(bytes("cos\nsystem\n(S'touch /tmp/pwned'\ntR.")) == #"{"$class":"os.system","$args":["touch /tmp/pwned"]}"#)
        #expect(out(bytes("csubprocess\ncheck_output\n((S'ls'\nltR.")) == #"{"$class":"subprocess.check_output","$args":[["ls"]]}"#)
        let nested = "cbuiltins\ngetattr\n(cbuiltins\n__import__\n(S'os'\ntRS'system'\ntR(S'id'\ntR."
        #expect(
            out(bytes(nested))
                == #"{"$class":{"$class":"builtins.getattr","$args":[{"$class":"builtins.__import__","$args":["os"]},"system"]},"$args":["id"]}"#)
        #expect(!FileManager.default.fileExists(atPath: "/tmp/pwned"))
        #expect(out(bytes("cos\nsystem\n.")) == #"{"$global":"os.system"}"#)
    }

    @Test("100k-deep lists, dicts and object chains decode in the VM and are refused as limit when rendered")
    func deepNesting() {
        let n = 100_000
        let lists = [UInt8](repeating: 0x28, count: n) + [UInt8](repeating: 0x6C, count: n) + [0x2E]
        #expect(SafePickle.decode(lists).map { _ in true } == .success(true))
        #expect(errorKind(lists) == .limit)
        let dicts = Array(String(repeating: "(Vk\n", count: n - 1).utf8) + [0x7D] + [UInt8](repeating: 0x64, count: n - 1) + [0x2E]
        #expect(errorKind(dicts) == .limit)
        // A chain of 100k objects, each the BUILD state of the one below it.
        var chain: [UInt8] = [0x80, 0x02] + bytes("c__main__\nX\n") + [0x71, 0x00]
        for _ in 0..<n { chain += [0x68, 0x00, 0x29, 0x81] }
        chain += [UInt8](repeating: 0x62, count: n - 1) + [0x2E]
        #expect(errorKind(chain) == .limit)
        #expect(SafePickle.decode(chain).map { _ in true } == .success(true))
    }

    @Test("MAX_DEPTH: exactly 1000 levels succeed, 1001 fail, for lists and for dicts")
    func maxDepth() {
        func lists(_ d: Int) -> [UInt8] { [UInt8](repeating: 0x28, count: d) + [UInt8](repeating: 0x6C, count: d) + [0x2E] }
        func dicts(_ d: Int) -> [UInt8] {
            Array(String(repeating: "(Vk\n", count: d - 1).utf8) + [0x7D] + [UInt8](repeating: 0x64, count: d - 1) + [0x2E]
        }
        #expect(errorKind(lists(1000)) == nil)
        #expect(errorKind(lists(1001)) == .limit)
        #expect(errorKind(dicts(1000)) == nil)
        #expect(errorKind(dicts(1001)) == .limit)
        #expect(out(lists(3)) == "[[[]]]")
    }

    @Test("billion laughs: 40 levels of a list holding the previous one twice is refused with limit")
    func billionLaughs() {
        var p: [UInt8] = [0x80, 0x02, 0x5D, 0x71, 0x00]  // [] memo 0
        for i in 1...40 {
            p += [0x5D, 0x28, 0x68, UInt8(i - 1), 0x68, UInt8(i - 1), 0x65, 0x71, UInt8(i)]
        }
        p.append(0x2E)
        #expect(p.count < 400)
        let r = SafePickle.canonicalJSON(p)
        guard case .failure(let e) = r else {
            Issue.record("billion laughs was rendered")
            return
        }
        #expect(e.kind == .limit)
        // Under a tighter budget it is refused as well; a small fan-out within budget renders in full.
        var small = PickleLimits.default
        small.maxOutputValues = 1_000
        #expect(errorKind(p, small) == .limit)
    }

    @Test("lengths claiming 2^60 bytes are truncated errors, checked before allocating")
    func hugeLengths() {
        let claim: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0x10]  // 2^60 little-endian
        for op: UInt8 in [0x8D, 0x8E, 0x96, 0x95] {
            #expect(errorKind([0x80, 0x04, op] + claim + [0x2E]) == .truncated, "opcode \(op)")
        }
        #expect(errorKind([0x58, 0xFF, 0xFF, 0xFF, 0xFF, 0x2E]) == .truncated)
        #expect(errorKind([0x54, 0xFF, 0xFF, 0xFF, 0xFF, 0x2E]) == .badArgument)  // negative BINSTRING
        #expect(errorKind([0x8B, 0xFF, 0xFF, 0xFF, 0xFF, 0x2E]) == .badArgument)  // negative LONG4
        #expect(errorKind([0x8B, 0x00, 0x10, 0x00, 0x00] + [UInt8](repeating: 1, count: 4096) + [0x2E]) == .limit)
        #expect(errorKind(bytes("L" + String(repeating: "9", count: 3000) + "\n.")) == .limit)
    }
}
