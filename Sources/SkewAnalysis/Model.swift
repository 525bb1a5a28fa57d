// SkewAnalysis/Model: what a report says — per host totals and traffic, skew figures, the
// explanation of the hottest host's excess, top users, top keys, slab classes. Plain values, so
// every renderer (text, Markdown, JSON) shows the same content.
import PipelineRecords

/// Server-side traffic of one host between two `stats` samples (memcached's `bytes_read`/`bytes_written` counters).
public struct HostTraffic: Sendable, Equatable {
    /// Bytes the server received (client sets) and sent (client gets) over the window.
    public var bytesRead: Double
    public var bytesWritten: Double
    public var seconds: Double
    public var evictions: Double?
    public var evictionsDelta: Double?
    public var readRate: Double { seconds > 0 ? bytesRead / seconds : 0 }
    public var writeRate: Double { seconds > 0 ? bytesWritten / seconds : 0 }
    /// Both directions, per second.
    public var rate: Double { readRate + writeRate }

    public init(bytesRead: Double, bytesWritten: Double, seconds: Double, evictions: Double? = nil, evictionsDelta: Double? = nil) {
        self.bytesRead = bytesRead
        self.bytesWritten = bytesWritten
        self.seconds = seconds
        self.evictions = evictions
        self.evictionsDelta = evictionsDelta
    }
}

/// Server-side traffic of one host from its start until the first `stats` sample of the capture
/// (so the capture's own reads are not counted): the cumulative counters over `uptime`.
public struct CumulativeTraffic: Sendable, Equatable {
    public var bytesRead: Double
    public var bytesWritten: Double
    /// Seconds since the server started (`uptime` of that sample).
    public var uptime: Double
    public var readRate: Double { uptime > 0 ? bytesRead / uptime : 0 }
    public var writeRate: Double { uptime > 0 ? bytesWritten / uptime : 0 }
    /// Both directions, per second, averaged since the server started.
    public var rate: Double { readRate + writeRate }

    public init(bytesRead: Double, bytesWritten: Double, uptime: Double) {
        self.bytesRead = bytesRead
        self.bytesWritten = bytesWritten
        self.uptime = uptime
    }
}

public struct HostTotals: Sendable, Equatable {
    public var host: String
    public var items = 0
    public var valueBytes: Int64 = 0
    public var bytesByKind: [String: Int64] = [:]
    /// Over the capture window (first to last timed sample); nil when the window is shorter than a second.
    public var traffic: HostTraffic?
    /// Since the server started, up to the capture's first sample.
    public var sinceStart: CumulativeTraffic?
    /// `evictions` of the last stats sample (a counter since the server started).
    public var evictions: Double?
    public var complete: Bool?
    /// The server's own figures per slab class (`stats items` and `stats slabs` of the capture's first
    /// sample), and its uptime then.
    public var slabStats: [Int: SlabServerStats] = [:]
    public var uptime: Double?
    public init(host: String) { self.host = host }
}

/// One slab class as the server counts it (`stats items`, `stats slabs`), from the capture's first sample.
public struct SlabServerStats: Sendable, Equatable {
    public var chunkSize: Double?
    public var usedChunks: Double?
    public var totalPages: Double?
    /// `items:N:number` and `mem_requested` (bytes the items asked for).
    public var number: Double?
    public var memRequested: Double?
    public var getHits: Double?
    public var evicted: Double?
    public var evictedUnfetched: Double?
    /// Age of the oldest item in the class's LRU (seconds).
    public var age: Double?
    public var outOfMemory: Double?
    public init() {}

    /// Bytes the class's chunks hold beyond what its items asked for (rounding to the chunk size).
    public var roundingLoss: Double? {
        guard let c = chunkSize, let u = usedChunks, let m = memRequested else { return nil }
        return max(0, c * u - m)
    }

    /// `get_hits` per second since the server started, spread evenly over the class's items: the rate at
    /// which one item of the class is read (an estimate: hits are not even).
    public func hitsPerItemPerSecond(uptime: Double?) -> Double? {
        guard let h = getHits, let n = number, n > 0, let up = uptime, up > 0 else { return nil }
        return h / n / up
    }

    /// Names in `stats items` (`items:N:<name>`) and `stats slabs` (`N:<name>`) → the field they fill.
    static let itemFields: [String: WritableKeyPath<SlabServerStats, Double?> & Sendable] = [
        "number": \.number, "mem_requested": \.memRequested, "evicted": \.evicted, "evicted_unfetched": \.evictedUnfetched,
        "age": \.age, "outofmemory": \.outOfMemory,
    ]
    static let slabFields: [String: WritableKeyPath<SlabServerStats, Double?> & Sendable] = [
        "chunk_size": \.chunkSize, "used_chunks": \.usedChunks, "total_pages": \.totalPages, "get_hits": \.getHits,
    ]
}

