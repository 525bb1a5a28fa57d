// DumpContainer/Monitor: a pthread mutex with condition variables on the monotonic clock, for the
// writer's producer, compression workers and member timer: its timed waits run on the monotonic clock,
// which NSCondition cannot do (LineBlocks/DoneSignal.swift says how the project waits and locks).
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A mutex plus named condition variables sharing it. Storage is allocated once (pthread objects must not move).
final class Monitor: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let conds: UnsafeMutablePointer<pthread_cond_t>
    private let condCount: Int

    init(conditions: Int) {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        condCount = conditions
        conds = .allocate(capacity: conditions)
        conds.initialize(repeating: pthread_cond_t(), count: conditions)
        var attr = pthread_condattr_t()
        pthread_condattr_init(&attr)
        #if canImport(Glibc)
            pthread_condattr_setclock(&attr, CLOCK_MONOTONIC)
        #endif
        for i in 0..<conditions { pthread_cond_init(conds + i, &attr) }
        pthread_condattr_destroy(&attr)
    }

    deinit {
        for i in 0..<condCount { pthread_cond_destroy(conds + i) }
        pthread_mutex_destroy(mutex)
        conds.deinitialize(count: condCount)
        conds.deallocate()
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    func lock() { pthread_mutex_lock(mutex) }
    func unlock() { pthread_mutex_unlock(mutex) }

    func withLock<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        lock()
        defer { unlock() }
        return try body()
    }

    /// Waits on condition `c` (the mutex must be held).
    func wait(_ c: Int) { pthread_cond_wait(conds + c, mutex) }

    /// Waits on condition `c` until the monotonic time `deadline` (nanoseconds) at the latest.
    func wait(_ c: Int, untilNanos deadline: UInt64) {
        #if canImport(Glibc)
            var ts = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
            pthread_cond_timedwait(conds + c, mutex, &ts)
        #else
            let now = Monitor.nowNanos()
            let delta = deadline > now ? deadline - now : 0
            var ts = timespec(tv_sec: Int(delta / 1_000_000_000), tv_nsec: Int(delta % 1_000_000_000))
            pthread_cond_timedwait_relative_np(conds + c, mutex, &ts)
        #endif
    }

    func signal(_ c: Int) { pthread_cond_signal(conds + c) }
    func broadcast(_ c: Int) { pthread_cond_broadcast(conds + c) }

    /// Monotonic clock in nanoseconds.
    static func nowNanos() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
