// DecodeTests/TrafficTests: `collect --watch` against a real memcached while python-memcached runs a
// known mix of reads and writes, then `decode`: the traffic records count exactly what the load
// generator did (memcached reported no dropped events here), the collector's own reads are left out
// and counted apart, and the window's stats samples become stats_sample records.
import Foundation
import Testing
import TestSupport

@Suite("measured traffic (collect --watch)", .serialized)
struct TrafficTests {
    static func records(_ data: Data) -> [[String: Any]] {
        String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    func watched(extra: [String]) throws -> (
        records: [[String: Any]], did: [String: [String: Int]], collect: (status: Int32, stderr: String), server: MemcachedServer
    ) {
        let server = try MemcachedServer(memoryMB: 16)
        let load = Repo.path("Tests/python/traffic_load.py")
        let prepared = try Python.run(script: load, [server.address, "prepare"])
        #expect(prepared.status == 0, "\(prepared.stderrText)")
        let dir = NSTemporaryDirectory() + "watch-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // collect watches for 4 s; the generator waits until the watcher is attached, then runs its mix.
        let collect = Process()
        collect.executableURL = URL(fileURLWithPath: Repo.executable("collect"))
        collect.arguments = [server.address, "--watch", "4", "--out", dir] + extra
        let errPipe = Pipe()
        collect.standardError = errPipe
        collect.standardOutput = FileHandle.nullDevice
        try collect.run()
        let run = try Python.run(script: load, [server.address, "run"])
        collect.waitUntilExit()
        let stderr = errPipe.fileHandleForReading.readDataToEndOfFile()
        #expect(run.status == 0, "\(run.stderrText)")
        let did = try #require(try JSONSerialization.jsonObject(with: run.stdout) as? [String: [String: Int]])
        let dumps = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".mcdump.gz") }.map { dir + "/" + $0 }
        #expect(dumps.count == 1)
        let d = try runProcess(Repo.executable("decode"), dumps)
        #expect(d.status == 0, "\(d.stderrText)")
        return (Self.records(d.stdout), did, (collect.terminationStatus, String(decoding: stderr, as: UTF8.self)), server)
    }

    @Test func theTrafficRecordsCountWhatTheClientsDidAndNotTheCollectorsReads() throws {
        let (records, did, collect, server) = try watched(extra: [])
        defer { server.stop() }
        #expect(collect.status == 0, "\(collect.stderr)")
        var traffic: [String: [String: Any]] = [:]
        for r in records where r["type"] as? String == "traffic" { traffic[r["key"] as? String ?? "?"] = r }
        let hot = try #require(traffic["hot"])
        #expect(hot["gets"] as? Int == did["hot"]?["gets"] && hot["hits"] as? Int == did["hot"]?["gets"])
        #expect(hot["bytes_read"] as? Int == 5000 * (did["hot"]?["gets"] ?? 0))
        #expect(hot["sets"] as? Int == did["hot"]?["sets"] && hot["bytes_written"] as? Int == 5000 * (did["hot"]?["sets"] ?? 0))
        let missing = try #require(traffic["missing"])
        #expect(missing["gets"] as? Int == did["missing"]?["gets"] && missing["misses"] as? Int == did["missing"]?["gets"])
        // A key only written: its stores' lookups are not reads.
        let written = try #require(traffic["written"])
        #expect(written["gets"] as? Int == 0 && written["sets"] as? Int == did["written"]?["sets"])
        let cfgGets = traffic.filter { $0.key.hasPrefix("cfg:") }.reduce(0) { $0 + ($1.value["gets"] as? Int ?? 0) }
        #expect(cfgGets == did["cfg"]?["gets"])
        #expect(traffic["cfg:0"]?["family"] as? String == "cfg:{n}")
        // The collector read every item (cold:* included) during the window: none of that is traffic.
        #expect(!traffic.keys.contains { $0.hasPrefix("cold:") })
        let source = try #require(records.first { $0["type"] as? String == "source" })
        let watch = try #require(source["watch"] as? [String: Any])
        let captured = (source["counts"] as? [String: Any])?["captured"] as? Int ?? -1
        // hot, cfg:0…9 and cold:0…29 (and `written`, when the listing came after the mix wrote it).
        #expect(captured == 41 || captured == 42)
        #expect(records.filter { $0["type"] as? String == "item" && ($0["key"] as? String ?? "").hasPrefix("cold:") }.count == 30)
        #expect((watch["own_events"] as? Int ?? 0) >= captured, "\(watch)")
        #expect((watch["own_connections"] as? Int ?? 0) >= 1)
        #expect(watch["skipped"] as? Int == 0 && watch["worker_dropped"] as? Int == 0)
        #expect(watch["ended"] as? String == "elapsed")
        let samples = records.filter { $0["type"] as? String == "stats_sample" }
        #expect(samples.count >= 3, "a sample a second over 4 s, and one at the end")
        #expect(samples.allSatisfy { $0["cmd_get"] is Int && $0["time"] is Int })

        // report: the measured rates are the generator's counts over the window.
        let ndjson = Data(records.map { r in String(decoding: try! JSONSerialization.data(withJSONObject: r), as: UTF8.self) + "\n" }.joined().utf8)
        let rep = try runProcess(Repo.executable("report"), ["--format", "json", "-"], stdin: ndjson)
        #expect(rep.status == 0, "\(rep.stderrText)")
        let doc = try #require(try JSONSerialization.jsonObject(with: rep.stdout) as? [String: Any])
        let measured = try #require(doc["measured_traffic"] as? [String: Any])
        let seconds = try #require((measured["hosts"] as? [[String: Any]])?.first?["seconds"] as? Double)
        #expect(seconds > 3.9 && seconds < 6)
        let hotKey = try #require((measured["keys"] as? [[String: Any]])?.first)
        #expect(hotKey["key"] as? String == "hot")
        let moved = Double(5000 * ((did["hot"]?["gets"] ?? 0) + (did["hot"]?["sets"] ?? 0)))
        #expect(abs((hotKey["bytes_per_second"] as? Double ?? 0) - moved / seconds) < 1e-6)
        #expect(((measured["timeline"] as? [String: Any])?[server.address] as? [Any])?.count == samples.count)
        // Per family: cfg:0…9's reads, one family, at the generator's rate.
        let cfgFamily = try #require((measured["families"] as? [[String: Any]])?.first { $0["name"] as? String == "cfg:{n}" })
        #expect(abs((cfgFamily["ops_per_second"] as? Double ?? 0) - Double(did["cfg"]?["gets"] ?? 0) / seconds) < 1e-6)
        #expect(abs((cfgFamily["bytes_per_second"] as? Double ?? 0) - Double(100 * (did["cfg"]?["gets"] ?? 0)) / seconds) < 1e-6)
        let html = try runProcess(Repo.executable("report"), ["--format", "html", "-"], stdin: ndjson).stdoutText
        #expect(html.contains("Measured traffic per host (watch window)") && html.contains("<polyline"))
        let text = try runProcess(Repo.executable("report"), ["--width", "1000", "-"], stdin: ndjson).stdoutText
        #expect(text.contains("of the collector's own reads left out; memcached dropped none"), "\(text.suffix(800))")
    }

    /// Two hosts, one of them hot by one key: the measured explanation names the host and the key, and the
    /// per-host partials merged give the same report as one pass.
    @Test func theMeasuredExplanationNamesTheHotKey() throws {
        let a = try MemcachedServer(memoryMB: 16)
        defer { a.stop() }
        let b = try MemcachedServer(memoryMB: 16)
        defer { b.stop() }
        let load = Repo.path("Tests/python/traffic_load.py")
        for s in [a, b] { #expect(try Python.run(script: load, [s.address, "prepare"]).status == 0) }
        let dir = NSTemporaryDirectory() + "watch2-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let collect = Process()
        collect.executableURL = URL(fileURLWithPath: Repo.executable("collect"))
        collect.arguments = [a.address, b.address, "--watch", "4", "--watch-only", "--out", dir]
        collect.standardError = FileHandle.nullDevice
        try collect.run()
        #expect(try Python.run(script: load, [a.address, "run", "300"]).status == 0)
        #expect(try Python.run(script: load, [b.address, "run", "20"]).status == 0)
        collect.waitUntilExit()
        #expect(collect.terminationStatus == 0)
        let dumps = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".mcdump.gz") }.sorted().map { dir + "/" + $0 }
        let d = try runProcess(Repo.executable("decode"), dumps)
        let rep = try runProcess(Repo.executable("report"), ["--format", "json", "-"], stdin: d.stdout)
        let doc = try #require(try JSONSerialization.jsonObject(with: rep.stdout) as? [String: Any])
        let e = try #require((doc["measured_traffic"] as? [String: Any])?["explanation"] as? [String: Any])
        #expect(e["host"] as? String == a.address && e["basis"] as? String == "measured")
        #expect((e["keys"] as? [[String: Any]])?.first?["key"] as? String == "hot")
        #expect((e["sentence"] as? String ?? "").hasPrefix("Measured over the watch window"))
        let text = try runProcess(Repo.executable("report"), ["-"], stdin: d.stdout).stdoutText
        #expect(text.contains("MEASURED TRAFFIC PER HOST (WATCH WINDOW)") && text.contains("Measured over the watch window"))
        // Per-dump partials, merged: the same bytes as one pass.
        var partials: [String] = []
        for (i, dump) in dumps.enumerated() {
            let one = try runProcess(Repo.executable("decode"), [dump])
            let path = dir + "/p\(i).json"
            let p = try runProcess(Repo.executable("report"), ["--format", "json", "--partial", "-"], stdin: one.stdout)
            try p.stdout.write(to: URL(fileURLWithPath: path))
            partials.append(path)
        }
        let merged = try runProcess(Repo.executable("report"), ["--merge", "--format", "json"] + partials)
        #expect(merged.status == 0, "\(merged.stderrText)")
        let m = try #require(try JSONSerialization.jsonObject(with: merged.stdout) as? [String: Any])
        #expect(NSDictionary(dictionary: m["measured_traffic"] as? [String: Any] ?? [:]).isEqual(to: doc["measured_traffic"] as? [String: Any] ?? [:]))
    }

    @Test func watchOnlyCapturesNoItemsAndStillMeasures() throws {
        let (records, did, collect, server) = try watched(extra: ["--watch-only"])
        defer { server.stop() }
        #expect(collect.status == 0, "\(collect.stderr)")
        #expect(!records.contains { $0["type"] as? String == "item" })
        let hot = try #require(records.first { $0["type"] as? String == "traffic" && $0["key"] as? String == "hot" })
        #expect(hot["gets"] as? Int == did["hot"]?["gets"])
        let source = try #require(records.first { $0["type"] as? String == "source" })
        #expect(source["method"] as? String == "watch" && source["complete"] as? Bool == true)
        #expect((source["watch"] as? [String: Any])?["own_events"] as? Int == 0)
    }

    /// --watch-sample 4: one client event in four kept, a store always with its lookup (so a key only
    /// written never shows reads), every client event either kept or counted as sampled out, and the
    /// counts scaled back (estimates, marked `sample`).
    @Test func aSampledWindowKeepsOneEventInNAndNeverSplitsAStoreFromItsLookup() throws {
        let (records, did, collect, server) = try watched(extra: ["--watch-only", "--watch-sample", "4"])
        defer { server.stop() }
        #expect(collect.status == 0, "\(collect.stderr)")
        let source = try #require(records.first { $0["type"] as? String == "source" })
        let watch = try #require(source["watch"] as? [String: Any])
        #expect(watch["sample"] as? Int == 4)
        // The mix's client events: its reads, and each store's lookup and store.
        let reads = (did["hot"]?["gets"] ?? 0) + (did["cfg"]?["gets"] ?? 0) + (did["missing"]?["gets"] ?? 0)
        let stores = (did["hot"]?["sets"] ?? 0) + (did["written"]?["sets"] ?? 0)
        let kept = watch["events"] as? Int ?? -1, out = watch["sampled_out"] as? Int ?? -1
        #expect(kept + out == reads + 2 * stores, "kept \(kept), sampled out \(out)")
        #expect(kept > 0 && out > kept)
        let traffic = records.filter { $0["type"] as? String == "traffic" }
        #expect(traffic.allSatisfy { $0["sample"] as? Int == 4 && ($0["gets"] as? Int ?? 1) % 4 == 0 })
        if let written = traffic.first(where: { $0["key"] as? String == "written" }) { #expect(written["gets"] as? Int == 0) }
        let hot = try #require(traffic.first { $0["key"] as? String == "hot" })
        #expect((100...600).contains(hot["gets"] as? Int ?? 0), "\(hot)")
    }

    /// A server started with -W (watch disabled) refuses: the items are still captured, the dump and the
    /// manifest say why the window is missing, and the exit status is 3.
    @Test func aServerThatRefusesToWatchStillGetsCaptured() throws {
        let server = try MemcachedServer(memoryMB: 16, extraArguments: ["-W"])
        defer { server.stop() }
        let prepared = try Python.run(script: Repo.path("Tests/python/traffic_load.py"), [server.address, "prepare"])
        #expect(prepared.status == 0)
        let dir = NSTemporaryDirectory() + "watch-refused-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let c = try runProcess(Repo.executable("collect"), [server.address, "--watch", "1", "--out", dir])
        #expect(c.status == 3)
        #expect(c.stderrText.contains("watch: refused: the server answered `CLIENT_ERROR watch commands not allowed` to watch"), "\(c.stderrText)")
        let dumps = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".mcdump.gz") }.map { dir + "/" + $0 }
        let d = try runProcess(Repo.executable("decode"), dumps)
        let records = Self.records(d.stdout)
        #expect(records.filter { $0["type"] as? String == "item" }.count == 41)
        #expect(!records.contains { $0["type"] as? String == "traffic" })
        let source = try #require(records.first { $0["type"] as? String == "source" })
        #expect(source["complete"] as? Bool == false)
        #expect((source["watch"] as? [String: Any])?["ended"] as? String == "refused: the server answered `CLIENT_ERROR watch commands not allowed` to watch")
    }

    @Test func watchOptionsAreChecked() throws {
        let bad = try runProcess(Repo.executable("collect"), ["127.0.0.1:1", "--watch-only", "--out", NSTemporaryDirectory() + "x"])
        #expect(bad.status == 64 && bad.stderrText.contains("--watch-only needs --watch SECONDS"))
        let zero = try runProcess(Repo.executable("collect"), ["127.0.0.1:1", "--watch", "0", "--out", NSTemporaryDirectory() + "x"])
        #expect(zero.status == 64 && zero.stderrText.contains("--watch must be a positive number"))
        let sample = try runProcess(Repo.executable("collect"), ["127.0.0.1:1", "--watch-sample", "2", "--out", NSTemporaryDirectory() + "x"])
        #expect(sample.status == 64 && sample.stderrText.contains("--watch-sample needs --watch SECONDS"))
        let badSample = try runProcess(
            Repo.executable("collect"), ["127.0.0.1:1", "--watch", "1", "--watch-sample", "0", "--out", NSTemporaryDirectory() + "x"])
        #expect(badSample.status == 64 && badSample.stderrText.contains("--watch-sample must be 1…1000000"))
    }
}
