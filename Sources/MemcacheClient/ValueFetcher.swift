// MemcacheClient/ValueFetcher: fetches values for listed keys with pipelined
// `mg <key> [v] f t [s] c u q O<n>` batches ended by `mn` — no LRU bump, no fetched mark — on a
// bounded number of connections. Keys the server no longer has are recorded as misses. `gets` is
// used only for servers without meta commands and only with the operator's LRU-bump permission.
import MemcacheProtocol
import Synchronization

/// How values are fetched.
public struct FetchOptions: Sendable {
    public var connections: Int = 2
    public var keysOnly = false
    /// Values larger than this are recorded with metadata only.
    public var maxValueBytes = 64 << 20
    public var itemsPerSecond: Double?
    public var bytesPerSecond: Double?
    public var lruBump: LRUBumpPermission?
    public var batchItems = 256
    public var batchBytes = 1 << 20

    public init() {}
}

/// What the fetch phase did.
public struct FetchSummary: Sendable {
    public var usedGets = false
    public var stopped = false
    public var errors: [String] = []

    public init() {}
}

/// Hands out batches of listed keys to the fetch connections.
final class BatchSource: @unchecked Sendable {
    private let lock = Mutex<Void>(())
    private let source: KeySource
    private var finished = false
    /// A listing error met while a batch already held keys: those keys are fetched first, and the
    /// error is thrown by the next call.
    private var deferredError: Error?

    init(_ source: KeySource) { self.source = source }

    var isFinished: Bool { lock.withLock { _ in finished } }

    /// The keys available now, up to the limits; empty when the source has ended, or — while a
    /// listing is still being written — when none has arrived yet.
    func next(maxItems: Int, maxBytes: Int) throws -> [ListedKey] {
        try lock.withLock { _ in
            if let e = deferredError { throw e }
            var batch: [ListedKey] = []
            var bytes = 0
            poll: while !finished, batch.count < maxItems, bytes < maxBytes {
                let poll: KeyPoll
                do {
                    poll = try source.nextKey()
                } catch {
                    if batch.isEmpty { throw error }
                    deferredError = error
                    break poll
                }
                switch poll {
                case .key(let k):
                    bytes += k.sizeEstimate ?? 4096
                    batch.append(k)
                case .pending: break poll
                case .end: finished = true
                }
            }
            return batch
        }
    }

    /// The next batch, waiting (in short sleeps) while the listing is behind; empty at the end.
    func nextWaiting(maxItems: Int, maxBytes: Int, stop: StopFlag) async throws -> [ListedKey] {
        while true {
            let batch = try next(maxItems: maxItems, maxBytes: maxBytes)
            if !batch.isEmpty || isFinished || stop.isSet { return batch }
            try await Task.sleep(nanoseconds: 1_000_000)
        }
    }
}

public enum ValueFetcher {
    /// Runs `options.connections` fetch connections until the source is exhausted or `stop` is set.
    /// A connection that fails ends its share of the work; the error is returned in the summary.
    public static func run(
        host: String, port: Int, connection: ConnectionOptions, source: KeySource, options: FetchOptions,
        server: ServerInfo, sink: CaptureSink, progress: CaptureProgress, stop: StopFlag
    ) async -> FetchSummary {
        let batches = BatchSource(source)
        let items = options.itemsPerSecond.map { TokenBucket(ratePerSecond: $0) }
        let bandwidth = options.bytesPerSecond.map { TokenBucket(ratePerSecond: $0, burst: max($0 / 4, 1_048_576)) }
        var perBatch = options.batchItems
        if let r = options.itemsPerSecond { perBatch = max(1, min(perBatch, Int(r / 4))) }
        let batchItems = perBatch
        let results = await withTaskGroup(of: (Bool, Bool, String?).self) { group in
            for _ in 0..<max(1, options.connections) {
                group.addTask {
                    do {
                        let usedGets = try await MemcacheConnection.with(host: host, port: port, options: connection) { c in
                            try await fetchLoop(
                                c, batches: batches, batchItems: batchItems, options: options, server: server,
                                sink: sink, progress: progress, stop: stop, items: items, bandwidth: bandwidth)
                        }
                        return (usedGets, stop.isSet, nil)
                    } catch {
                        return (false, stop.isSet, "\(error)")
                    }
                }
            }
            var all: [(Bool, Bool, String?)] = []
            for await r in group { all.append(r) }
            return all
        }
        var summary = FetchSummary()
        summary.usedGets = results.contains { $0.0 }
        summary.stopped = stop.isSet
        summary.errors = results.compactMap { $0.2 }
        return summary
    }

