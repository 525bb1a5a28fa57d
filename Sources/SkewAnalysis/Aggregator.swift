// SkewAnalysis/Aggregator: one streaming pass over decode's or attribute's NDJSON records.
// Memory is bounded by the number of hosts, users (with their token lists), slab classes and
// `top` — never by the number of items.
import ByteText
import KeyPlacement
import PipelineRecords

/// Runs `body` on `value` in place: `inPlace(&dictionary[key, default: …]) { … }` changes the entry
/// where it is stored, so its own dictionaries and arrays are not copied first.
@inline(__always) func inPlace<T>(_ value: inout T, _ body: (inout T) -> Void) { body(&value) }

public struct AggregationIssue: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// True when the rest of the input cannot be trusted either (a record stream of another schema).
    public var fatal: Bool
    public var description: String { message }
    public init(message: String, fatal: Bool = false) {
        self.message = message
        self.fatal = fatal
    }
}

struct SlabKey: Hashable {
    var host: String
    var cls: Int
}

public final class Aggregator {
    public let top: Int
    public let showSecrets: Bool
    var hosts: [String: HostTotals] = [:]
    var users: [String: UserTotals] = [:]
    /// Per host and slab class: the records' items and bytes (about 90 bytes a class here, measured; the
    /// report's rows, `SlabTotals` with room for the server's figures, are made by `finish`).
    var slabs: [SlabKey: SlabCount] = [:]
    /// Per host and key family (at most `maxFamilies` families; the rest under `FamilyTotals.overflow`).
    var families: [FamilyKey: FamilyTotals] = [:]
    var familyNames = Set<String>()
    var familiesOverflowed = false
    /// Keys met on more than one host.
    var copies = CopyTracker()
    /// The key log: kept when a partial is written (`keepsKeyLog`), and in a merge for the held entries
    /// replayed at the end (`finishCopies`).
    var copyLog: CopyLog?
    let keepsKeyLog: Bool
    /// True once the held entries of merged partials were replayed.
    var copiesFinished = false
    /// Partials merged without a key log (copies across them are not looked for).
    var partialsWithoutKeyLog = 0
    /// True when held entries of merged partials beyond `CopyLog.maxEntries` were not kept for the replay.
    var copyLogReplayCut = false
    public static let maxFamilies = 20_000
    /// Family figures kept per host (hosts × families) before new ones go to the host's
    /// `FamilyTotals.overflow`: about 1.5 kB each at the peak of a report, so some 300 MB (docs/report.md).
    public static let maxFamilyCells = 200_000
    let familyCellLimit: Int
    var familyCellsOverflowed = false
    /// Per-host user figures kept (`UserTotals.bytesByHost` over all users: users × hosts) before a
    /// user's bytes on a host new to it go to its `UserTotals.otherHostsBytes`: about 65 bytes each at
    /// the peak of a merge (their host names included), so some 20 MB (docs/report.md).
    public static let maxUserHostCells = 300_000
    let userHostCellLimit: Int
    /// Figures in the users' `bytesByHost`, and whether one was refused.
    var userHostCells = 0
    var userHostCellsOverflowed = false
    var kinds: [String: Int] = [:]
    var topKeys: [KeyEntry] = []
    private var minIndex = 0
    var records = 0
    var misplaced = 0
    /// Records that are not sound evidence: `error` records, and items and misses flagged `unverified`.
    public internal(set) var integrity = InputIntegrity()
    var attributed = false
    var warnings: [String] = []
    var whatIf: WhatIfAnalysis?
    /// The what-if configuration of the last partial merged, as it was written (to parse it once).
    var lastWhatIfConfig: JSONValue?
    /// True when a what-if section is being accumulated.
    public var hasWhatIf: Bool { whatIf != nil }
    /// Partials merged so far (`merge(partialLine:)`).
    public internal(set) var mergedPartials = 0
    /// Items naming suspicious callables, in input order (the first `suspiciousKept`), and their count.
    var suspicious: [SuspiciousEntry] = []
    var suspiciousCount = 0
    static let suspiciousKept = 100
    /// Hosts whose `source` record (capture facts) a merged partial held: a second one is an error.
    var sourcedHosts = Set<String>()
    /// Measured traffic (watch windows) and the stats timeline.
    var traffic: TrafficAggregator

