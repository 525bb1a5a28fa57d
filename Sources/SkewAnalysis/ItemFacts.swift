// SkewAnalysis/ItemFacts: what the report reads from one record line — the fields it aggregates,
// taken through RecordView without building the record (the decoded `value` is stepped over).
// Reading is pure and can run on any thread; aggregating (Aggregator.add) is in input order.
import ByteText
import PipelineRecords

/// An item record's fields that the report aggregates.
public struct ItemFacts: Sendable {
    public var host: String
    public var key: String?
    public var keyB64: String?
    /// The key's bytes for the what-if placements (nil without a usable key).
    public var keyBytes: [UInt8]?
    public var size: Int64
    /// `flags`, `value_crc32` and `cas`: what tells copies of a key apart.
    public var flags: UInt32?
    public var valueCRC: UInt32?
    public var cas: UInt64?
    public var cls: Int
    public var kind: String?
    public var logicalKey: String?
    public var unverified: Bool
    public var suspicious: [String]?
    public var placementOK: Bool?
    /// `placement.scheme` (a known client), or `placement.fits` (the schemes that fit an item whose client
    /// is not known).
    public var placementScheme: String?
    public var placementFits: [String]?
    public var user: (id: String, name: String?, domain: String?, inExport: Bool)?
    public var tokens: (entries: Int, expired: Int?, issueRate: Double, ceilingShare: Double?)?
    /// The family the item is counted under (`ItemFamily`), and the owner a family rule gave it.
    public var family = ""
    public var familyOwner: String?
    /// `exp` (nil when the record has none), `la`, `fetched`.
    public var exp: Expiry?
    public var la: Int64?
    public var fetched: Bool?
    /// `held`: attribute wrote the record after the rest of its stream.
    public var held = false

    /// The key as reports show it: `key`, or `base64:` + `key_b64`.
    var displayKey: String { key ?? keyB64.map { "base64:" + $0 } ?? "" }
}

/// A `source` record's fields that the report reads: its host, whether the capture is complete, and
/// the `general` counters of each stats sample, in the record's order.
public struct SourceFacts: Sendable {
    public struct Sample: Sendable {
        public var time, bytesRead, bytesWritten, evictions, uptime: Double?
    }
    public var host: String
    public var complete: Bool?
    /// nil when the record has no `stats` object.
    public var samples: [Sample]?
    /// Per slab class, the server's figures in the first sample that has `items` or `slabs`.
    public var slabStats: [Int: SlabServerStats] = [:]
    /// The watch window's accounting (`watch`), nil without one: events kept, the collector's own left
    /// out, and what memcached dropped.
    public var watch: WatchAccount?
}

/// What a source's watch window kept, left out and lost.
public struct WatchAccount: Sendable, Equatable {
    public var events = 0
    public var ownEvents = 0
    public var skipped: Int64 = 0
    public var workerDropped: Int64 = 0
    /// memcached's `log_watcher_skipped` over the window: also the lines skipped after the last
    /// `skipped=` notice (a window that closes while the watcher is behind gets no notice for those).
    public var watcherSkipped: Int64 = 0
    public var seconds = 0.0
    public var ended = ""
    /// One client event in `sample` kept (1: every event).
    public var sample = 1
    public init() {}
    public var dropped: Int64 { max(skipped, watcherSkipped) &+ workerDropped }
}

/// One record as the report reads it.
public enum ReadRecord: Sendable {
    case item(ItemFacts)
    case source(SourceFacts)
    case miss(unverified: Bool)
    case error
    /// A watch window's traffic of one key, and a stats sample of the timeline.
    case traffic(TrafficFacts)
    case statsSample(host: String, StatsPoint)
    /// A record type the report does not read.
    case other
}

