// SkewAnalysis/Traffic: measured traffic — the `traffic` records of watch windows (`collect --watch`)
// summed per host, key family, user and key, the `stats_sample` timeline per host, and the sentence
// that says which keys measured in the window make the hottest host hot. Every figure here is
// labelled measured; the token-list model (Explainer) stays as it is beside it.
import JSONText
import PipelineRecords

/// A `traffic` record's fields that the report reads.
public struct TrafficFacts: Sendable {
    public var host: String
    /// The key as reports show it, nil for an `other_keys` record.
    public var key: String?
    public var family: String
    public var owner: String?
    public var kind: String?
    public var seconds: Double
    public var gets = 0, hits = 0, misses = 0, sets = 0, evictions = 0
    public var bytesRead: Int64 = 0, bytesWritten: Int64 = 0

    public var bytesMoved: Int64 { bytesRead &+ bytesWritten }
    public var ops: Int { gets + sets }
    /// The family an `other_keys` record is counted under.
    public static let otherKeysFamily = "(other keys)"
}

/// A `stats_sample` record's fields that the timeline plots.
public struct StatsPoint: Sendable, Equatable {
    public var time: Double
    public var bytesRead: Double?
    public var bytesWritten: Double?
    public var cmdGet: Double?
    public var cmdSet: Double?
    public var connections: Int?
    /// The point as a JSON object (in partials and in report's JSON).
    public func write(to j: inout NDJSONWriter) {
        j.beginObject()
        j.field("time", time); j.field("bytes_read", bytesRead); j.field("bytes_written", bytesWritten)
        j.field("cmd_get", cmdGet); j.field("cmd_set", cmdSet); j.field("connections", connections)
        j.endObject()
    }

    public init(time: Double, bytesRead: Double?, bytesWritten: Double?, cmdGet: Double?, cmdSet: Double?, connections: Int?) {
        self.time = time
        self.bytesRead = bytesRead
        self.bytesWritten = bytesWritten
        self.cmdGet = cmdGet
        self.cmdSet = cmdSet
        self.connections = connections
    }
}

/// Measured traffic summed over one host's watch window(s).
public struct HostMeasured: Sendable, Equatable {
    public var host: String
    /// The longest window of the host's records (the window the rates are over).
    public var seconds = 0.0
    public var keys = 0
    public var gets = 0, hits = 0, misses = 0, sets = 0, evictions = 0
    public var bytesRead: Int64 = 0, bytesWritten: Int64 = 0
    /// The window's accounting from the source record (nil when the input has none).
    public var account: WatchAccount?
    public init(host: String) { self.host = host }

    public var bytesMoved: Int64 { bytesRead &+ bytesWritten }
    public var bytesPerSecond: Double { seconds > 0 ? Double(bytesMoved) / seconds : 0 }
    public var opsPerSecond: Double { seconds > 0 ? Double(gets + sets) / seconds : 0 }
}

/// One key's measured traffic (the hottest keys by bytes moved).
public struct TrafficKey: Sendable, Equatable {
    public var key: String
    public var host: String
    public var family: String
    public var owner: String?
    public var kind: String?
    public var seconds: Double
    public var gets: Int
    public var sets: Int
    public var bytesMoved: Int64
    public var bytesPerSecond: Double { seconds > 0 ? Double(bytesMoved) / seconds : 0 }
    public var opsPerSecond: Double { seconds > 0 ? Double(gets + sets) / seconds : 0 }
}

/// Measured bytes per second of a family or a user, in total and per host.
public struct TrafficShare: Sendable, Equatable {
    public var name: String
    public var bytesPerSecond = 0.0
    public var opsPerSecond = 0.0
    public var byHost: [String: Double] = [:]
    public init(name: String) { self.name = name }
}

/// What the report shows of measured traffic (nil in a report without any watch window).
public struct MeasuredTraffic: Sendable, Equatable {
    public var hosts: [HostMeasured] = []
    public var families: [TrafficShare] = []
    public var users: [TrafficShare] = []
    public var keys: [TrafficKey] = []
    /// Per host, its stats samples in time order.
    public var timeline: [String: [StatsPoint]] = [:]
    public var explanation: MeasuredExplanation?
}

