// CollectTests/HostRunTests: collect's capture of one host as a library (Capture.HostRun), run in this
// process against a real memcached on 127.0.0.1 filled by the real Python clients: the manifest entry
// it returns agrees with the dump it wrote and with the server, and a closed loopback port fails with
// a reason instead of a dump.
import Capture
import DumpContainer
import Foundation
import KeyPlacement
import MemcacheClient
import PipelineCLI
import Testing
import TestSupport

/// Runs a task's jobs on a dispatch queue of its own. The test runner's cooperative pool has one
/// thread per core (two here), and the synchronous tests running beside this one can hold both for
/// minutes; a capture waiting on that pool would see its server's replies late and time out.
final class QueueExecutor: TaskExecutor {
    private let queue = DispatchQueue(label: "HostRunTests")
    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}

@Suite(.serialized) struct HostRunTests {
    func config(_ out: String) -> CaptureConfig {
        CaptureConfig(
            outDir: out, force: false, keysFile: nil, forceCachedump: false, connection: ConnectionOptions(connectTimeout: 30, readTimeout: 120),
            fetch: FetchOptions(), statsEvery: nil, commandLine: ["HostRunTests"], collector: "test")
    }

    /// HostRun.capture with its jobs off the cooperative pool.
    func capture(_ state: HostState, _ out: String) async -> ManifestServer {
        await withTaskExecutorPreference(QueueExecutor()) {
            await HostRun.capture(state, config: config(out), stop: StopFlag(), diagnostics: Diagnostics(tool: "test"))
        }
    }

    @Test func oneHostIsCapturedAndItsManifestEntryAgreesWithTheDump() async throws {
        let server = try MemcachedServer(memoryMB: 64, extraArguments: ["-I", "2m"])
        defer { server.stop() }
        let written = try #require(try PyScript.json("collect_fill.py", [String(server.port)]) as? [String])
        let out = try CollectRun.tempDir("hostrun")
        let state = HostState(spec: ServerSpec(host: "127.0.0.1", port: Int(server.port)))
        let m = await capture(state, out)
        #expect(m.status == "complete", "\(m.reason ?? "")")
        #expect(m.file == HostRun.fileName(state.spec) && m.listed == written.count && m.captured == written.count && m.missed == 0)
        let dump = try ReadDump(path: out + "/" + (m.file ?? ""))
        #expect(dump.error == nil && dump.header?.collector == "test" && dump.trailer?.complete == true)
        #expect(dump.items.count == m.captured && Int64(dump.items.reduce(0) { $0 + ($1.value?.count ?? 0) }) == m.valueBytes)
        #expect(m.sha256 == FileDigest.sha256(path: out + "/" + (m.file ?? ""))?.hex)
        #expect(state.progress.captured.load(ordering: .relaxed) == m.captured)
    }

    @Test func aClosedPortFailsWithAReasonAndNoDump() async throws {
        let port = try freeLoopbackPort()  // bound, read back, closed: nothing listens there
        let out = try CollectRun.tempDir("hostrun-closed")
        let state = HostState(spec: ServerSpec(host: "127.0.0.1", port: Int(port)))
        let m = await capture(state, out)
        #expect(m.status == "failed" && m.file == nil && m.reason != nil)
        #expect((try FileManager.default.contentsOfDirectory(atPath: out)).isEmpty)
    }
}
