// DecodeTests/DecodeSupport: helpers for the decode tests — run the built `decode`, parse its NDJSON,
// scratch directories, and the bridge to Tests/Fixtures/decode/oracle.py (Python filling and reading a
// real memcached, and checking decode's records against its own decoding).
import DumpContainer
import Foundation
import Testing
import TestSupport

enum DecodeTool {
    static var path: String { Repo.executable("decode") }

    static func run(_ arguments: [String], stdin: Data? = nil) throws -> ProcessResult {
        try runProcess(path, arguments, stdin: stdin)
    }

    /// Parses NDJSON output into objects (one per line).
    static func records(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n", omittingEmptySubsequences: true).map { line in
            let o = try JSONSerialization.jsonObject(with: Data(line.utf8))
            guard let d = o as? [String: Any] else { throw TestSupportError.failed("not an object: \(line)") }
            return d
        }
    }

    static func items(_ records: [[String: Any]]) -> [[String: Any]] { records.filter { $0["type"] as? String == "item" } }
    static func sources(_ records: [[String: Any]]) -> [[String: Any]] { records.filter { $0["type"] as? String == "source" } }
}

/// A scratch directory removed at deinit.
final class ScratchDir {
    let path: String
    init() throws {
        path = NSTemporaryDirectory() + "decode-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func file(_ name: String) -> String { path + "/" + name }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

enum Oracle {
    static var script: String { Repo.path("Tests/Fixtures/decode/oracle.py") }

    /// Fills the server with the given scenarios, then captures it; returns the capture file.
    static func fillAndCapture(port: UInt16, scenarios: [String], into dir: ScratchDir) throws -> String {
        try Python.run(script: script, ["fill", String(port)] + scenarios)
        let r = try Python.run(script: script, ["capture", String(port)])
        let path = dir.file("capture.jsonl")
        try r.stdout.write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Runs the oracle's check of decode output against the capture; returns its report.
    static func check(capture: String, ndjson: String) throws -> ProcessResult {
        let interp = Python.interpreter
        let args = interp == "/usr/bin/env" ? ["python3", script, "check", capture, ndjson] : [script, "check", capture, ndjson]
        return try runProcess(interp, args)
    }
}
