// SafePickleTests/Oracle: runs the Swift decoder over a JSONL case file and lets the Python
// comparator (Tests/Fixtures/pickle/compare.py, spec §7 rules) judge the outputs.
import Foundation
import SafePickle
import TestSupport

struct CompareSummary {
    var total: Int
    var passed: Int
    var mismatchCount: Int
    var mismatches: String
}

enum Oracle {
    static let fixtures = Repo.path("Tests/Fixtures/pickle")

    static func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("safepickle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// The decoder's one-line output for a pickle: canonical JSON or the `$error` object.
    static func output(_ bytes: [UInt8], limits: PickleLimits = .default) -> String {
        switch SafePickle.canonicalJSON(bytes, limits: limits) {
        case .success(let json): return String(decoding: json, as: UTF8.self)
        case .failure(let e): return String(decoding: SafePickle.errorJSON(e), as: UTF8.self)
        }
    }

    /// Reads `{"id", "b64", …}` lines.
    static func cases(_ path: String) throws -> [(id: String, bytes: [UInt8])] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var out: [(String, [UInt8])] = []
        for line in text.split(separator: "\n") where !line.isEmpty {
            guard let obj = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let id = obj["id"] as? String
            else { throw TestSupportError.failed("bad case line in \(path)") }
            if let b64 = obj["b64"] as? String, let data = Data(base64Encoded: b64) {
                out.append((id, [UInt8](data)))
            } else if let file = obj["file"] as? String {
                let dir = URL(fileURLWithPath: path).deletingLastPathComponent()
                out.append((id, [UInt8](try Data(contentsOf: dir.appendingPathComponent(file)))))
            } else {
                throw TestSupportError.failed("case \(id) has neither b64 nor file")
            }
        }
        return out
    }

    /// Decodes every case of `casesPath` and returns the comparator's verdict.
    static func check(casesPath: String) throws -> CompareSummary {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var actual = ""
        for c in try cases(casesPath) {
            actual += c.id + "\t" + output(c.bytes) + "\n"
        }
        let actualPath = dir.appendingPathComponent("actual.tsv").path
        try actual.write(toFile: actualPath, atomically: true, encoding: .utf8)
        let r = try Python.run(script: fixtures + "/compare.py", [casesPath, actualPath])
        guard let obj = try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any],
            let total = obj["total"] as? Int, let passed = obj["passed"] as? Int, let count = obj["mismatch_count"] as? Int
        else { throw TestSupportError.failed("compare.py said: \(r.stdoutText)") }
        let mism = (try? JSONSerialization.data(withJSONObject: obj["mismatches"] ?? [])).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return CompareSummary(total: total, passed: passed, mismatchCount: count, mismatches: mism)
    }
}
