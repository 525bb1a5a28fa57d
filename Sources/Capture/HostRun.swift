// Capture/HostRun: the capture of one server — identify (version, stats), enumerate, write the
// dump's header, stats and notes, fetch values, sample stats at the end (and every N seconds),
// then finish the dump with a trailer that says whether it is complete and, if not, why.
import DumpContainer
import Foundation
import KeyPlacement
import MemcacheClient
import MemcacheProtocol
import PipelineCLI
import Synchronization

/// Everything a host capture needs from the command line.
public struct CaptureConfig: Sendable {
    public var outDir: String
    public var force: Bool
    public var keysFile: String?
    public var forceCachedump: Bool
    public var connection: ConnectionOptions
    public var fetch: FetchOptions
    public var statsEvery: Double?
    /// `--watch SECONDS` (and `--watch-only`): a watch window beside the capture; nil without one.
    public var watch: WatchConfig?
    public var commandLine: [String]
    /// The collector's version, written into each dump's header.
    public var collector: String

    public init(
        outDir: String, force: Bool, keysFile: String?, forceCachedump: Bool, connection: ConnectionOptions, fetch: FetchOptions,
        statsEvery: Double?, commandLine: [String], collector: String
    ) {
        self.outDir = outDir
        self.force = force
        self.keysFile = keysFile
        self.forceCachedump = forceCachedump
        self.connection = connection
        self.fetch = fetch
        self.statsEvery = statsEvery
        self.commandLine = commandLine
        self.collector = collector
    }
}

/// A watch window: its length, whether items are captured too, and how often `stats` and `stats conns`
/// are sampled during it.
public struct WatchConfig: Sendable {
    public var seconds: Double
    public var only: Bool
    public var statsEvery: Double
    /// One client event in `sample` kept (`--watch-sample`).
    public var sample: Int
    public init(seconds: Double, only: Bool, statsEvery: Double, sample: Int = 1) {
        self.seconds = seconds
        self.only = only
        self.statsEvery = statsEvery
        self.sample = sample
    }
}

/// Live state of one host, for the progress line.
public final class HostState: Sendable {
    public let spec: ServerSpec
    public let progress = CaptureProgress()
    public let total = Atomic<Int>(-1)
    public init(spec: ServerSpec) { self.spec = spec }
}

/// The capture of one host, start to end.
public enum HostRun {
    /// The dump's file name: the host (characters other than letters, digits, `.` and `-` as `_`) and port.
    public static func fileName(_ spec: ServerSpec) -> String {
        let safeHost = String(
            spec.host.map { c -> Character in
                (c.isASCII && (c.isLetter || c.isNumber || c == "." || c == "-")) ? c : "_"
            })
        return "\(safeHost)_\(spec.port)\(DumpFormat.fileExtension)"
    }