extension Aggregator {
    /// Reads one record line (no state touched: callable from any thread).
    public static func read(_ line: UnsafeRawBufferPointer, whatIf: Bool) throws(AggregationIssue) -> ReadRecord {
        let r: RecordView
        do throws(RecordSyntaxError) { r = try RecordView(line) } catch {
            throw AggregationIssue(message: "not a JSON record: \(error)")
        }
        if let problem = RecordCheck.problem(in: r) {
            throw AggregationIssue(message: "bad record: \(problem.message)", fatal: problem.fatal)
        }
        switch r.type {
        case .source?: return .source(sourceFacts(r))
        case .item?: return .item(itemFacts(r, whatIf: whatIf))
        case .miss?: return .miss(unverified: r[.unverified] != nil)
        case .error?: return .error
        case .traffic?: return .traffic(trafficFacts(r))
        case .statsSample?:
            guard let time = r[.statsTime]?.double else { return .other }
            return .statsSample(
                host: hostName(r),
                StatsPoint(
                    time: time, bytesRead: r[.statsBytesRead]?.double, bytesWritten: r[.statsBytesWritten]?.double,
                    cmdGet: r[.cmdGet]?.double, cmdSet: r[.cmdSet]?.double, connections: r[.connections]?.int.map { Int($0) }))
        default: return .other
        }
    }

    public static func read(_ line: ArraySlice<UInt8>, whatIf: Bool) throws(AggregationIssue) -> ReadRecord {
        var result: Result<ReadRecord, AggregationIssue> = .success(.other)
        line.withUnsafeBytes { p in
            do throws(AggregationIssue) { result = .success(try read(p, whatIf: whatIf)) } catch { result = .failure(error) }
        }
        return try result.get()
    }

    /// `host:port` as decode wrote them, `?` for a record without a host.
    static func hostName(_ r: RecordView) -> String {
        let host = r[.host]?.string ?? "?"
        if let port = r[.port]?.int { return "\(host):\(port)" }
        return host
    }

    static func sourceFacts(_ r: RecordView) -> SourceFacts {
        var f = SourceFacts(host: hostName(r), complete: r[.complete]?.bool, samples: nil)
        if let w = r[.watch]?.members {
            var a = WatchAccount()
            a.events = Int(max(0, w[.events]?.int ?? 0))
            a.ownEvents = Int(max(0, w[.ownEvents]?.int ?? 0))
            a.skipped = max(0, w[.skipped]?.int ?? 0)
            a.workerDropped = max(0, w[.workerDropped]?.int ?? 0)
            a.watcherSkipped = max(0, w[.watcherSkipped]?.int ?? 0)
            a.ended = w[.ended]?.string ?? ""
            a.seconds = max(0, w[.seconds]?.double ?? 0)
            a.sample = Int(max(1, w[.sample]?.int ?? 1))
            f.watch = a
        }
        guard let stats = r[.stats]?.members else { return f }
        f.samples = stats.members.map { m in
            let general = JSONSlice(bytes: stats.bytes, range: m.value)[.statsGeneral]?.members
            // Counters are the server's text (`"123"`); a number is read too.
            func counter(_ c: RecordField) -> Double? {
                guard let v = general?[c.name] else { return nil }
                return v.string.flatMap(Double.init) ?? v.double
            }
            return SourceFacts.Sample(
                time: counter(.statsTime), bytesRead: counter(.statsBytesRead), bytesWritten: counter(.statsBytesWritten),
                evictions: counter(.statsEvictions), uptime: counter(.statsUptime))
        }
        for m in stats.members {
            let sample = JSONSlice(bytes: stats.bytes, range: m.value)
            let items = sample[.statsItems]?.members, slabs = sample[.statsSlabs]?.members
            guard items != nil || slabs != nil else { continue }
            for (section, fields, prefix) in [(items, SlabServerStats.itemFields, "items:"), (slabs, SlabServerStats.slabFields, "")] {
                guard let section else { continue }
                for member in section.members {
                    let name = JSONSlice(bytes: section.bytes, range: member.key).string ?? ""
                    guard name.hasPrefix(prefix) else { continue }
                    let parts = name.dropFirst(prefix.count).split(separator: ":", maxSplits: 1)
                    guard parts.count == 2, let cls = Int(parts[0]), cls >= 0, cls < 256, let path = fields[String(parts[1])] else { continue }
                    let v = JSONSlice(bytes: section.bytes, range: member.value)
                    guard let value = v.string.flatMap(Double.init) ?? v.double, value.isFinite, value >= 0 else { continue }
                    f.slabStats[cls, default: SlabServerStats()][keyPath: path] = value
                }
            }
            break
        }
        return f
    }