/// Which host figure the explanation compares: traffic over the capture window, average traffic since
/// the servers started, or value bytes (the first one every host has).
public enum ExplanationBasis: String, Sendable, Equatable {
    case traffic
    case trafficSinceStart = "traffic-since-start"
    case bytes

    public var isTraffic: Bool { self != .bytes }
    /// "excess traffic during the capture", "excess traffic since server start", "excess bytes".
    public var excessPhrase: String {
        switch self {
        case .traffic: return "excess traffic during the capture"
        case .trafficSinceStart: return "excess traffic since server start"
        case .bytes: return "excess bytes"
        }
    }
}

/// max/mean, the top host's share of the total, and the Gini coefficient of one figure over hosts.
public struct SkewFigures: Sendable, Equatable {
    public var metric: String
    public var values: [Double]
    public var maxOverMean: Double
    public var topShare: Double
    public var gini: Double
    public var topHost: String

    public static func compute(metric: String, hosts: [String], values: [Double]) -> SkewFigures? {
        guard !values.isEmpty, values.count == hosts.count else { return nil }
        let sum = values.reduce(0, +)
        let n = Double(values.count)
        let mean = sum / n
        var top = 0
        for i in values.indices where values[i] > values[top] { top = i }
        var pairs = 0.0
        for a in values { for b in values { pairs += abs(a - b) } }
        return SkewFigures(
            metric: metric, values: values, maxOverMean: mean > 0 ? values[top] / mean : 0,
            topShare: sum > 0 ? values[top] / sum : 0, gini: mean > 0 ? pairs / (2 * n * n * mean) : 0, topHost: hosts[top])
    }
}

/// A user's token list as attribute described it.
public struct TokenListSummary: Sendable, Equatable {
    public var key: String
    public var host: String
    public var size: Int64
    public var entries: Int
    public var expired: Int?
    /// Tokens per second the list implies (live entries / token TTL).
    public var issueRate: Double
    public var ceilingShare: Double
    /// Read and rewritten whole at every issue: size × issue rate × 2, bytes per second.
    public var estimatedTraffic: Double { Double(size) * issueRate * 2 }

    public init(key: String, host: String, size: Int64, entries: Int, expired: Int?, issueRate: Double, ceilingShare: Double) {
        self.key = key
        self.host = host
        self.size = size
        self.entries = entries
        self.expired = expired
        self.issueRate = issueRate
        self.ceilingShare = ceilingShare
    }
}

public struct UserTotals: Sendable, Equatable {
    public var id: String
    public var name: String?
    public var domain: String?
    public var inExport: Bool
    public var items = 0
    public var bytes: Int64 = 0
    /// The user's bytes per host: every host it has bytes on, up to `Aggregator.maxUserHostCells` figures
    /// over all users; beyond them, bytes on a host new to the user are in `otherHostsBytes`.
    public var bytesByHost: [String: Int64] = [:]
    /// Bytes on hosts whose figure was not kept (in `bytes`, not in `bytesByHost`); renderers show them as
    /// `UserTotals.otherHosts`.
    public var otherHostsBytes: Int64 = 0
    public var tokenKeys = 0
    public var lists: [TokenListSummary] = []
    public var label: String { name ?? id }
    /// The name under which `otherHostsBytes` are shown, in place of a host.
    public static let otherHosts = "(other hosts)"

    public init(id: String, name: String? = nil, domain: String? = nil, inExport: Bool = true) {
        self.id = id
        self.name = name
        self.domain = domain
        self.inExport = inExport
    }
    public var estimatedTraffic: Double { lists.reduce(0) { $0 + $1.estimatedTraffic } }

    /// Takes another record's (or partial's) description of this user when it is the fuller — attribute's
    /// rule (docs/attribute.md): more fields, then the greater name, then the greater domain, then a name
    /// rather than a domain — so that the description does not depend on the order of records or partials.
    public mutating func describe(name n: String?, domain d: String?) {
        if UserDescription.fuller(name: n, domain: d, than: name, domain) {
            name = n
            domain = d
        }
    }

    /// The share of the user's bytes on `host`; nil when unknown: no bytes, or the host has no figure of
    /// its own while some of the user's bytes are on hosts without one.
    public func share(on host: String) -> Double? {
        guard bytes > 0 else { return nil }
        if let b = bytesByHost[host] { return Double(b) / Double(bytes) }
        return otherHostsBytes > 0 ? nil : 0
    }

    /// The host holding most of the user's bytes (ties: the first name); nil when none, or when the
    /// bytes on hosts without a figure of their own could be on one that holds more.
    public var mainHost: String? {
        guard let top = bytesByHost.max(by: { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }) else { return nil }
        return otherHostsBytes == 0 || top.value > otherHostsBytes ? top.key : nil
    }
}