/// The hottest host by measured bytes/s and the keys that make up its excess over the mean.
public struct MeasuredExplanation: Sendable, Equatable {
    public struct Part: Sendable, Equatable {
        public var key: String
        public var family: String
        public var owner: String?
        public var bytesPerSecond: Double
        /// Its share of the host's excess: what the key adds to the host over what it adds to the mean.
        public var share: Double
    }
    public var host: String
    public var seconds: Double
    public var bytesPerSecond: Double
    public var mean: Double
    public var parts: [Part]
    public var share: Double { parts.reduce(0) { $0 + $1.share } }

    public func sentence(escape: (String) -> String = { $0 }) -> String {
        let excess = bytesPerSecond - mean
        var s =
            "Measured over the watch window (\(Units.fixed(seconds, 0)) s), \(escape(host)) moved \(Units.rate(bytesPerSecond)), "
            + "\(Units.rate(excess)) over the mean of \(Units.rate(mean)); "
        let n = parts.count
        s += n == 1 ? "its top key accounts for " : "its top \(n) keys account for "
        // Keys of the hot host can add up to more than its excess when the other hosts move bytes too.
        s += share >= 1 ? "more than all of that excess (\(Units.percent(share))): " : "\(Units.percent(share)) of that excess: "
        s += parts.map { p in
            var d = "\(escape(p.key)) \(Units.percent(p.share)) (\(escape(p.family))"
            if let o = p.owner { d += ", \(escape(o))" }
            return d + ")"
        }.joined(separator: ", ")
        return s + "."
    }
}

/// Streams traffic and stats_sample records into the measured-traffic section.
struct TrafficAggregator {
    var hosts: [String: HostMeasured] = [:]
    /// Per family and user: bytes and ops summed per host, with that host's window.
    var families: [String: [String: (bytes: Int64, ops: Int)]] = [:]
    var users: [String: [String: (bytes: Int64, ops: Int)]] = [:]
    var keys: [TrafficKey] = []
    var timeline: [String: [StatsPoint]] = [:]
    let top: Int
    static let maxFamilies = 20_000
    static let maxUsers = 100_000

    init(top: Int) { self.top = max(1, top) }

    var isEmpty: Bool { hosts.isEmpty && timeline.isEmpty }

    mutating func add(_ t: TrafficFacts) {
        var h = hosts[t.host] ?? HostMeasured(host: t.host)
        h.seconds = max(h.seconds, t.seconds)
        if t.key != nil { h.keys += 1 }
        h.gets += t.gets
        h.hits += t.hits
        h.misses += t.misses
        h.sets += t.sets
        h.evictions += t.evictions
        h.bytesRead &+= t.bytesRead
        h.bytesWritten &+= t.bytesWritten
        hosts[t.host] = h
        if families[t.family] != nil || families.count < TrafficAggregator.maxFamilies {
            inPlace(&families[t.family, default: [:]]) { f in
                let old = f[t.host] ?? (0, 0)
                f[t.host] = (old.bytes &+ t.bytesMoved, old.ops + t.ops)
            }
        }
        if let owner = t.owner, users[owner] != nil || users.count < TrafficAggregator.maxUsers {
            inPlace(&users[owner, default: [:]]) { u in
                let old = u[t.host] ?? (0, 0)
                u[t.host] = (old.bytes &+ t.bytesMoved, old.ops + t.ops)
            }
        }
        if let key = t.key {
            offer(
                TrafficKey(
                    key: key, host: t.host, family: t.family, owner: t.owner, kind: t.kind, seconds: t.seconds, gets: t.gets, sets: t.sets,
                    bytesMoved: t.bytesMoved))
        }
    }

    /// Keeps the `top` keys by bytes moved (ties by key and host, so any input order gives the same list).
    mutating func offer(_ k: TrafficKey) {
        keys.append(k)
        if keys.count >= top * 4 { trim() }
    }

