// DumpContainer/VerifyingReader: records released only once the gzip member that holds them has
// passed its CRC-32 and length check. `DumpReader` delivers records as they are decompressed; this
// reader holds them back until `verifiedOffset` has passed their end. When the member fails (a bit
// flip caught by the CRC, a cut trailer, damaged deflate data), the records already decoded from it
// are released flagged `unverified` with the reason, and then the error is thrown: nothing unverified
// ever looks verified. Holding is bounded (`holdBytes`); a member larger than that has its oldest
// held records released flagged too.
public struct CheckedRecord: Sendable {
    public var record: DumpRecord
    /// nil when the record's member passed its checks; otherwise why it could not be verified.
    public var unverified: String?
}

public final class VerifyingReader {
    public let reader: DumpReader
    /// The most record bytes held while their member is not yet verified.
    public let holdBytes: Int
    private var held: [(record: DumpRecord, end: Int64, bytes: Int)] = []
    private var heldStart = 0
    private var heldBytes = 0
    /// The reader's error, met while records were still held: thrown once they are released.
    private var failure: Error?
    private var ended = false

    public init(_ reader: DumpReader, holdBytes: Int = 96 << 20) {
        self.reader = reader
        self.holdBytes = holdBytes
    }

    public var header: DumpHeader? { reader.header }

    /// The next record with its integrity, nil at a clean end; throws the reader's error after the
    /// records held before it were released (flagged).
    public func next() throws -> CheckedRecord? {
        while true {
            if heldStart < held.count {
                let first = held[heldStart]
                if first.end <= reader.verifiedOffset { return release(nil) }
                if let failure { return release("its gzip member failed its check: \(VerifyingReader.describe(failure))") }
                if heldBytes > holdBytes {
                    return release("its gzip member holds more than \(holdBytes) bytes of records, more than can be held until the member's CRC check")
                }
            } else {
                held.removeAll(keepingCapacity: true)
                heldStart = 0
                if let failure { throw failure }
                if ended { return nil }
            }
            if ended {
                // A clean end is a member boundary: whatever is still held was verified by it.
                return release(nil)
            }
            let record: DumpRecord?
            do {
                record = try reader.next()
            } catch {
                failure = error
                continue
            }
            guard let record else {
                ended = true
                continue
            }
            let end = reader.recordOffset
            if heldStart == held.count && end <= reader.verifiedOffset { return CheckedRecord(record: record, unverified: nil) }
            let bytes = VerifyingReader.size(record)
            held.append((record, end, bytes))
            heldBytes += bytes
        }
    }

    private func release(_ reason: String?) -> CheckedRecord {
        let first = held[heldStart]
        heldStart += 1
        heldBytes -= first.bytes
        if heldStart > 1024 && heldStart * 2 > held.count {
            held.removeFirst(heldStart)
            heldStart = 0
        }
        return CheckedRecord(record: first.record, unverified: reason)
    }

    static func describe(_ error: Error) -> String {
        guard let e = error as? DumpReadError else { return "\(error)" }
        return "\(e.kind.rawValue): \(e.message)"
    }

    static func size(_ record: DumpRecord) -> Int {
        switch record {
        case .item(let i): return 64 + i.key.count + (i.value?.count ?? 0)
        case .miss(let m): return 64 + m.key.count + (m.reason?.utf8.count ?? 0)
        case .note(let n): return 64 + n.message.utf8.count
        case .stats(let s): return 64 + s.values.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 2 }
        default: return 256
        }
    }
}
