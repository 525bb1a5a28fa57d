// LineBlocks/BoundedQueue: a blocking FIFO of bounded length between a reading thread and its
// workers (decode: inflate + parse → values + NDJSON; attribute, report: line blocks), so both cores
// work and memory stays flat.
import Foundation

public final class BoundedQueue<Element>: @unchecked Sendable {
    private let condition = NSCondition()
    /// Popped slots are emptied at once, so a queue of large elements never holds more than `capacity`.
    private var items: [Element?] = []
    private var head = 0
    private let capacity: Int
    private var cancelled = false

    public init(capacity: Int) { self.capacity = max(1, capacity) }

    /// Appends, waiting while the queue is full; false if the consumer cancelled.
    @discardableResult
    public func push(_ element: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count - head >= capacity && !cancelled { condition.wait() }
        if cancelled { return false }
        items.append(element)
        condition.broadcast()
        return true
    }

    /// Removes the oldest element, waiting while the queue is empty; nil once cancelled and empty.
    public func pop() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while items.count - head == 0 {
            if cancelled { return nil }
            condition.wait()
        }
        let e = items[head]!
        items[head] = nil
        head += 1
        if head > 64 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        condition.broadcast()
        return e
    }

    /// Makes every pending and later `push` return false (the consumer stopped early).
    public func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    public var isCancelled: Bool {
        condition.lock()
        defer { condition.unlock() }
        return cancelled
    }
}
