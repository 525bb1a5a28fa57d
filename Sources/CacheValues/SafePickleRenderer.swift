// CacheValues/SafePickleRenderer: PickleRendering backed by the SafePickle module (non-executing VM,
// canonical JSON, limits), the renderer `decode` uses.
import SafePickle

public struct SafePickleRenderer: PickleRendering {
    public var limits: PickleLimits

    public init(limits: PickleLimits = .default) { self.limits = limits }

    public func render(_ pickle: UnsafeRawBufferPointer) -> PickleOutcome {
        switch SafePickle.canonicalJSON(Array(pickle), limits: limits) {
        case .success(let json): return .json(json)
        case .failure(let e): return .failure(kind: e.kind.rawValue, message: e.message, offset: e.offset >= 0 ? e.offset : nil)
        }
    }

    public func disassemble(_ pickle: UnsafeRawBufferPointer) -> String { SafePickle.disassemble(Array(pickle)) }
}
