// DumpContainer/DumpRecords: the records of a `.mcdump.gz` dump (formats 1 and 2), as values.
// The byte format of each record is documented in docs/dump-format.md.

/// First record of every dump: who was captured, how, when and by what.
public struct DumpHeader: Codable, Sendable, Equatable {
    public var format: Int  // 1, or 2 for a dump with a watch window
    public var host: String
    public var port: Int
    public var collector: String  // tool version, e.g. "0.1.0"
    public var method: String  // "metadump" | "cachedump" | "keys"
    public var keysOnly: Bool
    public var serverVersion: String?
    public var serverTime: Int64?  // server STAT time at start
    public var serverUptime: Int64?
    public var startedLocal: Double  // collector's wall clock, unix seconds
    public var commandLine: [String]?

    public init(
        host: String, port: Int, collector: String, method: String, keysOnly: Bool = false,
        serverVersion: String? = nil, serverTime: Int64? = nil, serverUptime: Int64? = nil,
        startedLocal: Double, commandLine: [String]? = nil, format: Int = DumpFormat.version
    ) {
        self.format = format
        self.host = host
        self.port = port
        self.collector = collector
        self.method = method
        self.keysOnly = keysOnly
        self.serverVersion = serverVersion
        self.serverTime = serverTime
        self.serverUptime = serverUptime
        self.startedLocal = startedLocal
        self.commandLine = commandLine
    }

    enum CodingKeys: String, CodingKey {
        case format, host, port, collector, method
        case keysOnly = "keys_only"
        case serverVersion = "server_version"
        case serverTime = "server_time"
        case serverUptime = "server_uptime"
        case startedLocal = "started_local"
        case commandLine = "command_line"
    }
}

/// One `stats` snapshot: `section` is general|settings|items|slabs (or another token),
/// `label` is start|end|sample-N. Values keep the server's order.
public struct DumpStats: Sendable, Equatable {
    public var section: String
    public var label: String
    public var values: [(name: String, value: String)]

    public init(section: String, label: String, values: [(name: String, value: String)]) {
        self.section = section
        self.label = label
        self.values = values
    }

    public static func == (a: DumpStats, b: DumpStats) -> Bool {
        a.section == b.section && a.label == b.label && a.values.count == b.values.count
            && zip(a.values, b.values).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }

    /// The first value named `name`, if any.
    public subscript(name: String) -> String? { values.first { $0.name == name }?.value }
}

/// One item of the server: metadata and, when captured, its byte-exact value.
public struct DumpItem: Sendable, Equatable {
    public var key: [UInt8]
    public var flags: UInt32
    public var valueLength: Int
    public var cas: UInt64
    public var exp: Int64  // absolute unix time, -1 = never
    public var lastAccess: Int64  // absolute unix time
    public var slabClass: Int
    public var fetched: Bool
    public var totalSize: Int  // ITEM_ntotal, -1 unknown
    public var value: [UInt8]?  // nil when not captured (--keys-only, over --max-value-bytes)

    public init(
        key: [UInt8], flags: UInt32, valueLength: Int, cas: UInt64, exp: Int64, lastAccess: Int64,
        slabClass: Int, fetched: Bool, totalSize: Int, value: [UInt8]?
    ) {
        self.key = key
        self.flags = flags
        self.valueLength = valueLength
        self.cas = cas
        self.exp = exp
        self.lastAccess = lastAccess
        self.slabClass = slabClass
        self.fetched = fetched
        self.totalSize = totalSize
        self.value = value
    }
}

/// A listed key whose value could not be fetched (vanished, evicted, error).
public struct DumpMiss: Sendable, Equatable {
    public var key: [UInt8]
    public var reason: String?
    public init(key: [UInt8], reason: String? = nil) {
        self.key = key
        self.reason = reason
    }
}

/// A free-form remark of the collector (a warning, a fallback taken, …).
public struct DumpNote: Codable, Sendable, Equatable {
    public var level: String
    public var message: String
    public init(level: String, message: String) {
        self.level = level
        self.message = message
    }
}

/// Last record of a finished dump. A dump without it is incomplete.
public struct DumpTrailer: Codable, Sendable, Equatable {
    public var finishedLocal: Double
    public var serverTime: Int64?
    public var listed: Int
    public var captured: Int
    public var missed: Int
    public var valueBytes: Int64
    public var complete: Bool
    public var reason: String?
    /// Format 2: how keys were listed after all, when not as the header says (a watch dump's header is
    /// written before the listing starts).
    public var method: String?

