// LineBlocks/DoneSignal: one thread waits until another says it is done (a reader thread's end, a
// digest computed beside the work). Built on NSCondition like the queue and the reorder buffer, so
// the threads of decode, attribute and report wait one way.
//
// How the project waits and locks, and why there is more than one way:
// - Mutex and Atomic (the standard library's Synchronization) guard shared state that no one waits
//   for: counters, pools of idle decoders, the gentleness limits.
// - NSCondition (BoundedQueue, ReorderBuffer, DoneSignal, decode's in-flight budget): threads that
//   wait for each other — producers, workers, consumers.
// - DumpContainer's Monitor (a pthread mutex and condition variables): the dump writer's member timer
//   waits with a deadline on the monotonic clock, which NSCondition cannot (it waits until a wall-clock
//   Date, which jumps with the system clock).
// - SwiftNIO event loops and futures (MemcacheClient): collect's network I/O, where nothing blocks.
import Foundation

public final class DoneSignal: @unchecked Sendable {
    private let condition = NSCondition()
    private var done = false

    public init() {}

    /// Says done; every waiter, now or later, goes on.
    public func signal() {
        condition.lock()
        done = true
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until `signal` has been called.
    public func wait() {
        condition.lock()
        while !done { condition.wait() }
        condition.unlock()
    }
}
