// Fault paths of collect against real processes: a refused host, a server that never answers,
// memcached killed mid-capture, collect killed (-9) or interrupted (SIGINT) mid-capture, the
// cachedump fallback (crawler disabled, or forced), overwrite refusal, and usage errors.
import DumpContainer
import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Fills a server with `count` 1 KB items from python-memcached.
func fill(_ server: MemcachedServer, count: Int) throws {
    try Python.run(
        code: """
            import memcache, sys
            c = memcache.Client(['127.0.0.1:%s' % sys.argv[1]])
            c.set_multi({'item-%06d' % i: b'%06d' % i * 170 for i in range(int(sys.argv[2]))}, time=3600)
            """, [String(server.port), String(count)])
}

/// Starts collect in the background (stdout/stderr discarded).
func startCollect(_ args: [String]) throws -> Process {
    ignoreBrokenPipes()
    let p = Process()
    p.executableURL = URL(fileURLWithPath: CollectRun.executable)
    p.arguments = args
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try p.run()
    return p
}

@Suite(.serialized) struct FaultTests {
    @Test func refusedHostDoesNotStopTheOthers() throws {
        let server = try MemcachedServer(memoryMB: 64)
        defer { server.stop() }
        try fill(server, count: 200)
        let deadPort = try freeLoopbackPort()
        let work = try CollectRun.tempDir("refused")
        let conf = work + "/keystone.conf"
        try """
        [DEFAULT]
        debug = false
        [memcache]
        servers = 127.0.0.1:\(server.port),127.0.0.1:\(deadPort)
        """.write(toFile: conf, atomically: true, encoding: .utf8)
        let r = try CollectRun.run(["--keystone-conf", conf, "--out", work + "/out", "--connect-timeout", "2"])
        #expect(r.status == 3, "\(r.stderrText)")
        #expect(r.stderrText.contains("127.0.0.1:\(deadPort)"))
        let hosts = CollectRun.servers(try CollectRun.manifest(work + "/out"))
        #expect(hosts.map { $0["status"] as? String } == ["complete", "failed"])
        #expect((hosts[1]["errors"] as? [String])?.first?.contains("cannot connect") == true)
        let dump = try ReadDump(path: work + "/out/127.0.0.1_\(server.port).mcdump.gz")
        #expect(dump.items.count == 200 && dump.trailer?.complete == true)
        #expect(!FileManager.default.fileExists(atPath: work + "/out/127.0.0.1_\(deadPort).mcdump.gz"))
    }

    @Test func stallingServerTimesOutInsteadOfHanging() throws {
        let silent = try SilentListener()
        let work = try CollectRun.tempDir("stall")
        let r = try CollectRun.run(["127.0.0.1:\(silent.port)", "--out", work, "--read-timeout", "1"], timeout: 60)
        #expect(r.status == 2, "\(r.stderrText)")
        #expect(r.stderrText.contains("read timeout"))
        let hosts = CollectRun.servers(try CollectRun.manifest(work))
        #expect(hosts.first?["status"] as? String == "failed")
    }

    @Test func memcachedKilledMidCaptureLeavesAReadablePartialDump() throws {
        let server = try MemcachedServer(memoryMB: 64)
        try fill(server, count: 3000)
        let work = try CollectRun.tempDir("mckill")
        let dumpPath = work + "/127.0.0.1_\(server.port).mcdump.gz"
        let collect = try startCollect(["127.0.0.1:\(server.port)", "--out", work, "--rate", "300"])
        #expect(waitUntil(seconds: 30) { fileSize(dumpPath) > 0 })
        server.kill9()
        collect.waitUntilExit()
        #expect(collect.terminationStatus == 3)
        let dump = try ReadDump(path: dumpPath)
        #expect(dump.error == nil && dump.header != nil)
        #expect(dump.items.count < 3000)
        #expect(dump.items.allSatisfy { $0.value?.count == 1020 })
        #expect(dump.trailer?.complete == false)
        #expect(dump.notes.contains { $0.level == "error" })
        let hosts = CollectRun.servers(try CollectRun.manifest(work))
        #expect(hosts.first?["status"] as? String == "partial")
    }