    /// Probes for meta commands with `mn` (MN, or ERROR on servers without them).
    static func hasMetaCommands(_ c: MemcacheConnection) async throws -> Bool {
        try await c.send([.metaNoop])
        var parser = MetaResponseParser()
        switch try await c.read({ try parser.next(from: &$0) }) {
        case .noop: return true
        case .failed(.error): return false
        default:
            throw MemcacheClientError.protocolError(
                server: c.server, ProtocolError(.unexpected, "unexpected answer to mn", offset: c.buffer.offset))
        }
    }

    static func fetchLoop(
        _ c: MemcacheConnection, batches: BatchSource, batchItems: Int, options: FetchOptions, server: ServerInfo,
        sink: CaptureSink, progress: CaptureProgress, stop: StopFlag, items: TokenBucket?, bandwidth: TokenBucket?
    ) async throws -> Bool {
        let meta = try await hasMetaCommands(c)
        if !meta && options.lruBump == nil {
            throw MemcacheClientError.serverRefused(
                server: c.server, request: "mn", .error("no meta commands; values need `gets`, which bumps the LRU: rerun with --allow-lru-bump"))
        }
        if meta {
            try await metaPipeline(
                c, batches: batches, batchItems: batchItems, options: options, server: server, sink: sink,
                progress: progress, stop: stop, items: items, bandwidth: bandwidth)
            return false
        }
        while !stop.isSet, let permission = options.lruBump {
            let batch = try await batches.nextWaiting(maxItems: min(batchItems, 100), maxBytes: options.batchBytes, stop: stop)
            if batch.isEmpty { break }
            progress.listed.add(batch.count, ordering: .relaxed)
            if let items { await items.spend(Double(batch.count), stop: stop) }
            let before = c.bytesReceived
            try await getsBatch(c, batch, permission: permission, options: options, server: server, sink: sink, progress: progress)
            if let bandwidth { await bandwidth.spend(Double(c.bytesReceived - before), stop: stop) }
        }
        return true
    }

    /// A batch sent and not yet answered.
    struct SentBatch {
        var keys: [ListedKey]
        var answered: [Bool]
        var misses: [(key: [UInt8], reason: String)]
    }

    /// Runs `metaLoop` with one capture batch, flushed at the end — also after an error, so that
    /// whatever was captured before it reaches the sink.
    static func metaPipeline(
        _ c: MemcacheConnection, batches: BatchSource, batchItems: Int, options: FetchOptions, server: ServerInfo,
        sink: CaptureSink, progress: CaptureProgress, stop: StopFlag, items: TokenBucket?, bandwidth: TokenBucket?
    ) async throws {
        let batch = sink.makeBatch()
        do {
            try await metaLoop(
                c, batches: batches, batchItems: batchItems, options: options, server: server, batch: batch,
                progress: progress, stop: stop, items: items, bandwidth: bandwidth)
        } catch {
            try? batch.flush()  // what was captured before the error still reaches the sink
            throw error
        }
        try batch.flush()
    }

