// MemcacheClient/CaptureSink: where captured items go. The collect executable implements it over
// a dump writer; the client library knows nothing about files.

/// The metadata of one captured item, times already absolute in the server's clock (the value travels
/// beside it).
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

    public init(
        key: [UInt8], flags: UInt32, valueLength: Int, cas: UInt64, exp: Int64, lastAccess: Int64, slabClass: Int,
        fetched: Bool, totalSize: Int
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
    }
}

/// Receives the results of value fetching. Called from several fetch tasks; implementations serialise.
public protocol CaptureSink: Sendable {
    /// One item; `value` is nil when it was not captured.
    func item(_ item: CapturedItem, value: [UInt8]?) throws
    func miss(key: [UInt8], reason: String) throws
    func note(level: String, message: String) throws
    /// A batch for one fetch connection, reused from one pipelined batch to the next.
    func makeBatch() -> CaptureBatch
}

/// The items and misses of one fetch task's pipelined batches, gathered by that task (never shared)
/// and handed to the sink in large pieces. Values are lent straight from the receive buffer.
public protocol CaptureBatch: AnyObject {
    /// `value` (nil when not captured) is valid only during the call.
    func item(_ item: CapturedItem, value: UnsafeRawBufferPointer?) throws
    func miss(key: [UInt8], reason: String) throws
    /// Called after each pipelined batch: hands what was gathered to the sink once there is enough of
    /// it, or once it has waited long enough; otherwise keeps it for the next batch.
    func commit() throws
    /// Hands everything gathered to the sink now (the fetch task's last call, also after an error).
    func flush() throws
}
