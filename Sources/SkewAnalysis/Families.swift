// SkewAnalysis/Families: key families in the report — per host and family, the items, bytes, expiry,
// idleness and the largest key (docs/report.md, "Key families"); the folding of tiny families; and the
// explanation that names the families (and their largest keys and owners) behind the hottest host's
// excess bytes. Works on decode's records alone: no user list needed.
import KeyFamilies
import PipelineRecords

/// The family an item is counted under: Keystone's kind once `attribute` knows it (`keystone:usertokens`,
/// …), else the record's `family`, else the family of its key (records of an older decode).
enum ItemFamily {
    static let keystoneKinds: Set<String> = [
        KeyKind.usertokens.rawValue, KeyKind.token.rawValue, KeyKind.revocationList.rawValue, KeyKind.lock.rawValue,
    ]
    static let classifier = FamilyClassifier()

    static func name(kind: String?, family: String?, keyBytes: () -> [UInt8]?) -> String {
        if let kind, keystoneKinds.contains(kind) { return "keystone:" + kind }
        if let family { return family }
        if let key = keyBytes() { return classifier.family(of: key).name }
        return FamilyTotals.noKey
    }
}

struct FamilyKey: Hashable {
    var host: String
    var family: String
}

/// One family on one host.
public struct FamilyTotals: Sendable, Equatable {
    /// Items without a readable key.
    static let noKey = "(no key)"
    /// Families beyond `Aggregator.maxFamilies` are counted here (a warning says so).
    public static let overflow = "(more families)"
    /// Families with fewer than `FamilyTotals.fewKeys` items and under 1% of all bytes, after merging
    /// (not the families of the application profiles, which mean something however few their keys).
    public static let small = "(small families)"
    public static let fewKeys = 3

    public var host: String
    public var family: String
    public var owner: String?
    public var items = 0
    public var bytes: Int64 = 0
    /// Items stored without expiry (`exp: null`), and the range of the others' absolute expiry.
    public var noExpiry = 0
    public var withExpiry = 0
    public var expMin: Int64?
    public var expMax: Int64?
    /// Items with a last-access time, their sum (for the mean) and the oldest.
    public var accessed = 0
    public var laSum: Int64 = 0
    public var laMin: Int64?
    public var laMax: Int64?
    /// Items whose `fetched` flag is known, and those never fetched since stored.
    public var fetchKnown = 0
    public var neverFetched = 0
    public var largestKey: String?
    public var largestSize: Int64 = 0
    /// Placement: items checked against a known client (`placement.ok`), its name, and the ones not on
    /// their home host (with their bytes).
    public var checked = 0
    public var knownScheme: String?
    public var misplaced = 0
    public var misplacedBytes: Int64 = 0
    /// Items whose client is not known (`placement.fits`), their bytes, and per client scheme the
    /// items and bytes it puts where they were found.
    public var unplaced = 0
    public var unplacedBytes: Int64 = 0
    public var fits: [String: Int] = [:]
    public var fitBytes: [String: Int64] = [:]
    /// Value bytes per slab class (for the traffic estimate from each class's get_hits).
    public var bytesByClass: [Int: Int64] = [:]

    public init(host: String, family: String) {
        self.host = host
        self.family = family
    }

