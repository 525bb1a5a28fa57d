// SkewAnalysis/CaptureDiff: two captures compared — "did the fix work" (`report --diff BEFORE AFTER`).
// Each side is an aggregate (records read or partials merged); per host, key family, user, slab class
// and key, what grew, shrank, appeared, went away or moved to another host, and how the skew figures
// changed. Keys are the ones each side names (its largest keys, its users' token lists and its
// families' largest keys): a key named by one side only is "newly listed" or "no longer listed", never
// called appeared or gone, because the other side may hold it below its lists.

/// What happened to one row between the two captures.
public enum DiffChange: String, Sendable, CaseIterable {
    case grew, shrank, unchanged, appeared, gone
    /// A key that only the after side names (the before side may hold it, smaller than what it lists).
    case newlyListed = "newly listed"
    /// A key that only the before side names.
    case noLongerListed = "no longer listed"
}

/// One host, family, user, slab class or key on both sides (nil: absent from that side).
public struct DiffRow: Sendable, Equatable {
    public var name: String
    /// The user's id, the family's or key's owner: shown beside the name.
    public var detail: String?
    public var bytesBefore: Int64?
    public var bytesAfter: Int64?
    public var itemsBefore: Int?
    public var itemsAfter: Int?
    /// Where it is: the key's host, or the host holding most of a family's or user's bytes.
    public var hostBefore: String?
    public var hostAfter: String?
    /// Hosts: traffic in bytes per second on `DiffReport.trafficBasis` (nil when a side has none).
    public var rateBefore: Double?
    public var rateAfter: Double?
    public var change: DiffChange

    public var delta: Int64 { (bytesAfter ?? 0) &- (bytesBefore ?? 0) }
    /// True when both sides place it and on different hosts.
    public var moved: Bool {
        guard let a = hostBefore, let b = hostAfter else { return false }
        return a != b
    }
    /// The change, with "moved host" when it moved.
    public var changeText: String { moved ? change.rawValue + ", moved host" : change.rawValue }
}

/// A skew figure on both sides (nil: that side has no such figure).
public struct SkewChange: Sendable, Equatable {
    public var metric: String
    public var before: SkewFigures?
    public var after: SkewFigures?
}

/// Per table: how many rows grew, shrank, appeared, went away and moved host.
public struct DiffCounts: Sendable, Equatable {
    public var rows = 0
    public var counts: [DiffChange: Int] = [:]
    public var moved = 0
    public subscript(_ c: DiffChange) -> Int { counts[c] ?? 0 }

    public init(_ rows: [DiffRow]) {
        self.rows = rows.count
        for r in rows {
            counts[r.change, default: 0] += 1
            if r.moved { moved += 1 }
        }
    }
}

public struct DiffReport: Sendable {
    public var before: String
    public var after: String
    public var hosts: [DiffRow]
    /// The traffic the hosts' rates are on: "measured" (watch windows), "capture window", "since start", or nil.
    public var trafficBasis: String?
    public var skew: [SkewChange]
    public var families: [DiffRow]
    public var users: [DiffRow]
    public var slabs: [DiffRow]
    public var keys: [DiffRow]
    /// Records read (or merged) per side.
    public var recordsBefore: Int
    public var recordsAfter: Int
    /// Warnings of either side's aggregate (integrity, overflow), prefixed with the side.
    public var warnings: [String]
    public var summary: String
}

