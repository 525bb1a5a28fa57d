// DumpContainer/DumpRecords: the records of a `.mcdump.gz` dump (format 1), as values.
// The byte format of each record is documented in docs/dump-format.md.

/// First record of every dump: who was captured, how, when and by what.
public struct DumpHeader: Codable, Sendable, Equatable {
    public var format: Int  // 1
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
        startedLocal: Double, commandLine: [String]? = nil
    ) {
        self.format = DumpFormat.version
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

    public init(
        finishedLocal: Double, serverTime: Int64? = nil, listed: Int, captured: Int, missed: Int,
        valueBytes: Int64, complete: Bool, reason: String? = nil
    ) {
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
        case complete, reason
    }
}

/// One record of the decompressed stream.
public enum DumpRecord: Sendable, Equatable {
    case header(DumpHeader)
    case stats(DumpStats)
    case item(DumpItem)
    case miss(DumpMiss)
    case note(DumpNote)
    case end(DumpTrailer)
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
    /// The format version this module writes and reads.
    public static let version = 1
    /// Conventional file name suffix.
    public static let fileExtension = ".mcdump.gz"
}