public struct KeyEntry: Sendable, Equatable {
    public var key: String
    public var logicalKey: String?
    public var kind: String?
    public var size: Int64
    public var host: String
    public var owner: String?
    public var ownerID: String?
    public var placementOK: Bool?
}

/// An item whose value names callables outside the plain data types (possible cache poisoning).
public struct SuspiciousEntry: Sendable, Equatable {
    public var host: String
    public var key: String
    public var names: [String]
    public var size: Int64
}

/// The records' items and bytes in one slab class of one host (the aggregator's state; `SlabTotals` are
/// the report's rows).
struct SlabCount {
    var items = 0
    var bytes: Int64 = 0
}

public struct SlabTotals: Sendable, Equatable {
    public var host: String
    public var cls: Int
    public var items = 0
    public var bytes: Int64 = 0
    /// The server's figures for this class, when the capture holds them.
    public var server: SlabServerStats?
}

/// Why the hottest host is hot: the users whose token lists there explain its excess over the mean.
public struct Explanation: Sendable, Equatable {
    public var host: String
    /// `traffic` (capture window) when every host has one, else `traffic-since-start` when every host
    /// has `uptime`, else `bytes`.
    public var basis: String
    /// The host's figure, the mean over hosts, and the excess (figure − mean); bytes/s or bytes.
    public var value: Double
    public var mean: Double
    public var excess: Double
    public var users: [String]
    public var userIDs: [String]
    public var listBytes: Int64
    /// Estimated traffic of those lists (bytes/s) when basis is traffic, else their bytes.
    public var explained: Double
    /// explained / excess.
    public var shareOfExcess: Double
    public var allOnHost: Bool
    public var sentence: String
}

public struct Report: Sendable {
    public var hosts: [HostTotals]
    public var skew: [SkewFigures]
    public var explanation: Explanation?
    public var users: [UserTotals]
    public var userCount: Int
    public var keys: [KeyEntry]
    public var slabs: [SlabTotals]
    public var kinds: [String: Int]
    public var records: Int
    public var misplaced: Int
    public var attributed: Bool
    public var warnings: [String]
    /// The what-if section (nil unless the report was given the clients' server list).
    public var whatIf: WhatIfResult?
    /// What of the input is not sound evidence.
    public var integrity: InputIntegrity
    /// Items whose values name suspicious callables: the first `Aggregator.suspiciousKept`, and how many in all.
    public var suspicious: [SuspiciousEntry] = []
    public var suspiciousCount = 0
    /// Key families over all hosts, largest first (tiny ones folded), and the families behind the
    /// hottest host's excess bytes.
    public var families: [FamilyRow] = []
    public var familyExplanation: FamilyExplanation?
    /// The families behind the hottest host's excess *estimated* read traffic (slab classes' get_hits).
    public var familyTrafficExplanation: FamilyExplanation?
    /// Keys found on more than one host.
    public var copies = CopySummary()
    /// Measured traffic of watch windows (`collect --watch`), nil without any.
    public var traffic: MeasuredTraffic?
}

/// Keys found on more than one host: how many, the copies beyond the first and their bytes, and the
/// first `CopyTracker.kept` of them with their hosts.
public struct CopySummary: Sendable, Equatable {
    public var keys = 0
    public var extraCopies = 0
    public var extraBytes: Int64 = 0
    /// Copies after the first with the first copy's bytes, and with other bytes (by `value_crc32`).
    public var sameValueCopies = 0
    public var differingValueCopies = 0
    public var entries: [CopyEntry] = []
    public init(
        keys: Int = 0, extraCopies: Int = 0, extraBytes: Int64 = 0, sameValueCopies: Int = 0, differingValueCopies: Int = 0,
        entries: [CopyEntry] = []
    ) {
        self.keys = keys
        self.extraCopies = extraCopies
        self.extraBytes = extraBytes
        self.sameValueCopies = sameValueCopies
        self.differingValueCopies = differingValueCopies
        self.entries = entries
    }
}

/// Records of the input that are not sound evidence: decode's `error` records (input it could not
/// read), and items and misses flagged `unverified` (read from a gzip member that failed its check).
/// A report over such input says so first and exits 3.
public struct InputIntegrity: Sendable, Equatable {
    public var errorRecords = 0
    public var unverifiedRecords = 0
    public init() {}

    /// One sentence for the report, nil when the input is sound.
    public var problem: String? {
        guard errorRecords > 0 || unverifiedRecords > 0 else { return nil }
        var parts: [String] = []
        if errorRecords > 0 { parts.append("\(errorRecords) error record(s) (input decode could not read)") }
        if unverifiedRecords > 0 { parts.append("\(unverifiedRecords) record(s) flagged unverified (from gzip members that failed their check)") }
        return "the input holds " + parts.joined(separator: " and ") + ": these figures include data that is not verified evidence"
    }
}
