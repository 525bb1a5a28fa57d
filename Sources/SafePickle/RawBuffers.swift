// SafePickle/RawBuffers: the storage of the hot paths. `RawArray` is a uniquely owned (noncopyable)
// growable array of plain values — the arena's nodes, records, sequences and decoded bytes, the memo,
// the VM and renderer work stacks and the JSON output. A Swift Array pays a uniqueness check (a runtime
// call) on every append and every element write; a RawArray pays one capacity check on an append and
// one bounds check on an access, and because it cannot be copied there is no copy-on-write to guard.
// `BufferView` is a checked read-only view of one, taken after the last change (the renderer's view
// of the arena).
//
// Bounds invariant of RawArray (by construction): `base` points to `capacity` allocated elements, the
// first `count` of them initialised, and 0 <= count <= capacity at every return. Every write goes
// through `reserve(n)` first, which leaves capacity - count >= n; every element access is checked
// against `count`.

import ByteText

struct RawArray<Element: BitwiseCopyable>: ~Copyable {
    private(set) var base: UnsafeMutablePointer<Element>
    private(set) var count = 0
    private(set) var capacity: Int

    init(capacity: Int = 16) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    /// Elements are trivial (BitwiseCopyable): nothing to deinitialise, only the memory to free.
    deinit { base.deallocate() }

    var isEmpty: Bool { count == 0 }

    /// Bytes allocated.
    var allocatedBytes: Int { capacity * MemoryLayout<Element>.stride }

    /// Makes room for `n` more elements (n >= 0).
    @inline(__always) mutating func reserve(_ n: Int) {
        if capacity &- count < n { grow(n) }
    }

    @inline(never) private mutating func grow(_ n: Int) {
        capacity = max(capacity * 2, count + n)
        base = reallocated(base, count: count, capacity: capacity)
    }

    /// The element at `i`. An internal invariant, as Array's own bounds check was: every index comes
    /// from the decoder's own bookkeeping, so no input reaches a failing check.
    @inline(__always) subscript(i: Int) -> Element {
        get {
            precondition(i >= 0 && i < count, "RawArray index out of range")
            return base[i]
        }
        set {
            precondition(i >= 0 && i < count, "RawArray index out of range")
            base[i] = newValue
        }
    }

    @inline(__always) mutating func append(_ v: Element) {
        reserve(1)
        (base + count).initialize(to: v)
        count &+= 1
    }

    mutating func append(contentsOf items: UnsafeBufferPointer<Element>) {
        let n = items.count
        guard n > 0, let src = items.baseAddress else { return }
        reserve(n)
        (base + count).initialize(from: src, count: n)
        count &+= n
    }

    mutating func append<C: Collection>(contentsOf items: C) where C.Element == Element {
        reserve(items.count)
        for v in items {
            (base + count).initialize(to: v)
            count &+= 1
        }
    }

    mutating func append(repeating v: Element, count n: Int) {
        guard n > 0 else { return }
        reserve(n)
        (base + count).initialize(repeating: v, count: n)
        count &+= n
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

    /// Updates the last element in place (no-op when empty).
    @inline(__always) mutating func updateLast(_ body: (inout Element) -> Void) {
        guard count > 0 else { return }
        body(&base[count &- 1])
    }

    /// Drops every element at index >= `height` (no-op when `height` >= count; clamped at 0).
    @inline(__always) mutating func truncate(to height: Int) {
        if height < count { count = max(height, 0) }
    }

    /// Forgets the elements, keeping the allocation.
    mutating func removeAll() { count = 0 }

    /// A read-only view of the elements at [from, count) (empty when `from` is out of range). Valid
    /// until the next mutation.
    @inline(__always) func suffix(from: Int) -> UnsafeBufferPointer<Element> {
        let f = min(max(from, 0), count)
        return UnsafeBufferPointer(start: base + f, count: count - f)
    }

    /// A checked view of all elements, valid until the next mutation.
    @inline(__always) var view: BufferView<Element> { BufferView(base: UnsafePointer(base), count: count) }
}

extension RawArray where Element == UInt8 {
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

    /// `write(maxBytes:)` for a decoder that may fail: `body` returns nil (or a count outside
    /// 0...maxBytes) to fail, and then nothing is kept. Returns whether the bytes were kept.
    @inline(__always) mutating func tryWrite(maxBytes: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int?) -> Bool {
        reserve(maxBytes)
        guard let n = body(base + count), n >= 0, n <= maxBytes else { return false }
        count &+= n
        return true
    }

    /// A copy of the bytes written so far.
    func array() -> [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }

    /// The bytes written so far, valid until the next mutation.
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }
}

/// A read-only, zero-based, bounds-checked view of `count` elements at `base` (no reference is taken,
/// so making one costs nothing). Valid while what it views is not changed or freed.
struct BufferView<Element>: RandomAccessCollection {
    let base: UnsafePointer<Element>?
    let count: Int

    init(base: UnsafePointer<Element>?, count: Int) {
        self.base = base
        self.count = count
    }

    var startIndex: Int { 0 }
    var endIndex: Int { count }
    @inline(__always) subscript(i: Int) -> Element {
        // An internal invariant, as Array's own bounds check was: every caller checks `count` first
        // or indexes with an id the decoder made, so no input reaches this.
        precondition(i >= 0 && i < count, "view index out of range")
        return base.unsafelyUnwrapped[i]
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

/// The decoder's JSON output buffer is where the shared byte writers (`JSONString`, `Base64`,
/// `DecimalText`) append.
extension RawArray: ByteSink where Element == UInt8 {
    @inline(__always) mutating func appendByte(_ byte: UInt8) { append(byte) }
    @inline(__always) mutating func appendBytes(_ bytes: UnsafeRawBufferPointer) { append(bytes) }
    @inline(__always) mutating func reserveMore(_ count: Int) { reserve(count) }
}
