// CacheValues/SafePickleRenderer: PickleRendering backed by the SafePickle module.
import SafePickle

public struct SafePickleRenderer: PickleRendering {
    public init() {}
    public func render(_ pickle: UnsafeRawBufferPointer) -> PickleOutcome {
        .failure(kind: "unsupported", message: "SafePickle not merged yet", offset: nil)
    }
    public func disassemble(_ pickle: UnsafeRawBufferPointer) -> String { "" }
}
