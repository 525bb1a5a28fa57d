// DumpContainerTests/KillTests: a writer process killed with SIGKILL mid-write leaves a dump whose
// prefix reads back (the writer here is the container-bench executable of this package).
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