    public static func capture(_ state: HostState, config: CaptureConfig, stop: StopFlag, diagnostics: Diagnostics) async -> ManifestServer {
        let spec = state.spec
        var m = ManifestServer(
            address: spec.address, host: spec.host, port: spec.port, weight: spec.weight, status: "failed",
            startedLocal: Date().timeIntervalSince1970, finishedLocal: 0, listed: 0, captured: 0, missed: 0,
            valueBytes: 0, notes: [], errors: [])
        func fail(_ message: String) -> ManifestServer {
            m.errors.append(message)
            m.reason = message
            if stop.isSet {
                m.status = "interrupted"
                m.reason = (stop.reason ?? "stopped") + "; " + message
            }
            m.finishedLocal = Date().timeIntervalSince1970
            return m
        }

        // 1. Identify.
        let info: ServerInfo
        do {
            info = try await ServerIdentity.identify(host: spec.host, port: spec.port, options: config.connection)
        } catch {
            return fail("\(error)")
        }
        m.serverVersion = info.version
        m.serverTimeStart = info.serverTime
        m.serverUptimeStart = info.serverUptime

        // With a watch window, the dump opens now and the window starts before the collector opens any
        // other connection: its own events are then known by their `conn_new` (docs/traffic.md).
        var opened: (writer: DumpWriter, sink: DumpSink)?
        var watchRun: WatchRun?
        if let watch = config.watch {
            let planned = watch.only ? "watch" : config.keysFile != nil ? "keys" : config.forceCachedump ? "cachedump" : "metadump"
            switch openDump(spec: spec, config: config, info: info, method: planned, format: DumpFormat.watchVersion, started: m.startedLocal) {
            case .success(let o):
                opened = o
                m.file = fileName(spec)
            case .failure(let message):
                return fail(message)
            }
            m.method = planned
            watchRun = await WatchRun.start(spec: spec, watch: watch, config: config, sink: opened!.sink, stop: stop, progress: state.progress)
        }

        // 2. Enumerate (the metadump is spooled to its END before anything else happens).
        var enumeration: Enumeration?
        var enumerationError: String?
        var failureNotes: [(level: String, message: String)] = []
        if config.watch?.only == true {
            // Traffic only: nothing is listed or fetched.
        } else {
            do {
                enumeration = try await Enumerator.enumerate(
                    host: spec.host, port: spec.port, options: config.connection, server: info, keysFile: config.keysFile,
                    forceCachedump: config.forceCachedump, spoolDirectory: config.outDir,
                    onExpectedKeys: { state.total.store($0, ordering: .relaxed) })
            } catch let failure as EnumerationFailure {
                failureNotes = failure.notes
                enumerationError = "enumeration failed: \(failure)"
            } catch {
                enumerationError = "enumeration failed: \(error)"
            }
        }
        let method = config.watch?.only == true ? "watch" : enumeration?.method.rawValue ?? (config.keysFile != nil ? "keys" : "metadump")
        let headerMethod = m.method
        m.method = method
        m.listingComplete = enumeration?.listingComplete

        // 3. Open the dump (unless a watch opened it); header, start stats, notes.
        if opened == nil {
            switch openDump(spec: spec, config: config, info: info, method: method, format: DumpFormat.version, started: m.startedLocal) {
            case .success(let o):
                opened = o
                m.file = fileName(spec)
            case .failure(let message):
                _ = await enumeration?.crawls?.finish()  // a crawl is never left half-read
                return fail(message)
            }
        }
        let (writer, sink) = opened!
        var errors: [String] = []
        do {
            for n in enumeration?.notes ?? failureNotes {
                try sink.note(level: n.level, message: n.message)
                m.notes.append("\(n.level): \(n.message)")
                if n.level == "warning" { diagnostics.warning("\(spec.address): \(n.message)") }
            }
            if let e = enumerationError {
                errors.append(e)
                try sink.note(level: "error", message: e)
            }
        } catch {
            errors.append("writing the dump: \(error)")
        }

        // 4. Values (and the stats timeline beside them).
        var fetch = FetchSummary()
        if let enumeration, errors.isEmpty {
            let sampler = (config.watch == nil ? config.statsEvery : nil).map { every in
                Task { await sampleStats(spec: spec, every: every, config: config, sink: sink, stop: stop) }
            }
            fetch = await ValueFetcher.run(
                host: spec.host, port: spec.port, connection: config.connection, source: enumeration.source,
                options: config.fetch, server: info, sink: sink, progress: state.progress, stop: stop)
            sampler?.cancel()
            _ = await sampler?.value
            if fetch.usedGets {
                let msg = "the server has no meta commands; values were fetched with gets (--allow-lru-bump): items were bumped in the LRU and marked fetched"
                m.notes.append("warning: \(msg)")
                try? sink.note(level: "warning", message: msg)
                diagnostics.warning("\(spec.address): \(msg)")
            }
            for e in fetch.errors {
                errors.append("value fetch: \(e)")
                try? sink.note(level: "error", message: "value fetch: \(e)")
            }
        }

        // A second metadump crawl may have run beside the fetch; crawls always end (read to END).
        if let crawls = enumeration?.crawls {
            let crawled = await crawls.finish()
            m.metadumpLines = crawled.lines
            for n in crawled.notes {
                try? sink.note(level: n.level, message: n.message)
                m.notes.append("\(n.level): \(n.message)")
                if n.level == "warning" { diagnostics.warning("\(spec.address): \(n.message)") }
            }
            if let second = crawled.secondCrawl {
                let msg = "the second crawl listed \(second.yielded) key(s) the first had missed"
                m.notes.append("info: \(msg)")
                try? sink.note(level: "info", message: msg)
            }
            if let failure = crawled.failure {
                let msg = "metadump listing: \(failure)"
                errors.append(msg)
                try? sink.note(level: "error", message: msg)
            }
        }

        // The watch window runs its course (the capture may have ended before it).
        if let run = watchRun {
            let w = await run.finish()
            m.watch = w
            do { try sink.write(.watch(w)) } catch { errors.append("writing the dump: \(error)") }
            if w.ended.hasPrefix("error") || w.ended.hasPrefix("refused") {
                errors.append("watch: \(w.ended)")
                try? sink.note(level: "error", message: "watch: \(w.ended)")
            }
            let skipped = max(w.skipped, w.watcherSkipped ?? 0)
            if skipped > 0 || (w.workerDropped ?? 0) > 0 {
                let msg =
                    "memcached dropped watch events: \(skipped) skipped for the watcher, \(w.workerDropped.map(String.init) ?? "?") dropped by its workers"
                m.notes.append("warning: \(msg)")
                try? sink.note(level: "warning", message: msg)
                diagnostics.warning("\(spec.address): \(msg)")
            }
        }

        // 5. Stats at the end.
        var endTime: Int64?
        do {
            let end = try await ServerIdentity.sampleGeneral(host: spec.host, port: spec.port, options: config.connection)
            endTime = end["time"].flatMap { Int64($0) }
            try sink.stats(section: "general", label: "end", values: end.values)
        } catch {
            let msg = "end-of-capture stats: \(error)"
            m.notes.append("warning: \(msg)")
            try? sink.note(level: "warning", message: msg)
        }
        m.serverTimeEnd = endTime

        // 6. Trailer.
        let p = state.progress
        m.listed = p.listed.load(ordering: .relaxed)
        m.captured = p.captured.load(ordering: .relaxed)
        m.missed = p.missed.load(ordering: .relaxed)
        m.valueBytes = Int64(p.valueBytes.load(ordering: .relaxed))
        var reasons: [String] = []
        if stop.isSet { reasons.append(stop.reason ?? "stopped") }
        if let e = enumeration, !e.listingComplete { reasons.append("listing by \(e.method.rawValue) is incomplete") }
        reasons += errors
        let complete = reasons.isEmpty
        let trailer = DumpTrailer(
            finishedLocal: Date().timeIntervalSince1970, serverTime: endTime, listed: m.listed, captured: m.captured,
            missed: m.missed, valueBytes: m.valueBytes, complete: complete, reason: complete ? nil : reasons.joined(separator: "; "),
            method: headerMethod != nil && headerMethod != method ? method : nil)
        do {
            let summary = try writer.finish(trailer)
            m.sha256 = summary.sha256
            m.compressedBytes = summary.compressedBytes
            m.uncompressedBytes = summary.uncompressedBytes
        } catch {
            errors.append("finishing the dump: \(error)")
            reasons.append("finishing the dump: \(error)")
        }
        m.errors = errors
        m.status = reasons.isEmpty ? "complete" : stop.isSet ? "interrupted" : "partial"
        m.reason = reasons.isEmpty ? nil : reasons.joined(separator: "; ")
        m.finishedLocal = Date().timeIntervalSince1970
        return m
    }

