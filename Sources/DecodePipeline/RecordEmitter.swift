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

/// How much of each value the records carry.
public struct EmitterOptions: Sendable {
    public var detail: ValueDetail
    public var maxValueJSON: Int?
    /// Names each item's key family (`--families`, docs/families.md).
    public var families: FamilyClassifier
    public init(detail: ValueDetail, maxValueJSON: Int?, families: FamilyClassifier = FamilyClassifier()) {
        self.detail = detail
        self.maxValueJSON = maxValueJSON
        self.families = families
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
        case .end(let t):
            sawEnd = true
            source?.counts.listed = t.listed
            source?.counts.captured = t.captured
            source?.counts.missed = t.missed
            source?.windowEnd = t.serverTime
            source?.finishedLocal = t.finishedLocal
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

    private func finishSource(sha256: String?) {
        guard var s = source else { return }
        source = nil
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
