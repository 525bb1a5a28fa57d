// The Markdown report of Samples/kilo-2host (the README's quick start data) is a golden file:
// decode | attribute | report over the committed dumps must reproduce Tests/Fixtures/report/kilo-2host.md
// byte for byte. After a deliberate change of the report, regenerate it with
//   MCF_UPDATE_GOLDEN=1 swift test --filter SamplesGoldenTests
// and review the diff like code.
import Foundation
import Testing
import TestSupport

@Suite struct SamplesGoldenTests {
    static let golden = Repo.path("Tests/Fixtures/report/kilo-2host.md")

    /// The quick start's pipeline on the committed samples, as Pipelines/analyse.sh runs it.
    static func markdown() throws -> (String, ProcessResult) {
        let samples = Repo.path("Samples/kilo-2host")
        let dumps = try FileManager.default.contentsOfDirectory(atPath: samples).filter { $0.hasSuffix(".mcdump.gz") }.sorted()
        #expect(dumps.count == 2)
        let dir = try Scratch.directory("golden")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let decode = try runProcess(Repo.executable("decode"), dumps.map { samples + "/" + $0 } + ["--output", dir + "/decoded.ndjson"])
        #expect(decode.status == 0, "decode: \(decode.stderrText)")
        let servers = try String(contentsOfFile: samples + "/servers.txt", encoding: .utf8)
            .split(separator: "\n").joined(separator: ",")
        let attribute = try runProcess(
            Repo.executable("attribute"),
            ["--users", samples + "/users.json", "--servers", servers, "--redact", "--output", dir + "/records.ndjson",
             dir + "/decoded.ndjson"])
        #expect(attribute.status == 0, "attribute: \(attribute.stderrText)")
        let report = try runProcess(Repo.executable("report"), ["--format", "markdown", dir + "/records.ndjson"])
        return (report.stdoutText, report)
    }

    @Test func samplesMarkdownReportIsTheGoldenFile() throws {
        let (text, report) = try Self.markdown()
        #expect(report.status == 0, "report: \(report.stderrText)")
        if ProcessInfo.processInfo.environment["MCF_UPDATE_GOLDEN"] == "1" {
            try text.write(toFile: Self.golden, atomically: true, encoding: .utf8)
        }
        let want = try String(contentsOfFile: Self.golden, encoding: .utf8)
        #expect(text == want, "report differs from \(Self.golden); see the header of this file to regenerate")
        // What the golden file must say in any version: the heavy users and their host.
        for word in ["ceilometer", "nova", "neutron", "127.0.0.1:21212"] { #expect(want.contains(word)) }
    }
}
