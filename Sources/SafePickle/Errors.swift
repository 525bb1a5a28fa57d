// SafePickle/Errors: the error value every failure becomes (kind, message, byte offset) and the
// safety limits that bound time and memory on untrusted input.

/// A decoding failure: what went wrong, in words, and where (byte offset of the opcode, or -1 at render time).
public struct PickleError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The error kinds of docs/canonical-json.md; `rawValue` is the `$error` text.
    public enum Kind: String, Sendable, CaseIterable {
        case truncated, badOpcode = "bad_opcode", badArgument = "bad_argument", stackError = "stack_error"
        case memoError = "memo_error", typeError = "type_error", unsupported, limit
    }
    public var kind: Kind
    public var message: String
    /// Byte offset of the opcode that failed; -1 for failures found while rendering.
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
public struct PickleLimits: Sendable {
    /// Largest pickle accepted, in bytes.
    public var maxInputBytes: Int = 1 << 30
    /// Most opcodes executed.
    public var maxOpcodes: Int = 100_000_000
    /// Most stack entries (values and MARKs together).
    public var maxStackDepth: Int = 10_000_000
    /// Most memo entries.
    public var maxMemoEntries: Int = 10_000_000
    /// JSON nesting of the output (MAX_DEPTH of the spec: exactly 1000 succeeds, 1001 fails).
    public var maxNesting: Int = 1000
    /// Most values visited while rendering (shared references are expanded, so this bounds blow-up).
    public var maxOutputValues: Int = 10_000_000
    /// Most string/bytes payload bytes written while rendering.
    public var maxOutputBytes: Int = 512 << 20
    /// Largest LONG1/LONG4 payload, in bytes.
    public var maxIntBytes: Int = 1024
    /// Most digits of INT/LONG text.
    public var maxIntDigits: Int = 2048

    public init() {}
    public static let `default` = PickleLimits()
}
