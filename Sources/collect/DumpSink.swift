// collect/DumpSink: the capture sink over one dump file — serialises the fetch tasks' records into
// the DumpWriter and converts the client's items into dump records.
import DumpContainer
import MemcacheClient
import Synchronization

final class DumpSink: CaptureSink, @unchecked Sendable {
    private let lock = Mutex<Void>(())
    let writer: DumpWriter

    init(writer: DumpWriter) { self.writer = writer }

    func item(_ i: CapturedItem) throws {
        let record = DumpRecord.item(
            DumpItem(
                key: i.key, flags: i.flags, valueLength: max(0, i.valueLength), cas: i.cas, exp: i.exp,
                lastAccess: i.lastAccess, slabClass: i.slabClass, fetched: i.fetched, totalSize: i.totalSize,
                value: i.value))
        try lock.withLock { _ in try writer.write(record) }
    }

    func miss(key: [UInt8], reason: String) throws {
        try lock.withLock { _ in try writer.write(.miss(DumpMiss(key: key, reason: reason))) }
    }

    func note(level: String, message: String) throws {
        try lock.withLock { _ in try writer.write(.note(DumpNote(level: level, message: message))) }
    }

    func stats(section: String, label: String, values: [(name: String, value: String)]) throws {
        try lock.withLock { _ in try writer.write(.stats(DumpStats(section: section, label: label, values: values))) }
    }

    func write(_ record: DumpRecord) throws {
        try lock.withLock { _ in try writer.write(record) }
    }
}
