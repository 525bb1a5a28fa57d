// CacheValues/SafePickleRenderer: PickleRendering backed by the SafePickle module (non-executing VM,
// canonical JSON, limits), the renderer `decode` uses.
import SafePickle

public struct SafePickleRenderer: PickleRendering {
    public var limits: PickleLimits

    public init(limits: PickleLimits = .default) { self.limits = limits }

    public func render(_ pickle: UnsafeRawBufferPointer) -> PickleOutcome {
        let value: PickleValue
        switch SafePickle.decode(Array(pickle), limits: limits) {
        case .success(let v): value = v
        case .failure(let e): return SafePickleRenderer.failure(e)
        }
        if let (payload, metadata) = value.cachedValueJSON() {
            switch (payload, metadata) {
            case (.success(let p), .success(let m)): return .cachedValue(payload: p, metadata: m)
            case (.failure(let e), _), (_, .failure(let e)): return SafePickleRenderer.failure(e)
            }
        }
        switch value.canonicalJSON() {
        case .success(let json): return .json(json)
        case .failure(let e): return SafePickleRenderer.failure(e)
        }
    }

    static func failure(_ e: PickleError) -> PickleOutcome {
        .failure(kind: e.kind.rawValue, message: e.message, offset: e.offset >= 0 ? e.offset : nil)
    }

    public func disassemble(_ pickle: UnsafeRawBufferPointer) -> String { SafePickle.disassemble(Array(pickle)) }
}