    /// Keeps two batches in flight: the next one is sent before the previous one's answers are read,
    /// so the server is never idle waiting for us.
    static func metaLoop(
        _ c: MemcacheConnection, batches: BatchSource, batchItems: Int, options: FetchOptions, server: ServerInfo,
        batch: CaptureBatch, progress: CaptureProgress, stop: StopFlag, items: TokenBucket?, bandwidth: TokenBucket?
    ) async throws {
        var inFlight: [SentBatch] = []
        var received = c.bytesReceived
        // A listing that breaks off ends the sending, but the batches already sent are received first.
        var listingError: Error?
        while true {
            var sentOne = false
            if !stop.isSet && listingError == nil {
                // With a batch in flight, take only what is there; with none, wait for the listing.
                var keys: [ListedKey] = []
                do {
                    keys =
                        inFlight.isEmpty
                        ? try await batches.nextWaiting(maxItems: batchItems, maxBytes: options.batchBytes, stop: stop)
                        : try batches.next(maxItems: batchItems, maxBytes: options.batchBytes)
                } catch {
                    listingError = error
                }
                if !keys.isEmpty {
                    progress.listed.add(keys.count, ordering: .relaxed)
                    if let items { await items.spend(Double(keys.count), stop: stop) }
                    inFlight.append(try await sendMeta(c, keys, options: options))
                    sentOne = true
                }
            }
            guard !inFlight.isEmpty else {
                if let listingError { throw listingError }
                return
            }
            // Keep a second batch in flight when the listing had one to give.
            if sentOne && inFlight.count < 2 && !stop.isSet && !batches.isFinished { continue }
            let sent = inFlight.removeFirst()
            try await receiveMeta(c, sent, into: batch, options: options, server: server, progress: progress)
            if let bandwidth {
                await bandwidth.spend(Double(c.bytesReceived - received), stop: stop)
                received = c.bytesReceived
            }
        }
    }

    static func sendMeta(_ c: MemcacheConnection, _ batch: [ListedKey], options: FetchOptions) async throws -> SentBatch {
        var requests: [ReadOnlyRequest] = []
        requests.reserveCapacity(batch.count + 1)
        var sent = SentBatch(keys: batch, answered: [Bool](repeating: false, count: batch.count), misses: [])
        for i in batch.indices {
            guard let key = MemcacheKey(batch[i].key), key.isMetaAddressable else {
                sent.answered[i] = true
                sent.misses.append((batch[i].key, "key of \(batch[i].key.count) bytes cannot be addressed by mg (1…250 bytes; binary keys ≤186)"))
                continue
            }
            let wantValue = !options.keysOnly && (batch[i].sizeEstimate.map { $0 <= options.maxValueBytes + 4096 } ?? true)
            requests.append(.metaGet(MetaGet(key: key, wantValue: wantValue, quiet: true, opaque: UInt32(i))))
        }
        requests.append(.metaNoop)
        try await c.send(requests)
        return sent
    }

    static func receiveMeta(
        _ c: MemcacheConnection, _ sent: SentBatch, into batch: CaptureBatch, options: FetchOptions, server: ServerInfo,
        progress: CaptureProgress
    ) async throws {
        var answered = sent.answered
        var captured = 0
        var valueBytes = 0
        // A value over --max-value-bytes is read through without being buffered (`.oversized`).
        var parser = MetaResponseParser(maxValueBytes: options.keysOnly ? 0 : options.maxValueBytes)
        var lastError: ServerAnswer?
        // A value goes from the receive buffer into the batch's encoding without a copy of its own.
        func take(_ flags: MetaFlags, _ value: UnsafeRawBufferPointer?) throws {
            guard let o = flags.opaque, Int(o) < sent.keys.count, !answered[Int(o)] else { return }
            let i = Int(o)
            answered[i] = true
            var kept = value
            if let v = value, v.count > options.maxValueBytes || options.keysOnly { kept = nil }
            let item = makeItem(
                sent.keys[i], flags: flags.clientFlags ?? sent.keys[i].metadump?.flags ?? 0,
                valueLength: flags.size ?? value?.count ?? 0, cas: flags.cas, ttl: flags.ttl, server: server)
            try batch.item(item, value: kept)
            captured += 1
            valueBytes += kept?.count ?? 0
        }
        loop: while true {
            let event = try await c.read { buf in try parser.next(from: &buf, onValue: { try take($0, $1) }) }
            switch event {
            case .noop: break loop
            case .value: continue  // taken by `onValue`
            case .hit(let flags): try take(flags, nil)
            case .oversized(var flags, let size):
                flags.size = size
                try take(flags, nil)
            case .miss: continue
            case .failed(let a): lastError = a
            }
        }
        var missed = 0
        for m in sent.misses {
            try batch.miss(key: m.key, reason: m.reason)
            missed += 1
        }
        for i in sent.keys.indices where !answered[i] {
            let reason = lastError.map { "server answered \($0)" } ?? "not found at fetch (expired, evicted or deleted after listing)"
            try batch.miss(key: sent.keys[i].key, reason: reason)
            missed += 1
        }
        try batch.commit()
        progress.captured.add(captured, ordering: .relaxed)
        progress.missed.add(missed, ordering: .relaxed)
        progress.valueBytes.add(valueBytes, ordering: .relaxed)
    }

