// MemcacheClient/CaptureSink: where captured items go. The collect executable implements it over
// a dump writer; the client library knows nothing about files.

/// One captured item, times already absolute in the server's clock.
public struct CapturedItem: Sendable {
    public var key: [UInt8]
    public var flags: UInt32
    public var valueLength: Int
    public var cas: UInt64
    public var exp: Int64  // -1 never
    public var lastAccess: Int64  // -1 unknown
    public var slabClass: Int  // 0 unknown (real classes start at 1)
    public var fetched: Bool
    public var totalSize: Int  // -1 unknown
    public var value: [UInt8]?  // nil when not captured

    public init(
        key: [UInt8], flags: UInt32, valueLength: Int, cas: UInt64, exp: Int64, lastAccess: Int64, slabClass: Int,
        fetched: Bool, totalSize: Int, value: [UInt8]?
    ) {
        self.key = key
        self.flags = flags
        self.valueLength = valueLength
        self.cas = cas
        self.exp = exp
        self.lastAccess = lastAccess
        self.slabClass = slabClass
        self.fetched = fetched
        self.totalSize = totalSize
        self.value = value
    }
}

/// Receives the results of value fetching. Called from several fetch tasks; implementations serialise.
public protocol CaptureSink: Sendable {
    func item(_ item: CapturedItem) throws
    func miss(key: [UInt8], reason: String) throws
    func note(level: String, message: String) throws
    /// A whole batch at once (one lock acquisition); the default calls `item` and `miss`.
    func batch(items: [CapturedItem], misses: [(key: [UInt8], reason: String)]) throws
}

extension CaptureSink {
    public func batch(items: [CapturedItem], misses: [(key: [UInt8], reason: String)]) throws {
        for i in items { try item(i) }
        for m in misses { try miss(key: m.key, reason: m.reason) }
    }
}
