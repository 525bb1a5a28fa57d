// WatchEvents/TrafficTally: the clients' events of one watch window, summed per key. memcached logs
// every store as an `item_get` (its lookup) followed by the `item_store` on the same connection, so a
// connection's `item_get` counts as a read only when its next event is not the store of that key.
// `incr`/`decr`, `touch` and (before 1.6.20) `delete` also log a bare `item_get`: they count as reads.
import ByteText

/// What the clients did with one key in the window.
public struct KeyTraffic: Sendable, Equatable {
    /// `item_get` events (reads), those that found the item, and those that did not.
    public var gets = 0
    public var hits = 0
    public var misses = 0
    /// `item_store` events (any store command, whatever its status) and those that stored.
    public var sets = 0
    public var stored = 0
    /// Value bytes sent to clients (the size of every hit) and received from them (of every store).
    public var bytesRead: Int64 = 0
    public var bytesWritten: Int64 = 0
    /// Evictions of the key in the window (`eviction` events).
    public var evictions = 0
    /// The slab class of the last event that named one (0: none).
    public var clsid = 0
    public init() {}

    public var events: Int { gets + sets + evictions }

    public mutating func add(_ o: KeyTraffic) {
        gets += o.gets
        hits += o.hits
        misses += o.misses
        sets += o.sets
        stored += o.stored
        bytesRead &+= o.bytesRead
        bytesWritten &+= o.bytesWritten
        evictions += o.evictions
        if o.clsid != 0 { clsid = o.clsid }
    }
}

/// Per-key traffic of one window, at most `maxKeys` keys (the rest summed under `otherKeys`).
public struct TrafficTally: Sendable {
    public private(set) var keys: [[UInt8]: KeyTraffic] = [:]
    /// The summed traffic of keys first seen after the table was full.
    public private(set) var other = KeyTraffic()
    /// Event lines read, by what became of them.
    public private(set) var lines = 0
    public private(set) var storeLookups = 0
    /// `skipped=` lines: events memcached could not hand to the watcher.
    public private(set) var skipped: UInt64 = 0
    /// Lines that are not events (damage), and events with a key that is not valid %-escaping.
    public private(set) var unreadable = 0
    /// The server clock of the first and last event.
    public private(set) var firstTime: Double?
    public private(set) var lastTime: Double?
    public let maxKeys: Int

    /// A connection's `item_get` waiting for its next event (a store of the same key makes it a lookup).
    private var pending: [Int: (key: [UInt8], found: Bool, size: Int64, clsid: Int)] = [:]

    public init(maxKeys: Int = 1_000_000) { self.maxKeys = max(1, maxKeys) }

    /// Adds one line of the watch stream (as the dump keeps it).
    public mutating func add(line: ArraySlice<UInt8>) {
        lines += 1
        guard let e = WatchLine.parse(line) else {
            unreadable += 1
            return
        }
        if let n = e.skipped {
            skipped &+= n
            return
        }
        if let t = e.time {
            if firstTime == nil { firstTime = t }
            lastTime = t
        }
        switch e.type {
        case .itemGet, .itemStore, .eviction, .deleted: break
        default: return
        }
        guard let escaped = e.key, let key = PercentEncoding.decodeStrict(escaped), !key.isEmpty else {
            unreadable += 1
            return
        }
        let cfd = e.cfd ?? -1
        switch e.type {
        case .itemGet:
            if let p = pending[cfd] { countGet(p) }
            pending[cfd] = (key, e.statusIs.found, max(0, e.size ?? 0), e.clsid ?? 0)
        case .itemStore:
            if let p = pending.removeValue(forKey: cfd) {
                if p.key == key { storeLookups += 1 } else { countGet(p) }
            }
            let size = max(0, e.size ?? 0)
            update(key) { t in
                t.sets += 1
                if e.statusIs.stored { t.stored += 1 }
                t.bytesWritten &+= size
                if let c = e.clsid, c != 0 { t.clsid = c }
            }
        case .eviction:
            update(key) { t in
                t.evictions += 1
                if let c = e.clsid, c != 0 { t.clsid = c }
            }
        default:
            // `deleted` (1.6.20+): the delete's own line; its lookup `item_get` already counted.
            break
        }
    }

    /// Counts the reads still waiting for their connection's next event (at the window's end).
    public mutating func finish() {
        for (_, p) in pending.sorted(by: { $0.key < $1.key }) { countGet(p) }
        pending.removeAll()
    }

    private mutating func countGet(_ p: (key: [UInt8], found: Bool, size: Int64, clsid: Int)) {
        update(p.key) { t in
            t.gets += 1
            if p.found {
                t.hits += 1
                t.bytesRead &+= p.size
            } else {
                t.misses += 1
            }
            if p.clsid != 0 { t.clsid = p.clsid }
        }
    }

    private mutating func update(_ key: [UInt8], _ body: (inout KeyTraffic) -> Void) {
        if keys[key] != nil {
            body(&keys[key]!)
        } else if keys.count < maxKeys {
            var t = KeyTraffic()
            body(&t)
            keys[key] = t
        } else {
            body(&other)
        }
    }
}
