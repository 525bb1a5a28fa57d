// collect against servers that misbehave on purpose (Tests/python/collect_fault_server.py, loopback
// only): a listing or values trickled one byte every 2 s, a server that stalls after its first reply,
// a value claimed to be 200 MB — beside a healthy memcached, whose dump must come out complete. Also
// the ways a run is stopped (first signal, --time-limit) and a dump whose disk fills up: every one
// ends with MANIFEST.json naming each dump's sha256 as it is on disk.
import DumpContainer
import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A running collect_fault_server.py in `mode`, stopped by pid.
func faultServer(_ mode: String, interval: Double = 2) throws -> Background {
    try Background(Python.interpreter, [PyScript.path("collect_fault_server.py"), mode, String(interval)])
}

/// The sha256 of a file by coreutils' sha256sum (an oracle independent of the project's code).
func sha256sum(_ path: String) throws -> String {
    let r = try runProcess("/usr/bin/sha256sum", [path])
    return String(r.stdoutText.prefix(64))
}

/// Every server with a file in the manifest names that file's sha256 and size as they are on disk.
func expectDigestsMatchDisk(_ dir: String) throws {
    let hosts = CollectRun.servers(try CollectRun.manifest(dir))
    for h in hosts {
        guard let file = h["file"] as? String else { continue }
        let path = dir + "/" + file
        #expect(h["sha256"] as? String == (try sha256sum(path)), "\(file)")
        #expect((h["compressed_bytes"] as? Int).map(Int64.init) == Int64(fileSize(path)), "\(file)")
    }
}

@Suite(.serialized) struct HostileServerTests {
    /// `--read-timeout` bounds a whole reply, not the gap between bytes: a server that trickles a
    /// listing line or a value below the timeout between bytes still ends within it.
    @Test(arguments: ["drip-listing", "drip-value"])
    func tricklingServerEndsAtTheReadTimeout(mode: String) throws {
        let drip = try faultServer(mode, interval: 1)  // one byte a second: never silent for the timeout
        defer { drip.stop() }
        let healthy = try MemcachedServer(memoryMB: 64)
        defer { healthy.stop() }
        try fill(healthy, count: 200)
        let work = try CollectRun.tempDir("drip-\(mode)")
        // The process timeout is a bound against a hang, not a timing assertion.
        let r = try CollectRun.run(
            ["127.0.0.1:\(drip.firstLine)", healthy.address, "--out", work, "--read-timeout", "2.5"], timeout: 90)
        #expect(r.status == 3, "\(r.stderrText)")
        #expect(r.stderrText.contains("did not arrive whole within the read timeout"), "\(r.stderrText)")
        let hosts = CollectRun.servers(try CollectRun.manifest(work))
        #expect(hosts.map { $0["status"] as? String } == ["partial", "complete"])
        #expect((hosts[0]["reason"] as? String)?.contains(mode == "drip-listing" ? "enumeration failed" : "value fetch") == true)
        #expect(try ReadDump(path: work + "/" + HostileServerTests.file(healthy.port)).items.count == 200)
        try expectDigestsMatchDisk(work)
    }

