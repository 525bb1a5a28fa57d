// CacheValues/SafePickleRenderer: PickleRendering backed by the SafePickle module (non-executing VM,
// canonical JSON, limits), the renderer `decode` uses. It keeps a pool of reusable `PickleDecoder`s,
// one per concurrent caller, so decoding a stream of values reuses their working memory.
import SafePickle
import Synchronization

public struct SafePickleRenderer: PickleRendering {
    public let limits: PickleLimits
    private let pool: DecoderPool

    public init(limits: PickleLimits = .default) {
        self.limits = limits
        pool = DecoderPool(limits: limits)
    }

    public func render(_ pickle: UnsafeRawBufferPointer) -> PickleOutcome {
        switch pool.withDecoder({ $0.json(pickle, splittingCachedValue: true) }) {
        case .success(.value(let json)): return .json(json)
        case .success(.cachedValue(let payload, let metadata)): return .cachedValue(payload: payload, metadata: metadata)
        case .failure(let e): return SafePickleRenderer.failure(e)
        }
    }

    static func failure(_ e: PickleError) -> PickleOutcome {
        .failure(kind: e.kind.rawValue, message: e.message, offset: e.offset >= 0 ? e.offset : nil)
    }

    public func disassemble(_ pickle: UnsafeRawBufferPointer) -> String { SafePickle.disassemble(Array(pickle)) }
}

/// Idle decoders. A caller takes one (or makes one when none is idle), uses it alone and puts it back,
/// so there are never more decoders than callers at once.
final class DecoderPool: Sendable {
    /// A decoder handed between threads. Safe because the pool gives each to one caller at a time:
    /// it is either idle in the pool or used by the single caller that took it.
    private struct Handoff: @unchecked Sendable { let decoder: PickleDecoder }

    private let idle = Mutex<[Handoff]>([])
    let limits: PickleLimits

    init(limits: PickleLimits) { self.limits = limits }

    func withDecoder<R>(_ body: (PickleDecoder) -> R) -> R {
        let taken = idle.withLock { $0.popLast() } ?? Handoff(decoder: PickleDecoder(limits: limits))
        let result = body(taken.decoder)
        idle.withLock { $0.append(taken) }
        return result
    }
}