    /// Merges what the listing said with what the fetch said. Listing metadata is used only while the
    /// cas is unchanged (otherwise the item was rewritten after the listing).
    static func makeItem(
        _ lk: ListedKey, flags: UInt32, valueLength: Int, cas: UInt64?, ttl: Int64?, server: ServerInfo
    ) -> CapturedItem {
        let m = lk.metadump
        let same = m != nil && (cas == nil || m?.cas == cas)
        var exp: Int64 = -1
        if same, let m {
            exp = m.exp
        } else if let t = ttl {
            exp = t < 0 ? -1 : (server.serverNow() ?? 0) + t
        } else if let cd = lk.cachedump {
            exp = cd.exp
        }
        return CapturedItem(
            key: lk.key, flags: flags, valueLength: valueLength, cas: cas ?? m?.cas ?? 0, exp: exp,
            lastAccess: same ? (m?.lastAccess ?? -1) : -1,
            slabClass: same ? (m?.slabClass ?? 0) : (lk.cachedump?.slabClass ?? 0),
            fetched: same ? (m?.fetched ?? false) : false, totalSize: same ? (m?.totalSize ?? -1) : -1)
    }

    static func getsBatch(
        _ c: MemcacheConnection, _ batch: [ListedKey], permission: LRUBumpPermission, options: FetchOptions,
        server: ServerInfo, sink: CaptureSink, progress: CaptureProgress
    ) async throws {
        var keys: [MemcacheKey] = []
        var index: [[UInt8]: Int] = [:]
        for (i, lk) in batch.enumerated() {
            if let k = MemcacheKey(lk.key), k.isTextSafe {
                keys.append(k)
                index[lk.key] = i
            } else {
                try sink.miss(key: lk.key, reason: "key cannot be sent with gets (needs meta commands)")
                progress.missed.add(1, ordering: .relaxed)
            }
        }
        guard !keys.isEmpty else { return }
        try await c.send([.gets(keys, permission)])
        var parser = ValueParser(maxValueBytes: max(options.maxValueBytes, 128 << 20))
        var answered = Set<Int>()
        loop: while true {
            switch try await c.read({ try parser.next(from: &$0) }) {
            case .end: break loop
            case .value(let block):
                guard let i = index[block.key], answered.insert(i).inserted else { continue }
                let kept = options.keysOnly || block.value.count > options.maxValueBytes ? nil : block.value
                let item = makeItem(
                    batch[i], flags: block.flags, valueLength: block.value.count, cas: block.cas, ttl: nil, server: server)
                try sink.item(item, value: kept)
                progress.captured.add(1, ordering: .relaxed)
                progress.valueBytes.add(kept?.count ?? 0, ordering: .relaxed)
            case .failed(let a):
                throw MemcacheClientError.serverRefused(server: c.server, request: "gets", a)
            }
        }
        for (k, i) in index where !answered.contains(i) {
            try sink.miss(key: k, reason: "not found at fetch (expired, evicted or deleted after listing)")
            progress.missed.add(1, ordering: .relaxed)
        }
    }
}
