// CacheValues/DecodedValue: what the value layers of one memcached item turned into — the layers
// peeled, the pickle protocol, a dogpile envelope's metadata, the canonical JSON, or the layer that failed.
import PipelineRecords

public struct DecodedValue: Sendable, Equatable {
    /// Layers peeled, outermost first: `zlib`, `dogpile`, `pickle`, `int`, `long`, `text`, `bytes`.
    public var encoding: [String] = []
    public var pickleProtocol: Int?
    /// Compact JSON object of the dogpile metadata (`{"ct":…,"v":…}`) when an envelope was unwrapped.
    public var dogpile: [UInt8]?
    /// Canonical JSON of the innermost payload.
    public var value: [UInt8]?
    public var error: LayerError?
    /// Set when the payload contradicts the flags and the payload's own form was used.
    public var note: String?

    public init() {}

    /// Copies the decoded parts into an item record, keeping `detail` of the value and cutting value
    /// JSON longer than `maxValueJSON` bytes (a `{"$truncated": …}` marker then takes its place).
    public func apply(to record: inout ItemRecord, detail: ValueDetail, maxValueJSON: Int?) {
        record.encoding = encoding
        record.pickleProtocol = pickleProtocol
        record.dogpile = dogpile
        record.error = error
        record.note = note
        guard let value else { return }
        switch detail {
        case .none:
            break
        case .summary:
            record.summary = ValueSummary.summarize(value)
        case .full:
            if let maxValueJSON, value.count > maxValueJSON {
                record.value = ValueSummary.truncated(value, to: maxValueJSON)
            } else {
                record.value = value
            }
        }
    }
}