    public init(
        finishedLocal: Double, serverTime: Int64? = nil, listed: Int, captured: Int, missed: Int,
        valueBytes: Int64, complete: Bool, reason: String? = nil, method: String? = nil
    ) {
        self.method = method
        self.finishedLocal = finishedLocal
        self.serverTime = serverTime
        self.listed = listed
        self.captured = captured
        self.missed = missed
        self.valueBytes = valueBytes
        self.complete = complete
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case finishedLocal = "finished_local"
        case serverTime = "server_time"
        case listed, captured, missed
        case valueBytes = "value_bytes"
        case complete, reason, method
    }
}

/// One record of the decompressed stream.
public enum DumpRecord: Sendable, Equatable {
    case header(DumpHeader)
    case stats(DumpStats)
    case item(DumpItem)
    case miss(DumpMiss)
    case note(DumpNote)
    /// Format 2: one line of memcached's `watch` stream, as the server wrote it (without CRLF).
    case event([UInt8])
    /// Format 2: what a watch window was and what it left out.
    case watch(DumpWatch)
    case end(DumpTrailer)
}

/// Format 2: the summary of one watch window, written when it ends (docs/dump-format.md).
public struct DumpWatch: Codable, Sendable, Equatable {
    /// The streams asked for (`fetchers`, `mutations`, `evictions`, `connevents`).
    public var streams: [String]
    /// The window on the collector's wall clock, and its length on its monotonic clock.
    public var startedLocal: Double
    public var finishedLocal: Double
    public var seconds: Double
    /// Event lines written as EVENT records (the clients' events, and `skipped=` lines).
    public var events: Int
    /// Item events of the collector's own connections, left out (not written), and those connections.
    public var ownEvents: Int
    public var ownConnections: Int
    /// Connection events (`conn_new`, `conn_close`) read to tell connections apart, not written.
    public var connectionEvents: Int
    /// Lines memcached reported skipped for this watcher (`skipped=` lines, summed).
    public var skipped: Int64
    /// Lines the collector could not read as events (written as NOTE, not as EVENT).
    public var unreadable: Int
    /// `log_worker_dropped` and `log_watcher_skipped` over the window (end minus start; nil when the
    /// server does not report them).
    public var workerDropped: Int64?
    public var watcherSkipped: Int64?
    /// How the window ended: `elapsed`, `stopped` (signal or time limit) or `error: …`.
    public var ended: String
    /// `--watch-sample N` (absent: every event): one client event in N written, and those left out.
    public var sample: Int?
    public var sampledOut: Int?

    public init(
        streams: [String], startedLocal: Double, finishedLocal: Double, seconds: Double, events: Int, ownEvents: Int,
        ownConnections: Int, connectionEvents: Int, skipped: Int64, unreadable: Int, workerDropped: Int64?, watcherSkipped: Int64?,
        ended: String
    ) {
        self.streams = streams
        self.startedLocal = startedLocal
        self.finishedLocal = finishedLocal
        self.seconds = seconds
        self.events = events
        self.ownEvents = ownEvents
        self.ownConnections = ownConnections
        self.connectionEvents = connectionEvents
        self.skipped = skipped
        self.unreadable = unreadable
        self.workerDropped = workerDropped
        self.watcherSkipped = watcherSkipped
        self.ended = ended
    }

    enum CodingKeys: String, CodingKey {
        case streams
        case startedLocal = "started_local"
        case finishedLocal = "finished_local"
        case seconds, events
        case ownEvents = "own_events"
        case ownConnections = "own_connections"
        case connectionEvents = "connection_events"
        case skipped, unreadable
        case workerDropped = "worker_dropped"
        case watcherSkipped = "watcher_skipped"
        case ended, sample
        case sampledOut = "sampled_out"
    }
}

/// What the writer produced: the file, its SHA-256 (hex) and sizes.
public struct DumpFileSummary: Sendable {
    public var path: String
    public var sha256: String  // lowercase hex of the compressed file
    public var compressedBytes: Int64
    public var uncompressedBytes: Int64
    public var records: Int
    public var members: Int

    public init(
        path: String, sha256: String, compressedBytes: Int64, uncompressedBytes: Int64, records: Int,
        members: Int = 0
    ) {
        self.path = path
        self.sha256 = sha256
        self.compressedBytes = compressedBytes
        self.uncompressedBytes = uncompressedBytes
        self.records = records
        self.members = members
    }
}

/// Constants of the format.
public enum DumpFormat {
    /// The format version this module writes by default (a dump without watch records).
    public static let version = 1
    /// The format of a dump that holds EVENT and WATCH records; readers read both.
    public static let watchVersion = 2
    public static let readable = 1...2
    /// Conventional file name suffix.
    public static let fileExtension = ".mcdump.gz"
}
