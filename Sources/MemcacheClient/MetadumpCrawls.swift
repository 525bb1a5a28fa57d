// MemcacheClient/MetadumpCrawls: a server's metadump listing as one key source. The first crawl is read
// to its END before any value is fetched (a crawl that runs beside the fetch traffic misses items
// that the LRU maintainer moves; Benchmarks/README.md, "Measured facts"). When it listed fewer lines than
// `curr_items`, a second crawl is taken after it has ended (never two crawler commands on one server
// at once) and runs in the background while the first crawl's keys are fetched; its spool is read once
// it is sealed. Every key is yielded once (a sealed spool knows its repeats: KeyFingerprints).
import MemcacheProtocol
import Synchronization

public final class MetadumpCrawls: KeySource, @unchecked Sendable {
    /// What the crawls did, once they have ended.
    public struct Summary: Sendable {
        /// Entry lines of every crawl (before dedupe).
        public var lines: Int
        /// The second crawl's spool, when one was taken (its `yielded` counts the keys only it listed).
        public var secondCrawl: MetadumpSpool?
        public var notes: [(level: String, message: String)]
        /// Why the listing broke off, if it did.
        public var failure: String?
    }

    private struct Shared {
        var spools: [MetadumpSpool] = []
        var finished = false
        var secondCrawl: MetadumpSpool?
        var notes: [(level: String, message: String)] = []
        var failure: String?
    }

    private let shared = Mutex(Shared())
    private var task: Task<Void, Never>?
    /// Reader side: the spool being read (used only by the key source's caller).
    private var index = 0

    private init() {}

    /// Crawls whose spools are already sealed (tests).
    init(completedSpools: [MetadumpSpool]) {
        shared.withLock {
            $0.spools = completedSpools
            $0.finished = true
        }
    }

    /// How a start went.
    public enum Start: Sendable {
        case crawling(MetadumpCrawls)
        case refused(ServerAnswer)
    }

    /// Runs the first crawl to its END (or to the crawler's refusal) and returns; a second crawl, when
    /// one is needed, goes on in the background. `onExpectedKeys` learns how many keys to expect.
    public static func start(
        host: String, port: Int, options: ConnectionOptions, server: ServerInfo, spoolDirectory: String,
        onExpectedKeys: @escaping @Sendable (Int) -> Void
    ) async throws -> Start {
        let currItems = server.sample(.general)?["curr_items"].flatMap { Int($0) }
        let crawls = MetadumpCrawls()
        let started = OneShot<Start>()
        // The task is stored before anyone can learn of the start, so `finish` always waits for it.
        crawls.task = Task {
            defer { crawls.shared.withLock { $0.finished = true } }
            let first: MetadumpSpool
            var refusal: ServerAnswer?
            do {
                first = try MetadumpSpool(directory: spoolDirectory)
                try await MemcacheConnection.with(host: host, port: port, options: options) { c in
                    try await first.crawl(c) { refusal = $0 }
                }
                if refusal == nil { try first.seal(after: nil) }
            } catch {
                started.resolve(.failure(error))
                return
            }
            if let refusal {
                started.resolve(.success(.refused(refusal)))
                return
            }
            crawls.shared.withLock { $0.spools.append(first) }
            started.resolve(.success(.crawling(crawls)))
            // Failures of the second crawl are recorded in `shared.failure`, never thrown.
            await crawls.secondCrawlIfShort(
                first, currItems: currItems, host: host, port: port, options: options, spoolDirectory: spoolDirectory,
                onExpectedKeys: onExpectedKeys)
        }
        return try await started.value()
    }

    /// A crawl can miss items that the LRU maintainer moves between segments while it runs (right
    /// after a burst of writes, say). When the first listing has fewer lines than `curr_items`, a
    /// second crawl is taken and its keys that the first did not list are fetched too. Expired items
    /// not yet reclaimed are also in `curr_items`, so a short first listing is not by itself a fault.
    private func secondCrawlIfShort(
        _ first: MetadumpSpool, currItems: Int?, host: String, port: Int, options: ConnectionOptions,
        spoolDirectory: String, onExpectedKeys: @Sendable (Int) -> Void
    ) async {
        let firstLines = first.lines
        guard let currItems, firstLines < currItems else {
            onExpectedKeys(firstLines)
            return
        }
        onExpectedKeys(currItems)
        do {
            let second = try MetadumpSpool(directory: spoolDirectory)
            var refusal: ServerAnswer?
            try await MemcacheConnection.with(host: host, port: port, options: options) { c in
                try await second.crawl(c) { answer in
                    refusal = answer
                    if answer == nil {
                        shared.withLock {
                            $0.spools.append(second)
                            $0.secondCrawl = second
                        }
                    }
                }
            }
            if refusal == nil { try second.seal(after: first) }
            let note: (level: String, message: String)
            if let refusal {
                note = ("warning", "the first crawl listed \(firstLines) of \(currItems) items (curr_items); a second crawl was refused (\(refusal))")
            } else {
                note = (
                    "info",
                    "the first crawl listed \(firstLines) of \(currItems) items (curr_items also counts expired items not yet reclaimed, and a crawl can miss items moving between LRU segments); a second crawl listed \(second.lines), and its keys the first did not list are captured too"
                )
            }
            shared.withLock { $0.notes.append(note) }
        } catch {
            shared.withLock { $0.failure = "second crawl: \(error)" }
        }
    }

    /// Waits for the crawls to end (they always run to END) and says what they did.
    public func finish() async -> Summary {
        await task?.value
        return shared.withLock { s in
            Summary(
                lines: s.spools.reduce(0) { $0 + $1.lines }, secondCrawl: s.secondCrawl, notes: s.notes,
                failure: s.failure)
        }
    }

    public func nextKey() throws -> KeyPoll {
        while true {
            let (spool, finished) = shared.withLock { s in (index < s.spools.count ? s.spools[index] : nil, s.finished) }
            guard let spool else { return finished ? .end : .pending }
            let poll = try spool.next()
            if case .end = poll {
                index += 1
                continue
            }
            return poll
        }
    }
}

/// A value set once by one task and awaited by another (whichever comes first).
final class OneShot<T: Sendable>: Sendable {
    private let state = Mutex<(result: Result<T, Error>?, waiter: CheckedContinuation<T, Error>?)>((nil, nil))

    func resolve(_ result: Result<T, Error>) {
        let waiter = state.withLock { s -> CheckedContinuation<T, Error>? in
            guard s.result == nil else { return nil }
            s.result = result
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume(with: result)
    }

    func value() async throws -> T {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<T, Error>) in
            let ready = state.withLock { s -> Result<T, Error>? in
                if let r = s.result { return r }
                s.waiter = c
                return nil
            }
            if let ready { c.resume(with: ready) }
        }
    }
}
