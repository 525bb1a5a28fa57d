// CacheValues/PickleRendering: the seam between value decoding and the pickle decoder — any type
// that turns pickle bytes into canonical JSON (docs/canonical-json.md) without executing anything.

/// What a pickle became: canonical JSON, or a failure with its kind, message and byte offset.
public enum PickleOutcome: Sendable, Equatable {
    case json([UInt8])
    /// The top level is a dogpile `CachedValue`, rendered as its payload and metadata separately
    /// (a renderer may also return `.json` with a `{"$cachedvalue": …}` object; both are unwrapped).
    case cachedValue(payload: [UInt8], metadata: [UInt8])
    case failure(kind: String, message: String, offset: Int?)
}

/// A non-executing pickle → canonical JSON converter.
public protocol PickleRendering: Sendable {
    func render(_ pickle: UnsafeRawBufferPointer) -> PickleOutcome
    /// A pickletools-style listing of the opcodes (for `decode --disassemble`).
    func disassemble(_ pickle: UnsafeRawBufferPointer) -> String
}