    enum Opened {
        case success((writer: DumpWriter, sink: DumpSink))
        case failure(String)
    }

    /// Creates the dump and writes its header and the identification's stats (`start`).
    static func openDump(spec: ServerSpec, config: CaptureConfig, info: ServerInfo, method: String, format: Int, started: Double) -> Opened {
        let path = config.outDir + "/" + fileName(spec)
        let writer: DumpWriter
        do {
            writer = try DumpWriter(path: path, overwrite: config.force, memberBytes: 1 << 20)
        } catch {
            return .failure("cannot create \(path): \(error)")
        }
        let sink = DumpSink(writer: writer)
        do {
            try sink.write(
                .header(
                    DumpHeader(
                        host: spec.host, port: spec.port, collector: config.collector, method: method,
                        keysOnly: config.fetch.keysOnly || config.watch?.only == true, serverVersion: info.version,
                        serverTime: info.serverTime, serverUptime: info.serverUptime, startedLocal: started,
                        commandLine: config.commandLine, format: format)))
            for s in info.stats { try sink.stats(section: s.section.rawValue, label: "start", values: s.values) }
        } catch {
            _ = try? writer.closeWithoutTrailer()
            return .failure("writing the dump: \(error)")
        }
        return .success((writer, sink))
    }

    /// `stats` every `every` seconds on a fresh connection, written as `sample-N`.
    static func sampleStats(spec: ServerSpec, every: Double, config: CaptureConfig, sink: DumpSink, stop: StopFlag) async {
        var n = 0
        while !Task.isCancelled && !stop.isSet {
            try? await Task.sleep(nanoseconds: UInt64(every * 1e9))
            if Task.isCancelled || stop.isSet { return }
            n += 1
            if let s = try? await ServerIdentity.sampleGeneral(host: spec.host, port: spec.port, options: config.connection) {
                try? sink.stats(section: "general", label: "sample-\(n)", values: s.values)
            }
        }
    }
}
