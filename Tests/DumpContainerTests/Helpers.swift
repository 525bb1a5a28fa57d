// DumpContainerTests/Helpers: temporary files, a seeded generator, sample records and a
// read-everything helper shared by the container tests.
import DumpContainer
import Foundation
import TestSupport

/// A fresh private directory under /tmp for one test.
func makeTempDir(_ tag: String = #function) throws -> String {
    let safe = tag.filter { $0.isLetter || $0.isNumber }
    let dir = NSTemporaryDirectory() + "mcdump-test-\(safe)-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

func randomBytes(_ n: Int, _ rng: inout SplitMix64) -> [UInt8] {
    (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
}

/// Everything read from a dump: the records before any error, and the error if one was thrown.
struct ReadOutcome {
    var records: [DumpRecord]
    var error: DumpReadError?
    var sawTrailer: Bool
}

func readAll(_ reader: DumpReader) -> ReadOutcome {
    var records: [DumpRecord] = []
    while true {
        do {
            guard let r = try reader.next() else { break }
            records.append(r)
        } catch let e as DumpReadError {
            return ReadOutcome(records: records, error: e, sawTrailer: reader.sawTrailer)
        } catch {
            return ReadOutcome(
                records: records, error: DumpReadError(kind: .io, message: "unexpected \(error)", file: ""),
                sawTrailer: reader.sawTrailer)
        }
    }
    return ReadOutcome(records: records, error: nil, sawTrailer: reader.sawTrailer)
}

func readAll(path: String, maxValueBytes: Int = 64 << 20) throws -> ReadOutcome {
    readAll(try DumpReader(path: path, maxValueBytes: maxValueBytes))
}

/// Reads a dump from in-memory bytes through a pipe-free path: writes them to a temp file.
func readAll(bytes: [UInt8], in dir: String, name: String = "copy.mcdump.gz", maxValueBytes: Int = 64 << 20) throws
    -> ReadOutcome
{
    let path = dir + "/" + name
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return try readAll(path: path, maxValueBytes: maxValueBytes)
}

func fileBytes(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }

let sampleHeader = DumpHeader(
    host: "10.0.0.2", port: 11211, collector: "0.1.0", method: "metadump", keysOnly: false,
    serverVersion: "1.6.18", serverTime: 1_764_000_000, serverUptime: 12345, startedLocal: 1_764_000_000.25,
    commandLine: ["collect", "10.0.0.2:11211", "--out", "dumps"])

let sampleTrailer = DumpTrailer(
    finishedLocal: 1_764_000_010.5, serverTime: 1_764_000_010, listed: 4, captured: 3, missed: 1,
    valueBytes: 1_048_600, complete: true, reason: nil)

/// Every byte value once, in a key.
let allBytesKey: [UInt8] = (0...255).map { UInt8($0) }

/// A record of every type, with awkward keys and values.
func sampleRecords() -> [DumpRecord] {
    var rng = SplitMix64(seed: 7)
    return [
        .header(sampleHeader),
        .stats(
            DumpStats(
                section: "general", label: "start",
                values: [("pid", "123"), ("uptime", "12345"), ("version", "1.6.18"), ("odd \"name\"\n", "tab\there\\ é")])),
        .stats(DumpStats(section: "items", label: "sample-3", values: [])),
        .item(
            DumpItem(
                key: Array("3ab6e4d4b5c2a4f3c8a1b2e3f4a5b6c7d8e9f0a1".utf8), flags: 9, valueLength: 24, cas: 77,
                exp: -1, lastAccess: 1_764_000_001, slabClass: 2, fetched: false, totalSize: 120,
                value: Array("\nITEM x 0 5 0 0 0 0 0 0 1".utf8.prefix(24)))),
        .item(
            DumpItem(
                key: allBytesKey, flags: UInt32.max, valueLength: 0, cas: UInt64.max, exp: Int64.max,
                lastAccess: 0, slabClass: 63, fetched: true, totalSize: -1, value: [])),
        .item(
            DumpItem(
                key: Array("100% sure key with spaces é".utf8), flags: 0, valueLength: 1 << 20, cas: 1,
                exp: 1_764_003_600, lastAccess: 1_764_000_002, slabClass: 40, fetched: false, totalSize: (1 << 20) + 80,
                value: randomBytes(1 << 20, &rng))),
        .item(
            DumpItem(
                key: [0x00, 0x0A, 0x25, 0x20], flags: 1, valueLength: 580_000, cas: 5, exp: -1, lastAccess: 1,
                slabClass: 39, fetched: false, totalSize: -1, value: nil)),
        .miss(DumpMiss(key: Array("gone key".utf8), reason: "not found (evicted?)")),
        .miss(DumpMiss(key: [0xFF, 0xFE], reason: nil)),
        .note(DumpNote(level: "warning", message: "metadump unavailable\nfell back to \"cachedump\"")),
        .stats(DumpStats(section: "general", label: "end", values: [("uptime", "12355")])),
        .end(sampleTrailer),
    ]
}

/// Writes `records` (the last one must be `.end`) and returns the summary.
@discardableResult
func writeDump(
    _ records: [DumpRecord], to path: String, memberBytes: Int = 4 << 20, memberSeconds: Double = 2,
    threads: Int = 2
) throws -> DumpFileSummary {
    let w = try DumpWriter(path: path, memberBytes: memberBytes, memberSeconds: memberSeconds, compressionThreads: threads)
    var trailer: DumpTrailer?
    for r in records {
        if case .end(let t) = r { trailer = t } else { try w.write(r) }
    }
    if let trailer { return try w.finish(trailer) }
    return try w.closeWithoutTrailer()
}