extension DiffReport {
    /// Compares two aggregates. `before` and `after` name the inputs in the report.
    public static func compare(before a: Aggregator, after b: Aggregator, beforeName: String, afterName: String) -> DiffReport {
        let ra = a.finish()
        let rb = b.finish()
        let basis = trafficBasis(ra, rb)
        var hosts: [DiffRow] = []
        let hostsA = Dictionary(ra.hosts.map { ($0.host, $0) }, uniquingKeysWith: { x, _ in x })
        let hostsB = Dictionary(rb.hosts.map { ($0.host, $0) }, uniquingKeysWith: { x, _ in x })
        for name in Set(hostsA.keys).union(hostsB.keys) {
            let x = hostsA[name]
            let y = hostsB[name]
            var row = DiffRow(
                name: name, bytesBefore: x?.valueBytes, bytesAfter: y?.valueBytes, itemsBefore: x?.items, itemsAfter: y?.items,
                change: .unchanged)
            row.rateBefore = basis.flatMap { rate(ra, name, $0) }
            row.rateAfter = basis.flatMap { rate(rb, name, $0) }
            hosts.append(classified(row))
        }
        var skew: [SkewChange] = []
        for metric in ["bytes", "items", "traffic", "traffic since start"] {
            let x = ra.skew.first { $0.metric == metric }
            let y = rb.skew.first { $0.metric == metric }
            if x != nil || y != nil { skew.append(SkewChange(metric: metric, before: x, after: y)) }
        }
        if let x = ra.traffic?.hosts, let y = rb.traffic?.hosts,
            let fx = SkewFigures.compute(metric: "measured traffic", hosts: x.map(\.host), values: x.map(\.bytesPerSecond)),
            let fy = SkewFigures.compute(metric: "measured traffic", hosts: y.map(\.host), values: y.map(\.bytesPerSecond))
        {
            skew.append(SkewChange(metric: "measured traffic", before: fx, after: fy))
        }
        let families = joined(familyRows(ra), familyRows(rb))
        let users = joined(userRows(a), userRows(b))
        let slabs = joined(slabRows(ra), slabRows(rb))
        let keys = keyRows(a, b)
        var warnings: [String] = []
        for w in ra.warnings { warnings.append("before: " + w) }
        for w in rb.warnings { warnings.append("after: " + w) }
        var d = DiffReport(
            before: beforeName, after: afterName, hosts: hosts.sorted { $0.name < $1.name }, trafficBasis: basis, skew: skew, families: families, users: users,
            slabs: slabs, keys: keys, recordsBefore: ra.records, recordsAfter: rb.records, warnings: warnings, summary: "")
        d.summary = d.sentence()
        return d
    }

    /// The summary: total bytes, the skew on the strongest basis both sides have, and the largest
    /// family, user and key changes.
    func sentence() -> String {
        var parts: [String] = []
        let totalA = hosts.reduce(Int64(0)) { $0 &+ ($1.bytesBefore ?? 0) }
        let totalB = hosts.reduce(Int64(0)) { $0 &+ ($1.bytesAfter ?? 0) }
        let hostsA = hosts.filter { $0.bytesBefore != nil }.count
        let hostsB = hosts.filter { $0.bytesAfter != nil }.count
        parts.append(
            "Value bytes \(Units.bytes(Double(totalA))) on \(hostsA) host(s) before, \(Units.bytes(Double(totalB))) on \(hostsB) after (\(signedPercent(Double(totalA), Double(totalB))))."
        )
        for metric in ["measured traffic", "traffic since start", "traffic", "bytes"] {
            guard let s = skew.first(where: { $0.metric == metric }), let x = s.before, let y = s.after else { continue }
            parts.append(
                "Skew of \(metric) (max/mean): \(Units.fixed(x.maxOverMean, 2)) on \(x.topHost) before, \(Units.fixed(y.maxOverMean, 2)) on \(y.topHost) after."
            )
            break
        }
        for (what, rows) in [("key family", families), ("user", users), ("key", keys)] {
            guard let r = rows.first, r.delta != 0 else { continue }
            let name = r.detail.map { "\(r.name) (\($0))" } ?? r.name
            var s = "Largest \(what) change: \(name) \(r.changeText)"
            let absent = r.change == .newlyListed || r.change == .noLongerListed ? "not listed" : "none"
            s += ", \(r.bytesBefore.map { Units.bytes(Double($0)) } ?? absent) → \(r.bytesAfter.map { Units.bytes(Double($0)) } ?? absent)"
            if r.moved, let x = r.hostBefore, let y = r.hostAfter { s += ", from \(x) to \(y)" }
            parts.append(s + ".")
        }
        let movedKeys = keys.filter(\.moved).count
        if movedKeys > 0 { parts.append("\(movedKeys) listed key(s) moved host.") }
        return parts.joined(separator: " ")
    }

    /// "+12%", "−40%", "new" (from nothing) or "0%".
    public static func signedPercent(_ a: Double, _ b: Double) -> String {
        if a == 0 { return b == 0 ? "0%" : "new" }
        let p = (b - a) / a
        return (p > 0 ? "+" : p < 0 ? "−" : "") + Units.percent(abs(p))
    }
    func signedPercent(_ a: Double, _ b: Double) -> String { DiffReport.signedPercent(a, b) }

    // MARK: rows

    static func trafficBasis(_ a: Report, _ b: Report) -> String? {
        if let x = a.traffic?.hosts, let y = b.traffic?.hosts, !x.isEmpty, !y.isEmpty { return "measured" }
        if a.skew.contains(where: { $0.metric == "traffic" }) && b.skew.contains(where: { $0.metric == "traffic" }) { return "capture window" }
        if a.skew.contains(where: { $0.metric == "traffic since start" }) && b.skew.contains(where: { $0.metric == "traffic since start" }) {
            return "since start"
        }
        return nil
    }

