// Capture/WatchRun: one host's watch window beside its capture — the watcher (MemcacheClient/Watcher)
// writing the clients' events into the dump as EVENT records, and `stats` with `stats conns` sampled
// on one connection every `statsEvery` seconds (`sample-N`). Ends with the WATCH record's summary.
import DumpContainer
import Foundation
import KeyPlacement
import MemcacheClient
import MemcacheProtocol

final class WatchRun: Sendable {
    private let task: Task<DumpWatch, Never>

    private init(task: Task<DumpWatch, Never>) { self.task = task }

    /// Starts the window and returns once the server has begun to watch (or refused to).
    static func start(
        spec: ServerSpec, watch: WatchConfig, config: CaptureConfig, sink: DumpSink, stop: StopFlag, progress: CaptureProgress
    ) async -> WatchRun {
        let (ready, readyContinuation) = AsyncStream<Void>.makeStream()
        let own = config.connection.ownSockets ?? OwnSockets()
        let task = Task {
            let startedLocal = Date().timeIntervalSince1970
            let windowOver = StopFlag()
            let samples = Task { await sample(spec: spec, every: watch.statsEvery, config: config, sink: sink, until: windowOver) }
            var batch = EncodedRecords(reservingCapacity: 1 << 20)
            var writeError: String?
            let result = await Watcher.run(
                host: spec.host, port: spec.port, options: config.connection, seconds: watch.seconds, own: own, stop: stop,
                progress: progress, sample: watch.sample, ready: { readyContinuation.yield() },
                line: { text in
                    try batch.append(.event(Array(text)))
                    if batch.bytes.count >= 1 << 20 { try sink.write(taking: &batch) }
                },
                flush: {
                    do {
                        if !batch.isEmpty { try sink.write(taking: &batch) }
                    } catch {
                        writeError = "\(error)"
                        throw error
                    }
                })
            readyContinuation.finish()
            windowOver.set(reason: "window over")
            let (first, last) = await samples.value
            func delta(_ name: String) -> Int64? {
                guard let a = first?[name].flatMap({ Int64($0) }), let b = last?[name].flatMap({ Int64($0) }) else { return nil }
                return b - a
            }
            if let u = result.firstUnreadable {
                try? sink.note(level: "warning", message: "watch: \(result.unreadable) line(s) that are not events, the first: \(u)")
            }
            var summary = DumpWatch(
                streams: result.streams, startedLocal: startedLocal, finishedLocal: Date().timeIntervalSince1970, seconds: result.seconds,
                events: result.events, ownEvents: result.ownEvents, ownConnections: result.ownConnections,
                connectionEvents: result.connectionEvents, skipped: result.skipped, unreadable: result.unreadable,
                workerDropped: delta("log_worker_dropped"), watcherSkipped: delta("log_watcher_skipped"),
                ended: writeError.map { "error: writing the dump: \($0)" } ?? result.ended)
            if result.sample > 1 {
                summary.sample = result.sample
                summary.sampledOut = result.sampledOut
            }
            return summary
        }
        for await _ in ready { break }
        return WatchRun(task: task)
    }

    /// Waits for the window's end; the WATCH record's contents.
    func finish() async -> DumpWatch { await task.value }

    /// `stats` and `stats conns` every `every` seconds on one connection until `until` is set, and `stats`
    /// once more then; the first and last `stats` samples (for the drop counters over the window).
    static func sample(spec: ServerSpec, every: Double, config: CaptureConfig, sink: DumpSink, until: StopFlag) async -> (
        StatsSample?, StatsSample?
    ) {
        var first: StatsSample?, last: StatsSample?
        var n = 0
        do {
            try await MemcacheConnection.with(host: spec.host, port: spec.port, options: config.connection) { c in
                while !until.isSet {
                    n += 1
                    let general = try await ServerIdentity.fetchStats(c, .general)
                    let conns = try await ServerIdentity.fetchStats(c, .conns)
                    try sink.stats(section: "general", label: "sample-\(n)", values: general.values)
                    try sink.stats(section: "conns", label: "sample-\(n)", values: conns.values)
                    if first == nil { first = general }
                    last = general
                    let next = MonotonicClock.seconds() + every
                    while !until.isSet && MonotonicClock.seconds() < next { try? await Task.sleep(nanoseconds: 20_000_000) }
                }
                // One more at the window's end.
                n += 1
                let general = try await ServerIdentity.fetchStats(c, .general)
                try sink.stats(section: "general", label: "sample-\(n)", values: general.values)
                last = general
            }
        } catch {
            try? sink.note(level: "warning", message: "watch: stats sampling stopped: \(error)")
        }
        return (first, last)
    }
}
