// CacheValues/ValueLimits: the bounds put on every value decode (decompression bombs, huge JSON)
// and how much of the value is kept in the record (`--values`, `--max-value-json`).

public struct ValueLimits: Sendable, Equatable {
    /// Largest decompressed size of one zlib layer.
    public var maxInflatedBytes: Int = 64 << 20
    /// Largest decompressed/compressed ratio of one zlib layer (applies above `ratioFloorBytes`).
    public var maxInflateRatio: Int = 200
    /// Outputs up to this size are allowed whatever the ratio (small values compress very well).
    public var ratioFloorBytes: Int = 1 << 20

    public init() {}

    /// The output cap for a zlib layer whose input is `compressedCount` bytes.
    public func inflateCap(compressedCount: Int) -> Int {
        let (byRatio, overflow) = compressedCount.multipliedReportingOverflow(by: maxInflateRatio)
        return min(maxInflatedBytes, max(ratioFloorBytes, overflow ? Int.max : byRatio))
    }
}

/// How much of each value a record keeps.
public enum ValueDetail: String, Sendable, CaseIterable {
    /// Canonical JSON of the value.
    case full
    /// Metadata and layers only.
    case none
    /// Type, length and element counts.
    case summary
}
