// DumpContainer/DumpErrors: the error values of the dump reader and writer (never traps).

/// A problem found while reading a dump. `compressedOffset` is the file offset of the gzip
/// member involved (when known); `recordOffset` is the decompressed offset of the record involved.
public struct DumpReadError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Kind: String, Sendable, Equatable {
        /// Input ended inside a gzip member or inside a record.
        case truncated
        /// A gzip member is damaged (bad header, bad deflate data, CRC/length mismatch), or
        /// bytes after a member are not another member.
        case corruptGzip = "corrupt_gzip"
        /// A record line or payload does not follow the grammar, or exceeds a limit.
        case badRecord = "bad_record"
        /// The stream does not start with a valid `MCDUMP` header line.
        case badHeader = "bad_header"
        /// The header declares a format version this reader does not know.
        case unsupportedVersion = "unsupported_version"
        /// The file could not be opened or read.
        case io
    }

    public var kind: Kind
    public var message: String
    public var file: String
    public var compressedOffset: Int64?
    public var recordOffset: Int64?

    public init(
        kind: Kind, message: String, file: String, compressedOffset: Int64? = nil, recordOffset: Int64? = nil
    ) {
        self.kind = kind
        self.message = message
        self.file = file
        self.compressedOffset = compressedOffset
        self.recordOffset = recordOffset
    }

    /// `<file>: <kind> at byte N (record offset M): message`; unknown positions are left out.
    public var description: String {
        var s = "\(file): \(kind.rawValue)"
        if let c = compressedOffset { s += " at byte \(c)" }
        if let r = recordOffset { s += " (record offset \(r))" }
        return s + ": " + message
    }
}

/// A problem while writing a dump.
public struct DumpWriteError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Kind: String, Sendable, Equatable {
        /// The output file exists and overwriting was not requested.
        case exists
        /// open/write/fsync/close failed, or compression failed.
        case io
        /// A record cannot be represented (empty key, value length mismatch, bad token, non-finite time).
        case invalidRecord = "invalid_record"
        /// An argument to the writer is out of range.
        case invalidArgument = "invalid_argument"
        /// The writer was already finished or closed.
        case closed
    }

    public var kind: Kind
    public var message: String
    public var path: String

    public init(kind: Kind, message: String, path: String) {
        self.kind = kind
        self.message = message
        self.path = path
    }

    public var description: String { "\(path): \(kind.rawValue): \(message)" }
}