    /// `whatIf`: the what-if placements to accumulate (nil: no what-if section).
    /// `familyCells`: the cap on hosts × families figures; `userHostCells`: the cap on users × hosts
    /// figures (tests lower them). `keyLog`: keep every item's key log, to write a partial (`partialJSON`).
    public init(
        top: Int = 10, showSecrets: Bool = false, whatIf: WhatIfAnalysis? = nil, familyCells: Int = Aggregator.maxFamilyCells,
        userHostCells: Int = Aggregator.maxUserHostCells, keyLog: Bool = false
    ) {
        self.top = max(1, top)
        self.keepsKeyLog = keyLog
        if keyLog { copyLog = CopyLog(keepMain: true) }
        self.familyCellLimit = max(1, familyCells)
        self.userHostCellLimit = max(1, userHostCells)
        self.showSecrets = showSecrets
        self.whatIf = whatIf
        self.traffic = TrafficAggregator(top: max(1, top))
    }

    /// The share of value bytes a what-if "now" row (a client on the configured servers) puts on another
    /// host than the capture found them on; a warning when no client's row is within 1%: the what-if's
    /// figures then describe a placement these items do not have (several clients' keys, or another list).
    /// `families`: the key families' rows; the clients they follow (known or inferred) that the what-if
    /// does not compare are named, with the option that adds them.
    static func nowRowWarning(_ w: WhatIfResult, hosts: [HostTotals], families: [FamilyRow] = []) -> String? {
        let found = Dictionary(hosts.map { ($0.host, Double($0.valueBytes)) }, uniquingKeysWith: +)
        let total = hosts.reduce(0.0) { $0 + Double($1.valueBytes) }
        guard total > 0 else { return nil }
        var best: (client: String, off: Double)?
        for row in w.rows where row.serverCount == w.configured.count && row.client != ClientPlacement.jump.rawValue {
            var diff = 0.0
            for (i, name) in row.servers.enumerated() { diff += abs(Double(row.bytes[i]) - (found[name] ?? 0)) }
            for h in hosts where !row.servers.contains(h.host) { diff += Double(h.valueBytes) }
            let off = diff / 2 / total
            if off < (best?.off ?? .infinity) { best = (row.client, off) }
        }
        guard let best, best.off > 0.01 else { return nil }
        var warning =
            "no what-if \"now\" row reproduces the current placement: even \(best.client)'s puts \(Units.percent(best.off)) of the value bytes on another host than they were found on (the capture holds several clients' keys, or the server list differs); read the what-if as what each client would do with all of these items"
        let compared = Set(w.rows.map(\.client))
        var missing: [String] = []
        for f in families {
            guard let p = f.placement, p.basis == .known || p.basis == .inferred else { continue }
            for s in p.schemes where !compared.contains(s) && !missing.contains(s) { missing.append(s) }
        }
        if !missing.isEmpty {
            let all = (w.rows.map(\.client) + missing).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            warning +=
                "; the key families follow \(missing.joined(separator: ", ")), which the what-if does not compare: add --what-if-clients \(all.joined(separator: ","))"
        }
        return warning
    }

    /// Adds one record line. Lines of unknown type are ignored; unparseable lines throw.
    public func add(_ line: ArraySlice<UInt8>) throws(AggregationIssue) {
        add(try Aggregator.read(line, whatIf: whatIf != nil))
    }

    /// Adds one record read by `Aggregator.read` (in input order).
    public func add(_ record: ReadRecord) {
        records += 1
        switch record {
        case .source(let r): addSource(r)
        case .item(let item):
            if item.unverified { integrity.unverifiedRecords += 1 }
            addItem(item)
        case .miss(let unverified): if unverified { integrity.unverifiedRecords += 1 }
        case .error: integrity.errorRecords += 1
        case .traffic(let t): traffic.add(t)
        case .statsSample(let host, let p): traffic.addSample(host: host, p)
        case .other: break
        }
    }