    static func rate(_ r: Report, _ host: String, _ basis: String) -> Double? {
        switch basis {
        case "measured": return r.traffic?.hosts.first { $0.host == host }?.bytesPerSecond
        case "capture window": return r.hosts.first { $0.host == host }?.traffic?.rate
        default: return r.hosts.first { $0.host == host }?.sinceStart?.rate
        }
    }

    /// A side's rows by name: bytes, items, main host, detail.
    typealias Side = [String: (bytes: Int64, items: Int, host: String?, detail: String?)]

    static func familyRows(_ r: Report) -> Side {
        var out: Side = [:]
        for f in r.families {
            let top = f.perHost.max { $0.bytes != $1.bytes ? $0.bytes < $1.bytes : $0.host > $1.host }
            out[f.family] = (f.total.bytes, f.total.items, top?.host, f.owner)
        }
        return out
    }

    static func userRows(_ a: Aggregator) -> Side {
        var out: Side = [:]
        for u in a.users.values {
            // No main host when the bytes on hosts without a figure of their own could outweigh it.
            out[u.label == u.id ? u.id : "\(u.label) [\(u.id)]"] = (u.bytes, u.items, u.mainHost, u.domain)
        }
        return out
    }

    static func slabRows(_ r: Report) -> Side {
        var out: Side = [:]
        for s in r.slabs { out["\(s.host) class \(s.cls)"] = (s.bytes, s.items, nil, nil) }
        return out
    }

    static func joined(_ a: Side, _ b: Side) -> [DiffRow] {
        var rows: [DiffRow] = []
        for name in Set(a.keys).union(b.keys) {
            let x = a[name]
            let y = b[name]
            rows.append(
                classified(
                    DiffRow(
                        name: name, detail: y?.detail ?? x?.detail, bytesBefore: x?.bytes, bytesAfter: y?.bytes, itemsBefore: x?.items,
                        itemsAfter: y?.items, hostBefore: x?.host, hostAfter: y?.host, change: .unchanged)))
        }
        return ordered(rows)
    }

    /// The keys a side names, with size and host: its largest keys, its users' token lists and its
    /// families' largest keys (the larger size when a key is named twice).
    static func namedKeys(_ a: Aggregator) -> [String: (size: Int64, host: String, owner: String?)] {
        var out: [String: (size: Int64, host: String, owner: String?)] = [:]
        func offer(_ key: String, _ size: Int64, _ host: String, _ owner: String?) {
            if let old = out[key], old.size > size || (old.size == size && old.host <= host) { return }
            out[key] = (size, host, owner ?? out[key]?.owner)
        }
        for k in a.topKeys { offer(k.key, k.size, k.host, k.owner) }
        for u in a.users.values { for l in u.lists { offer(l.key, l.size, l.host, u.label) } }
        for f in a.families.values { if let k = f.largestKey { offer(k, f.largestSize, f.host, f.owner) } }
        return out
    }

    static func keyRows(_ a: Aggregator, _ b: Aggregator) -> [DiffRow] {
        let x = namedKeys(a)
        let y = namedKeys(b)
        var rows: [DiffRow] = []
        for key in Set(x.keys).union(y.keys) {
            let p = x[key]
            let q = y[key]
            var row = DiffRow(
                name: key, detail: q?.owner ?? p?.owner, bytesBefore: p?.size, bytesAfter: q?.size, hostBefore: p?.host, hostAfter: q?.host,
                change: .unchanged)
            row = classified(row)
            if p == nil { row.change = .newlyListed }
            if q == nil { row.change = .noLongerListed }
            rows.append(row)
        }
        return ordered(rows)
    }

    static func classified(_ r: DiffRow) -> DiffRow {
        var r = r
        switch (r.bytesBefore, r.bytesAfter) {
        case (nil, _): r.change = .appeared
        case (_, nil): r.change = .gone
        case (let x?, let y?): r.change = y > x ? .grew : y < x ? .shrank : .unchanged
        }
        return r
    }

    /// Largest change first (by bytes, either way), then the rows that moved host, then by name.
    static func ordered(_ rows: [DiffRow]) -> [DiffRow] {
        rows.sorted {
            let x = $0.delta.magnitude
            let y = $1.delta.magnitude
            if x != y { return x > y }
            if $0.moved != $1.moved { return $0.moved }
            return $0.name < $1.name
        }
    }
}