    static func before(_ a: TrafficKey, _ b: TrafficKey) -> Bool {
        if a.bytesMoved != b.bytesMoved { return a.bytesMoved > b.bytesMoved }
        if a.key != b.key { return a.key < b.key }
        return a.host < b.host
    }

    mutating func trim() {
        keys.sort(by: TrafficAggregator.before)
        if keys.count > top { keys.removeLast(keys.count - top) }
    }

    mutating func addSample(host: String, _ p: StatsPoint) { timeline[host, default: []].append(p) }

    /// A source's watch accounting (summed when a host has several windows).
    mutating func account(host: String, _ w: WatchAccount) {
        var h = hosts[host] ?? HostMeasured(host: host)
        var a = h.account ?? WatchAccount()
        a.events += w.events
        a.ownEvents += w.ownEvents
        a.skipped &+= w.skipped
        a.workerDropped &+= w.workerDropped
        a.watcherSkipped &+= w.watcherSkipped
        a.ended = a.ended.isEmpty ? w.ended : a.ended
        a.seconds = max(a.seconds, w.seconds)
        a.sample = max(a.sample, w.sample)
        h.account = a
        // A window with no client traffic still counts, at 0 B/s.
        h.seconds = max(h.seconds, w.seconds)
        hosts[host] = h
    }

    /// The section, with its explanation.
    func finish() -> MeasuredTraffic? {
        guard !isEmpty else { return nil }
        var m = MeasuredTraffic()
        m.hosts = hosts.values.sorted { $0.host < $1.host }
        func shares(_ table: [String: [String: (bytes: Int64, ops: Int)]]) -> [TrafficShare] {
            table.map { name, perHost in
                var s = TrafficShare(name: name)
                for (host, v) in perHost.sorted(by: { $0.key < $1.key }) {
                    let secs = hosts[host]?.seconds ?? 0
                    guard secs > 0 else { continue }
                    let rate = Double(v.bytes) / secs
                    s.byHost[host] = rate
                    s.bytesPerSecond += rate
                    s.opsPerSecond += Double(v.ops) / secs
                }
                return s
            }.sorted { $0.bytesPerSecond != $1.bytesPerSecond ? $0.bytesPerSecond > $1.bytesPerSecond : $0.name < $1.name }
        }
        m.families = shares(families)
        m.users = shares(users)
        var k = self
        k.trim()
        m.keys = k.keys
        m.timeline = timeline.mapValues { $0.sorted { $0.time < $1.time } }
        m.explanation = TrafficAggregator.explain(hosts: m.hosts, keys: m.keys)
        return m
    }

    /// The hottest host by measured bytes/s, and its top keys' shares of its excess over the mean. A key
    /// on one host of N adds its rate to that host and rate/N to the mean: (N−1)/N of it is excess.
    static func explain(hosts: [HostMeasured], keys: [TrafficKey]) -> MeasuredExplanation? {
        let timed = hosts.filter { $0.seconds > 0 }
        guard timed.count >= 2 else { return nil }
        let mean = timed.reduce(0.0) { $0 + $1.bytesPerSecond } / Double(timed.count)
        guard let hot = timed.max(by: { $0.bytesPerSecond != $1.bytesPerSecond ? $0.bytesPerSecond < $1.bytesPerSecond : $0.host > $1.host }),
            hot.bytesPerSecond > mean * 1.0001
        else { return nil }
        let excess = hot.bytesPerSecond - mean
        let n = Double(timed.count)
        var parts: [MeasuredExplanation.Part] = []
        for key in keys where key.host == hot.host {
            let share = key.bytesPerSecond * (n - 1) / n / excess
            parts.append(.init(key: key.key, family: key.family, owner: key.owner, bytesPerSecond: key.bytesPerSecond, share: share))
            if parts.count >= 5 || parts.reduce(0, { $0 + $1.share }) >= 0.9 { break }
        }
        guard !parts.isEmpty else { return nil }
        return MeasuredExplanation(host: hot.host, seconds: hot.seconds, bytesPerSecond: hot.bytesPerSecond, mean: mean, parts: parts)
    }
}

