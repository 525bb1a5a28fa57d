// DumpContainerTests/ProcessTests: tests that run this package's container-bench executable — a writer
// process killed with SIGKILL mid-write leaves a dump whose prefix reads back, and the annotated example
// in docs/dump-format.md is exactly what the writer writes.
import DumpContainer
import Foundation
import Testing
import TestSupport

@Suite struct KillTests {
    @Test func aDumpWriterKilledWithSIGKILLLeavesAReadablePrefix() throws {
        let bench = Repo.executable("container-bench")
        try #require(FileManager.default.isExecutableFile(atPath: bench), "build the package first: \(bench)")
        let dir = try makeTempDir()
        let path = dir + "/killed.mcdump.gz"
        ignoreBrokenPipes()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: bench)
        p.arguments = ["write", "--out", path, "--mb", "100000", "--member-bytes", "65536"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        // Wait until a few members are in the file (generous cap; no speed is asserted), then kill -9.
        var size = 0
        for _ in 0..<1200 where size < 400_000 {
            usleep(50_000)
            size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
            if !p.isRunning { break }
        }
        #expect(p.isRunning, "the writer ended by itself")
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        #expect(p.terminationReason == .uncaughtSignal && p.terminationStatus == SIGKILL)
        #expect(size >= 400_000)

        let out = try readAll(path: path)
        #expect(!out.sawTrailer)
        #expect(out.error == nil || out.error?.kind == .truncated, "\(String(describing: out.error))")
        guard case .header(let h)? = out.records.first else {
            Issue.record("no header")
            return
        }
        #expect(h.collector == "bench")
        let items = out.records.dropFirst().compactMap { r -> DumpItem? in
            if case .item(let i) = r { return i }
            return nil
        }
        #expect(items.count == out.records.count - 1)
        #expect(items.count > 10)
        #expect(items.allSatisfy { $0.value?.count == $0.valueLength && $0.key.count == 55 })
        // zcat agrees up to the cut: it prints the same prefix (then complains if a member is cut).
        let z = try runProcess("/bin/zcat", [path])
        #expect(z.stdout.starts(with: Data("MCDUMP 1 {".utf8)))
        #expect(z.status == 0 || z.stderrText.contains("unexpected end of file"))
    }
}

@Suite struct DocumentationTests {
    /// docs/dump-format.md §3 shows `zcat` of `container-bench example`; the text must be what the writer writes.
    @Test func theAnnotatedExampleInTheDocsIsWhatTheWriterWrites() throws {
        let bench = Repo.executable("container-bench")
        try #require(FileManager.default.isExecutableFile(atPath: bench), "build the package first: \(bench)")
        let dir = try makeTempDir()
        let path = dir + "/ex.mcdump.gz"
        let r = try runProcess(bench, ["example", "--out", path])
        #expect(r.status == 0, "\(r.stderrText)")
        let z = try runProcess("/bin/zcat", [path])
        let doc = try String(contentsOfFile: Repo.path("docs/dump-format.md"), encoding: .utf8)
        let marker = "$ zcat ex.mcdump.gz\n"
        let start = try #require(doc.range(of: marker))
        let end = try #require(doc.range(of: "```", range: start.upperBound..<doc.endIndex))
        #expect(String(doc[start.upperBound..<end.lowerBound]) == z.stdoutText)
        let bytes = try fileBytes(path)
        #expect(Array(bytes.prefix(10)) == [0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0x04, 0x03])
        #expect(Array(bytes.suffix(4)) == [0x47, 0x02, 0x00, 0x00])  // ISIZE 583, as the docs say
        #expect(z.stdout.count == 583)
        #expect(
            doc.contains(String(format: "%02x%02x %02x%02x", bytes[bytes.count - 8], bytes[bytes.count - 7], bytes[bytes.count - 6], bytes[bytes.count - 5])))
    }
}
