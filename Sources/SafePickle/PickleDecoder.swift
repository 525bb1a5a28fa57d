// SafePickle/PickleDecoder: decodes many pickles in a row on one thread, keeping its working memory
// between calls — the arena's arrays, the memo, the renderer's bookkeeping and the JSON output
// buffer (the input is read where the caller holds it, never copied). Every call starts empty; only
// capacity carries over, so a stream of values costs no fresh allocation, page faults or regrowth per
// value. Buffers that grew past `retainedBytes` are released after the call, so what stays allocated
// is bounded by the larger of that and the working set of the largest pickle decoded so far. Not
// thread-safe: one per thread.

/// The buffers one decode fills, kept between decodes for their allocations (nil while in use).
struct Scratch: ~Copyable {
    var arena: Arena?
    var memo: RawArray<Int32>?
    var active: RawArray<Int32>?
    var sink: RawArray<UInt8>?

    /// Bytes allocated by the buffers kept.
    var allocatedBytes: Int {
        var n = 0
        switch arena {
        case .some(let a): n += a.allocatedBytes
        case .none: break
        }
        switch memo {
        case .some(let m): n += m.allocatedBytes
        case .none: break
        }
        switch active {
        case .some(let a): n += a.allocatedBytes
        case .none: break
        }
        switch sink {
        case .some(let s): n += s.allocatedBytes
        case .none: break
        }
        return n
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

    public init(limits: PickleLimits = .default, retainedBytes: Int = 16 << 20) {
        self.limits = limits
        self.retainedBytes = retainedBytes
    }

    /// Bytes of working memory kept for the next call.
    public var retainedAllocation: Int { scratch.allocatedBytes }

    /// The canonical JSON of `pickle` (one value, no newline).
    public func canonicalJSON(_ pickle: UnsafeRawBufferPointer) -> Result<[UInt8], PickleError> {
        withCanonicalJSON(pickle) { $0.map { Array($0) } }
    }

    /// Calls `body` with the canonical JSON of `pickle`, valid only during the call, or the error.
    public func withCanonicalJSON<R>(
        _ pickle: UnsafeRawBufferPointer,
        _ body: (Result<UnsafeRawBufferPointer, PickleError>) -> R
    ) -> R {
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
    /// VM's error), then takes the working memory back. The arena points into `pickle`, which stays
    /// valid and unchanged for the whole call.
    private func withRenderer<R>(
        _ pickle: UnsafeRawBufferPointer, onError: (PickleError) -> R,
        _ body: (inout Renderer, Int32) -> R
    ) -> R {
        var arena = scratch.arena.take() ?? Arena(input: pickle)
        arena.reset(input: pickle)
        var machine = Machine(arena: arena, memo: scratch.memo.take() ?? RawArray(), limits: limits)
        let outcome: Result<Int32, PickleError>
        do throws(PickleError) {
            outcome = .success(try machine.run())
        } catch {
            outcome = .failure(error)
        }
        let done = machine.finish(memoInto: &scratch.memo)
        let result: R
        switch outcome {
        case .failure(let e):
            result = onError(e)
        case .success(let root):
            let view = done.view
            let writer: JSONWriter
            if let kept = scratch.sink.take() {
                writer = JSONWriter(reusing: kept)
            } else {
                writer = JSONWriter(capacity: Renderer.outputCapacity(view))
            }
            var r = Renderer(arena: view, limits: limits, writer: writer, active: scratch.active.take() ?? RawArray())
            result = body(&r, root)
            scratch.sink = r.finish(activeInto: &scratch.active).takeSink()
        }
        scratch.arena = consume done
        releaseIfLarge()
        return result
    }

    /// Drops the working memory when it has grown past `retainedBytes`.
    private func releaseIfLarge() {
        if retainedAllocation > retainedBytes {
            scratch = Scratch()
        }
    }
}
