// The committed Samples/kilo-2host capture (real memcached filled by the Kilo stack, captured by
// collect) decoded and attributed once per test run, for the report tests that need real dumps.
import Foundation
import Testing
import TestSupport

enum SampleRecords {
    static let servers = "127.0.0.1:21211,127.0.0.1:21212"

    /// `decode Samples/kilo-2host/*.mcdump.gz | attribute --users users.json --servers … --redact`, in a file.
    static func attributed() throws -> String { try cached.get() }

    private static let cached: Result<String, Error> = Result {
        let dir = try Scratch.directory("samples")
        let sample = Repo.path("Samples/kilo-2host")
        let dumps = try FileManager.default.contentsOfDirectory(atPath: sample).filter { $0.hasSuffix(".mcdump.gz") }.sorted()
        let decoded = try runProcess(Repo.executable("decode"), dumps.map { sample + "/" + $0 })
        guard decoded.status == 0 else { throw TestSupportError.failed("decode exited \(decoded.status): \(decoded.stderrText)") }
        let attributed = try runProcess(
            Repo.executable("attribute"), ["--users", sample + "/users.json", "--servers", servers, "--redact", "-"], stdin: decoded.stdout)
        guard attributed.status == 0 else { throw TestSupportError.failed("attribute exited \(attributed.status): \(attributed.stderrText)") }
        let path = dir + "/records.ndjson"
        try attributed.stdout.write(to: URL(fileURLWithPath: path))
        return path
    }
}

/// Runs the built `report`.
func runReport(_ args: [String], stdin: Data? = nil) throws -> ProcessResult {
    try runProcess(Repo.executable("report"), args, stdin: stdin)
}

/// Runs Tests/python/report_oracle.py on records and a JSON report; returns its verdict line(s).
func reportOracle(_ records: String, _ json: Data, top: Int = 10, extra: [String] = []) throws -> String {
    let path = records + ".report-\(UInt32.random(in: 0...UInt32.max)).json"
    try json.write(to: URL(fileURLWithPath: path))
    let r = try runProcess(Python.interpreter, [Repo.path("Tests/python/report_oracle.py"), records, path, "--top", String(top)] + extra)
    return r.stdoutText + r.stderrText
}