    /// The first SIGINT ends a capture stuck on a trickling server within the grace period (with the
    /// default 30 s read timeout the drip would otherwise hold it), and the manifest is written.
    @Test func firstSignalEndsAStuckCaptureWithAManifest() throws {
        let drip = try faultServer("drip-value")
        defer { drip.stop() }
        let healthy = try MemcachedServer(memoryMB: 64)
        defer { healthy.stop() }
        try fill(healthy, count: 200)
        let work = try CollectRun.tempDir("drip-sigint")
        let collect = try startCollect(["127.0.0.1:\(drip.firstLine)", healthy.address, "--out", work])
        defer { if collect.isRunning { kill(collect.processIdentifier, SIGKILL) } }
        // Both dumps are open (the drip host's once its listing is read) before the signal.
        #expect(
            waitUntil(seconds: 30) {
                fileSize(work + "/127.0.0.1_\(drip.firstLine).mcdump.gz") > 0 && fileSize(work + "/" + HostileServerTests.file(healthy.port)) > 0
            })
        kill(collect.processIdentifier, SIGINT)
        #expect(waitUntil(seconds: 20) { !collect.isRunning }, "collect still running 20 s after SIGINT")
        collect.waitUntilExit()
        #expect(collect.terminationStatus == 3)
        let manifest = try CollectRun.manifest(work)
        #expect(manifest["status"] as? String == "interrupted")
        #expect((manifest["stop_reason"] as? String)?.contains("SIGINT") == true)
        let hosts = CollectRun.servers(manifest)
        #expect(hosts.first?["status"] as? String == "interrupted")
        let dump = try ReadDump(path: work + "/127.0.0.1_\(drip.firstLine).mcdump.gz")
        #expect(dump.error == nil && dump.trailer?.complete == false)
        #expect(dump.trailer?.reason?.contains("interrupted by SIGINT") == true)
        try expectDigestsMatchDisk(work)
    }

    /// `--time-limit` bounds the whole run whatever the servers do.
    @Test func timeLimitStopsTheWholeRun() throws {
        let drip = try faultServer("drip-listing")
        defer { drip.stop() }
        let work = try CollectRun.tempDir("time-limit")
        let r = try CollectRun.run(["127.0.0.1:\(drip.firstLine)", "--out", work, "--time-limit", "3"], timeout: 90)
        #expect(r.status == 3, "\(r.stderrText)")
        #expect(r.stderrText.contains("time limit of 3 s reached"))
        let manifest = try CollectRun.manifest(work)
        #expect(manifest["status"] as? String == "interrupted")
        #expect(CollectRun.servers(manifest).first?["status"] as? String == "interrupted")
        #expect(manifest["options"].flatMap { ($0 as? [String: Any])?["time_limit"] as? Double } == 3)
        try expectDigestsMatchDisk(work)
    }

    /// A server that stops answering after `version`: the stats request times out, the host fails,
    /// nothing hangs.
    @Test func serverStallingAfterItsFirstReplyFails() throws {
        let stall = try faultServer("stall")
        defer { stall.stop() }
        let work = try CollectRun.tempDir("stall-after-first")
        let r = try CollectRun.run(["127.0.0.1:\(stall.firstLine)", "--out", work, "--read-timeout", "1"], timeout: 60)
        #expect(r.status == 2, "\(r.stderrText)")
        #expect(r.stderrText.contains("read timeout"))
        #expect(CollectRun.servers(try CollectRun.manifest(work)).first?["status"] as? String == "failed")
    }

    /// One value claimed (and sent) at 200 MB, over the limit: that item is recorded with metadata
    /// only and the other items of its batch are captured (the value is read through, never held).
    @Test func oversizedValueSkipsOnlyThatItem() throws {
        let huge = try faultServer("huge-value")
        defer { huge.stop() }
        let work = try CollectRun.tempDir("huge-value")
        let r = try CollectRun.run(["127.0.0.1:\(huge.firstLine)", "--out", work], timeout: 120)
        #expect(r.status == 0, "\(r.stderrText)")
        let host = try #require(CollectRun.servers(try CollectRun.manifest(work)).first)
        #expect(host["listed"] as? Int == 3 && host["captured"] as? Int == 3 && host["missed"] as? Int == 0)
        let items = try ReadDump(path: work + "/127.0.0.1_\(huge.firstLine).mcdump.gz").itemsByHexKey
        let beta = try #require(items[Array("beta".utf8).hex])
        #expect(beta.value == nil && beta.valueLength == 200_000_000)
        #expect(items[Array("alpha".utf8).hex]?.value == Array("first value".utf8))
        #expect(items[Array("gamma".utf8).hex]?.value == Array("third".utf8))
    }

    /// The disk fills while a dump is written (here: the file-size limit of the process, which fails
    /// writes with EFBIG like a full disk fails them with ENOSPC): the host is partial and the manifest
    /// still fingerprints the partial dump left on disk.
    @Test func fullDiskLeavesAFingerprintedPartialDump() throws {
        let healthy = try MemcachedServer(memoryMB: 64)
        defer { healthy.stop() }
        try Python.run(
            code: """
                import memcache, os, sys
                c = memcache.Client(['127.0.0.1:%s' % sys.argv[1]])
                c.set_multi({'noise-%05d' % i: os.urandom(1000) for i in range(3000)}, time=3600)
                """, [String(healthy.port)])
        let work = try CollectRun.tempDir("disk-full")
        // 1 MiB file-size limit; SIGXFSZ ignored (ignored signals stay ignored across exec).
        let r = try runProcess(
            "/bin/bash",
            ["-c", "ulimit -f 1024; trap '' XFSZ; exec \"$0\" \"$@\"", CollectRun.executable, healthy.address, "--out", work],
            timeout: 120)
        #expect(r.status == 3, "\(r.stderrText)")
        let hosts = CollectRun.servers(try CollectRun.manifest(work))
        #expect(hosts.first?["status"] as? String == "partial")
        #expect(hosts.first?["sha256"] as? String != nil)
        try expectDigestsMatchDisk(work)
    }

    /// An --out that cannot take the output is found before any server is contacted, with the
    /// system's reason (as root, /sys refuses new files, and a path through a regular file fails).
    @Test(arguments: [("/sys", "cannot write in /sys: Permission denied"), ("/etc/passwd/x", "cannot create /etc/passwd/x: Not a directory")])
    func unwritableOutputIsFoundBeforeAnyServerIsContacted(out: String, message: String) throws {
        let work = try CollectRun.tempDir("unwritable")
        let log = work + "/commands.log"
        let server = try Background(Python.interpreter, [PyScript.path("collect_old_server.py"), log])
        defer { server.stop() }
        let r = try CollectRun.run(["127.0.0.1:\(server.firstLine)", "--out", out])
        #expect(r.status == 2, "\(r.stderrText)")
        #expect(r.stderrText.contains(message), "\(r.stderrText)")
        #expect(!r.stderrText.contains("NSCocoaErrorDomain"))
        #expect(fileSize(log) == 0, "the server was contacted")
    }

    /// A server that answers with terminal control sequences: collect names it failed, and stderr
    /// shows the bytes visibly instead of passing them to the terminal.
    @Test func garbageServerBytesNeverReachTheTerminalRaw() throws {
        let garbage = try faultServer("garbage")
        defer { garbage.stop() }
        let work = try CollectRun.tempDir("garbage")
        let r = try CollectRun.run(["127.0.0.1:\(garbage.firstLine)", "--out", work, "--read-timeout", "2"], timeout: 60)
        #expect(r.status == 2, "\(r.stderrText)")
        #expect(!r.stderr.contains(0x1B) && !r.stderr.contains(0x07) && !r.stderr.contains(0x0D), "\(r.stderrText.debugDescription)")
        #expect(r.stderrText.contains("127.0.0.1:\(garbage.firstLine)"))
        #expect(CollectRun.servers(try CollectRun.manifest(work)).first?["status"] as? String == "failed")
    }

    static func file(_ port: UInt16) -> String { "127.0.0.1_\(port).mcdump.gz" }
}
