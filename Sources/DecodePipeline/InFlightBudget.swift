// DecodePipeline/InFlightBudget: the bytes decode holds between reading and writing — raw values waiting to
// be decoded and decoded values waiting to be written — counted against one limit (`--buffer-mb`),
// whatever the number or size of the records. The reader waits for room before handing over a
// batch (unless nothing is in flight, so one batch larger than the limit still moves); a worker that
// finds the limit reached leaves the rest of its batch undecoded for the writing thread, which
// decodes those values one at a time as it writes them; the writer gives the bytes back after
// writing each batch.
import Foundation

final class InFlightBudget: @unchecked Sendable {
    let limit: Int
    private let condition = NSCondition()
    private var used = 0
    private var cancelled = false

    init(limit: Int) { self.limit = max(1, limit) }

    /// Waits until `bytes` fit (or nothing is in flight), then counts them; false once cancelled.
    func reserve(_ bytes: Int) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while used > 0 && used + bytes > limit && !cancelled { condition.wait() }
        if cancelled { return false }
        used += bytes
        return true
    }

    /// True while the bytes in flight are below the limit (a worker asks before decoding a value).
    var hasRoom: Bool {
        condition.lock()
        defer { condition.unlock() }
        return used < limit
    }

    /// Counts bytes that are already held (a decoded value).
    func add(_ bytes: Int) {
        condition.lock()
        used += bytes
        condition.unlock()
    }

    func release(_ bytes: Int) {
        condition.lock()
        used -= bytes
        condition.broadcast()
        condition.unlock()
    }

    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }
}