    func noteSuspicious(_ e: SuspiciousEntry) {
        suspiciousCount += 1
        if suspicious.count < Aggregator.suspiciousKept { suspicious.append(e) }
    }

    private func addSource(_ r: SourceFacts) {
        let host = r.host
        var h = hosts[host] ?? HostTotals(host: host)
        h.complete = r.complete
        if let w = r.watch { traffic.account(host: host, w) }
        if let samples = r.samples {
            let timed = samples.filter { $0.time != nil }
            if let first = timed.first, let last = timed.last, timed.count >= 2,
                let t0 = first.time, let t1 = last.time, t1 > t0,
                let r0 = first.bytesRead, let r1 = last.bytesRead, let w0 = first.bytesWritten, let w1 = last.bytesWritten
            {
                h.traffic = HostTraffic(
                    bytesRead: r1 - r0, bytesWritten: w1 - w0, seconds: t1 - t0, evictions: last.evictions,
                    evictionsDelta: first.evictions.flatMap { a in last.evictions.map { $0 - a } })
            } else if timed.count >= 2 {
                warnings.append("\(host): the capture window is shorter than a second; traffic is shown since server start only")
            } else {
                warnings.append("\(host): fewer than two timed stats samples; no capture-window traffic for it")
            }
            // Since start: the first sample with an uptime, before the capture's own reads.
            for sample in samples {
                if let up = sample.uptime, up > 0, let rd = sample.bytesRead, let wr = sample.bytesWritten {
                    h.sinceStart = CumulativeTraffic(bytesRead: rd, bytesWritten: wr, uptime: up)
                    break
                }
            }
            for sample in samples.reversed() {
                if let e = sample.evictions {
                    h.evictions = e
                    break
                }
            }
            h.uptime = samples.first { $0.uptime != nil }?.uptime
        }
        if !r.slabStats.isEmpty { h.slabStats = r.slabStats }
        hosts[host] = h
    }

    private func addItem(_ r: ItemFacts) {
        let host = r.host
        let size = r.size
        if let names = r.suspicious {
            noteSuspicious(
                SuspiciousEntry(
                    host: host, key: r.key ?? r.keyB64.map { "b64:" + $0 } ?? "?", names: names, size: size))
        }
        let kind = r.kind
        if kind != nil { attributed = true }
        let kindName = kind ?? KeyKind.unattributed
        // Each entry is changed in place (`default:` subscripts, inout): a copy taken out and stored
        // back would copy its dictionaries and arrays on every record.
        inPlace(&hosts[host, default: HostTotals(host: host)]) { h in
            h.items += 1
            h.valueBytes &+= size
            h.bytesByKind[kindName, default: 0] &+= size
        }
        whatIf?.add(r)
        kinds[kindName, default: 0] += 1
        if r.placementOK == false { misplaced += 1 }

        addFamily(r, host: host)
        if let key = r.keyBytes ?? r.key.map({ Array($0.utf8) }) ?? r.keyB64.flatMap({ Base64.decode($0) }) {
            let value = FirstCopy.valueFingerprint(crc: r.valueCRC, size: size, flags: r.flags), cas = FirstCopy.casFingerprint(r.cas)
            copies.add(digest: CopyTracker.digest(key), display: r.displayKey, host: host, size: size, value: value, cas: cas)
            if let log = copyLog, let text = r.key ?? r.keyB64 {
                log.append(
                    CopyLogEntry(key: text, base64: r.key == nil, host: log.host(host), size: size, value: value, cas: cas), held: r.held)
            }
        }

        let slabKey = SlabKey(host: host, cls: r.cls)
        inPlace(&slabs[slabKey, default: SlabCount()]) { s in
            s.items += 1
            s.bytes &+= size
        }

        let key = r.displayKey
        if let user = r.user {
            inPlace(&users[user.id, default: UserTotals(id: user.id, name: user.name, domain: user.domain, inExport: user.inExport)]) { u in
                u.describe(name: user.name, domain: user.domain)
                u.items += 1
                u.bytes &+= size
                addUserBytes(&u, host: host, bytes: size)
                if kind == KeyKind.token.rawValue { u.tokenKeys += 1 }
                if let t = r.tokens {
                    u.lists.append(
                        TokenListSummary(
                            key: key, host: host, size: size, entries: t.entries, expired: t.expired,
                            issueRate: t.issueRate, ceilingShare: t.ceilingShare ?? Double(size) / ClientLimits.valueCeiling))
                }
            }
        }
        var logical = r.logicalKey
        if kind == KeyKind.token.rawValue && !showSecrets { logical = nil }
        offerKey(
            KeyEntry(
                key: key, logicalKey: logical, kind: kind, size: size, host: host, owner: r.user?.name ?? r.user?.id,
                ownerID: r.user?.id, placementOK: r.placementOK))
    }