    mutating func add(_ f: ItemFacts, key: String) {
        items += 1
        bytes &+= f.size
        bytesByClass[f.cls, default: 0] &+= f.size
        if owner == nil { owner = f.familyOwner }
        switch f.exp {
        case .never?: noExpiry += 1
        case .at(let t)?:
            withExpiry += 1
            expMin = min(expMin ?? t, t)
            expMax = max(expMax ?? t, t)
        case .unknown?, nil: break
        }
        if let la = f.la {
            accessed += 1
            laSum &+= la
            laMin = min(laMin ?? la, la)
            laMax = max(laMax ?? la, la)
        }
        if let fetched = f.fetched {
            fetchKnown += 1
            if !fetched { neverFetched += 1 }
        }
        if f.size > largestSize || (f.size == largestSize && largestKey.map { key < $0 } ?? true) {
            largestSize = f.size
            largestKey = key
        }
        if let ok = f.placementOK {
            checked += 1
            if knownScheme == nil { knownScheme = f.placementScheme }
            if !ok {
                misplaced += 1
                misplacedBytes &+= f.size
            }
        } else if let fitting = f.placementFits {
            unplaced += 1
            unplacedBytes &+= f.size
            for name in fitting {
                fits[name, default: 0] += 1
                fitBytes[name, default: 0] &+= f.size
            }
        }
    }

    mutating func merge(_ o: FamilyTotals) {
        items &+= o.items
        bytes &+= o.bytes
        if owner == nil { owner = o.owner }
        noExpiry &+= o.noExpiry
        withExpiry &+= o.withExpiry
        if let m = o.expMin { expMin = min(expMin ?? m, m) }
        if let m = o.expMax { expMax = max(expMax ?? m, m) }
        accessed &+= o.accessed
        laSum &+= o.laSum
        if let m = o.laMin { laMin = min(laMin ?? m, m) }
        if let m = o.laMax { laMax = max(laMax ?? m, m) }
        fetchKnown &+= o.fetchKnown
        neverFetched &+= o.neverFetched
        if let k = o.largestKey, o.largestSize > largestSize || (o.largestSize == largestSize && largestKey.map { k < $0 } ?? true) {
            largestSize = o.largestSize
            largestKey = k
        }
        checked &+= o.checked
        if knownScheme == nil { knownScheme = o.knownScheme }
        misplaced &+= o.misplaced
        misplacedBytes &+= o.misplacedBytes
        unplaced &+= o.unplaced
        unplacedBytes &+= o.unplacedBytes
        for (k, v) in o.fits { fits[k, default: 0] &+= v }
        for (k, v) in o.fitBytes { fitBytes[k, default: 0] &+= v }
        for (k, v) in o.bytesByClass { bytesByClass[k, default: 0] &+= v }
    }

    /// Estimated read traffic (bytes/s): each class's bytes × the rate one item of the class is read.
    func estimatedTraffic(_ host: HostTotals) -> Double? {
        var sum = 0.0
        var any = false
        for (cls, b) in bytesByClass.sorted(by: { $0.key < $1.key }) {  // one summation order, whatever the dictionary's
            guard let rate = host.slabStats[cls]?.hitsPerItemPerSecond(uptime: host.uptime) else { continue }
            sum += Double(b) * rate
            any = true
        }
        return any ? sum : nil
    }

    /// Mean last access, for the mean idle time against a clock.
    public var meanLastAccess: Double? { accessed > 0 ? Double(laSum) / Double(accessed) : nil }
}

/// A family over all hosts, as the report shows it.
public struct FamilyRow: Sendable, Equatable {
    public var family: String
    public var owner: String?
    public var total: FamilyTotals
    /// The family on each host that holds some of it, in host order.
    public var perHost: [FamilyTotals]
    /// Mean idle time of the family's items: the host's clock (its most recent access) minus the items'
    /// last access, averaged over the items with one.
    public var meanIdleSeconds: Double?
    /// The family's client placement (nil without a server list): see `FamilyPlacement`.
    public var placement: FamilyPlacement?
}

/// Which client places a family's keys, and the items that are not where it puts them.
public struct FamilyPlacement: Sendable, Equatable {
    /// `known`: the client given (or Keystone's); `inferred`: the client schemes that put at least
    /// `FamilyPlacement.inferShare` of the family's items where they were found (all that tie); `unknown`:
    /// none does, so no item is called misplaced; `few`: under `inferMinimum` items, nothing is inferred.
    public enum Basis: String, Sendable { case known, inferred, unknown, few = "too few items" }
    public static let inferShare = 0.95
    /// Fewer items than this say too little to infer a client from (any scheme fits one item by chance).
    public static let inferMinimum = 3
    public var basis: Basis
    public var schemes: [String]
    public var items: Int
    /// Items (and their bytes) not on the host the scheme puts them on: copies left by failover or a
    /// changed server list, which no client reads — bytes the current server list can never reach.
    public var misplaced: Int
    public var misplacedBytes: Int64

