// DecodeInputs/InputEvent: what the reading thread hands to the decoding thread, whatever the input
// format (mcdump records, or items parsed from nc/metadump/cachedump text).
import DumpContainer
import PipelineRecords

/// One item as read; fields a format does not carry are nil.
public struct RawItem: Sendable {
    public var key: [UInt8]
    public var flags: UInt32?
    public var valueLength: Int?
    public var cas: UInt64?
    public var exp: Expiry
    public var lastAccess: Int64?
    public var slabClass: Int?
    public var fetched: Bool?
    public var totalSize: Int?
    public var value: [UInt8]?
    /// Why the item cannot be trusted as read (its gzip member failed its check), nil when verified.
    public var unverified: String?

    public init(_ d: DumpItem, unverified: String? = nil) {
        key = d.key
        flags = d.flags
        valueLength = d.valueLength
        cas = d.cas
        exp = d.exp < 0 ? .never : .at(d.exp)
        lastAccess = d.lastAccess
        slabClass = d.slabClass
        fetched = d.fetched
        totalSize = d.totalSize >= 0 ? d.totalSize : nil
        value = d.value
        self.unverified = unverified
    }

    public init(key: [UInt8], exp: Expiry = .unknown) {
        self.key = key
        self.exp = exp
    }
}

/// A positioned problem with the input itself.
public struct InputFailure: Error, Sendable {
    public var kind: String
    public var message: String
    public var offset: Int64?
    public var recordOffset: Int64?
    /// True when nothing at all could be read from the input (exit 2).
    public var fatal: Bool

    public init(kind: String, message: String, offset: Int64?, recordOffset: Int64? = nil, fatal: Bool) {
        self.kind = kind
        self.message = message
        self.offset = offset
        self.recordOffset = recordOffset
        self.fatal = fatal
    }
}

public enum InputEvent: Sendable {
    /// A new input begins (`format` as detected or forced).
    case begin(file: String, format: InputFormat)
    case header(DumpHeader)
    case stats(DumpStats)
    case item(RawItem)
    case miss(DumpMiss, unverified: String?)
    /// A stats or note record from a gzip member that failed its check: withheld, only counted.
    case withheld
    case note(DumpNote)
    /// A `watch` line of the clients' traffic (format 2), and the summary that closes its window.
    case event([UInt8])
    case watch(DumpWatch)
    case end(DumpTrailer)
    /// Text listings: the closing `END` was seen.
    case listingComplete
    case failure(InputFailure)
    /// The input is done; sha256 of its bytes when they could be hashed.
    case finished(sha256: String?)
}

/// The kinds of input decode reads.
public enum InputFormat: String, Sendable, CaseIterable {
    case auto, mcdump, nc, metadump, cachedump
}
