// Capture/DumpSink: the capture sink over one dump file — serialises the fetch tasks' records into
// the DumpWriter and converts the client's items into dump records. A fetch task's batch is encoded
// outside the writer's lock and appended in one call.
import DumpContainer
import Dispatch
import MemcacheClient
import Synchronization

final class DumpSink: CaptureSink, @unchecked Sendable {
    private let lock = Mutex<Void>(())
    let writer: DumpWriter

    init(writer: DumpWriter) { self.writer = writer }

    static func dumpItem(_ i: CapturedItem, value: [UInt8]?) -> DumpItem {
        DumpItem(
            key: i.key, flags: i.flags, valueLength: max(0, i.valueLength), cas: i.cas, exp: i.exp,
            lastAccess: i.lastAccess, slabClass: max(0, i.slabClass), fetched: i.fetched, totalSize: i.totalSize,
            value: value)
    }

    func item(_ i: CapturedItem, value: [UInt8]?) throws {
        try write(.item(DumpSink.dumpItem(i, value: value)))
    }

    func miss(key: [UInt8], reason: String) throws {
        try write(.miss(DumpMiss(key: key, reason: reason)))
    }

    func note(level: String, message: String) throws {
        try write(.note(DumpNote(level: level, message: message)))
    }

    func stats(section: String, label: String, values: [(name: String, value: String)]) throws {
        try write(.stats(DumpStats(section: section, label: label, values: values)))
    }

    func write(_ record: DumpRecord) throws {
        try lock.withLock { _ in try writer.write(record) }
    }

    func makeBatch() -> CaptureBatch { EncodingBatch(sink: self) }

    /// Appends the batch (its buffer may become the next gzip member as it is) and empties it.
    func write(taking encoded: inout EncodedRecords) throws {
        try lock.withLock { _ in try writer.write(taking: &encoded) }
    }
}

/// One fetch task's records, encoded while its answers are parsed and handed to the writer half a
/// member at a time — a piece that large becomes a member as it is, without a copy — or after
/// `maxHoldNanos`, so that a slow (rate-limited) capture still reaches the file steadily.
final class EncodingBatch: CaptureBatch {
    static let maxHoldNanos: UInt64 = 1_000_000_000
    private let sink: DumpSink
    private var records: EncodedRecords
    /// When the oldest record not yet handed over was encoded.
    private var heldSince: UInt64?

    init(sink: DumpSink) {
        self.sink = sink
        records = EncodedRecords(reservingCapacity: sink.writer.handOverBytes + (64 << 10))
    }

    func item(_ item: CapturedItem, value: UnsafeRawBufferPointer?) throws {
        if heldSince == nil { heldSince = DispatchTime.now().uptimeNanoseconds }
        try records.appendItem(DumpSink.dumpItem(item, value: nil), value: value)
    }

    func miss(key: [UInt8], reason: String) throws {
        if heldSince == nil { heldSince = DispatchTime.now().uptimeNanoseconds }
        try records.append(.miss(DumpMiss(key: key, reason: reason)))
    }

    func commit() throws {
        guard let since = heldSince else { return }
        if records.bytes.count >= sink.writer.handOverBytes
            || DispatchTime.now().uptimeNanoseconds &- since >= EncodingBatch.maxHoldNanos
        {
            try flush()
        }
    }

    func flush() throws {
        heldSince = nil
        guard !records.isEmpty else { return }
        defer { records.removeAll() }
        try sink.write(taking: &records)
    }
}