    static func of(_ t: FamilyTotals) -> FamilyPlacement? {
        if t.checked > 0 {
            return FamilyPlacement(
                basis: .known, schemes: t.knownScheme.map { [$0] } ?? [], items: t.checked, misplaced: t.misplaced,
                misplacedBytes: t.misplacedBytes)
        }
        guard t.unplaced > 0 else { return nil }
        if t.unplaced < inferMinimum {
            return FamilyPlacement(basis: .few, schemes: [], items: t.unplaced, misplaced: 0, misplacedBytes: 0)
        }
        let best = t.fits.values.max() ?? 0
        guard best > 0, Double(best) >= inferShare * Double(t.unplaced) else {
            return FamilyPlacement(basis: .unknown, schemes: [], items: t.unplaced, misplaced: 0, misplacedBytes: 0)
        }
        let names = t.fits.filter { $0.value == best }.map(\.key).sorted()
        let bytes = names.map { t.fitBytes[$0] ?? 0 }.max() ?? 0
        return FamilyPlacement(
            basis: .inferred, schemes: names, items: t.unplaced, misplaced: t.unplaced - best, misplacedBytes: t.unplacedBytes - bytes)
    }
}

/// The families that account for the hottest host's excess over the mean: value bytes, or the read
/// traffic estimated from each slab class's get_hits.
public struct FamilyExplanation: Sendable, Equatable {
    public enum Basis: String, Sendable { case bytes, estimatedTraffic = "estimated-traffic" }
    public var basis: Basis = .bytes
    public struct Part: Sendable, Equatable {
        public var family: String
        public var owner: String?
        /// The family's bytes on the host minus its mean over hosts.
        public var excess: Double
        public var share: Double
        public var bytesOnHost: Int64
        public var largestKey: String?
        public var largestSize: Int64
    }
    public var host: String
    public var value: Double
    public var mean: Double
    public var excess: Double
    public var parts: [Part]
    public var explained: Double
}

enum FamilyAnalysis {
    /// At most this many families are named in the explanation.
    static let maxNamed = 5