    /// A CAS as written (an integer above Int64's range is read as its exact double).
    static func casValue(_ v: JSONSlice?) -> UInt64? {
        guard let v, !v.isNull else { return nil }
        if let i = v.int { return UInt64(exactly: i) }
        if let d = v.double, d >= 0, d < 18_446_744_073_709_551_616 { return UInt64(exactly: d) }
        return nil
    }

    static func trafficFacts(_ r: RecordView) -> TrafficFacts {
        let key = r[.key]?.string ?? r[.keyB64]?.string.map { "base64:" + $0 }
        let kind = r[.kind]?.string
        let keyBytes = r[.key]?.string.map { Array($0.utf8) } ?? r[.keyB64]?.string.flatMap { Base64.decode($0) }
        let family =
            r[.otherKeys] != nil && key == nil
            ? TrafficFacts.otherKeysFamily : ItemFamily.name(kind: kind, family: r[.family]?.string) { keyBytes }
        var owner: String?
        if let u = r[.user]?.members, let id = u[.userID]?.string { owner = u[.userName]?.string ?? id }
        owner = owner ?? r[.familyOwner]?.string
        var t = TrafficFacts(host: hostName(r), key: key, family: family, owner: owner, kind: kind, seconds: r[.window]?[.seconds]?.double ?? 0)
        func count(_ f: RecordField) -> Int { Int(max(0, r[f]?.int ?? 0)) }
        t.gets = count(.gets)
        t.hits = count(.hits)
        t.misses = count(.misses)
        t.sets = count(.sets)
        t.evictions = count(.evictions)
        t.bytesRead = max(0, r[.bytesRead]?.int ?? 0)
        t.bytesWritten = max(0, r[.bytesWritten]?.int ?? 0)
        return t
    }

    static func itemFacts(_ r: RecordView, whatIf: Bool) -> ItemFacts {
        var f = ItemFacts(
            host: hostName(r), key: r[.key]?.string, keyB64: r[.keyB64]?.string, keyBytes: nil,
            size: r[.size]?.int ?? 0, flags: r[.flags]?.int.flatMap { UInt32(exactly: $0) },
            valueCRC: r[.valueCRC32]?.int.flatMap { UInt32(exactly: $0) }, cas: casValue(r[.cas]), cls: Int(r[.cls]?.int ?? 0), kind: r[.kind]?.string,
            logicalKey: r[.logicalKey]?.string,
            unverified: r[.unverified] != nil, suspicious: nil, placementOK: r[.placement]?[.placementOK]?.bool)
        if whatIf { f.keyBytes = f.key.map { Array($0.utf8) } ?? f.keyB64.flatMap { Base64.decode($0) } }
        f.family = ItemFamily.name(kind: f.kind, family: r[.family]?.string) {
            f.keyBytes ?? f.key.map { Array($0.utf8) } ?? f.keyB64.flatMap { Base64.decode($0) }
        }
        f.familyOwner = r[.familyOwner]?.string
        if let p = r[.placement] {
            f.placementScheme = p[.placementScheme]?.string
            f.placementFits = p[.placementFits]?.elements?.compactMap(\.string)
        }
        if let e = r[.exp] { f.exp = e.isNull ? .never : e.int.map { .at($0) } }
        f.la = r[.la]?.int
        f.fetched = r[.fetched]?.bool
        f.held = r[.held]?.bool == true
        if let names = r[.suspicious]?.elements, !names.isEmpty { f.suspicious = names.compactMap(\.string) }
        if let u = r[.user]?.members, let id = u[.userID]?.string {
            f.user = (id, u[.userName]?.string, u[.userDomain]?.string, u[.userInExport]?.bool ?? true)
        }
        if f.kind == KeyKind.usertokens.rawValue, let t = r[.tokens]?.members {
            f.tokens = (
                Int(t[.tokensEntries]?.int ?? 0), t[.tokensExpired]?.int.map(Int.init),
                t[.tokensIssueRate]?.double ?? 0, t[.tokensCeilingShare]?.double
            )
        }
        return f
    }
}
