// DecodePipeline/RecordEmitter: the decoding thread — turns InputEvents into NDJSON records (values through
// CacheValues), builds each input's `source` record, writes to the output sink, and keeps the tallies
// that decide the exit status and the stderr summary.
import DecodeInputs
import CacheValues
import Compression
import DumpContainer
import PipelineCLI
import PipelineRecords
import JSONText
import KeyFamilies
import WatchEvents

/// How much of each value the records carry.
public struct EmitterOptions: Sendable {
    public var detail: ValueDetail
    public var maxValueJSON: Int?
    /// Names each item's key family (`--families`, docs/families.md).
    public var families: FamilyClassifier
    /// Keys whose watch-window traffic gets its own record; the rest are summed (`other_keys`).
    public var maxTrafficKeys: Int
    public init(detail: ValueDetail, maxValueJSON: Int?, families: FamilyClassifier = FamilyClassifier(), maxTrafficKeys: Int = 1_000_000) {
        self.detail = detail
        self.maxValueJSON = maxValueJSON
        self.families = families
        self.maxTrafficKeys = maxTrafficKeys
    }
}

final class RecordEmitter {
    let decoder: ValueDecoder
    let options: EmitterOptions
    let sink: OutputSink
    let diagnostics: Diagnostics
    private var writer = NDJSONWriter(capacity: 2 << 20)
    private static let flushAt = 1 << 20

    // Per input
    private var source: SourceRecord?
    private var sawHeader = false
    private var sawEnd = false
    private var listingComplete = false
    private var fatalInput = false
    /// The clients' traffic of the input's watch window (format 2), until its WATCH record.
    private var traffic: TrafficTally?

    // Whole run
    private(set) var unreadableInputs = 0
    private(set) var skippedSomething = false
    private(set) var outputError: OutputError?
    var readerClosed: Bool { sink.readerClosed }

    init(decoder: ValueDecoder, options: EmitterOptions, sink: OutputSink, diagnostics: Diagnostics) {
        self.decoder = decoder
        self.options = options
        self.sink = sink
        self.diagnostics = diagnostics
    }

    /// Handles one event; false when output can no longer be written (reader gone or write error).
    func handle(_ event: InputEvent, decoded: DecodedValue? = nil) -> Bool {
        switch event {
        case .begin(let file, let format):
            source = SourceRecord(file: file, format: format.rawValue, complete: false)
            sawHeader = false
            sawEnd = false
            listingComplete = false
            fatalInput = false
            traffic = nil
            if format != .mcdump && format != .auto { source?.method = format == .nc ? "get" : format.rawValue }
        case .header(let h):
            sawHeader = true
            source?.host = h.host
            source?.port = h.port
            source?.serverVersion = h.serverVersion
            source?.method = h.method
            source?.collector = h.collector
            source?.keysOnly = h.keysOnly
            source?.windowStart = h.serverTime
            source?.startedLocal = h.startedLocal
        case .stats(let s):
            addStats(s)
        case .item(let raw):
            writeItem(raw, decoded: decoded)
        case .miss(let m, let unverified):
            source?.counts.misses += 1
            if unverified != nil { countUnverified() }
            var record = MissRecord(host: source?.host, port: source?.port, key: m.key, reason: m.reason)
            record.unverified = unverified
            record.write(to: &writer)
        case .withheld:
            countUnverified()
        case .note(let n):
            source?.counts.notes += 1
            NoteRecord(host: source?.host, port: source?.port, level: n.level, message: n.message).write(to: &writer)
        case .event(let line):
            if traffic == nil { traffic = TrafficTally(maxKeys: options.maxTrafficKeys) }
            traffic?.add(line: line[...])
        case .watch(let w):
            writeTraffic(watch: w)
        case .end(let t):
            sawEnd = true
            source?.counts.listed = t.listed
            source?.counts.captured = t.captured
            source?.counts.missed = t.missed
            source?.windowEnd = t.serverTime
            source?.finishedLocal = t.finishedLocal
            if let m = t.method { source?.method = m }
            source?.complete = t.complete
            if !t.complete { source?.reason = t.reason ?? "the collector marked the dump incomplete" }
        case .listingComplete:
            listingComplete = true
        case .failure(let f):
            skippedSomething = true
            if f.fatal { fatalInput = true }
            source?.counts.errors += 1
            let file = source?.file ?? "-"
            var position = ""
            if let o = f.offset { position += " at byte \(o)" }
            if let r = f.recordOffset { position += " (record offset \(r))" }
            diagnostics.error("\(file): \(f.kind)\(position): \(f.message)")
            ErrorRecord(file: file, kind: f.kind, message: f.message, offset: f.offset, recordOffset: f.recordOffset).write(to: &writer)
            if source?.reason == nil { source?.reason = "\(f.kind): \(f.message)" }
        case .finished(let sha):
            finishSource(sha256: sha)
        }
        if writer.buffer.count >= RecordEmitter.flushAt { return flush() }
        return true
    }