    /// Folds tiny families, sums per family, sorts by bytes (ties by name).
    static func rows(_ totals: [FamilyKey: FamilyTotals], hosts: [HostTotals]) -> [FamilyRow] {
        let allBytes = totals.values.reduce(Int64(0)) { $0 &+ $1.bytes }
        // The figures are moved from table to table (removeValue), not copied: a fleet's merge holds
        // hosts × families of them, and each copy alive at once would add as much again.
        var byFamily: [String: [FamilyTotals]] = [:]
        for t in totals.values { byFamily[t.family, default: []].append(t) }
        var folded: [String: [FamilyTotals]] = [:]
        for name in Array(byFamily.keys) {
            guard var parts = byFamily.removeValue(forKey: name) else { continue }
            let items = parts.reduce(0) { $0 + $1.items }
            let bytes = parts.reduce(Int64(0)) { $0 &+ $1.bytes }
            let tiny = items < FamilyTotals.fewKeys && Double(bytes) < 0.01 * Double(allBytes) && !FamilyProfiles.isProfileFamily(name)
            if tiny {
                for i in parts.indices {
                    parts[i].family = FamilyTotals.small
                    parts[i].owner = nil
                }
                folded[FamilyTotals.small, default: []].append(contentsOf: parts)
            } else {
                folded[name, default: []].append(contentsOf: parts)
            }
        }
        // The clock of each host: its most recent access.
        var clock: [String: Int64] = [:]
        for t in totals.values {
            if let latest = t.laMax { clock[t.host] = max(clock[t.host] ?? latest, latest) }
        }
        let order = Dictionary(uniqueKeysWithValues: hosts.enumerated().map { ($1.host, $0) })
        var rows: [FamilyRow] = []
        for name in Array(folded.keys) {
            guard var list = folded.removeValue(forKey: name) else { continue }
            // One part per host, unless tiny families were folded together.
            if Set(list.map(\.host)).count != list.count {
                var perHost: [String: FamilyTotals] = [:]
                for p in list { perHost[p.host, default: FamilyTotals(host: p.host, family: name)].merge(p) }
                list = Array(perHost.values)
            }
            list.sort { (order[$0.host] ?? Int.max, $0.host) < (order[$1.host] ?? Int.max, $1.host) }
            var total = FamilyTotals(host: "", family: name)
            for p in list { total.merge(p) }
            var idleSum = 0.0, idleItems = 0
            for p in list {
                if let c = clock[p.host], let mean = p.meanLastAccess {
                    idleSum += (Double(c) - mean) * Double(p.accessed)
                    idleItems += p.accessed
                }
            }
            rows.append(
                FamilyRow(
                    family: name, owner: total.owner, total: total, perHost: list,
                    meanIdleSeconds: idleItems > 0 ? max(0, idleSum / Double(idleItems)) : nil, placement: FamilyPlacement.of(total)))
        }
        rows.sort { $0.total.bytes != $1.total.bytes ? $0.total.bytes > $1.total.bytes : $0.family < $1.family }
        return rows
    }

    /// The families behind the hottest host's excess bytes: each family's bytes there minus its mean
    /// over all hosts, largest first, until they cover the excess (or `maxNamed` are named).
    static func explain(rows: [FamilyRow], hosts: [HostTotals]) -> FamilyExplanation? {
        guard hosts.count >= 2 else { return nil }
        var top = hosts[0]
        for h in hosts where h.valueBytes > top.valueBytes { top = h }
        let mean = Double(hosts.reduce(Int64(0)) { $0 &+ $1.valueBytes }) / Double(hosts.count)
        let excess = Double(top.valueBytes) - mean
        guard excess > 0 else { return nil }
        var parts: [FamilyExplanation.Part] = []
        for r in rows {
            guard let there = r.perHost.first(where: { $0.host == top.host }) else { continue }
            let familyMean = Double(r.total.bytes) / Double(hosts.count)
            let e = Double(there.bytes) - familyMean
            guard e > 0 else { continue }
            parts.append(
                FamilyExplanation.Part(
                    family: r.family, owner: r.owner, excess: e, share: e / excess, bytesOnHost: there.bytes,
                    largestKey: there.largestKey, largestSize: there.largestSize))
        }
        guard let (chosen, sum) = choose(parts, excess: excess) else { return nil }
        return FamilyExplanation(host: top.host, value: Double(top.valueBytes), mean: mean, excess: excess, parts: chosen, explained: sum)
    }

    /// The largest contributions first, until they cover 90% of the excess or `maxNamed` are named;
    /// nil when there is none.
    static func choose(_ parts: [FamilyExplanation.Part], excess: Double) -> (parts: [FamilyExplanation.Part], sum: Double)? {
        let sorted = parts.sorted { $0.excess != $1.excess ? $0.excess > $1.excess : $0.family < $1.family }
        var chosen: [FamilyExplanation.Part] = []
        var sum = 0.0
        for p in sorted {
            chosen.append(p)
            sum += p.excess
            if sum >= 0.9 * excess || chosen.count >= maxNamed { break }
        }
        return chosen.isEmpty ? nil : (chosen, sum)
    }

