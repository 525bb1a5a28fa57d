// MemcacheClient/Watcher: one host's watch window — a connection that sends `watch fetchers mutations
// evictions connevents` and then only reads. Item events of the collector's own connections (known by
// their local address, matched through `conn_new`) are counted and left out; the clients' events and
// memcached's `skipped=` notices are handed on verbatim; connection events are read, not handed on.
import MemcacheProtocol
import Synchronization
import WatchEvents

/// What one watch window saw.
public struct WatchResult: Sendable {
    public var streams: [String] = WatchStream.allCases.map(\.rawValue)
    /// Lines handed on (clients' events and `skipped=` lines).
    public var events = 0
    /// Item events of the collector's own connections (left out), and those connections.
    public var ownEvents = 0
    public var ownConnections = 0
    public var connectionEvents = 0
    /// The sum of memcached's `skipped=` notices.
    public var skipped: Int64 = 0
    /// Lines that are not events, and the first of them.
    public var unreadable = 0
    public var firstUnreadable: String?
    /// The window on the monotonic clock (from the server's `OK`).
    public var seconds = 0.0
    /// `elapsed`, `stopped`, or `error: …`; `refused: …` when the server would not watch.
    public var ended = "elapsed"
    /// `--watch-sample N`: one client event in N kept, and the clients' events left out by it.
    public var sample = 1
    public var sampledOut = 0
    public init() {}
}

public enum Watcher {
    /// Watches `host:port` for `seconds` (or until `stop`). `ready` is called once the server has
    /// answered `OK` (the window starts); `line` gets each line to keep, `flush` is called at least
    /// once a second and at the end.
    public static func run(
        host: String, port: Int, options: ConnectionOptions, seconds: Double, own: OwnSockets, stop: StopFlag,
        progress: CaptureProgress? = nil, sample: Int = 1, ready: @Sendable () -> Void, line: (ArraySlice<UInt8>) throws -> Void, flush: () throws -> Void
    ) async -> WatchResult {
        var result = WatchResult()
        result.sample = max(1, sample)
        var opts = options
        opts.readTimeout = seconds + 60  // a quiet server sends nothing for the whole window
        opts.ownSockets = nil  // the watcher logs no item events of its own
        // The window's end (or a stop) closes the connection, which ends the read below.
        let window = ConnectionGroup()
        opts.group = window
        let started = Mutex<Double?>(nil)
        let timer = Task {
            while !Task.isCancelled {
                if stop.isSet { break }
                if let t0 = started.withLock({ $0 }), MonotonicClock.seconds() >= t0 + seconds { break }
                try? await Task.sleep(nanoseconds: 50_000_000)
            }
            window.closeAll()
        }
        defer { timer.cancel() }
        var ownership = ConnectionOwnership()
        var peers: [String] = []
        // With sampling, a client's `item_get` waits for its connection's next event: a store of the same
        // key makes it that store's lookup, and the two are kept or left out together (by the store's gid),
        // so a sampled window never counts a store's lookup as a read.
        var pendingGets: [Int: (gid: UInt64, key: [UInt8], line: [UInt8])] = [:]
        func keep(_ text: ArraySlice<UInt8>, decidedBy gid: UInt64) throws {
            if gid % UInt64(result.sample) == 0 {
                result.events += 1
                try line(text)
            } else {
                result.sampledOut += 1
            }
        }
        do {
            try await MemcacheConnection.with(host: host, port: port, options: opts) { c in
                try await c.send([.watch(WatchStream.allCases)])
                let first = try await c.read { try $0.readLine().map { String(decoding: $0, as: UTF8.self) } }
                guard first == "OK" else {
                    result.ended = "refused: the server answered `\(first.prefix(200))` to watch"
                    return
                }
                let t0 = MonotonicClock.seconds()
                started.withLock { $0 = t0 }
                progress?.watchEvents.store(0, ordering: .relaxed)
                progress?.watchEndsAtMillis.store(Int((t0 + seconds) * 1000), ordering: .relaxed)
                ready()
                var lastFlush = t0
                while true {
                    while let text = try c.buffer.readLine() {
                        try handle(text)
                    }
                    let now = MonotonicClock.seconds()
                    if now - lastFlush >= 1 {
                        try flush()
                        lastFlush = now
                    }
                    if let p = progress {
                        p.watchEvents.store(result.events, ordering: .relaxed)
                        p.watchOwn.store(result.ownEvents, ordering: .relaxed)
                        p.watchSkipped.store(Int(clamping: result.skipped), ordering: .relaxed)
                    }
                    try await c.receive()
                }
            }
        } catch MemcacheClientError.stopped {
            result.ended = stop.isSet ? "stopped" : "elapsed"
        } catch {
            result.ended = "error: \(error)"
        }
        // Reads still waiting for their connection's next event are decided alone.
        for p in pendingGets.values.sorted(by: { $0.gid < $1.gid }) { try? keep(p.line[...], decidedBy: p.gid) }
        do { try flush() } catch { if result.ended == "elapsed" { result.ended = "error: \(error)" } }
        result.ownConnections = peers.filter { own.contains($0) }.count

        func handle(_ text: ArraySlice<UInt8>) throws {
            guard let e = WatchLine.parse(text) else {
                if !text.isEmpty {
                    result.unreadable += 1
                    if result.firstUnreadable == nil { result.firstUnreadable = String(decoding: text.prefix(200), as: UTF8.self) }
                }
                return
            }
            if let n = e.skipped {
                result.skipped &+= Int64(clamping: n)
                result.events += 1
                try line(text)
                return
            }
            switch e.type {
            case .connNew:
                result.connectionEvents += 1
                if let cfd = e.cfd, let gid = e.gid, let ip = e.rip, let port = e.rport {
                    let peer = String(decoding: ip, as: UTF8.self) + ":" + String(port)
                    ownership.opened(cfd: cfd, gid: gid, peer: peer)
                    peers.append(peer)
                }
                return
            case .connClose:
                result.connectionEvents += 1
                if let cfd = e.cfd, let gid = e.gid { ownership.closed(cfd: cfd, gid: gid) }
                return
            default:
                break
            }
            if let cfd = e.cfd, let gid = e.gid, let peer = ownership.peer(cfd: cfd, gid: gid), own.contains(peer) {
                result.ownEvents += 1
                return
            }
            guard result.sample > 1, let gid = e.gid else {
                result.events += 1
                try line(text)
                return
            }
            let cfd = e.cfd ?? -1
            if let p = pendingGets.removeValue(forKey: cfd) {
                if e.type == .itemStore, let k = e.key, k.elementsEqual(p.key) {
                    try keep(p.line[...], decidedBy: gid)
                    try keep(text, decidedBy: gid)
                    return
                }
                try keep(p.line[...], decidedBy: p.gid)
            }
            if e.type == .itemGet {
                pendingGets[cfd] = (gid, Array(e.key ?? []), Array(text))
                return
            }
            try keep(text, decidedBy: gid)
        }
        if let s = started.withLock({ $0 }) { result.seconds = MonotonicClock.seconds() - s }
        return result
    }
}
