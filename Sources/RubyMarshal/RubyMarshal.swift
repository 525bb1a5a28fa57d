// RubyMarshal: a non-executing decoder of Ruby Marshal 4.8 data (what Dalli stores with flags 1) into
// the canonical JSON of docs/ruby-marshal.md. No class is resolved and nothing runs: objects become
// `{"$class": …}` records, and the class and module names met are returned for the caller to flag.
// Every failure is a `MarshalError` (kind, message, byte offset); `MarshalLimits` bound time and memory.
//
// API:
//   RubyMarshal.canonicalJSON(_ bytes: UnsafeRawBufferPointer, limits:) -> Result<MarshalDocument, MarshalError>
//   RubyMarshal.canonicalJSON(_ bytes: [UInt8], limits:) -> Result<MarshalDocument, MarshalError>
//   RubyMarshal.errorJSON(_ error: MarshalError) -> [UInt8]        // {"$error": kind, "$detail": message (at byte N)}
//   RailsCacheEntry.decode(_:maxInflated:limits:) -> Result<RailsEntryDecoded, MarshalError>?   (RailsCacheEntry.swift)
//   DalliValue.decode(_:flags:maxInflated:limits:) -> Result<DalliDecoded, MarshalError>           (RailsCacheEntry.swift)
import ByteText

/// One decoded Marshal value.
public struct MarshalDocument: Sendable, Equatable {
    /// Canonical JSON of the value (one value, no newline).
    public var json: [UInt8]
    /// Class and module names met (`o u U S C e c m M d`, and `Time`), first seen first, each once.
    public var classes: [String]

    public init(json: [UInt8], classes: [String]) {
        self.json = json
        self.classes = classes
    }
}

public enum RubyMarshal {
    /// Decodes one Marshal 4.8 value (bytes after it are ignored, as `Marshal.load` ignores them).
    public static func canonicalJSON(_ bytes: UnsafeRawBufferPointer, limits: MarshalLimits = .default) -> Result<MarshalDocument, MarshalError> {
        MarshalReader.read(bytes, limits: limits).flatMap { graph in
            MarshalRenderer.render(graph, graph.root, limits: limits).map { MarshalDocument(json: $0.json, classes: $0.classes) }
        }
    }

    /// `canonicalJSON` over an array.
    public static func canonicalJSON(_ bytes: [UInt8], limits: MarshalLimits = .default) -> Result<MarshalDocument, MarshalError> {
        bytes.withUnsafeBytes { canonicalJSON($0, limits: limits) }
    }

    /// True when `bytes` start with a Marshal 4.x header (`04 00`…`04 08`).
    public static func looksLikeMarshal(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 2 && bytes[0] == 4 && bytes[1] <= 8
    }

    /// `{"$error": "<kind>", "$detail": "<message> (at byte N)"}`.
    public static func errorJSON(_ error: MarshalError) -> [UInt8] {
        var out: [UInt8] = Array("{\"$error\":".utf8)
        Array(error.kind.rawValue.utf8).withUnsafeBytes { _ = JSONString.appendQuoted($0, to: &out) }
        out += Array(",\"$detail\":".utf8)
        let detail = error.offset >= 0 ? "\(error.message) (at byte \(error.offset))" : error.message
        Array(detail.utf8).withUnsafeBytes { _ = JSONString.appendQuoted($0, to: &out) }
        out.append(UInt8(ascii: "}"))
        return out
    }
}
