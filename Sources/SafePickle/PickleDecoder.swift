// SafePickle/PickleDecoder: decodes many pickles in a row on one thread, keeping its working memory
// between calls — the copy of the input, the arena's arrays, the memo, the renderer's bookkeeping and
// the JSON output buffer. Every call starts empty; only capacity carries over, so a stream of values
// costs no fresh allocation, page faults or regrowth per value. Buffers that grew past
// `retainedBytes` are released after the call, so what stays allocated is bounded by the larger of
// that and the working set of the largest pickle decoded so far. Not thread-safe: one per thread.

/// The arrays one decode fills, kept between decodes for their capacity.
struct Scratch {
    var input: [UInt8] = []
    var nodes: [Node] = []
    var records: [Record] = []
    var aux: [UInt8] = []
    var pool: [Int32] = []
    var spans: [SeqSpan] = []
    var memo: [Int32] = []
    var active: [Int32] = []

    /// Moves `array` out (leaving an empty one) and empties it, keeping its allocation.
    static func take<T>(_ array: inout [T]) -> [T] {
        var out: [T] = []
        swap(&out, &array)
        out.removeAll(keepingCapacity: true)
        return out
    }

    /// Bytes allocated by the arrays.
    var allocatedBytes: Int {
        input.capacity + nodes.capacity * MemoryLayout<Node>.stride + records.capacity * MemoryLayout<Record>.stride
            + aux.capacity + (pool.capacity + memo.capacity + active.capacity) * 4
            + spans.capacity * MemoryLayout<SeqSpan>.stride
    }
}

/// A pickle's canonical JSON: the whole value, or a top-level dogpile `CachedValue` as its payload and
/// metadata rendered separately (each as its own root, as `PickleValue.cachedValueJSON` does).
public enum PickleJSON: Sendable, Equatable {
    case value([UInt8])
    case cachedValue(payload: [UInt8], metadata: [UInt8])
}

public final class PickleDecoder {
    public let limits: PickleLimits
    /// Working memory above this many bytes is released after a call instead of kept.
    public let retainedBytes: Int
    private var scratch = Scratch()
    private var sink: ByteSink?

    public init(limits: PickleLimits = .default, retainedBytes: Int = 16 << 20) {
        self.limits = limits
        self.retainedBytes = retainedBytes
    }

    /// Bytes of working memory kept for the next call.
    public var retainedAllocation: Int { scratch.allocatedBytes + (sink?.allocatedBytes ?? 0) }

    /// The canonical JSON of `pickle` (one value, no newline).
    public func canonicalJSON(_ pickle: UnsafeRawBufferPointer) -> Result<[UInt8], PickleError> {
        withCanonicalJSON(pickle) { $0.map { Array($0) } }
    }

    /// Calls `body` with the canonical JSON of `pickle`, valid only during the call, or the error.
    public func withCanonicalJSON<R>(_ pickle: UnsafeRawBufferPointer,
                                     _ body: (Result<UnsafeRawBufferPointer, PickleError>) -> R) -> R {
        withRenderer(pickle, onError: { body(.failure($0)) }) { r, root in
            do throws(PickleError) {
                try r.write(root)
            } catch {
                return body(.failure(error))
            }
            return body(.success(r.w.out.bytes))
        }
    }

    /// The canonical JSON of `pickle`; with `splittingCachedValue`, a top-level dogpile `CachedValue`
    /// comes back as its payload and metadata, each rendered as its own root.
    public func json(_ pickle: UnsafeRawBufferPointer, splittingCachedValue: Bool) -> Result<PickleJSON, PickleError> {
        withRenderer(pickle, onError: { .failure($0) }) { r, root in
            do throws(PickleError) {
                guard splittingCachedValue, let (payload, metadata) = r.cachedValueParts(root) else {
                    try r.write(root)
                    return .success(.value(r.w.out.array()))
                }
                try r.write(payload)
                let p = r.w.out.array()
                r.restart()
                try r.write(metadata)
                return .success(.cachedValue(payload: p, metadata: r.w.out.array()))
            } catch {
                return .failure(error)
            }
        }
    }

    /// Runs the VM over `pickle` and calls `body` with a renderer of the result (or `onError` with the
    /// VM's error), then takes the working memory back.
    private func withRenderer<R>(_ pickle: UnsafeRawBufferPointer, onError: (PickleError) -> R,
                                 _ body: (inout Renderer, Int32) -> R) -> R {
        var input = Scratch.take(&scratch.input)
        input.append(contentsOf: pickle)
        var machine = Machine(input: input, limits: limits, reusing: &scratch)
        let outcome: Result<Int32, PickleError>
        do throws(PickleError) {
            outcome = .success(try machine.run())
        } catch {
            outcome = .failure(error)
        }
        let arena = machine.finish(recyclingMemoInto: &scratch)
        defer {
            arena.recycle(into: &scratch)
            releaseIfLarge()
        }
        let root: Int32
        switch outcome {
        case .failure(let e): return onError(e)
        case .success(let r): root = r
        }
        return arena.input.withUnsafeBytes { inp in
            arena.aux.withUnsafeBytes { aux in
                arena.seqs.pool.withUnsafeBufferPointer { pool in
                    let writer: JSONWriter
                    if let kept = sink.take() {
                        writer = JSONWriter(reusing: kept)
                    } else {
                        writer = JSONWriter(capacity: Renderer.outputCapacity(arena))
                    }
                    var r = Renderer(arena: arena, limits: limits, input: inp, aux: aux, pool: pool, writer: writer,
                                     active: Scratch.take(&scratch.active))
                    let result = body(&r, root)
                    scratch.active = Scratch.take(&r.active)
                    sink = r.finish().takeSink()
                    return result
                }
            }
        }
    }

    /// Drops the working memory when it has grown past `retainedBytes`.
    private func releaseIfLarge() {
        if retainedAllocation > retainedBytes {
            scratch = Scratch()
            sink = nil
        }
    }
}
