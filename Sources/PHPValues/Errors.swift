// PHPValues/Errors: the failure value every PHPValues decoder returns (kind, message, byte offset), its
// `{"$error", "$detail"}` JSON form, the limits of one decode, and the decoded document.
import ByteText

/// Why a PHP value (or a layer around it) could not be decoded.
public struct PHPValueError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The error kinds of docs/php-values.md; `rawValue` is the `$error` text.
    public enum Kind: String, Sendable, CaseIterable {
        /// The input ended before the value did, or a length/count runs past the end.
        case truncated
        /// A type byte (serialize tag, igbinary/msgpack type, JSON token) that starts no value.
        case badTag = "bad_tag"
        /// Malformed number, length, quoting, key type, class name, trailing bytes, a wrong checksum-free length.
        case badArgument = "bad_argument"
        /// A reference (`r:`/`R:`, igbinary ref/objref/string id, FastLZ distance) to something that does not exist.
        case refError = "ref_error"
        /// A limit of `PHPLimits` (or `maxInflated`) was reached.
        case limit
        /// A form that is recognised but not decoded (zstd, unknown php-memcached types).
        case unsupported
    }

    public var kind: Kind
    public var message: String
    /// Byte offset inside the layer's input where the first deviation was found; -1 when found while rendering.
    public var offset: Int

    public init(_ kind: Kind, _ message: String, offset: Int) {
        self.kind = kind
        self.message = message
        self.offset = offset
    }

    public var description: String {
        offset >= 0 ? "\(kind.rawValue) at byte \(offset): \(message)" : "\(kind.rawValue): \(message)"
    }

    /// `{"$error":"<kind>","$detail":"<message> (at byte N)"}` (the offset part only when known).
    public var errorJSON: [UInt8] {
        var out: [UInt8] = []
        out.append(contentsOf: Array("{\"$error\":\"".utf8))
        out.append(contentsOf: Array(kind.rawValue.utf8))
        out.append(contentsOf: Array("\",\"$detail\":".utf8))
        var detail = offset >= 0 ? "\(message) (at byte \(offset))" : message
        detail.withUTF8 { JSONString.appendQuotedValid(UnsafeRawBufferPointer($0), to: &out) }
        out.append(UInt8(ascii: "}"))
        return out
    }
}

/// Bounds applied to one decode. The defaults accept every real cached value and refuse hostile ones.
public struct PHPLimits: Sendable {
    /// Largest input accepted, in bytes.
    public var maxInputBytes: Int = 1 << 30
    /// JSON nesting of the output, and PHP container nesting while parsing (1000 succeeds, 1001 fails).
    public var maxNesting: Int = 1000
    /// Most values visited while rendering (shared references are expanded, so this bounds blow-up).
    public var maxOutputValues: Int = 10_000_000
    /// Most bytes of canonical JSON written.
    public var maxOutputBytes: Int = 512 << 20
    /// Longest number text (`i:`, `d:`, JSON numbers, php-memcached long/double text), in bytes.
    public var maxNumberText: Int = 1024

    public init() {}

    /// The defaults above.
    public static let `default` = PHPLimits()
}

/// One decoded value: its canonical JSON and the class names it names (deduplicated, first seen first).
public struct PHPDocument: Sendable, Equatable {
    /// Canonical JSON (docs/php-values.md), one value, no insignificant whitespace.
    public var json: [UInt8]
    /// Class names met (`O:`, `C:`, `E:` enum classes; igbinary objects and enums), never resolved or run.
    public var classes: [String]

    public init(json: [UInt8], classes: [String]) {
        self.json = json
        self.classes = classes
    }

    /// The JSON as text.
    public var text: String { String(decoding: json, as: UTF8.self) }
}