    /// Adds a user's bytes on a host: to its figure for that host, or, when the host is new to the user
    /// and `userHostCellLimit` figures are kept (users × hosts: what bounds the aggregate's memory however
    /// many hosts a fleet's partials bring; a warning says so), to its `otherHostsBytes`. Its `bytes` are
    /// the caller's.
    func addUserBytes(_ u: inout UserTotals, host: String, bytes: Int64) {
        if let i = u.bytesByHost.index(forKey: host) {
            u.bytesByHost.values[i] &+= bytes
        } else if userHostCells < userHostCellLimit {
            u.bytesByHost[host] = bytes
            userHostCells += 1
        } else {
            u.otherHostsBytes &+= bytes
            userHostCellsOverflowed = true
        }
    }

    /// The slab classes per host: the items and bytes of the records, with the server's own figures for
    /// the class (a class the server has items in but the capture holds none of gets a row too).
    func slabRows() -> [SlabTotals] {
        var rows: [SlabTotals] = []
        rows.reserveCapacity(slabs.count)
        for (k, c) in slabs {
            var s = SlabTotals(host: k.host, cls: k.cls)
            s.items = c.items
            s.bytes = c.bytes
            s.server = hosts[k.host]?.slabStats[k.cls]
            rows.append(s)
        }
        for h in hosts.values {
            for (cls, stats) in h.slabStats where (stats.number ?? 0) > 0 && slabs[SlabKey(host: h.host, cls: cls)] == nil {
                var s = SlabTotals(host: h.host, cls: cls)
                s.server = stats
                rows.append(s)
            }
        }
        rows.sort { $0.host != $1.host ? $0.host < $1.host : $0.cls < $1.cls }
        return rows
    }

    private func addFamily(_ r: ItemFacts, host: String) {
        let k = familyCell(host: host, family: r.family)
        families[k, default: FamilyTotals(host: host, family: k.family)].add(r, key: r.displayKey)
    }

    /// Adds a family's totals from a partial, under the same caps as `addFamily`.
    func mergeFamily(_ n: FamilyTotals) {
        var n = n
        let k = familyCell(host: n.host, family: n.family)
        n.family = k.family
        families[k, default: FamilyTotals(host: n.host, family: n.family)].merge(n)
    }

    /// The cell a family's figures on a host go to: its own, or the host's `FamilyTotals.overflow` once
    /// there are `maxFamilies` families, or `familyCellLimit` cells (hosts × families: what bounds the
    /// aggregate's memory however many hosts a fleet's partials bring; a warning says so).
    private func familyCell(host: String, family: String) -> FamilyKey {
        var name = family
        if !familyNames.contains(name) {
            if familyNames.count >= Aggregator.maxFamilies {
                name = FamilyTotals.overflow
                familiesOverflowed = true
            } else {
                familyNames.insert(name)
            }
        }
        let k = FamilyKey(host: host, family: name)
        guard families.count >= familyCellLimit, name != FamilyTotals.overflow, families[k] == nil else { return k }
        familyCellsOverflowed = true
        return FamilyKey(host: host, family: FamilyTotals.overflow)
    }

    private static func before(_ a: KeyEntry, _ b: KeyEntry) -> Bool {
        a.size != b.size ? a.size > b.size : (a.key != b.key ? a.key < b.key : a.host < b.host)
    }