    @Test func collectKilledLeavesAReadablePrefix() throws {
        let server = try MemcachedServer(memoryMB: 64)
        defer { server.stop() }
        try fill(server, count: 3000)
        let work = try CollectRun.tempDir("kill9")
        let dumpPath = work + "/127.0.0.1_\(server.port).mcdump.gz"
        let collect = try startCollect(["127.0.0.1:\(server.port)", "--out", work, "--rate", "300"])
        #expect(waitUntil(seconds: 30) { fileSize(dumpPath) > 0 })
        kill(collect.processIdentifier, SIGKILL)
        collect.waitUntilExit()
        let dump = try ReadDump(path: dumpPath)
        #expect(dump.header?.method == "metadump")
        #expect(dump.trailer == nil)
        #expect(dump.items.count < 3000)
        #expect(dump.items.allSatisfy { $0.value?.count == 1020 && $0.key.starts(with: Array("item-".utf8)) })
    }

    @Test func interruptFinishesEveryDumpAsIncomplete() throws {
        let server = try MemcachedServer(memoryMB: 64)
        defer { server.stop() }
        try fill(server, count: 3000)
        let work = try CollectRun.tempDir("sigint")
        let dumpPath = work + "/127.0.0.1_\(server.port).mcdump.gz"
        let collect = try startCollect(["127.0.0.1:\(server.port)", "--out", work, "--rate", "300", "--stats-every", "0.5"])
        #expect(waitUntil(seconds: 30) { fileSize(dumpPath) > 0 })
        kill(collect.processIdentifier, SIGINT)
        collect.waitUntilExit()
        #expect(collect.terminationStatus == 3)
        let dump = try ReadDump(path: dumpPath)
        #expect(dump.error == nil)
        let trailer = try #require(dump.trailer)
        #expect(!trailer.complete && trailer.reason?.contains("interrupted") == true)
        #expect(trailer.captured == dump.items.count && dump.items.count < 3000)
        #expect(dump.stats.contains { $0.label == "end" })
        #expect(dump.stats.contains { $0.label.hasPrefix("sample-") })
        let manifest = try CollectRun.manifest(work)
        #expect(manifest["complete"] as? Bool == false && manifest["exit_status"] as? Int == 3)
    }

    @Test(arguments: [["-o", "no_lru_crawler"], []])
    func cachedumpFallbackIsMarkedIncomplete(serverArgs: [String]) throws {
        let server = try MemcachedServer(memoryMB: 64, extraArguments: serverArgs)
        defer { server.stop() }
        try fill(server, count: 500)
        let work = try CollectRun.tempDir("cachedump")
        var args = ["127.0.0.1:\(server.port)", "--out", work]
        if serverArgs.isEmpty { args.append("--force-cachedump") }
        let r = try CollectRun.run(args)
        #expect(r.status == 3, "\(r.stderrText)")
        #expect(r.stderrText.contains("cachedump"))
        let dump = try ReadDump(path: work + "/127.0.0.1_\(server.port).mcdump.gz")
        #expect(dump.header?.method == "cachedump")
        #expect(dump.notes.contains { $0.level == "warning" && $0.message.contains("INCOMPLETE") })
        #expect(dump.trailer?.complete == false)
        #expect(dump.items.count > 0 && dump.items.count <= 500)
        #expect(dump.items.allSatisfy { $0.value?.count == 1020 && $0.exp > 0 })
        let hosts = CollectRun.servers(try CollectRun.manifest(work))
        #expect(hosts.first?["method"] as? String == "cachedump" && hosts.first?["listing_complete"] as? Bool == false)
    }

    /// `-X` refuses both metadump and cachedump: the dump says so and the host is partial.
    @Test func dumpingDisabledIsReportedNotHidden() throws {
        let server = try MemcachedServer(memoryMB: 64, extraArguments: ["-X"])
        defer { server.stop() }
        try fill(server, count: 20)
        let work = try CollectRun.tempDir("nodump")
        let r = try CollectRun.run(["127.0.0.1:\(server.port)", "--out", work])
        #expect(r.status == 3, "\(r.stderrText)")
        let dump = try ReadDump(path: work + "/127.0.0.1_\(server.port).mcdump.gz")
        #expect(dump.items.isEmpty && dump.trailer?.complete == false)
        #expect(dump.notes.contains { $0.message.contains("metadump not allowed") })
        #expect(dump.notes.contains { $0.level == "error" && $0.message.contains("cachedump not allowed") })
        #expect(CollectRun.servers(try CollectRun.manifest(work)).first?["status"] as? String == "partial")
    }

