// DumpContainerTests/WriterTests: file creation rules (0600, no silent overwrite), timed and forced
// member ends, a snapshot of a still-open dump (what a kill -9 leaves), invalid records and write failures.
@testable import DumpContainer
import Foundation
import Testing
import TestSupport

@Suite struct WriterTests {
    @Test func createsTheFileWithMode0600() throws {
        let dir = try makeTempDir()
        let path = dir + "/d.mcdump.gz"
        try writeDump(sampleRecords(), to: path)
        var st = stat()
        #expect(stat(path, &st) == 0)
        #expect(st.st_mode & 0o777 == 0o600)
    }

    @Test func refusesToOverwriteAnExistingFile() throws {
        let dir = try makeTempDir()
        let path = dir + "/d.mcdump.gz"
        try Data("precious".utf8).write(to: URL(fileURLWithPath: path))
        do {
            _ = try DumpWriter(path: path)
            Issue.record("DumpWriter opened an existing file without overwrite")
        } catch let e as DumpWriteError {
            #expect(e.kind == .exists)
            #expect(e.description.contains(path))
        }
        #expect(try fileBytes(path) == Array("precious".utf8))
    }

    @Test func refusesADanglingSymlinkWithoutOverwrite() throws {
        let dir = try makeTempDir()
        let path = dir + "/link.mcdump.gz"
        let target = dir + "/elsewhere"
        #expect(symlink(target, path) == 0)
        #expect(throws: DumpWriteError.self) { try DumpWriter(path: path) }
        #expect(!FileManager.default.fileExists(atPath: target))
    }

    @Test func overwriteReplacesTheFileAndResetsTheMode() throws {
        let dir = try makeTempDir()
        let path = dir + "/d.mcdump.gz"
        let other = dir + "/other"
        try Data("old".utf8).write(to: URL(fileURLWithPath: other))
        #expect(chmod(other, 0o644) == 0)
        #expect(symlink(other, path) == 0)
        let w = try DumpWriter(path: path, overwrite: true)
        try w.write(.header(sampleHeader))
        _ = try w.finish(sampleTrailer)
        var st = stat()
        #expect(lstat(path, &st) == 0)
        #expect(st.st_mode & S_IFMT == S_IFREG)  // the link was replaced, not followed
        #expect(st.st_mode & 0o777 == 0o600)
        #expect(try fileBytes(other) == Array("old".utf8))
        #expect(try readAll(path: path).records.count == 2)
    }

    @Test func overwriteRefusesADirectoryAndMissingParentsAreIOErrors() throws {
        let dir = try makeTempDir()
        #expect { try DumpWriter(path: dir, overwrite: true) } throws: { ($0 as? DumpWriteError)?.kind == .io }
        #expect { try DumpWriter(path: dir + "/no/such/d.mcdump.gz") } throws: { ($0 as? DumpWriteError)?.kind == .io }
    }