// MARK: partials (report --partial / --merge)

extension TrafficAggregator {
    /// The state in a partial: sums per host, family and user (bytes and ops per host), the kept keys,
    /// and the timeline's points.
    func writePartial(_ j: inout NDJSONWriter) {
        j.beginObject()
        j.key("hosts"); j.beginArray()
        for h in hosts.values.sorted(by: { $0.host < $1.host }) {
            j.beginObject()
            j.field("host", h.host); j.field("seconds", h.seconds); j.field("keys", h.keys)
            j.field("gets", h.gets); j.field("hits", h.hits); j.field("misses", h.misses); j.field("sets", h.sets)
            j.field("evictions", h.evictions)
            j.key("bytes_read"); j.int(h.bytesRead); j.key("bytes_written"); j.int(h.bytesWritten)
            if let a = h.account {
                j.key("account"); j.beginObject()
                j.field("events", a.events); j.field("own_events", a.ownEvents); j.key("skipped"); j.int(a.skipped)
                j.key("worker_dropped"); j.int(a.workerDropped); j.key("watcher_skipped"); j.int(a.watcherSkipped); j.field("seconds", a.seconds);
                j.field("ended", a.ended)
                j.field("sample", a.sample)
                j.endObject()
            }
            j.endObject()
        }
        j.endArray()
        for (name, table) in [("families", families), ("users", users)] {
            j.key(name); j.beginObject()
            for (n, perHost) in table.sorted(by: { $0.key < $1.key }) {
                j.key(n); j.beginObject()
                for (host, v) in perHost.sorted(by: { $0.key < $1.key }) {
                    j.key(host); j.beginArray(); j.int(v.bytes); j.int(v.ops); j.endArray()
                }
                j.endObject()
            }
            j.endObject()
        }
        var kept = self
        kept.trim()
        j.key("keys"); j.beginArray()
        for k in kept.keys {
            j.beginObject()
            j.field("key", k.key); j.field("host", k.host); j.field("family", k.family); j.field("owner", k.owner); j.field("kind", k.kind)
            j.field("seconds", k.seconds); j.field("gets", k.gets); j.field("sets", k.sets); j.key("bytes_moved"); j.int(k.bytesMoved)
            j.endObject()
        }
        j.endArray()
        j.key("timeline"); j.beginObject()
        for (host, points) in timeline.sorted(by: { $0.key < $1.key }) {
            j.key(host); j.beginArray()
            for p in points.sorted(by: { $0.time < $1.time }) { p.write(to: &j) }
            j.endArray()
        }
        j.endObject()
        j.endObject()
    }

