// RubyMarshal/Errors: the error value every failure becomes (kind, message, byte offset) and the
// limits that bound time and memory on untrusted Marshal data.

/// A decoding failure: what went wrong, in words, and where (byte offset in the decoded buffer, or
/// -1 for failures found while rendering).
public struct MarshalError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The error kinds of docs/ruby-marshal.md; `rawValue` is the `$error` text.
    public enum Kind: String, Sendable, CaseIterable {
        /// The data ends before the value does, or a length or count runs past the end of the input.
        case truncated
        /// A type byte that Marshal 4.8 does not have (or a non-symbol where a symbol must be).
        case badTag = "bad_tag"
        /// A malformed header, number, length, float text, encoding or wrapper.
        case badArgument = "bad_argument"
        /// A link (`@`) or symbol link (`;`) to an entry that does not exist (yet).
        case refError = "ref_error"
        /// A limit of `MarshalLimits` was reached.
        case limit
        /// Recognised but not decoded (a Rails 7.1 entry of an unknown payload type).
        case unsupported
    }
    public var kind: Kind
    public var message: String
    /// Byte offset where the failure was found; -1 for failures found while rendering.
    public var offset: Int

    public init(_ kind: Kind, _ message: String, offset: Int) {
        self.kind = kind
        self.message = message
        self.offset = offset
    }

    public var description: String {
        offset >= 0 ? "\(kind.rawValue) at byte \(offset): \(message)" : "\(kind.rawValue): \(message)"
    }
}

/// Bounds applied to one decode. The defaults accept every real cached value and refuse hostile ones.
public struct MarshalLimits: Sendable {
    /// Largest input accepted, in bytes.
    public var maxInputBytes: Int = 1 << 30
    /// JSON nesting of the output: exactly 1000 succeeds, 1001 fails. Parsing allows twice as many
    /// levels (plus 16), since `I`, `e` and `C` wrappers nest in the stream without nesting in JSON.
    public var maxNesting: Int = 1000
    /// Most object-table entries, symbols and values together.
    public var maxObjects: Int = 10_000_000
    /// Most values visited while rendering (shared references are expanded, so this bounds blow-up).
    public var maxOutputValues: Int = 10_000_000
    /// Most bytes of JSON written.
    public var maxOutputBytes: Int = 512 << 20
    /// Largest Bignum (`l`) payload, in bytes.
    public var maxBignumBytes: Int = 1024

    public init() {}
    public static let `default` = MarshalLimits()
}
