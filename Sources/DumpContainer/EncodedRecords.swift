// DumpContainer/EncodedRecords: records encoded away from the writer — by a fetch connection, without
// the writer's lock, values read straight from the receive buffer — then appended to a dump in one
// call (`DumpWriter.write(_:)`). Same bytes as writing the records one by one.

public struct EncodedRecords: Sendable {
    public private(set) var bytes: [UInt8] = []
    /// Records encoded since the last `removeAll`.
    public private(set) var count = 0

    public init(reservingCapacity capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    public var isEmpty: Bool { count == 0 }

    /// Appends any record; on an error nothing of it is kept.
    public mutating func append(_ record: DumpRecord) throws(DumpWriteError) {
        let before = bytes.count
        do throws(DumpWriteError) {
            try RecordEncoding.append(record, to: &bytes)
        } catch {
            bytes.removeSubrange(before...)
            throw error
        }
        count += 1
    }

    /// Appends the ITEM record of `item`'s metadata with `value` lent by the caller (nil: not
    /// captured); `item.value` is not read. On an error nothing of it is kept.
    public mutating func appendItem(_ item: DumpItem, value: UnsafeRawBufferPointer?) throws(DumpWriteError) {
        let before = bytes.count
        do throws(DumpWriteError) {
            try RecordEncoding.appendItem(item, value: value, to: &bytes)
        } catch {
            bytes.removeSubrange(before...)
            throw error
        }
        count += 1
    }

    /// Gives the encoded bytes away in exchange for `buffer` (emptied first; its capacity is kept for
    /// the next batch). Returns how many records the bytes hold.
    mutating func exchangeBytes(with buffer: inout [UInt8]) -> Int {
        buffer.removeAll(keepingCapacity: true)
        swap(&bytes, &buffer)
        defer { count = 0 }
        return count
    }

    /// Empties the buffer, keeping its capacity for the next batch.
    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        count = 0
    }
}
