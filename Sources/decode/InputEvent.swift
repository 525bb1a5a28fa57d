// decode/InputEvent: what the reading thread hands to the decoding thread, whatever the input
// format (mcdump records, or items parsed from nc/metadump/cachedump text).
import DumpContainer
import PipelineRecords

/// One item as read; fields a format does not carry are nil.
struct RawItem: Sendable {
    var key: [UInt8]
    var flags: UInt32?
    var valueLength: Int?
    var cas: UInt64?
    var exp: Expiry
    var lastAccess: Int64?
    var slabClass: Int?
    var fetched: Bool?
    var totalSize: Int?
    var value: [UInt8]?
    /// Why the item cannot be trusted as read (its gzip member failed its check), nil when verified.
    var unverified: String?

    init(_ d: DumpItem, unverified: String? = nil) {
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

    init(key: [UInt8], exp: Expiry = .unknown) {
        self.key = key
        self.exp = exp
    }
}

/// A positioned problem with the input itself.
struct InputFailure: Error, Sendable {
    var kind: String
    var message: String
    var offset: Int64?
    var recordOffset: Int64?
    /// True when nothing at all could be read from the input (exit 2).
    var fatal: Bool
}

enum InputEvent: Sendable {
    /// A new input begins (`format` as detected or forced).
    case begin(file: String, format: InputFormat)
    case header(DumpHeader)
    case stats(DumpStats)
    case item(RawItem)
    case miss(DumpMiss, unverified: String?)
    /// A stats or note record from a gzip member that failed its check: withheld, only counted.
    case withheld
    case note(DumpNote)
    case end(DumpTrailer)
    /// Text listings: the closing `END` was seen.
    case listingComplete
    case failure(InputFailure)
    /// The input is done; sha256 of its bytes when they could be hashed.
    case finished(sha256: String?)
}

/// The kinds of input decode reads.
enum InputFormat: String, Sendable, CaseIterable {
    case auto, mcdump, nc, metadump, cachedump
}