    /// Reads a partial's `traffic` (checked whole before anything is merged).
    static func read(_ v: JSONValue, top: Int) throws(AggregationIssue) -> TrafficAggregator {
        let p = try PartialFields(v, "measured_traffic")
        var t = TrafficAggregator(top: top)
        for (i, hv) in try p.array("hosts").enumerated() {
            let f = try PartialFields(hv, "measured_traffic.hosts[\(i)]")
            var h = HostMeasured(host: try f.string("host"))
            h.seconds = try f.requiredAmount("seconds")
            h.keys = Int(try f.count("keys"))
            h.gets = Int(try f.count("gets")); h.hits = Int(try f.count("hits")); h.misses = Int(try f.count("misses"))
            h.sets = Int(try f.count("sets")); h.evictions = Int(try f.count("evictions"))
            h.bytesRead = try f.count("bytes_read"); h.bytesWritten = try f.count("bytes_written")
            if let af = try f.optionalObject("account") {
                var a = WatchAccount()
                a.events = Int(try af.count("events")); a.ownEvents = Int(try af.count("own_events"))
                a.skipped = try af.count("skipped"); a.workerDropped = try af.count("worker_dropped");
                a.watcherSkipped = try af.optionalCount("watcher_skipped") ?? 0; a.ended = try af.string("ended")
                a.seconds = try af.requiredAmount("seconds")
                a.sample = Int(max(1, try af.optionalCount("sample") ?? 1))
                h.account = a
            }
            guard t.hosts[h.host] == nil else { throw AggregationIssue(message: "measured_traffic.hosts[\(i)]: host \(h.host) twice") }
            t.hosts[h.host] = h
        }
        func table(_ name: String) throws(AggregationIssue) -> [String: [String: (bytes: Int64, ops: Int)]] {
            var out: [String: [String: (bytes: Int64, ops: Int)]] = [:]
            guard let members = v[name]?.members else { throw PartialFields.wrong("measured_traffic.\(name)", "an object", v[name]) }
            for (n, perHost) in members {
                guard let hosts = perHost.members else { throw PartialFields.wrong("measured_traffic.\(name).\(n)", "an object", perHost) }
                var row: [String: (bytes: Int64, ops: Int)] = [:]
                for (host, pair) in hosts {
                    guard let a = pair.array, a.count == 2 else { throw PartialFields.wrong("measured_traffic.\(name).\(n).\(host)", "[bytes, ops]", pair) }
                    row[host] = (
                        try PartialFields.count(a[0], "measured_traffic.\(name).\(n).\(host)[0]"),
                        Int(try PartialFields.count(a[1], "measured_traffic.\(name).\(n).\(host)[1]"))
                    )
                }
                out[n] = row
            }
            return out
        }
        t.families = try table("families")
        t.users = try table("users")
        for (i, kv) in try p.array("keys").enumerated() {
            let f = try PartialFields(kv, "measured_traffic.keys[\(i)]")
            t.keys.append(
                TrafficKey(
                    key: try f.string("key"), host: try f.string("host"), family: try f.string("family"), owner: try f.optionalString("owner"),
                    kind: try f.optionalString("kind"), seconds: try f.requiredAmount("seconds"), gets: Int(try f.count("gets")),
                    sets: Int(try f.count("sets")), bytesMoved: try f.count("bytes_moved")))
        }
        guard let timeline = v["timeline"]?.members else { throw PartialFields.wrong("measured_traffic.timeline", "an object", v["timeline"]) }
        for (host, points) in timeline {
            guard let list = points.array else { throw PartialFields.wrong("measured_traffic.timeline.\(host)", "an array", points) }
            for (i, pv) in list.enumerated() {
                let f = try PartialFields(pv, "measured_traffic.timeline.\(host)[\(i)]")
                t.timeline[host, default: []].append(
                    StatsPoint(
                        time: try f.requiredAmount("time"), bytesRead: try f.amount("bytes_read"), bytesWritten: try f.amount("bytes_written"),
                        cmdGet: try f.amount("cmd_get"), cmdSet: try f.amount("cmd_set"), connections: try f.optionalCount("connections").map { Int($0) }))
            }
        }
        return t
    }

    /// Adds another aggregator's sums (a merged partial).
    mutating func merge(_ o: TrafficAggregator) {
        for (host, h) in o.hosts {
            var m = hosts[host] ?? HostMeasured(host: host)
            m.seconds = max(m.seconds, h.seconds)
            m.keys += h.keys
            m.gets += h.gets; m.hits += h.hits; m.misses += h.misses; m.sets += h.sets; m.evictions += h.evictions
            m.bytesRead &+= h.bytesRead; m.bytesWritten &+= h.bytesWritten
            hosts[host] = m
            if let a = h.account { account(host: host, a) }
        }
        for (mine, theirs) in [(\TrafficAggregator.families, o.families), (\TrafficAggregator.users, o.users)] {
            for (n, perHost) in theirs {
                inPlace(&self[keyPath: mine][n, default: [:]]) { row in
                    for (host, v) in perHost {
                        let old = row[host] ?? (0, 0)
                        row[host] = (old.bytes &+ v.bytes, old.ops + v.ops)
                    }
                }
            }
        }
        for k in o.keys { offer(k) }
        for (host, points) in o.timeline { timeline[host, default: []] += points }
    }
}
