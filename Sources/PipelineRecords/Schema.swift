// PipelineRecords/Schema: the version and the record type names of the NDJSON stream that flows
// between decode, attribute and report (docs/records.md is the reference).

/// The NDJSON record schema shared by the stages.
public enum RecordSchema {
    /// Version of the record schema written in every `source` record (`schema` field).
    public static let version = 1

    /// The `type` values the stages write. Consumers ignore types they do not know.
    public enum RecordType: String, Sendable, CaseIterable {
        /// One per dump or listing read (host, counts, stats, capture window).
        case source
        /// One per captured or listed item.
        case item
        /// A key that was listed but whose value could not be fetched by the collector.
        case miss
        /// A remark carried over from the input (a collector's warning, a fallback taken).
        case note
        /// Input that could not be read at all (corrupt framing), with file and offset.
        case error
        /// What the clients did with one key during a watch window (`collect --watch`).
        case traffic
        /// One `stats` sample of a capture's timeline.
        case statsSample = "stats_sample"
    }
}
