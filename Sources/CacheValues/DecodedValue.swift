// CacheValues/DecodedValue: what the value layers of one memcached item turned into — the layers
// peeled, the pickle protocol, a dogpile envelope's metadata, the canonical JSON, or the layer that failed.
import PipelineRecords

public struct DecodedValue: Sendable, Equatable {
    /// Layers peeled, outermost first: `zlib`, `dogpile`, `pickle`, `int`, `long`, `text`, `bytes`.
    public var encoding: [String] = []
    public var pickleProtocol: Int?
    /// Compact JSON object of the dogpile metadata (`{"ct":…,"v":…}`) when an envelope was unwrapped.
    public var dogpile: [UInt8]?
    /// Compact JSON object of another envelope's metadata (an ActiveSupport cache entry's format,
    /// version and expiry) when one was unwrapped.
    public var envelope: [UInt8]?
    /// Canonical JSON of the innermost payload.
    public var value: [UInt8]?
    public var error: LayerError?
    /// Set when the payload contradicts the flags and the payload's own form was used.
    public var note: String?
    /// Callables the pickle names outside the plain data types (never called; SuspiciousGlobals).
    public var suspicious: [String] = []
    /// `--values summary`: the summary object, once `reduce` has made it (then `value` is nil).
    public var summary: [UInt8]?
    private var reduced = false

    public init() {}

    /// Keeps only what an item record shows at `detail`: nothing of the value for `.none`, its summary
    /// for `.summary`, the JSON cut at `maxValueJSON` bytes for `.full` (a `{"$truncated": …}` marker
    /// then takes its place). Done as soon as a value is decoded, so that what waits to be written is
    /// no larger than what will be written. Reducing twice changes nothing.
    public mutating func reduce(detail: ValueDetail, maxValueJSON: Int?) {
        guard !reduced else { return }
        reduced = true
        guard let v = value else { return }
        switch detail {
        case .none:
            value = nil
        case .summary:
            summary = ValueSummary.summarize(v)
            value = nil
        case .full:
            if let maxValueJSON, v.count > maxValueJSON { value = ValueSummary.truncated(v, to: maxValueJSON) }
        }
    }

    /// The bytes this value keeps alive while it waits to be written.
    public var retainedBytes: Int { (value?.count ?? 0) + (summary?.count ?? 0) + (dogpile?.count ?? 0) + (envelope?.count ?? 0) + 64 }

    /// Copies the decoded parts into an item record, keeping `detail` of the value (see `reduce`).
    public func apply(to record: inout ItemRecord, detail: ValueDetail, maxValueJSON: Int?) {
        var v = self
        v.reduce(detail: detail, maxValueJSON: maxValueJSON)
        record.encoding = v.encoding
        record.pickleProtocol = v.pickleProtocol
        record.dogpile = v.dogpile
        record.envelope = v.envelope
        record.error = v.error
        record.note = v.note
        record.suspicious = v.suspicious
        record.value = v.value
        record.summary = v.summary
    }
}
