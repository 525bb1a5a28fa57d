// PipelineRecords/SourceRecord: the `source` record (schema 1), one per dump or listing read —
// who was captured and how, whether the capture is complete, counts, the stats samples verbatim,
// traffic rates between the first and last `general` sample, and the capture window in server time.
import JSONText

/// One stats sample: a label (`start`, `end`, `sample-N`) and its sections in capture order.
public struct StatsSample: Sendable {
    public var label: String
    public var sections: [(section: String, values: [(name: String, value: String)])]
    public init(label: String, sections: [(section: String, values: [(name: String, value: String)])] = []) {
        self.label = label
        self.sections = sections
    }

    /// The value of `name` in `section`, if present.
    public func value(_ section: String, _ name: String) -> String? {
        sections.first { $0.section == section }?.values.first { $0.name == name }?.value
    }
}

/// Counts of one source: what the collector said, and what decode saw.
public struct SourceCounts: Sendable, Equatable {
    public var listed: Int?
    public var captured: Int?
    public var missed: Int?
    /// Item records written.
    public var items = 0
    /// Items with a captured value.
    public var values = 0
    public var valueBytes: Int64 = 0
    /// Items whose value failed a layer (they carry `error`).
    public var valueErrors = 0
    public var misses = 0
    public var notes = 0
    /// Error records (unreadable framing).
    public var errors = 0
    /// Records from gzip members that failed their CRC/length check (or were cut): items and misses
    /// flagged `unverified`, stats and notes withheld.
    public var unverified = 0
    /// Items whose value names a suspicious callable (possible cache poisoning).
    public var suspicious = 0
    public init() {}
}

public struct SourceRecord: Sendable {
    public var host: String?
    public var port: Int?
    public var file: String
    public var sha256: String?
    /// Input kind: `mcdump`, `nc`, `metadump`, `cachedump`.
    public var format: String
    public var serverVersion: String?
    /// Enumeration method (`metadump`, `cachedump`, `keys`, `get`).
    public var method: String?
    public var collector: String?
    public var keysOnly: Bool?
    public var complete: Bool
    /// Why the source is incomplete (collector's reason or the read error).
    public var reason: String?
    public var counts = SourceCounts()
    /// Server time at the start and end of the capture (`STAT time`, or the dump's header/trailer).
    public var windowStart: Int64?
    public var windowEnd: Int64?
    public var startedLocal: Double?
    public var finishedLocal: Double?
    public var stats: [StatsSample] = []
    /// The watch window of a format-2 dump (`collect --watch`), nil without one.
    public var watch: WatchSummary?

    public init(file: String, format: String, complete: Bool) {
        self.file = file
        self.format = format
        self.complete = complete
    }

    /// Counters of `stats` whose change per second is reported in `rates`.
    public static let rateCounters = [
        "cmd_get", "cmd_set", "cmd_touch", "get_hits", "get_misses", "get_expired", "delete_hits", "delete_misses",
        "bytes_read", "bytes_written", "evictions", "expired_unfetched", "evicted_unfetched", "total_items",
        "total_connections",
    ]

    /// Per-second rates between the first and last sample that have `general` stats with `time`.
    public func rates() -> (interval: Int64, values: [(String, Double)])? {
        let timed = stats.filter { $0.value("general", "time").flatMap { Int64($0) } != nil }
        guard let first = timed.first, let last = timed.last, timed.count >= 2,
            let t0 = first.value("general", "time").flatMap({ Int64($0) }),
            let t1 = last.value("general", "time").flatMap({ Int64($0) }), t1 > t0
        else { return nil }
        var out: [(String, Double)] = []
        for name in SourceRecord.rateCounters {
            guard let a = first.value("general", name).flatMap({ Double($0) }),
                let b = last.value("general", name).flatMap({ Double($0) })
            else { continue }
            out.append((name, (b - a) / Double(t1 - t0)))
        }
        return (t1 - t0, out)
    }

