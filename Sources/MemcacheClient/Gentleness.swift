// MemcacheClient/Gentleness: what keeps a capture gentle and stoppable — token buckets for
// `--rate` (items/s) and `--bandwidth` (bytes/s), a stop flag set by signals, shared progress counters.
import Synchronization

/// A token bucket: `take(n)` returns how long to wait before spending `n` tokens (tokens may go
/// negative, so one large item is never refused, only paid for afterwards).
public final class TokenBucket: Sendable {
    private struct State {
        var tokens: Double
        var last: Double
    }
    public let ratePerSecond: Double
    public let burst: Double
    private let state: Mutex<State>

    public init(ratePerSecond: Double, burst: Double? = nil) {
        self.ratePerSecond = ratePerSecond
        let b = burst ?? max(1, ratePerSecond / 4)
        self.burst = b
        self.state = Mutex(State(tokens: b, last: MonotonicClock.seconds()))
    }

    /// Seconds to wait after spending `n` tokens now.
    public func take(_ n: Double, now: Double = MonotonicClock.seconds()) -> Double {
        state.withLock { s in
            s.tokens = min(burst, s.tokens + (now - s.last) * ratePerSecond)
            s.last = now
            s.tokens -= n
            return s.tokens >= 0 ? 0 : -s.tokens / ratePerSecond
        }
    }

    /// Spends `n` tokens, sleeping as long as needed (returns early when `stop` is set).
    public func spend(_ n: Double, stop: StopFlag) async {
        var wait = take(n)
        while wait > 0 && !stop.isSet {
            let slice = min(wait, 0.2)
            try? await Task.sleep(nanoseconds: UInt64(slice * 1e9))
            wait -= slice
        }
    }
}

/// Set once (by SIGINT/SIGTERM or the run's time limit); capture loops check it between batches.
/// The first reason given is kept.
public final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    private let why = Mutex<String?>(nil)
    public init() {}
    public var isSet: Bool { flag.load(ordering: .acquiring) }
    /// Why the capture was stopped ("interrupted by a signal", "time limit of 60 s reached").
    public var reason: String? { why.withLock { $0 } }
    public func set(reason: String = "stopped") {
        why.withLock { if $0 == nil { $0 = reason } }
        flag.store(true, ordering: .releasing)
    }
}

/// Live counters of one host's capture (read by the progress line).
public final class CaptureProgress: Sendable {
    public let listed = Atomic<Int>(0)
    public let captured = Atomic<Int>(0)
    public let missed = Atomic<Int>(0)
    public let valueBytes = Atomic<Int>(0)
    /// A watch window: events kept (−1: no window), the collector's own left out, lines memcached
    /// skipped, and when the window ends (monotonic milliseconds, 0 until it starts).
    public let watchEvents = Atomic<Int>(-1)
    public let watchOwn = Atomic<Int>(0)
    public let watchSkipped = Atomic<Int>(0)
    public let watchEndsAtMillis = Atomic<Int>(0)
    public init() {}
}