    @Test func anOldFileThatCannotBeRemovedIsAnIOError() throws {
        // /proc entries cannot be unlinked, even by root.
        #expect { try DumpWriter(path: "/proc/self/status", overwrite: true) } throws: {
            ($0 as? DumpWriteError)?.kind == .io && ($0 as? DumpWriteError)?.message.contains("cannot remove") == true
        }
    }

    @Test func anUnwritableTrailerClosesTheDumpAsIncomplete() throws {
        let dir = try makeTempDir()
        let path = dir + "/d.mcdump.gz"
        let w = try DumpWriter(path: path)
        try w.write(.header(sampleHeader))
        var bad = sampleTrailer
        bad.finishedLocal = .nan
        #expect { try w.finish(bad) } throws: { ($0 as? DumpWriteError)?.kind == .invalidRecord }
        let out = try readAll(path: path)
        #expect(out.error == nil && !out.sawTrailer && out.records == [.header(sampleHeader)])
    }

    @Test func rejectsBadArguments() throws {
        let dir = try makeTempDir()
        for (mb, secs, level, threads) in [(0, 2.0, Int32(1), 2), (1024, 0, 1, 2), (1024, .nan, 1, 2), (1024, 2, 12, 2), (1024, 2, 1, 0)] {
            #expect {
                try DumpWriter(path: dir + "/x", memberBytes: mb, memberSeconds: secs, level: level, compressionThreads: threads)
            } throws: { ($0 as? DumpWriteError)?.kind == .invalidArgument }
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/x"))  // nothing created for bad arguments
    }

    @Test func aMemberEndsAfterMemberSecondsWithoutFurtherRecords() throws {
        let dir = try makeTempDir()
        let path = dir + "/d.mcdump.gz"
        let interval = 0.3
        let w = try DumpWriter(path: path, memberSeconds: interval)
        let item = DumpItem(
            key: Array("k".utf8), flags: 0, valueLength: 3, cas: 1, exp: -1, lastAccess: 5, slabClass: 1, fetched: false,
            totalSize: 60, value: [1, 2, 3])
        try w.write(.header(sampleHeader))
        try w.write(.item(item))
        // No flush: only the timer can end the member. Wait 3× the interval, then poll (a loaded machine may be
        // slow; this asserts that it happens, not how fast).
        usleep(useconds_t(3 * interval * 1e6))
        var out = try readAll(bytes: try fileBytes(path), in: dir)
        var polls = 0
        while out.records.count < 2 && polls < 100 {
            usleep(100_000)
            polls += 1
            out = try readAll(bytes: try fileBytes(path), in: dir)
        }
        #expect(out.error == nil)
        #expect(out.records == [.header(sampleHeader), .item(item)])
        #expect(!out.sawTrailer)
        _ = try w.finish(sampleTrailer)
    }

    @Test func flushEndsTheMemberAndTheFileReadsAsIncomplete() throws {
        let dir = try makeTempDir()
        let path = dir + "/d.mcdump.gz"
        let w = try DumpWriter(path: path, memberSeconds: 3600)
        try w.write(.header(sampleHeader))
        #expect(try fileBytes(path).isEmpty)  // nothing is written before a member ends
        try w.write(.note(DumpNote(level: "info", message: "one")))
        try w.flush()
        let out = try readAll(bytes: try fileBytes(path), in: dir)
        #expect(out.error == nil)
        #expect(out.records.count == 2)
        #expect(!out.sawTrailer)
        let summary = try w.closeWithoutTrailer()
        #expect(summary.members == 1)
        let after = try readAll(path: path)
        #expect(after.error == nil && !after.sawTrailer && after.records.count == 2)
    }

    @Test func aSnapshotOfAnOpenDumpReadsBackItsPrefix() throws {
        // What kill -9 leaves: the bytes in the file at some instant before finish().
        let dir = try makeTempDir()
        let path = dir + "/d.mcdump.gz"
        let w = try DumpWriter(path: path, memberBytes: 2000, memberSeconds: 3600)
        var written: [DumpRecord] = [.header(sampleHeader)]
        try w.write(.header(sampleHeader))
        var rng = SplitMix64(seed: 11)
        var snapshots: [[UInt8]] = []
        for i in 0..<400 {
            let v = randomBytes(Int.random(in: 0...500, using: &rng), &rng)
            let r = DumpRecord.item(
                DumpItem(
                    key: Array("k\(i)".utf8), flags: 0, valueLength: v.count, cas: UInt64(i), exp: -1, lastAccess: 0,
                    slabClass: 1, fetched: false, totalSize: -1, value: v))
            try w.write(r)
            written.append(r)
            if i % 100 == 50 { snapshots.append(try fileBytes(path)) }
        }
        for (n, snap) in snapshots.enumerated() {
            let out = try readAll(bytes: snap, in: dir, name: "snap\(n)")
            #expect(out.records.count > 1)
            #expect(Array(written.prefix(out.records.count)) == out.records)
            #expect(out.error == nil || out.error?.kind == .truncated)
            #expect(!out.sawTrailer)
        }
        _ = try w.finish(sampleTrailer)
        #expect(try readAll(path: path).records == written + [.end(sampleTrailer)])
    }

    @Test func invalidRecordsAreRefusedAndLeaveNoBytes() throws {
        let dir = try makeTempDir()
        let path = dir + "/d.mcdump.gz"
        let w = try DumpWriter(path: path)
        try w.write(.header(sampleHeader))
        let bad: [DumpRecord] = [
            .item(DumpItem(key: [], flags: 0, valueLength: 0, cas: 0, exp: 0, lastAccess: 0, slabClass: 0, fetched: false, totalSize: 0, value: [])),
            .item(DumpItem(key: [1], flags: 0, valueLength: 5, cas: 0, exp: 0, lastAccess: 0, slabClass: 0, fetched: false, totalSize: 0, value: [1])),
            .item(DumpItem(key: [1], flags: 0, valueLength: -1, cas: 0, exp: 0, lastAccess: 0, slabClass: 0, fetched: false, totalSize: 0, value: nil)),
            .stats(DumpStats(section: "general stats", label: "start", values: [])),
            .stats(DumpStats(section: "general", label: "", values: [])),
            .miss(DumpMiss(key: [], reason: nil)),
            .miss(DumpMiss(key: [1], reason: "")),
            .note(DumpNote(level: "x", message: "y")),  // valid, control
            .header(DumpHeader(host: "h", port: 1, collector: "c", method: "m", startedLocal: .infinity)),
            .header(
                {
                    var h = sampleHeader
                    h.format = 3  // formats 1 and 2 exist
                    return h
                }()),
        ]
        var accepted = 0
        for r in bad {
            do {
                try w.write(r)
                accepted += 1
            } catch let e as DumpWriteError {
                #expect(e.kind == .invalidRecord)
                #expect(e.path == path)
            }
        }
        #expect(accepted == 1)
        let summary = try w.finish(sampleTrailer)
        #expect(summary.records == 3)
        let out = try readAll(path: path)
        #expect(out.records == [.header(sampleHeader), .note(DumpNote(level: "x", message: "y")), .end(sampleTrailer)])
    }

    @Test func writingAfterFinishIsAnError() throws {
        let dir = try makeTempDir()
        let w = try DumpWriter(path: dir + "/d.mcdump.gz")
        try w.write(.header(sampleHeader))
        _ = try w.finish(sampleTrailer)
        #expect { try w.write(.note(DumpNote(level: "a", message: "b"))) } throws: { ($0 as? DumpWriteError)?.kind == .closed }
        #expect { try w.finish(sampleTrailer) } throws: { ($0 as? DumpWriteError)?.kind == .closed }
        #expect { try w.flush() } throws: { ($0 as? DumpWriteError)?.kind == .closed }
    }

    @Test func aFullDiskIsAnIOErrorNotACrash() throws {
        let fd = open("/dev/full", O_WRONLY)
        #expect(fd >= 0)
        let w = try DumpWriter(adoptingDescriptor: fd, path: "/dev/full", memberBytes: 100)
        try w.write(.header(sampleHeader))  // ends a member (over 100 bytes); the write fails in the background
        var failure: DumpWriteError?
        do {
            for _ in 0..<50 { try w.write(.note(DumpNote(level: "info", message: String(repeating: "x", count: 200)))) }
            try w.flush()
        } catch let e as DumpWriteError { failure = e }
        #expect(failure?.kind == .io)
        #expect(failure?.message.contains("No space") == true)
        #expect { try w.finish(sampleTrailer) } throws: { ($0 as? DumpWriteError)?.kind == .io }
    }

    @Test func concurrentProducersNeverSplitARecord() throws {
        let dir = try makeTempDir()
        let path = dir + "/d.mcdump.gz"
        let w = try DumpWriter(path: path, memberBytes: 4096, memberSeconds: 0.005)
        try w.write(.header(sampleHeader))
        DispatchQueue.concurrentPerform(iterations: 4) { t in
            for n in 0..<500 {
                let value = [UInt8](repeating: UInt8(t), count: n % 300)
                try? w.write(
                    .item(
                        DumpItem(
                            key: Array("t\(t)-\(n)".utf8), flags: UInt32(t), valueLength: value.count, cas: UInt64(n), exp: -1,
                            lastAccess: 0, slabClass: 1, fetched: false, totalSize: -1, value: value)))
            }
        }
        _ = try w.finish(sampleTrailer)
        let out = try readAll(path: path)
        #expect(out.error == nil && out.sawTrailer)
        var next = [0, 0, 0, 0]
        for case .item(let i) in out.records {
            let t = Int(i.flags)
            #expect(i.key == Array("t\(t)-\(next[t])".utf8) && i.value == [UInt8](repeating: UInt8(t), count: next[t] % 300))
            next[t] += 1
        }
        #expect(next == [500, 500, 500, 500])
    }

    @Test(arguments: [1, 4])
    func manySmallTimedMembersKeepRecordOrder(threads: Int) throws {
        let dir = try makeTempDir()
        let path = dir + "/d.mcdump.gz"
        let w = try DumpWriter(path: path, memberBytes: 700, memberSeconds: 0.001, compressionThreads: threads)
        var written: [DumpRecord] = [.header(sampleHeader)]
        try w.write(.header(sampleHeader))
        for i in 0..<3000 {
            let r = DumpRecord.miss(DumpMiss(key: Array("key-\(i)".utf8), reason: i % 3 == 0 ? "vanished" : nil))
            try w.write(r)
            written.append(r)
        }
        let summary = try w.finish(sampleTrailer)
        #expect(summary.members > 20)
        let out = try readAll(path: path)
        #expect(out.error == nil)
        #expect(out.records == written + [.end(sampleTrailer)])
    }
}
