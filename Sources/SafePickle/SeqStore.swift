// SafePickle/SeqStore: the children of every container (and the APPEND/SETITEM annotations of
// records) in one flat pool of node ids, so no Swift array is allocated per container. A sequence is
// a span of the pool with spare capacity; growing one that is not at the end of the pool moves it to
// the end with doubled capacity, so the pool stays within a small constant factor of the item count.

/// One sequence's place in the pool: items at [start, start+count), room up to start+capacity.
struct SeqSpan {
    var start: Int
    var count: Int
    var capacity: Int
}

/// The items of one sequence: a checked view of the pool.
typealias SeqItems = BufferView<Int32>

/// The sequences, growable (the VM's side).
struct SeqStore: ~Copyable {
    var pool = RawArray<Int32>(capacity: 256)
    var spans = RawArray<SeqSpan>(capacity: 64)

    init() {}

    /// Forgets every sequence, keeping the allocations.
    mutating func removeAll() {
        pool.removeAll()
        spans.removeAll()
    }

    /// Number of sequences.
    var count: Int { spans.count }

    /// A read-only view of every sequence, valid until the next change.
    @inline(__always) var view: SeqView { SeqView(pool: pool.view, spans: spans.view) }

    @inline(__always) func count(of i: Int) -> Int { spans[i].count }

    @inline(__always) func element(_ i: Int, _ k: Int) -> Int32 { pool[spans[i].start + k] }

    @inline(__always) mutating func set(_ i: Int, _ k: Int, _ v: Int32) { pool[spans[i].start + k] = v }

    /// A new sequence holding `items` (which must not be a view of this store); returns its index.
    mutating func add<C: Collection>(_ items: C) -> Int where C.Element == Int32 {
        spans.append(SeqSpan(start: pool.count, count: items.count, capacity: items.count))
        pool.append(contentsOf: items)
        return spans.count - 1
    }

    /// `add` for the VM's stack slices (the usual 1–3 items copied one by one, no generic loop).
    @inline(__always) mutating func add(_ items: UnsafeBufferPointer<Int32>) -> Int {
        spans.append(SeqSpan(start: pool.count, count: items.count, capacity: items.count))
        pool.reserve(items.count)
        for v in items { pool.append(v) }
        return spans.count - 1
    }

    mutating func addEmpty() -> Int {
        spans.append(SeqSpan(start: pool.count, count: 0, capacity: 0))
        return spans.count - 1
    }

    @inline(__always) mutating func append(_ i: Int, _ v: Int32) {
        let s = spans[i]
        if s.count == s.capacity && s.start + s.capacity == pool.count {  // full, but last in the pool
            pool.append(v)
            spans[i].count += 1
            spans[i].capacity += 1
            return
        }
        let at = reserve(i, 1)
        pool[at] = v
        spans[i].count += 1
    }

    /// Appends `items` (which must not be a view of this store) to sequence `i`.
    mutating func append(_ i: Int, contentsOf items: UnsafeBufferPointer<Int32>) {
        if items.isEmpty { return }
        let s = spans[i]
        if s.count == s.capacity && s.start + s.capacity == pool.count {  // full, but last in the pool
            pool.append(contentsOf: items)
            spans[i].count += items.count
            spans[i].capacity += items.count
            return
        }
        var at = reserve(i, items.count)
        for v in items {
            pool[at] = v
            at += 1
        }
        spans[i].count += items.count
    }

    /// Makes room for `extra` more items of sequence `i`; returns the pool position of the first.
    private mutating func reserve(_ i: Int, _ extra: Int) -> Int {
        let s = spans[i]
        let need = s.count + extra
        if need <= s.capacity { return s.start + s.count }
        if s.start + s.capacity == pool.count {
            pool.append(repeating: 0, count: need - s.capacity)
            spans[i].capacity = need
            return s.start + s.count
        }
        let newCapacity = max(need, s.count * 2, 4)
        let newStart = pool.count
        pool.reserve(newCapacity)
        for k in 0..<s.count { pool.append(pool[s.start + k]) }
        pool.append(repeating: 0, count: newCapacity - s.count)
        spans[i] = SeqSpan(start: newStart, count: s.count, capacity: newCapacity)
        return newStart + s.count
    }
}

/// The sequences, read-only (the renderer's side, and the VM's for hashing and comparing).
struct SeqView {
    let pool: BufferView<Int32>
    let spans: BufferView<SeqSpan>

    @inline(__always) func count(of i: Int) -> Int { spans[i].count }

    @inline(__always) func element(_ i: Int, _ k: Int) -> Int32 { pool[spans[i].start + k] }

    /// The items of sequence `i`.
    @inline(__always) func items(of i: Int) -> SeqItems {
        let s = spans[i]
        // An internal invariant: SeqStore only makes spans inside its pool (no input reaches this).
        precondition(s.start >= 0 && s.start + s.count <= pool.count, "sequence outside the pool view")
        return SeqItems(base: pool.base.map { $0 + s.start }, count: s.count)
    }
}