    /// A record from a gzip member that failed its check (flagged, or withheld).
    private func countUnverified() {
        source?.counts.unverified += 1
        skippedSomething = true
    }

    private func addStats(_ s: DumpStats) {
        guard source != nil else { return }
        if let i = source?.stats.firstIndex(where: { $0.label == s.label }) {
            source?.stats[i].sections.append((s.section, s.values))
        } else {
            source?.stats.append(StatsSample(label: s.label, sections: [(s.section, s.values)]))
        }
        if s.section == "general" && source?.serverVersion == nil { source?.serverVersion = s["version"] }
    }

    private func writeItem(_ raw: RawItem, decoded precomputed: DecodedValue?) {
        var r = ItemRecord(key: raw.key)
        r.host = source?.host
        r.port = source?.port
        r.size = raw.valueLength
        r.flags = raw.flags
        r.cas = raw.cas
        r.exp = raw.exp
        r.la = raw.lastAccess
        r.cls = raw.slabClass
        r.fetched = raw.fetched
        r.totalSize = raw.totalSize
        let family = options.families.family(of: raw.key)
        r.family = family.name
        r.familyOwner = family.owner
        r.familyClient = family.client
        r.unverified = raw.unverified
        if raw.unverified != nil { countUnverified() }
        source?.counts.items += 1
        if let value = raw.value {
            source?.counts.values += 1
            source?.counts.valueBytes += Int64(value.count)
            r.valueCRC32 = value.withUnsafeBytes { Checksum.crc32($0) }
            let decoded = precomputed ?? decoder.decode(flags: raw.flags ?? 0, value: value, key: raw.key)
            decoded.apply(to: &r, detail: options.detail, maxValueJSON: options.maxValueJSON)
            if !decoded.suspicious.isEmpty { source?.counts.suspicious += 1 }
            if decoded.error != nil {
                source?.counts.valueErrors += 1
                skippedSomething = true
            }
        } else {
            r.captured = false
        }
        r.write(to: &writer)
    }