    func offerKey(_ k: KeyEntry) {
        if topKeys.count < top {
            topKeys.append(k)
            if topKeys.count == top { recomputeMin() }
            return
        }
        guard Aggregator.before(k, topKeys[minIndex]) else { return }
        topKeys[minIndex] = k
        recomputeMin()
    }

    private func recomputeMin() {
        minIndex = 0
        for i in topKeys.indices where Aggregator.before(topKeys[minIndex], topKeys[i]) { minIndex = i }
    }

    /// The report: everything sorted deterministically (ties by name).
    public func finish() -> Report {
        if !copiesFinished {
            do throws(AggregationIssue) { try finishCopies() } catch { warnings.append("copies on other hosts: \(error.message)") }
        }
        let hostList = hosts.values.sorted { $0.host < $1.host }
        let names = hostList.map(\.host)
        var skew: [SkewFigures] = []
        if let s = SkewFigures.compute(metric: "bytes", hosts: names, values: hostList.map { Double($0.valueBytes) }) { skew.append(s) }
        if let s = SkewFigures.compute(metric: "items", hosts: names, values: hostList.map { Double($0.items) }) { skew.append(s) }
        let haveTraffic = !hostList.isEmpty && hostList.allSatisfy { $0.traffic != nil }
        if haveTraffic, let s = SkewFigures.compute(metric: "traffic", hosts: names, values: hostList.map { $0.traffic?.rate ?? 0 }) {
            skew.append(s)
        }
        let haveSinceStart = !hostList.isEmpty && hostList.allSatisfy { $0.sinceStart != nil }
        if haveSinceStart,
            let s = SkewFigures.compute(metric: "traffic since start", hosts: names, values: hostList.map { $0.sinceStart?.rate ?? 0 })
        {
            skew.append(s)
        }
        let allUsers = users.values.sorted { $0.bytes != $1.bytes ? $0.bytes > $1.bytes : $0.id < $1.id }
        // Since-start traffic first: the capture window also holds the capture's own reads (every value,
        // once), which on a quiet cluster are most of it and favour whichever host holds more bytes.
        let basis: ExplanationBasis = haveSinceStart ? .trafficSinceStart : (haveTraffic ? .traffic : .bytes)
        let explanation = Explainer.explain(hosts: hostList, users: allUsers, basis: basis)
        let familyRows = FamilyAnalysis.rows(families, hosts: hostList)
        let familyExplanation = FamilyAnalysis.explain(rows: familyRows, hosts: hostList)
        let familyTrafficExplanation = FamilyAnalysis.explainEstimatedTraffic(rows: familyRows, hosts: hostList)
        var warnings = warnings
        let whatIfResult = whatIf?.result()
        if let w = whatIfResult, let warning = Aggregator.nowRowWarning(w, hosts: hostList, families: familyRows) { warnings.append(warning) }
        if copies.overflowed {
            warnings.append("more than \(CopyTracker.maxTracked) keys: the keys beyond were not checked for copies on other hosts")
        }
        if let w = copyLogWarning { warnings.append(w) }
        if familyCellsOverflowed {
            warnings.append(
                "more than \(familyCellLimit) key-family figures (hosts × families): families new to a host beyond them are counted in its \(FamilyTotals.overflow), so per-family totals are low"
            )
        }
        if userHostCellsOverflowed || users.values.contains(where: { $0.otherHostsBytes > 0 }) {
            warnings.append(
                "more than \(userHostCellLimit) per-host user figures (users × hosts): a user's bytes on a host new to it beyond them are counted in its \(UserTotals.otherHosts), so its per-host shares are incomplete (its total bytes and items are exact)"
            )
        }
        if familiesOverflowed {
            warnings.append("more than \(Aggregator.maxFamilies) key families: the rest are counted as \(FamilyTotals.overflow) (add --families rules?)")
        }
        if let problem = integrity.problem { warnings.insert(problem, at: 0) }
        if suspiciousCount > 0 {
            warnings.insert(
                "\(suspiciousCount) value(s) name callables outside the plain data types (possible cache poisoning; never executed): see Suspicious values",
                at: 0)
        }
        return Report(
            hosts: hostList, skew: skew, explanation: explanation, users: Array(allUsers.prefix(top)), userCount: users.count,
            keys: topKeys.sorted(by: Aggregator.before),
            slabs: slabRows(), kinds: kinds,
            records: records, misplaced: misplaced, attributed: attributed, warnings: warnings, whatIf: whatIfResult,
            integrity: integrity, suspicious: suspicious, suspiciousCount: suspiciousCount, families: familyRows,
            familyExplanation: familyExplanation, familyTrafficExplanation: familyTrafficExplanation,
            copies: copies.summary, traffic: traffic.finish())
    }
}

