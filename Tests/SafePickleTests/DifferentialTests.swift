// SafePickleTests/DifferentialTests: CPython 3 as the oracle. generate.py (fixed seed) pickles
// thousands of random values and Keystone-shaped values at protocols 0–5 with the expected JSON.
import Foundation
import Testing
import TestSupport

@Suite("Differential against CPython 3")
struct DifferentialTests {
    @Test("random values at protocols 0–5 decode exactly as the reference canonicalizer says")
    func randomValues() throws {
        let dir = try Oracle.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let casesPath = dir.appendingPathComponent("cases.jsonl").path
        let gen = try Python.run(script: Oracle.fixtures + "/generate.py", ["--seed", "20261126", "--count", "1500", "--out", casesPath])
        let generated = Int(gen.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        #expect(generated >= 9000)
        let s = try Oracle.check(casesPath: casesPath)
        #expect(s.total == generated)
        #expect(s.mismatchCount == 0, "\(s.mismatches)")
        #expect(s.passed == generated)
    }
}