    /// The traffic records of the window that `watch` closes (nil: the dump ended without its summary,
    /// the window then runs from the first event to the last), and the window's figures for the source.
    private func writeTraffic(watch: DumpWatch?) {
        guard var tally = traffic ?? (watch != nil ? TrafficTally(maxKeys: options.maxTrafficKeys) : nil) else { return }
        traffic = nil
        tally.finish()
        let started = watch?.startedLocal ?? source?.startedLocal ?? 0
        let seconds = watch?.seconds ?? max(0, (tally.lastTime ?? 0) - (tally.firstTime ?? 0))
        // A sampled window (one client event in N kept): the counts are the kept ones × N.
        let sample = max(1, watch?.sample ?? 1)
        func record(_ key: [UInt8]?, _ t: KeyTraffic) -> TrafficRecord {
            var r = TrafficRecord(host: source?.host, port: source?.port, key: key, startedLocal: started, seconds: seconds)
            if let key {
                let family = options.families.family(of: key)
                r.family = family.name
                r.familyOwner = family.owner
                r.familyClient = family.client
            }
            r.gets = t.gets * sample
            r.hits = t.hits * sample
            r.misses = t.misses * sample
            r.sets = t.sets * sample
            r.stored = t.stored * sample
            r.evictions = t.evictions * sample
            r.bytesRead = t.bytesRead &* Int64(sample)
            r.bytesWritten = t.bytesWritten &* Int64(sample)
            r.cls = t.clsid != 0 ? t.clsid : nil
            r.sample = sample > 1 ? sample : nil
            return r
        }
        for (key, t) in tally.keys.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            record(key, t).write(to: &writer)
            if writer.buffer.count >= RecordEmitter.flushAt { flush() }
        }
        if tally.other.events > 0 { record(nil, tally.other).write(to: &writer) }
        var summary = WatchSummary(
            streams: watch?.streams ?? [], startedLocal: started, seconds: seconds, events: tally.lines, keys: tally.keys.count,
            storeLookups: tally.storeLookups, skipped: tally.skipped, unreadable: tally.unreadable)
        if let w = watch {
            summary.ownEvents = w.ownEvents
            summary.ownConnections = w.ownConnections
            summary.skipped = UInt64(max(0, w.skipped))
            summary.workerDropped = w.workerDropped
            summary.watcherSkipped = w.watcherSkipped
            summary.ended = w.ended
            summary.sample = w.sample
            summary.sampledOut = w.sampledOut
        } else {
            summary.ended = "no WATCH record (capture interrupted?)"
        }
        summary.otherKeysEvents = tally.other.events
        if tally.other.events > 0 {
            diagnostics.warning(
                "\(source?.file ?? "-"): more than \(tally.maxKeys) keys in the watch window: the traffic of the others is summed in one `other_keys` record (--max-traffic-keys)"
            )
        }
        // memcached announces skipped lines before the next line it sends: those skipped when the window
        // closed only its log_watcher_skipped counter shows.
        let skipped = max(Int64(clamping: summary.skipped), summary.watcherSkipped ?? 0)
        if skipped > 0 || (summary.workerDropped ?? 0) > 0 {
            diagnostics.warning(
                "\(source?.file ?? "-"): memcached dropped watch events: \(skipped) skipped for the watcher, \(summary.workerDropped.map(String.init) ?? "?") dropped by its workers; measured traffic is a lower bound"
            )
        }
        source?.watch = summary
    }

    /// One stats_sample record per `sample-N` stats sample (the timeline), with the client connections
    /// its `stats conns` sample lists.
    private func writeStatsSamples(_ s: SourceRecord) {
        for sample in s.stats where sample.label.hasPrefix("sample-") {
            guard let general = sample.sections.first(where: { $0.section == "general" })?.values else { continue }
            var values: [(name: String, value: String)] = []
            for name in StatsSampleRecord.fields {
                if let v = general.first(where: { $0.name == name })?.value { values.append((name, v)) }
            }
            var connections: Int?
            if let conns = sample.sections.first(where: { $0.section == "conns" })?.values {
                connections = conns.filter { $0.name.hasSuffix(":state") && $0.value != "conn_listening" && $0.value != "conn_watch" }.count
            }
            StatsSampleRecord(host: s.host, port: s.port, label: sample.label, values: values, connections: connections).write(to: &writer)
        }
    }

    private func finishSource(sha256: String?) {
        if traffic != nil { writeTraffic(watch: nil) }
        guard var s = source else { return }
        source = nil
        writeStatsSamples(s)
        s.sha256 = sha256
        if fatalInput && !sawHeader && s.counts.items == 0 {
            // Nothing could be read: no source record, only the error record already written.
            unreadableInputs += 1
            return
        }
        switch s.format {
        case "mcdump":
            if !sawEnd {
                s.complete = false
                if s.reason == nil { s.reason = "the dump has no END record (capture interrupted?)" }
            }
        default:
            s.complete = listingComplete && s.counts.errors == 0
            if !listingComplete && s.reason == nil { s.reason = "the listing does not end with END" }
        // A text listing carries no stats; a metadump/cachedump's server time is unknown.
        }
        if !s.complete {
            skippedSomething = true
            diagnostics.warning("\(s.file): incomplete: \(s.reason ?? "incomplete") — decoded \(s.counts.items) items up to the end")
        }
        if s.counts.suspicious > 0 {
            diagnostics.warning(
                "\(s.file): \(s.counts.suspicious) value(s) name callables outside the plain data types (possible cache poisoning; never executed): see their `suspicious` field"
            )
        }
        if s.counts.unverified > 0 {
            diagnostics.warning(
                "\(s.file): \(s.counts.unverified) record(s) from damaged gzip members: items and misses are flagged `unverified`, stats and notes withheld")
        }
        if s.counts.valueErrors > 0 {
            diagnostics.warning("\(s.file): \(s.counts.valueErrors) item(s) could not be decoded (see their `error` field)")
        }
        s.write(to: &writer)
    }

    /// Writes buffered records; false if the output is gone.
    @discardableResult
    func flush() -> Bool {
        do throws(OutputError) {
            try sink.drain(&writer)
        } catch {
            outputError = error
            return false
        }
        return !sink.readerClosed
    }
}
