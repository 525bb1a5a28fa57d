// LineBlocks/ReorderBuffer: hands batches made by several worker threads back to the writer in their
// original order. A worker more than `window` batches ahead waits, so memory stays bounded and the
// worker holding the next batch is never the one waiting.
import Foundation

public final class ReorderBuffer<Element>: @unchecked Sendable {
    private let condition = NSCondition()
    private var pending: [Int: Element] = [:]
    private var next = 0
    private let window: Int
    private var cancelled = false

    public init(window: Int) { self.window = max(1, window) }

    /// Stores batch `seq`; waits while it is `window` or more ahead of the next one due. False if cancelled.
    @discardableResult
    public func put(_ seq: Int, _ element: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while seq - next >= window && !cancelled { condition.wait() }
        if cancelled { return false }
        pending[seq] = element
        condition.broadcast()
        return true
    }

    /// The next batch in order, waiting until it is there.
    public func take() -> Element {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let e = pending.removeValue(forKey: next) {
                next += 1
                condition.broadcast()
                return e
            }
            condition.wait()
        }
    }

    public func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }
}
