// DecodePipelineTests/DumpModeTests: decode's pipeline as a library — the reading thread, the workers,
// the reorder buffer and the record emitter run in this process on the golden dumps of
// Tests/Fixtures/decode, and give the golden bytes and exit statuses, with any number of workers.
import CacheValues
import DecodeInputs
import DecodePipeline
import Foundation
import PipelineCLI
import Testing
import TestSupport

@Suite struct DumpModeTests {
    static let dir = Repo.path("Tests/Fixtures/decode")

    /// Runs the pipeline on one fixture into a temporary file; the output with the input's path as the
    /// golden files name it (they were made from inside the fixture folder).
    func run(_ name: String, jobs: Int, detail: ValueDetail = .full) throws -> (status: PipelineCLI.ExitStatus, output: String) {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("decode-pipeline-\(UUID().uuidString).ndjson").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let decoder = ValueDecoder(convention: .auto, limits: ValueLimits(), pickle: SafePickleRenderer())
        let status = DumpModeRun(
            inputs: [Self.dir + "/" + name], output: out, format: .auto, decoder: decoder,
            options: EmitterOptions(detail: detail, maxValueJSON: nil), jobs: jobs, bufferBytes: 64 << 20
        ).run()
        let text = try String(contentsOfFile: out, encoding: .utf8)
        return (status, text.replacingOccurrences(of: "\"file\":\"\(Self.dir)/\(name)\"", with: "\"file\":\"\(name)\""))
    }

    @Test func theGoldenDumpsComeOutByteForByteWithAnyNumberOfWorkers() throws {
        for (name, want) in [("small.mcdump.gz", PipelineCLI.ExitStatus.partial), ("incomplete.mcdump.gz", .partial)] {
            let golden = try String(contentsOfFile: Self.dir + "/" + name + ".ndjson", encoding: .utf8)
            for jobs in [1, 2, 5] {
                let (status, output) = try run(name, jobs: jobs)
                #expect(status == want, "\(name) with \(jobs) workers")
                #expect(output == golden, "\(name) with \(jobs) workers differs from its golden file")
            }
        }
        let summary = try String(contentsOfFile: Self.dir + "/small.mcdump.gz_--values_summary.ndjson", encoding: .utf8)
        #expect(try run("small.mcdump.gz", jobs: 2, detail: .summary).output == summary)
    }

    @Test func anInputThatCannotBeReadIsFatalAndWritesNoOutputFile() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("decode-pipeline-\(UUID().uuidString).ndjson").path
        let decoder = ValueDecoder(convention: .auto, limits: ValueLimits(), pickle: SafePickleRenderer())
        let status = DumpModeRun(
            inputs: ["/nonexistent/dump.mcdump.gz"], output: out, format: .auto, decoder: decoder,
            options: EmitterOptions(detail: .full, maxValueJSON: nil), jobs: 2, bufferBytes: 1 << 20
        ).run()
        #expect(status == .fatal)
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}
