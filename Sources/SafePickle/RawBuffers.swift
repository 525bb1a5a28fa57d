// SafePickle/RawBuffers: two uniquely owned (noncopyable) growable buffers for the hot paths — the
// JSON output bytes (`ByteSink`) and the VM/renderer work stacks (`RawStack`). A Swift Array costs a
// uniqueness check and a capacity check on every append; these cost one capacity check, and because
// they cannot be copied there is no copy-on-write to guard against.
//
// Bounds invariant of both (by construction): `base` points to `capacity` allocated elements, the
// first `count` of them initialised, and 0 <= count <= capacity at every return. Every write goes
// through `reserve(n)` first, which leaves capacity - count >= n; every read index is checked against
// `count` (or derived from `count` in the same function), so no access leaves [0, count).

/// Output bytes of the JSON writer.
struct ByteSink: ~Copyable {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// Makes room for `n` more bytes (n >= 0).
    @inline(__always) mutating func reserve(_ n: Int) {
        if capacity &- count < n { grow(n) }
    }

    @inline(never) private mutating func grow(_ n: Int) {
        capacity = max(capacity * 2, count + n)
        base = reallocated(base, count: count, capacity: capacity)
    }

    @inline(__always) mutating func append(_ b: UInt8) {
        reserve(1)
        base[count] = b
        count &+= 1
    }

    @inline(__always) mutating func append(_ bytes: UnsafeRawBufferPointer) {
        let n = bytes.count
        guard n > 0, let src = bytes.baseAddress else { return }
        reserve(n)
        (base + count).initialize(from: src.assumingMemoryBound(to: UInt8.self), count: n)
        count &+= n
    }

    @inline(__always) mutating func append(_ s: StaticString) {
        append(UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    /// Writes up to `maxBytes` bytes straight into the buffer: `body` gets a pointer to `maxBytes`
    /// writable bytes and returns how many it wrote (clamped to 0...maxBytes).
    @inline(__always) mutating func write(maxBytes: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int) {
        reserve(maxBytes)
        let n = body(base + count)
        count &+= min(max(n, 0), maxBytes)
    }

    /// A copy of the bytes written so far.
    func array() -> [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }

    /// The bytes written so far, valid until the next mutation.
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// Forgets the bytes written, keeping the allocation.
    mutating func removeAll() { count = 0 }

    /// Bytes allocated.
    var allocatedBytes: Int { capacity }
}

/// A stack of plain values (node ids, marks, render tasks, open containers).
struct RawStack<Element: BitwiseCopyable>: ~Copyable {
    private var base: UnsafeMutablePointer<Element>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 16) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    /// Elements are trivial (BitwiseCopyable): nothing to deinitialise, only the memory to free.
    deinit { base.deallocate() }

    var isEmpty: Bool { count == 0 }

    @inline(never) private mutating func grow() {
        capacity *= 2
        base = reallocated(base, count: count, capacity: capacity)
    }

    @inline(__always) mutating func append(_ v: Element) {
        if count == capacity { grow() }
        (base + count).initialize(to: v)
        count &+= 1
    }

    @inline(__always) mutating func popLast() -> Element? {
        guard count > 0 else { return nil }
        count &-= 1
        return base[count]
    }

    @inline(__always) var last: Element? { count > 0 ? base[count &- 1] : nil }

    /// The element at `i`, or nil outside [0, count).
    @inline(__always) func at(_ i: Int) -> Element? {
        i >= 0 && i < count ? base[i] : nil
    }

    /// Updates the top element in place (no-op on an empty stack).
    @inline(__always) mutating func updateLast(_ body: (inout Element) -> Void) {
        guard count > 0 else { return }
        body(&base[count &- 1])
    }

    /// Drops every element at index >= `height` (no-op when `height` >= count; clamped at 0).
    @inline(__always) mutating func truncate(to height: Int) {
        if height < count { count = max(height, 0) }
    }

    /// A read-only view of the elements at [from, count) (empty when `from` is out of range). Valid
    /// until the next mutation.
    @inline(__always) func suffix(from: Int) -> UnsafeBufferPointer<Element> {
        let f = min(max(from, 0), count)
        return UnsafeBufferPointer(start: base + f, count: count - f)
    }
}

/// Moves the first `count` elements at `base` into a new allocation of `capacity` (≥ `count`) and
/// frees `base`.
@inline(never)
func reallocated<T>(_ base: UnsafeMutablePointer<T>, count: Int, capacity: Int) -> UnsafeMutablePointer<T> {
    let fresh = UnsafeMutablePointer<T>.allocate(capacity: capacity)
    fresh.moveInitialize(from: base, count: count)
    base.deallocate()
    return fresh
}
