// collect/ProgressReporter: one stderr line (only on a TTY) with items, MB, rate and ETA per host, and
// a watch window's events, the collector's own left out, memcached's skipped lines and the time left.
import Capture
import KeyPlacement
import MemcacheClient
import PipelineCLI
import Synchronization

enum ProgressReporter {
    static func run(_ states: [HostState]) async {
        let line = ProgressLine()
        guard Diagnostics.stderrIsTTY else { return }
        let start = ProgressLine.monotonicSeconds()
        while !Task.isCancelled {
            try? await Task.sleep(nanoseconds: 250_000_000)
            let elapsed = max(0.001, ProgressLine.monotonicSeconds() - start)
            let parts = states.map { s -> String in
                let done = s.progress.captured.load(ordering: .relaxed) + s.progress.missed.load(ordering: .relaxed)
                let bytes = Int64(s.progress.valueBytes.load(ordering: .relaxed))
                let total = s.total.load(ordering: .relaxed)
                let rate = Double(done) / elapsed
                var text = "\(s.spec.address) \(done)"
                if total >= 0 { text += "/\(total)" }
                text += " items \(formatBytes(bytes)) \(Int(rate))/s"
                if total > done && rate > 0 { text += " ETA \(Int(Double(total - done) / rate))s" }
                let events = s.progress.watchEvents.load(ordering: .relaxed)
                if events >= 0 {
                    let left = Double(s.progress.watchEndsAtMillis.load(ordering: .relaxed)) / 1000 - MonotonicClock.seconds()
                    text += " · watch \(events) events (\(s.progress.watchOwn.load(ordering: .relaxed)) own left out"
                    text += ", \(s.progress.watchSkipped.load(ordering: .relaxed)) skipped by memcached) \(max(0, Int(left.rounded(.up))))s left"
                }
                return text
            }
            line.update(parts.joined(separator: " | "))
        }
        line.clear()
    }
}
