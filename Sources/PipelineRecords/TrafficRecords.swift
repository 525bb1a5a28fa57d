// PipelineRecords/TrafficRecords: the `traffic` record (what the clients did with one key during a
// watch window) and the `stats_sample` record (one `stats` sample of the timeline), docs/records.md.
import JSONText

/// One key's measured traffic on one host over one watch window (or, with `otherKeys`, the summed
/// traffic of the keys beyond decode's table).
public struct TrafficRecord: Sendable {
    public var host: String?
    public var port: Int?
    /// The key's bytes; nil for the `other_keys` record.
    public var key: [UInt8]?
    public var family: String?
    public var familyOwner: String?
    public var familyClient: String?
    /// The window: the collector's wall clock at its start, and its length.
    public var startedLocal: Double
    public var seconds: Double
    public var gets = 0, hits = 0, misses = 0, sets = 0, stored = 0, evictions = 0
    public var bytesRead: Int64 = 0, bytesWritten: Int64 = 0
    public var cls: Int?
    /// `collect --watch-sample N`: the counts are the kept events × N (estimates); nil: every event.
    public var sample: Int?

    public init(host: String?, port: Int?, key: [UInt8]?, startedLocal: Double, seconds: Double) {
        self.host = host
        self.port = port
        self.key = key
        self.startedLocal = startedLocal
        self.seconds = seconds
    }

    public func write(to w: inout NDJSONWriter) {
        w.beginObject()
        w.key(.type); w.string("traffic")
        if let host { w.key(.host); w.string(host) }
        if let port { w.key(.port); w.int(port) }
        if let key {
            key.withUnsafeBytes { w.bytesField(RecordField.key.name, b64Name: RecordField.keyB64.name, $0) }
        } else {
            w.key(.otherKeys); w.bool(true)
        }
        if let family { w.key(.family); w.string(family) }
        if let familyOwner { w.key(.familyOwner); w.string(familyOwner) }
        if let familyClient { w.key(.familyClient); w.string(familyClient) }
        w.key(.window)
        w.beginObject()
        w.key(.startedLocal); w.double(startedLocal)
        w.key(.seconds); w.double(seconds)
        w.endObject()
        w.key(.gets); w.int(gets)
        w.key(.hits); w.int(hits)
        w.key(.misses); w.int(misses)
        w.key(.sets); w.int(sets)
        w.key(.stored); w.int(stored)
        w.key(.bytesRead); w.int(bytesRead)
        w.key(.bytesWritten); w.int(bytesWritten)
        w.key(.evictions); w.int(evictions)
        if let cls { w.key(.cls); w.int(cls) }
        if let sample { w.key(.sample); w.int(sample) }
        w.endObject()
        w.endLine()
    }
}

/// One `stats` sample of a capture's timeline (`sample-N` labels): the counters a timeline plots, as
/// numbers, and the number of client connections `stats conns` listed.
public struct StatsSampleRecord: Sendable {
    public var host: String?
    public var port: Int?
    public var label: String
    /// The counters as the server wrote them (written as integers, or as numbers when not whole).
    public var values: [(name: String, value: String)]
    /// Client connections in the `stats conns` sample of the same label (listeners and the collector's
    /// watcher left out); nil without one.
    public var connections: Int?

    /// The `general` counters a stats_sample carries, in this order, when the server reports them.
    public static let fields = [
        "time", "uptime", "curr_connections", "total_connections", "cmd_get", "cmd_set", "get_hits", "get_misses",
        "bytes_read", "bytes_written", "curr_items", "bytes", "evictions", "log_worker_dropped", "log_watcher_skipped",
    ]

    public init(host: String?, port: Int?, label: String, values: [(name: String, value: String)], connections: Int?) {
        self.host = host
        self.port = port
        self.label = label
        self.values = values
        self.connections = connections
    }

    public func write(to w: inout NDJSONWriter) {
        w.beginObject()
        w.key(.type); w.string("stats_sample")
        if let host { w.key(.host); w.string(host) }
        if let port { w.key(.port); w.int(port) }
        w.key(.label); w.string(label)
        for (name, v) in values {
            if let i = Int64(v) {
                w.key(name); w.int(i)
            } else if let d = Double(v), d.isFinite {
                w.key(name); w.double(d)
            }
        }
        if let connections { w.key(.connections); w.int(connections) }
        w.endObject()
        w.endLine()
    }
}
