// DumpContainerTests/VerifyingReaderTests: records are released only once their gzip member has
// passed its checks; a member that fails has its records flagged, then the error is thrown; holding
// is bounded.
import DumpContainer
import Foundation
import Testing
import TestSupport

@Suite struct VerifyingReaderTests {
    func items(_ n: Int) -> [DumpRecord] {
        [.header(DumpHeader(host: "h", port: 1, collector: "t", method: "metadump", serverVersion: "1.6.18", serverTime: 1, startedLocal: 1))]
            + (0..<n).map { i in
                .item(
                    DumpItem(
                        key: Array("key-\(i)".utf8), flags: 0, valueLength: 300, cas: UInt64(i), exp: -1, lastAccess: 1, slabClass: 1, fetched: false,
                        totalSize: 350, value: [UInt8](repeating: UInt8(i % 251), count: 300)))
            } + [.end(sampleTrailer)]
    }

    func readChecked(_ path: String, holdBytes: Int = 96 << 20) -> (records: [CheckedRecord], error: Error?) {
        guard let reader = try? DumpReader(path: path) else { return ([], nil) }
        let v = VerifyingReader(reader, holdBytes: holdBytes)
        var out: [CheckedRecord] = []
        do {
            while let r = try v.next() { out.append(r) }
        } catch {
            return (out, error)
        }
        return (out, nil)
    }

    @Test func intactDumpIsAllVerified() throws {
        let dir = try makeTempDir()
        let path = dir + "/d.mcdump.gz"
        _ = try writeDump(items(400), to: path, memberBytes: 8192)
        let (records, error) = readChecked(path)
        #expect(error == nil)
        #expect(records.count == 402)  // header, 400 items, END
        #expect(records.allSatisfy { $0.unverified == nil })
    }

    /// The last member's CRC no longer matches: the records decoded from it come flagged, then the error.
    @Test func badCRCFlagsThatMembersRecordsThenThrows() throws {
        let dir = try makeTempDir()
        let path = dir + "/d.mcdump.gz"
        _ = try writeDump(items(400), to: path, memberBytes: 8192)
        var bytes = try fileBytes(path)
        bytes[bytes.count - 6] ^= 0x40  // inside the last member's CRC-32
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let (records, error) = readChecked(path)
        #expect((error as? DumpReadError)?.kind == .corruptGzip)
        let flagged = records.filter { $0.unverified != nil }
        #expect(!flagged.isEmpty && records.count > flagged.count)
        #expect(records.suffix(flagged.count).allSatisfy { $0.unverified?.contains("incorrect data check") == true })
        #expect(!records.contains { if case .end = $0.record { return true } else { return false } })
    }

    /// A member larger than the hold budget cannot be held whole: its oldest records are released
    /// flagged; a clean end still verifies the rest.
    @Test func holdingIsBounded() throws {
        let dir = try makeTempDir()
        let path = dir + "/d.mcdump.gz"
        // One member of ~750 KB of records: more than one inflate call's output (256 KiB), so records
        // reach the reader before the member's trailer is checked.
        _ = try writeDump(items(2000), to: path, memberBytes: 4 << 20)
        let (records, error) = readChecked(path, holdBytes: 20_000)
        #expect(error == nil)
        let flagged = records.filter { $0.unverified?.contains("more than can be held") == true }
        #expect(!flagged.isEmpty && flagged.count < records.count)
    }
}
