// SafePickle: a non-executing decoder of Python pickles (protocols 0–5, Python 2 and 3) into the
// canonical JSON of docs/canonical-json.md. Nothing is imported or called: class and function
// references become symbolic records, known types (datetime, Decimal, UUID, set, CachedValue, …)
// become marker objects. Every failure is a `PickleError` (kind, message, byte offset); limits bound
// time and memory on hostile input; no recursion without a bound anywhere.
//
// API:
//   SafePickle.decode(_ bytes: [UInt8], limits: PickleLimits = .default) -> Result<PickleValue, PickleError>
//   SafePickle.canonicalJSON(_ bytes: [UInt8], limits:) -> Result<[UInt8], PickleError>   // one JSON value, no newline
//   PickleDecoder(limits:)                                              // reusable, one per thread
//     .canonicalJSON(_ pickle: UnsafeRawBufferPointer) -> Result<[UInt8], PickleError>
//     .json(_ pickle: UnsafeRawBufferPointer, splittingCachedValue: Bool) -> Result<PickleJSON, PickleError>
//     .withCanonicalJSON(_ pickle:, _ body: (Result<UnsafeRawBufferPointer, PickleError>) -> R) -> R
//   SafePickle.errorJSON(_ error: PickleError) -> [UInt8]              // {"$error": kind, "$detail": message}
//   SafePickle.protocolVersion(_ bytes: [UInt8]) -> Int?               // the PROTO byte, nil for protocol 0/1 streams
//   SafePickle.disassemble(_ bytes: [UInt8]) -> String                  // a pickletools.dis-like listing
//   PickleValue.canonicalJSON() -> Result<[UInt8], PickleError>
//   PickleValue.isCachedValue: Bool                                     // top level is dogpile's CachedValue
//   PickleValue.cachedValueJSON() -> (payload: Result<[UInt8], PickleError>, metadata: Result<[UInt8], PickleError>)?
//   PickleLimits, PickleError(.kind, message, offset), Opcode.table

/// A decoded pickle: the object graph, ready to render. Holds the input bytes it points into.
public struct PickleValue: Sendable {
    let graph: DecodedGraph
    let root: Int32
    let limits: PickleLimits

    /// The whole value as canonical JSON (one value, no trailing newline).
    public func canonicalJSON() -> Result<[UInt8], PickleError> { render(root) }

    func render(_ id: Int32) -> Result<[UInt8], PickleError> {
        withRenderer { r in
            do throws(PickleError) {
                return .success(try r.render(id))
            } catch {
                return .failure(error)
            }
        }
    }

    /// Runs `body` with a renderer of the graph (which the value keeps alive and never changes).
    func withRenderer<R>(_ body: (inout Renderer) -> R) -> R {
        var r = Renderer(arena: graph.arena.view, limits: limits)
        return body(&r)
    }

    /// Payload and metadata node of a top-level `dogpile.cache.api.CachedValue`, when it has that shape.
    var cachedValueNodes: (Int32, Int32)? { withRenderer { r in r.cachedValueParts(root) } }

    /// True when the top-level value renders as `{"$cachedvalue": …}`.
    public var isCachedValue: Bool { cachedValueNodes != nil }

    /// For a top-level CachedValue: its payload and metadata rendered separately, each as its own root.
    public func cachedValueJSON() -> (payload: Result<[UInt8], PickleError>, metadata: Result<[UInt8], PickleError>)? {
        guard let (p, m) = cachedValueNodes else { return nil }
        return (render(p), render(m))
    }
}

/// The arena of a `PickleValue` and the copy of the input it points into, owned together; never
/// changed after it is made, so sharing it between threads is safe.
final class DecodedGraph: @unchecked Sendable {
    let arena: Arena
    private let input: UnsafeMutableRawBufferPointer

    /// Runs the VM over a copy of `bytes`; the graph, or the VM's error.
    static func decode(_ bytes: [UInt8], limits: PickleLimits) -> Result<(DecodedGraph, Int32), PickleError> {
        let input = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 8)
        let used = UnsafeMutableRawBufferPointer(rebasing: input[0..<bytes.count])
        _ = used.initializeMemory(as: UInt8.self, from: bytes)
        var m = Machine(arena: Arena(input: UnsafeRawBufferPointer(used)), memo: RawArray(), limits: limits)
        let outcome: Result<Int32, PickleError>
        do throws(PickleError) {
            outcome = .success(try m.run())
        } catch {
            outcome = .failure(error)
        }
        var spareMemo: RawArray<Int32>?
        let arena = m.finish(memoInto: &spareMemo)
        switch outcome {
        case .success(let root): return .success((DecodedGraph(arena: arena, input: input), root))
        case .failure(let e):
            _ = consume arena
            input.deallocate()
            return .failure(e)
        }
    }

    private init(arena: consuming Arena, input: UnsafeMutableRawBufferPointer) {
        self.arena = arena
        self.input = input
    }

    deinit { input.deallocate() }
}

public enum SafePickle {
    /// Runs the pickle VM (no rendering yet).
    public static func decode(_ bytes: [UInt8], limits: PickleLimits = .default) -> Result<PickleValue, PickleError> {
        DecodedGraph.decode(bytes, limits: limits).map { PickleValue(graph: $0.0, root: $0.1, limits: limits) }
    }

    /// Decodes and renders canonical JSON in one step (for many pickles in a row, `PickleDecoder`
    /// reuses its buffers).
    public static func canonicalJSON(_ bytes: [UInt8], limits: PickleLimits = .default) -> Result<[UInt8], PickleError> {
        bytes.withUnsafeBytes { PickleDecoder(limits: limits).canonicalJSON($0) }
    }

    /// `{"$error": "<kind>", "$detail": "<message (at byte N)>"}`.
    public static func errorJSON(_ error: PickleError) -> [UInt8] {
        var w = JSONWriter(capacity: 128)
        w.beginObject()
        w.key("$error")
        w.stringValue(error.kind.rawValue)
        w.key("$detail")
        w.stringValue(error.offset >= 0 ? "\(error.message) (at byte \(error.offset))" : error.message)
        w.end()
        return w.bytes()
    }

    /// The protocol named by a leading PROTO opcode; nil when the stream does not start with one (protocol 0 or 1).
    public static func protocolVersion(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 2, bytes[0] == Opcode.PROTO.rawValue else { return nil }
        return Int(bytes[1])
    }
}