    @Test func refusesToOverwriteWithoutForce() throws {
        let server = try MemcachedServer(memoryMB: 64)
        defer { server.stop() }
        try fill(server, count: 10)
        let work = try CollectRun.tempDir("overwrite")
        let dumpPath = work + "/127.0.0.1_\(server.port).mcdump.gz"
        #expect(try CollectRun.run(["127.0.0.1:\(server.port)", "--out", work]).status == 0)
        let first = try Data(contentsOf: URL(fileURLWithPath: dumpPath))
        let again = try CollectRun.run(["127.0.0.1:\(server.port)", "--out", work])
        #expect(again.status == 2)
        #expect(again.stderrText.contains("refusing to overwrite"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: dumpPath)) == first)
        let forced = try CollectRun.run(["127.0.0.1:\(server.port)", "--out", work, "--force"])
        #expect(forced.status == 0, "\(forced.stderrText)")
        #expect(try ReadDump(path: dumpPath).items.count == 10)
    }

    @Test(arguments: [
        [],
        ["127.0.0.1:11211"],
        ["nohost:x", "--out", "/tmp/x"],
        ["127.0.0.1:99999", "--out", "/tmp/x"],
        ["127.0.0.1:11211", "127.0.0.1:11211", "--out", "/tmp/x"],
        ["127.0.0.1:11211", "--out", "/tmp/x", "--connections", "0"],
        ["127.0.0.1:11211", "--out", "/tmp/x", "--rate", "-3"],
        ["127.0.0.1:11211", "--out", "/tmp/x", "--no-such-flag"],
        ["127.0.0.1:1", "127.0.0.1:2", "--keys", "-", "--out", "/tmp/x"],
    ])
    func usageErrorsExit64(args: [String]) throws {
        let r = try CollectRun.run(args)
        #expect(r.status == 64, "\(args): \(r.stderrText)")
    }

    @Test func helpHasExamplesAndExitStatuses() throws {
        let r = try CollectRun.run(["--help"])
        #expect(r.status == 0)
        for needle in ["EXAMPLES:", "EXIT STATUS:", "--keystone-conf", "--allow-lru-bump", "64"] {
            #expect(r.stdoutText.contains(needle), "\(needle)")
        }
    }
}

/// A server without meta commands (a Python stand-in for memcached 1.5, which does not run here).
@Suite(.serialized) struct OldServerTests {
    @Test func getsOnlyWithExplicitPermission() throws {
        let work = try CollectRun.tempDir("old")
        let log = work + "/commands.log"
        let old = try Background(Python.interpreter, [PyScript.path("collect_old_server.py"), log])
        defer { old.stop() }
        let port = try #require(UInt16(old.firstLine))

        let refused = try CollectRun.run(["127.0.0.1:\(port)", "--out", work + "/a"])
        #expect(refused.status == 3)
        #expect(refused.stderrText.contains("--allow-lru-bump"))
        let before = try String(contentsOfFile: log, encoding: .utf8)
        #expect(!before.contains("gets"))

        let allowed = try CollectRun.run(["127.0.0.1:\(port)", "--out", work + "/b", "--allow-lru-bump"])
        #expect(allowed.status == 0, "\(allowed.stderrText)")
        #expect(allowed.stderrText.contains("gets"))
        let dump = try ReadDump(path: work + "/b/127.0.0.1_\(port).mcdump.gz")
        let items = dump.itemsByHexKey
        #expect(items[Array("alpha".utf8).hex]?.value == Array("first value".utf8))
        #expect(items[Array("beta".utf8).hex]?.value == Array("second\r\nvalue".utf8) && items[Array("beta".utf8).hex]?.flags == 9)
        #expect(items[[0x73, 0x70, 0xC3, 0xA9].hex]?.value?.count == 5000)
        #expect(items[Array("beta".utf8).hex]?.cas == 12)
        #expect(dump.notes.contains { $0.level == "warning" && $0.message.contains("gets") })
    }

    @Test func busyCrawlerIsRetriedNotStacked() throws {
        let work = try CollectRun.tempDir("busy")
        let log = work + "/commands.log"
        let old = try Background(Python.interpreter, [PyScript.path("collect_old_server.py"), log, "busy-once"])
        defer { old.stop() }
        let port = try #require(UInt16(old.firstLine))
        let r = try CollectRun.run(["127.0.0.1:\(port)", "--out", work + "/out", "--allow-lru-bump"])
        #expect(r.status == 0, "\(r.stderrText)")
        let dump = try ReadDump(path: work + "/out/127.0.0.1_\(port).mcdump.gz")
        #expect(dump.header?.method == "metadump" && dump.items.count == 3)
        #expect(dump.notes.contains { $0.message.contains("BUSY") && $0.message.contains("retrying") })
        let commands = try String(contentsOfFile: log, encoding: .utf8).components(separatedBy: "\r\n")
        #expect(commands.filter { $0 == "lru_crawler metadump all" }.count == 2)
    }
}
