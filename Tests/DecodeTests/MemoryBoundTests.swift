// DecodeTests/MemoryBoundTests: decode's memory is bounded by its buffer budget (`--buffer-mb`), not
// by the number or size of the records. Many zlib-compressed values that inflate to megabytes each
// (within the ratio limit) once made decode hold every value of every batch in flight decoded at
// once (gigabytes for large pickles), also with `--values none`. The peak resident size is read
// by the kernel (getrusage of the child), an oracle outside the process.
import DumpContainer
import Foundation
import Testing
import TestSupport

@Suite("decode memory", .serialized)
struct MemoryBoundTests {
    /// Writes a dump of `count` items holding the same 6 MB text value (48 KB zlib-compressed by Python).
    static func largeRecordsDump(_ path: String, count: Int) throws {
        let compressed = try Python.run(
            code: """
                import random, string, sys, zlib
                random.seed(1)
                letters = string.ascii_letters.encode()
                block = bytes(random.choice(letters) for _ in range(499))
                data = b''.join(block + bytes([random.choice(letters)]) for _ in range(6_000_000 // 500))
                sys.stdout.buffer.write(zlib.compress(data, 6))
                """
        ).stdout
        let value = [UInt8](compressed)
        let w = try DumpWriter(path: path, overwrite: true)
        try w.write(
            .header(DumpHeader(host: "10.0.0.9", port: 11211, collector: "t", method: "metadump", serverVersion: "1.6.18", serverTime: 1, startedLocal: 1)))
        for i in 0..<count {
            try w.write(
                .item(
                    DumpItem(
                        key: Array("big-\(i)".utf8), flags: 8 | 16, valueLength: value.count, cas: UInt64(i + 1), exp: -1, lastAccess: 1, slabClass: 40,
                        fetched: false, totalSize: value.count + 60, value: value)))
        }
        _ = try w.finish(
            DumpTrailer(finishedLocal: 2, serverTime: 2, listed: count, captured: count, missed: 0, valueBytes: Int64(count * value.count), complete: true))
    }

    /// Runs decode with `args` (output to /dev/null) and returns its exit status and peak RSS in MiB.
    static func peak(_ args: [String]) throws -> (status: Int, mib: Double) {
        let r = try Python.run(
            code: """
                import resource, subprocess, sys
                p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                print(p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
                """, [Repo.executable("decode")] + args)
        let parts = r.stdoutText.split(separator: " ")
        return (Int(parts[0]) ?? -1, Double(parts[1].trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1)
    }

    @Test("120 values of 6 MB: peak memory stays within the budget plus one value per thread", arguments: ["full", "none"])
    func manyLargeRecords(values: String) throws {
        let dir = try ScratchDir()
        let path = dir.file("large.mcdump.gz")
        try Self.largeRecordsDump(path, count: 120)
        // Budget 16 MiB; each thread (2 workers, the writer) may also hold one value being decoded: its
        // compressed bytes, 6 MB inflated, 6 MB of JSON and its copy in the output buffer. Measured
        // here: 86 MiB; without the budget (`--buffer-mb` 1048576) 330 MiB.
        let (status, mib) = try Self.peak([path, "--values", values, "--jobs", "2", "--buffer-mb", "16"])
        #expect(status == 0)
        #expect(mib > 0 && mib < 200, "peak RSS \(mib) MiB")
    }
}
