// collect/DumpSink: the capture sink over one dump file — serialises the fetch tasks' records into
// the DumpWriter and converts the client's items into dump records.
import DumpContainer
import MemcacheClient
import Synchronization

final class DumpSink: CaptureSink, @unchecked Sendable {
    private let lock = Mutex<Void>(())
    let writer: DumpWriter

    init(writer: DumpWriter) { self.writer = writer }

    static func record(_ i: CapturedItem) -> DumpRecord {
        .item(
            DumpItem(
                key: i.key, flags: i.flags, valueLength: max(0, i.valueLength), cas: i.cas, exp: i.exp,
                lastAccess: i.lastAccess, slabClass: max(0, i.slabClass), fetched: i.fetched, totalSize: i.totalSize,
                value: i.value))
    }

    func item(_ i: CapturedItem) throws {
        let record = DumpSink.record(i)
        try lock.withLock { _ in try writer.write(record) }
    }

    func batch(items: [CapturedItem], misses: [(key: [UInt8], reason: String)]) throws {
        try lock.withLock { _ in
            for i in items { try writer.write(DumpSink.record(i)) }
            for m in misses { try writer.write(.miss(DumpMiss(key: m.key, reason: m.reason))) }
        }
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