    public func write(to w: inout NDJSONWriter) {
        w.beginObject()
        w.key(.type); w.string("source")
        w.key(.schema); w.int(RecordSchema.version)
        w.key(.host); if let host { w.string(host) } else { w.null() }
        w.key(.port); if let port { w.int(port) } else { w.null() }
        w.key("file"); w.string(file)
        w.key("sha256"); if let sha256 { w.string(sha256) } else { w.null() }
        w.key("format"); w.string(format)
        w.key("server_version"); if let serverVersion { w.string(serverVersion) } else { w.null() }
        w.key("method"); if let method { w.string(method) } else { w.null() }
        if let collector { w.key("collector"); w.string(collector) }
        if let keysOnly { w.key("keys_only"); w.bool(keysOnly) }
        w.key(.complete); w.bool(complete)
        if let reason { w.key(.reason); w.string(reason) }
        w.key("counts")
        w.beginObject()
        w.key("listed"); if let l = counts.listed { w.int(l) } else { w.null() }
        w.key("captured"); if let c = counts.captured { w.int(c) } else { w.null() }
        w.key("missed"); if let m = counts.missed { w.int(m) } else { w.null() }
        w.key("items"); w.int(counts.items)
        w.key("values"); w.int(counts.values)
        w.key("value_bytes"); w.int(counts.valueBytes)
        w.key("value_errors"); w.int(counts.valueErrors)
        w.key("misses"); w.int(counts.misses)
        w.key("notes"); w.int(counts.notes)
        w.key("errors"); w.int(counts.errors)
        if counts.unverified > 0 { w.key(.unverified); w.int(counts.unverified) }
        if counts.suspicious > 0 { w.key(.suspicious); w.int(counts.suspicious) }
        w.endObject()
        w.key(.window)
        w.beginObject()
        w.key(.windowStart); if let s = windowStart { w.int(s) } else { w.null() }
        w.key(.windowEnd); if let e = windowEnd { w.int(e) } else { w.null() }
        w.key("seconds"); if let s = windowStart, let e = windowEnd { w.int(e - s) } else { w.null() }
        w.endObject()
        if let startedLocal { w.key("started_local"); w.double(startedLocal) }
        if let finishedLocal { w.key("finished_local"); w.double(finishedLocal) }
        w.key(.stats)
        w.beginObject()
        for sample in stats {
            w.key(sample.label)
            w.beginObject()
            for (section, values) in sample.sections {
                w.key(section)
                w.beginObject()
                for (name, value) in values { w.key(name); w.string(value) }
                w.endObject()
            }
            w.endObject()
        }
        w.endObject()
        if let watch { watch.write(to: &w) }
        w.key("rates")
        if let (interval, values) = rates() {
            w.beginObject()
            w.key("interval_s"); w.int(interval)
            for (name, v) in values { w.key(name); w.double(v) }
            w.endObject()
        } else {
            w.null()
        }
        w.endObject()
        w.endLine()
    }
}

/// A source's watch window: what collect measured and left out, and what decode made of it.
public struct WatchSummary: Sendable {
    public var streams: [String]
    public var startedLocal: Double
    public var seconds: Double
    /// EVENT lines read, the keys they name, stores' lookups not counted as reads.
    public var events: Int
    public var keys: Int
    public var storeLookups: Int
    /// Lines memcached skipped for the watcher (`skipped=` lines, or collect's sum of them).
    public var skipped: UInt64
    public var unreadable: Int
    public var ownEvents: Int?
    public var ownConnections: Int?
    public var workerDropped: Int64?
    public var watcherSkipped: Int64?
    public var otherKeysEvents = 0
    public var ended: String?
    /// `collect --watch-sample N`: one client event in N kept, and those left out (nil: every event).
    public var sample: Int?
    public var sampledOut: Int?

    public init(
        streams: [String], startedLocal: Double, seconds: Double, events: Int, keys: Int, storeLookups: Int, skipped: UInt64,
        unreadable: Int
    ) {
        self.streams = streams
        self.startedLocal = startedLocal
        self.seconds = seconds
        self.events = events
        self.keys = keys
        self.storeLookups = storeLookups
        self.skipped = skipped
        self.unreadable = unreadable
    }

    func write(to w: inout NDJSONWriter) {
        w.key("watch")
        w.beginObject()
        w.key("streams"); w.beginArray(); for s in streams { w.string(s) }; w.endArray()
        w.key("started_local"); w.double(startedLocal)
        w.key("seconds"); w.double(seconds)
        w.key("events"); w.int(events)
        w.key("keys"); w.int(keys)
        w.key("store_lookups"); w.int(storeLookups)
        w.key("skipped"); w.int(Int64(clamping: skipped))
        w.key("unreadable"); w.int(unreadable)
        w.key("own_events"); w.int(ownEvents)
        w.key("own_connections"); w.int(ownConnections)
        w.key("worker_dropped"); if let d = workerDropped { w.int(d) } else { w.null() }
        w.key("watcher_skipped"); if let d = watcherSkipped { w.int(d) } else { w.null() }
        if otherKeysEvents > 0 { w.key("other_keys_events"); w.int(otherKeysEvents) }
        if let sample { w.key("sample"); w.int(sample); w.key("sampled_out"); w.int(sampledOut) }
        w.key("ended"); w.string(ended)
        w.endObject()
    }
}
