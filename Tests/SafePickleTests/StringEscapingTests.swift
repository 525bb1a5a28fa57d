// SafePickleTests/StringEscapingTests: a decoded string is written with the project's one JSON escaping
// (ByteText.JSONString), byte for byte what Python's json.dumps(ensure_ascii=False) writes for it.
import Foundation
import SafePickle
import Testing
import TestSupport

@Suite("Canonical JSON strings")
struct StringEscapingTests {
    @Test("every ASCII character, pickled at protocols 0, 2 and 4, renders as Python's json.dumps writes it")
    func stringsRenderAsPythonWrites() throws {
        let code = """
            import base64, json, pickle
            samples = [chr(c) for c in range(128)] + ['a\\bb\\fc"d\\\\e/f\\x7fg é ☃ 😀 \\u2028', 'eight bytes and more\\n']
            for s in samples:
                for proto in (0, 2, 4):
                    print(base64.b64encode(pickle.dumps(s, protocol=proto)).decode() + '\\t' + json.dumps(s, ensure_ascii=False))
            """
        let lines = try Python.run(code: code).stdoutText.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == 130 * 3)
        var mismatches: [String] = []
        for line in lines {
            let parts = line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, let pickle = Data(base64Encoded: String(parts[0])) else {
                mismatches.append("bad line \(line)")
                continue
            }
            let mine = Oracle.output([UInt8](pickle))
            if mine != String(parts[1]) { mismatches.append("\(parts[1]) → \(mine)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }
}