// MARK: copies across partials

extension Aggregator {
    /// Replays the held entries of the partials merged (once; call before `finish` or `partialJSON`
    /// after a merge). Throws when the key log's temporary file fails.
    public func finishCopies() throws(AggregationIssue) {
        guard !copiesFinished else { return }
        copiesFinished = true
        guard let log = copyLog else { return }
        if let f = log.failure { throw AggregationIssue(message: "the key log: \(f)") }
        guard mergedPartials > 0 else { return }
        try log.forEach(log.held) { e in
            copies.add(digest: e.digest, display: e.display, host: log.hosts[e.host], size: e.size, value: e.value, cas: e.cas)
        }
    }

    /// Reads a partial's key log in place (`copy_log`, left out of the partial's tree): every entry is
    /// checked and its key digested, nothing is merged yet. The entries point into `slice`'s bytes.
    static func readKeyLog(_ slice: JSONSlice) throws(AggregationIssue) -> KeyLogRead {
        let name = PartialField.copyLog
        guard let m = slice.members else { throw AggregationIssue(message: "\(name): expected an object") }
        var read = KeyLogRead()
        if let c = m["complete"] {
            guard let b = c.bool else { throw AggregationIssue(message: "\(name).\(PartialField.complete): expected true or false") }
            read.complete = b
        }
        guard let hosts = m["hosts"]?.elements else { throw AggregationIssue(message: "\(name).hosts: expected an array") }
        for (i, h) in hosts.enumerated() {
            guard let s = h.string else { throw AggregationIssue(message: "\(name).hosts[\(i)]: expected a string") }
            read.hosts.append(s)
        }
        func entries(_ slice: JSONSlice?, _ part: String) throws(AggregationIssue) -> [KeyLogRead.Entry] {
            guard let entries = slice?.elements else { throw AggregationIssue(message: "\(name).\(part): expected an array") }
            var out: [KeyLogRead.Entry] = []
            out.reserveCapacity(entries.count)
            for (i, e) in entries.enumerated() {
                out.append(try KeyLogRead.Entry(e, hostCount: read.hosts.count, path: "\(name).\(part)[\(i)]"))
            }
            return out
        }
        read.main = try entries(m["main"], PartialField.main)
        read.held = try entries(m["held"], PartialField.held)
        return read
    }

    /// Merges a checked key log: its main entries through the copy table now, its held ones into the
    /// aggregator's log, replayed by `finishCopies`.
    func mergeKeyLog(_ read: KeyLogRead) {
        let log = copyLog ?? CopyLog(keepMain: false)
        copyLog = log
        let map = read.hosts.map { log.host($0) }
        for e in read.main {
            let host = map[e.host]
            copies.add(digest: e.digest, display: e.display, host: log.hosts[host], size: e.size, value: e.value, cas: e.cas)
            if log.main != nil { log.append(e.entry(host: host), held: false) }
        }
        for e in read.held where !log.append(e.entry(host: map[e.host]), held: true) { copyLogReplayCut = true }
        if !read.complete { log.complete = false }
    }

    /// The warning a merge's copies need, if any.
    var copyLogWarning: String? {
        var parts: [String] = []
        if partialsWithoutKeyLog > 0 && mergedPartials > 1 {
            parts.append(
                "\(partialsWithoutKeyLog) partial(s) carry no key log (copy_log): copies between them and the other partials were not looked for")
        }
        if let log = copyLog, !log.complete || copyLogReplayCut {
            parts.append("a key log reached \(CopyLog.maxEntries) keys: the keys beyond were not checked for copies on other hosts")
        }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }
}