    /// The same, on the read traffic each host's slab classes imply: a family's estimate on a host is its
    /// bytes in each class × the rate one item of that class is read (the class's get_hits since start
    /// over its items and the uptime). Needs those figures for every host.
    static func explainEstimatedTraffic(rows: [FamilyRow], hosts: [HostTotals]) -> FamilyExplanation? {
        guard hosts.count >= 2, hosts.allSatisfy({ !$0.slabStats.isEmpty && ($0.uptime ?? 0) > 0 }) else { return nil }
        let byName = Dictionary(uniqueKeysWithValues: hosts.map { ($0.host, $0) })
        var perHost: [String: Double] = [:]
        var perFamily: [(row: FamilyRow, est: [String: Double])] = []
        for r in rows {
            var est: [String: Double] = [:]
            for t in r.perHost {
                guard let h = byName[t.host], let e = t.estimatedTraffic(h) else { continue }
                est[t.host] = e
                perHost[t.host, default: 0] += e
            }
            perFamily.append((r, est))
        }
        var top = hosts[0].host
        for h in hosts where (perHost[h.host] ?? 0) > (perHost[top] ?? 0) { top = h.host }
        let value = perHost[top] ?? 0
        let mean = hosts.reduce(0.0) { $0 + (perHost[$1.host] ?? 0) } / Double(hosts.count)
        let excess = value - mean
        guard excess > 0 else { return nil }
        var parts: [FamilyExplanation.Part] = []
        for (r, est) in perFamily {
            guard let there = est[top], let t = r.perHost.first(where: { $0.host == top }) else { continue }
            let e = there - r.perHost.reduce(0.0) { $0 + (est[$1.host] ?? 0) } / Double(hosts.count)  // in host order
            guard e > 0 else { continue }
            parts.append(
                FamilyExplanation.Part(
                    family: r.family, owner: r.owner, excess: e, share: e / excess, bytesOnHost: t.bytes, largestKey: t.largestKey,
                    largestSize: t.largestSize))
        }
        guard let (chosen, sum) = choose(parts, excess: excess) else { return nil }
        return FamilyExplanation(basis: .estimatedTraffic, host: top, value: value, mean: mean, excess: excess, parts: chosen, explained: sum)
    }
}

extension FamilyExplanation {
    /// "On H, 2 key families account for 93% of its excess value bytes (1.2 MB over the mean of 400 kB):
    /// `cart:{n}:items` 80% (largest key cart:7:items, 90 kB; owner shop-team), `django:session` 13% (…)."
    public func sentence(escape: (String) -> String = { $0 }) -> String {
        let what = parts.count == 1 ? "1 key family accounts" : "\(parts.count) key families account"
        let share = explained / excess
        let shareText = share >= 1 && Units.fixed(share * 100, 0) != "100" ? "more than all" : Units.percent(min(share, 1))
        if basis == .estimatedTraffic {
            let list = parts.map { p in
                escape(p.family) + " " + Units.percent(min(p.share, 1)) + (p.owner.map { " (owner \(escape($0)))" } ?? "")
            }
            return "By estimated read traffic (each slab class's get_hits since start × its items' bytes), on \(escape(host)), "
                + "\(what) for \(shareText) of its excess (\(Units.rate(excess)) over the mean of \(Units.rate(mean))): "
                + list.joined(separator: ", ") + "."
        }
        let list = parts.map { p -> String in
            var extra: [String] = []
            if let k = p.largestKey { extra.append("largest key \(escape(k)), \(Units.bytes(Double(p.largestSize)))") }
            if let o = p.owner { extra.append("owner \(escape(o))") }
            return escape(p.family) + " " + Units.percent(min(p.share, 1)) + (extra.isEmpty ? "" : " (" + extra.joined(separator: "; ") + ")")
        }
        return "On \(escape(host)), \(what) for \(shareText) of its excess value bytes "
            + "(\(Units.bytes(excess)) over the mean of \(Units.bytes(mean))): " + list.joined(separator: ", ") + "."
    }
}
