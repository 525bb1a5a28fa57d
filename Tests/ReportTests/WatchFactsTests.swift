// ReportTests/WatchFactsTests: the input facts say, per host with a watch window, the events kept, the
// collector's own reads left out, what memcached dropped — the larger of its skipped= notices and its
// log_watcher_skipped counter, plus worker drops — and that a sampled window's counts are estimates.
import Foundation
import Testing
import TestSupport

@Suite struct WatchFactsTests {
    static func source(host: String, skipped: Int, watcherSkipped: Int, workerDropped: Int, sample: Int? = nil) -> String {
        let sampled = sample.map { #","sample":\#($0),"sampled_out":99"# } ?? ""
        return
            #"{"type":"source","schema":1,"host":"\#(host)","port":11211,"file":"x","complete":true,"watch":{"streams":[],"started_local":1.0,"seconds":5.0,"events":10,"keys":1,"store_lookups":0,"skipped":\#(skipped),"unreadable":0,"own_events":7,"own_connections":2,"worker_dropped":\#(workerDropped),"watcher_skipped":\#(watcherSkipped)\#(sampled),"ended":"elapsed"}}"#
    }

    @Test func dropsOwnReadsAndSamplingAreStated() throws {
        let lines = [
            Self.source(host: "a", skipped: 3, watcherSkipped: 10, workerDropped: 4),
            Self.source(host: "b", skipped: 0, watcherSkipped: 0, workerDropped: 0, sample: 8),
        ]
        let r = try runProcess(Repo.executable("report"), ["--width", "1000", "-"], stdin: Data((lines.joined(separator: "\n") + "\n").utf8))
        #expect(r.status == 0, "\(r.stderrText)")
        #expect(
            r.stdoutText.contains(
                "watch window on a:11211 (measured): 10 events kept, 7 of the collector's own reads left out; memcached dropped 14 (10 skipped for the watcher, 4 in its worker buffers): the measured traffic is a lower bound"
            ), "\(r.stdoutText)")
        #expect(
            r.stdoutText.contains(
                "watch window on b:11211 (measured): 10 events kept, 7 of the collector's own reads left out; memcached dropped none; sampled, one client event in 8 kept: its counts are estimates (kept × 8)"
            ))
    }
}
