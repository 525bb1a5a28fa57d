// DumpContainerTests/EncodedRecordsTests: records encoded away from the writer (collect's fetch tasks
// do this, values lent from the receive buffer) give the same decompressed bytes as records written
// one by one, read back as the same records, and an invalid record leaves the batch as it was.
import DumpContainer
import Foundation
import Testing
import TestSupport

@Suite struct EncodedRecordsTests {
    /// Every record between the header and the trailer, encoded in batches of `per` records, handed
    /// over with `write(taking:)` (a batch's buffer may become a member) or copied with `write(_:)`.
    func writeBatched(_ records: [DumpRecord], to path: String, per: Int, taking: Bool = false) throws -> DumpFileSummary {
        let w = try DumpWriter(path: path, memberBytes: 64 << 10)
        var batch = EncodedRecords()
        var trailer: DumpTrailer?
        for r in records {
            switch r {
            case .header: try w.write(r)
            case .end(let t): trailer = t
            case .item(let item):
                // The item's own value is not read: it is lent separately, as collect does.
                var bare = item
                bare.value = nil
                if let v = item.value {
                    try v.withUnsafeBytes { try batch.appendItem(bare, value: $0) }
                } else {
                    try batch.appendItem(bare, value: nil)
                }
            default: try batch.append(r)
            }
            if batch.count >= per {
                if taking {
                    try w.write(taking: &batch)
                    #expect(batch.isEmpty && batch.bytes.isEmpty)
                } else {
                    try w.write(batch)
                    batch.removeAll()
                }
            }
        }
        if taking { try w.write(taking: &batch) } else { try w.write(batch) }
        return try w.finish(try #require(trailer))
    }

    @Test(arguments: [(1, false), (3, false), (100, false), (1, true), (3, true), (100, true)])
    func batchesGiveTheSameBytesAsSingleRecords(per: Int, taking: Bool) throws {
        let dir = try makeTempDir("batches-\(per)-\(taking)")
        let records = sampleRecords()
        let one = try writeDump(records, to: dir + "/one.mcdump.gz", memberBytes: 64 << 10)
        let batched = try writeBatched(records, to: dir + "/batched.mcdump.gz", per: per, taking: taking)
        #expect(one.records == batched.records && one.uncompressedBytes == batched.uncompressedBytes)
        let a = try runProcess("/bin/zcat", [dir + "/one.mcdump.gz"])
        let b = try runProcess("/bin/zcat", [dir + "/batched.mcdump.gz"])
        #expect(a.status == 0 && b.status == 0)
        #expect(a.stdout == b.stdout)
        let out = try readAll(path: dir + "/batched.mcdump.gz")
        #expect(out.error == nil && out.sawTrailer)
        #expect(out.records == records)
    }

    @Test func anInvalidRecordLeavesTheBatchAsItWas() throws {
        var batch = EncodedRecords()
        try batch.append(.miss(DumpMiss(key: Array("kept".utf8), reason: "gone")))
        let before = batch.bytes
        let item = DumpItem(
            key: Array("k".utf8), flags: 0, valueLength: 5, cas: 1, exp: -1, lastAccess: 0, slabClass: 1, fetched: false,
            totalSize: -1, value: nil)
        let value: [UInt8] = [1, 2, 3]  // 3 bytes, but the item says 5
        let error = #expect(throws: DumpWriteError.self) {
            try value.withUnsafeBytes { try batch.appendItem(item, value: $0) }
        }
        #expect(error?.kind == .invalidRecord)
        #expect(error?.message.contains("valueLength is 5") == true)
        #expect(#expect(throws: DumpWriteError.self) { try batch.append(.miss(DumpMiss(key: []))) }?.kind == .invalidRecord)
        #expect(batch.bytes == before && batch.count == 1)
    }

    @Test func aClosedWriterRefusesABatch() throws {
        let dir = try makeTempDir()
        let w = try DumpWriter(path: dir + "/closed.mcdump.gz")
        _ = try w.finish(sampleTrailer)
        var batch = EncodedRecords()
        try batch.append(.note(DumpNote(level: "info", message: "late")))
        let error = #expect(throws: DumpWriteError.self) { try w.write(batch) }
        #expect(error?.kind == .closed)
    }
}
