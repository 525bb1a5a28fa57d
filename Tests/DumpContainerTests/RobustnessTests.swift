// DumpContainerTests/RobustnessTests: the reader against damaged input — every truncation point, seeded
// random corruption, garbage after members, hand-written streams (compressed by gzip(1), not by our
// writer) with bad headers, unknown records and huge declared lengths. Never a trap; always positioned.
import DumpContainer
import Foundation
import Testing
import TestSupport

/// Compresses `text` with gzip(1) into one member.
func gzipCLI(_ text: String) throws -> [UInt8] { try gzipCLI(Array(text.utf8)) }
func gzipCLI(_ bytes: [UInt8]) throws -> [UInt8] {
    let r = try runProcess("/bin/gzip", ["-c", "-n"], stdin: Data(bytes))
    guard r.status == 0 else { throw TestSupportError.failed("gzip failed: \(r.stderrText)") }
    return [UInt8](r.stdout)
}

let headerLine =
    #"MCDUMP 1 {"collector":"0.1.0","format":1,"host":"h","keys_only":false,"method":"metadump","port":11211,"started_local":1.5}"#
    + "\n"

@Suite struct RobustnessTests {
    /// A small multi-member dump and its records.
    func smallDump(_ dir: String) throws -> (bytes: [UInt8], records: [DumpRecord], memberEnds: Set<Int>) {
        var rng = SplitMix64(seed: 3)
        var records: [DumpRecord] = [.header(sampleHeader)]
        records.append(.stats(DumpStats(section: "general", label: "start", values: [("pid", "1"), ("uptime", "2")])))
        for i in 0..<6 {
            let v = randomBytes(Int.random(in: 0...60, using: &rng), &rng)
            records.append(
                .item(
                    DumpItem(
                        key: [UInt8(i), 0x25, 0x41], flags: 9, valueLength: v.count, cas: UInt64(i), exp: -1, lastAccess: 9,
                        slabClass: 1, fetched: false, totalSize: -1, value: v)))
        }
        records.append(.miss(DumpMiss(key: [0x41], reason: "gone")))
        records.append(.end(sampleTrailer))
        let path = dir + "/small.mcdump.gz"
        try writeDump(records, to: path, memberBytes: 150)
        let bytes = try fileBytes(path)
        // Member ends, found independently with Python's zlib (decompressobj + unused_data).
        let code = """
            import sys, zlib
            data = open(sys.argv[1], "rb").read(); pos = 0; ends = []
            while pos < len(data):
                d = zlib.decompressobj(31); d.decompress(data[pos:]); pos = len(data) - len(d.unused_data); ends.append(pos)
            print(" ".join(map(str, ends)))
            """
        let ends = try Python.run(code: code, [path]).stdoutText.split(separator: " ").compactMap {
            Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return (bytes, records, Set(ends))
    }

    @Test func everyTruncationPointGivesAPrefixThenAPositionedErrorOrACleanIncompleteEnd() throws {
        let dir = try makeTempDir()
        let (bytes, records, memberEnds) = try smallDump(dir)
        #expect(memberEnds.count > 3)
        var clean = 0
        var truncated = 0
        for n in 0..<bytes.count {
            let out = try readAll(bytes: Array(bytes.prefix(n)), in: dir, name: "cut")
            #expect(out.records.count < records.count)
            #expect(Array(records.prefix(out.records.count)) == out.records, "prefix \(n)")
            #expect(!out.sawTrailer)
            if let e = out.error {
                #expect(e.kind == .truncated || e.kind == .badHeader, "prefix \(n): \(e)")
                #expect(e.compressedOffset != nil && e.recordOffset != nil, "prefix \(n): \(e)")
                #expect(!memberEnds.contains(n) || n == 0 || out.records.isEmpty, "prefix \(n) is a member end: \(e)")
                truncated += 1
            } else {
                #expect(memberEnds.contains(n), "prefix \(n) ended cleanly inside a member")
                clean += 1
            }
        }
        #expect(clean > 0 && truncated > 0)
        let full = try readAll(bytes: bytes, in: dir)
        #expect(full.error == nil && full.sawTrailer && full.records == records)
    }

    @Test(arguments: 0..<6)
    func seededRandomCorruptionNeverTraps(batch: Int) throws {
        let dir = try makeTempDir()
        let (bytes, records, _) = try smallDump(dir)
        var rng = SplitMix64(seed: 1000 + UInt64(batch))
        var detected = 0
        for c in 0..<50 {
            var damaged = bytes
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                let at = Int.random(in: 0..<damaged.count, using: &rng)
                damaged[at] ^= UInt8.random(in: 1...255, using: &rng)
            }
            let out = try readAll(bytes: damaged, in: dir, name: "bad")
            if let e = out.error {
                detected += 1
                #expect(e.compressedOffset != nil && e.recordOffset != nil, "seed \(1000 + batch) case \(c): \(e)")
                #expect(e.description.hasPrefix(dir + "/bad: \(e.kind.rawValue) at byte "))
            } else {
                // Undetectable damage can only be in unchecked gzip header fields (mtime, xfl, os).
                #expect(out.records == records, "seed \(1000 + batch) case \(c): undetected change in records")
            }
        }
        #expect(detected > 25)
    }

    @Test func garbageAfterTheLastMemberIsReportedAndWithholdsEND() throws {
        let dir = try makeTempDir()
        let (bytes, records, _) = try smallDump(dir)
        for tail in [Array("hello".utf8), [0, 0, 0, 0], [0x1F, 0x8B, 0x08, 0x00, 0x00]] {
            let out = try readAll(bytes: bytes + tail, in: dir)
            #expect(out.records == Array(records.dropLast()))  // every record but END
            #expect(!out.sawTrailer)
            let e = try #require(out.error)
            if tail.first == 0x1F {
                #expect(e.kind == .truncated)  // a member header cut short
            } else {
                #expect(e.kind == .corruptGzip)
                #expect(e.message.contains("not a gzip member"))
            }
            #expect(e.compressedOffset == Int64(bytes.count))
        }
    }

    @Test func recordsOfAMemberWithABadCRCAreMarkedUnverified() throws {
        // One member much larger than the reader's 256 KiB output chunk: its first records are delivered
        // before the member's CRC-32 (damaged here) is checked.
        let dir = try makeTempDir()
        var rng = SplitMix64(seed: 21)
        var records: [DumpRecord] = [.header(sampleHeader)]
        for n in 0..<20 {
            let v = randomBytes(50_000, &rng)
            records.append(
                .item(
                    DumpItem(
                        key: Array("k\(n)".utf8), flags: 0, valueLength: v.count, cas: 0, exp: -1, lastAccess: 0,
                        slabClass: 1, fetched: false, totalSize: -1, value: v)))
        }
        records.append(.end(sampleTrailer))
        let path = dir + "/one-member.gz"
        let summary = try writeDump(records, to: path)
        #expect(summary.members == 1)
        var damaged = try fileBytes(path)
        damaged[damaged.count - 8] ^= 0x01  // the member's CRC-32
        try Data(damaged).write(to: URL(fileURLWithPath: path))
        let reader = try DumpReader(path: path)
        var delivered: [DumpRecord] = []
        var unverified = 0
        var error: DumpReadError?
        do {
            while let r = try reader.next() {
                delivered.append(r)
                if reader.recordOffset > reader.verifiedOffset { unverified += 1 }
            }
        } catch let e as DumpReadError { error = e }
        #expect(error?.kind == .corruptGzip)
        #expect(error?.compressedOffset == 0)
        #expect(delivered.count > 1 && delivered.count < records.count)
        #expect(delivered == Array(records.prefix(delivered.count)))
        #expect(unverified == delivered.count && reader.verifiedOffset == 0)
        #expect(!reader.sawTrailer)
    }

    @Test func hugeAndOverLimitDeclaredLengths() throws {
        let dir = try makeTempDir()
        let cases: [(String, DumpReadError.Kind, String)] = [
            ("ITEM k 0 99999999999 0 0 0 0 0 0 1\n", .badRecord, "over the limit"),
            ("ITEM k 0 9223372036854775807 0 0 0 0 0 0 1\n", .badRecord, "over the limit"),
            ("ITEM k 0 99999999999999999999999 0 0 0 0 0 0 1\n", .badRecord, "value-length"),
            ("ITEM k 0 1000 0 0 0 0 0 0 1\nabc", .truncated, "input ends after 3"),
            ("ITEM k 0 3 0 0 0 0 0 0 1\nabcX", .badRecord, "not followed by"),
            ("ITEM k 0 3 0 0 0 0 0 0 1\nabc", .truncated, "input ends after 3"),
            ("ITEM k 99999999999 3 0 0 0 0 0 0 0\n", .badRecord, "flags"),
            ("ITEM k 0 3 0 0 0 0 2 0 0\n", .badRecord, "fetched"),
            ("ITEM k 0 3 0 0 0 0 0 -2 0\n", .badRecord, "total-size"),
            ("ITEM k 0 3 0 0 0 0 0 0\n", .badRecord, "9 fields"),
            ("ITEM k%G1 0 3 0 0 0 0 0 0 0\n", .badRecord, "key"),
            ("ITEM k  0 3 0 0 0 0 0 0 0\n", .badRecord, "fields"),
        ]
        for (body, kind, text) in cases {
            let out = try readAll(bytes: try gzipCLI(headerLine + body), in: dir)
            #expect(out.records.count == 1, "\(body)")
            let e = try #require(out.error, "\(body)")
            #expect(e.kind == kind, "\(body): \(e)")
            #expect(e.message.contains(text), "\(body): \(e)")
            #expect(e.recordOffset == Int64(headerLine.utf8.count))
            #expect(e.compressedOffset == 0)
        }
    }

    @Test func theValueLimitIsConfigurable() throws {
        let dir = try makeTempDir()
        let path = dir + "/d.mcdump.gz"
        try writeDump(sampleRecords(), to: path)
        let out = try readAll(path: path, maxValueBytes: 1000)
        #expect(out.error?.kind == .badRecord)
        #expect(out.records.count == 5)  // header, 2 stats, the 24-byte item, the empty item
    }

    @Test func unknownRecordTypeIsABadRecordWithItsOffsets() throws {
        let dir = try makeTempDir()
        let note = "NOTE {\"level\":\"info\",\"message\":\"m\"}\n"
        let first = try gzipCLI(headerLine + note)
        let second = try gzipCLI("MISS abc\nFROB 1 2 3\n")
        let out = try readAll(bytes: first + second, in: dir)
        #expect(out.records.count == 3)
        let e = try #require(out.error)
        #expect(e.kind == .badRecord)
        #expect(e.message.contains("unknown record type 'FROB'"))
        #expect(e.compressedOffset == Int64(first.count))
        #expect(e.recordOffset == Int64(headerLine.utf8.count + note.utf8.count + "MISS abc\n".utf8.count))
        #expect(e.description == "\(dir)/copy.mcdump.gz: bad_record at byte \(first.count) (record offset \(e.recordOffset ?? -1)): unknown record type 'FROB'")
    }

    @Test func headerProblems() throws {
        let dir = try makeTempDir()
        let cases: [([UInt8], DumpReadError.Kind)] = [
            ([], .truncated),  // empty file
            (try gzipCLI(""), .badHeader),  // a member with no content
            (try gzipCLI("hello world, no header here\n"), .badHeader),
            (try gzipCLI(Array(repeating: 0x41, count: 100_000)), .badHeader),  // no newline at all
            (try gzipCLI("MISS abc\n"), .badHeader),
            (try gzipCLI("MCDUMP 3 {}\n"), .unsupportedVersion),
            (try gzipCLI("MCDUMP 2 {}\n"), .badHeader),
            (try gzipCLI("MCDUMP x {}\n"), .badHeader),
            (try gzipCLI("MCDUMP 1 {\"format\":1}\n"), .badHeader),
            (try gzipCLI("MCDUMP 1 not json\n"), .badHeader),
            (
                try gzipCLI(#"MCDUMP 1 {"collector":"0.1.0","format":2,"host":"h","keys_only":false,"method":"m","port":1,"started_local":1}"# + "\n"),
                .badHeader
            ),
            (Array("plain text, not gzip\n".utf8), .corruptGzip),
            ([0x1F], .truncated),
        ]
        for (n, (bytes, kind)) in cases.enumerated() {
            let out = try readAll(bytes: bytes, in: dir)
            #expect(out.records.isEmpty, "case \(n)")
            #expect(out.error?.kind == kind, "case \(n): \(String(describing: out.error))")
        }
    }

    /// Format 2 (docs/dump-format.md §6): EVENT and WATCH records, a format-2 reader steps over a line of
    /// an upper-case type it does not know, and a format-1 stream may hold neither.
    @Test func formatTwoRecordsAndItsVersionRule() throws {
        let dir = try makeTempDir()
        let v2 = #"MCDUMP 2 {"collector":"0.1.0","format":2,"host":"h","keys_only":true,"method":"watch","port":1,"started_local":1}"# + "\n"
        let event = "EVENT ts=1796586584.41985 gid=3 type=item_get key=foo status=found clsid=1 cfd=25 size=3\n"
        let watch =
            #"WATCH {"connection_events":2,"ended":"elapsed","events":1,"finished_local":3,"own_connections":1,"own_events":4,"seconds":2,"skipped":0,"started_local":1,"streams":["fetchers"],"unreadable":0}"#
            + "\n"
        let out = try readAll(bytes: try gzipCLI(v2 + event + "FUTURE anything at all\n" + watch), in: dir)
        #expect(out.error == nil, "\(String(describing: out.error))")
        #expect(out.records.count == 3)
        #expect(out.records[1] == .event(Array(event.utf8.dropFirst(6).dropLast())))
        guard case .watch(let w)? = out.records.last else {
            Issue.record("no WATCH record")
            return
        }
        #expect(w.ownEvents == 4 && w.events == 1 && w.workerDropped == nil && w.ended == "elapsed")
        // Lower-case or mixed types are damage, not a future record type.
        let lower = try readAll(bytes: try gzipCLI(v2 + "Future x\n"), in: dir)
        #expect(lower.error?.kind == .badRecord && lower.error?.message.contains("unknown record type 'Future'") == true)
        let empty = try readAll(bytes: try gzipCLI(v2 + "EVENT \n"), in: dir)
        #expect(empty.error?.kind == .badRecord)
        // Format 1 knows neither EVENT nor unknown types.
        for line in [event, "FUTURE x\n", watch] {
            let v1 = try readAll(bytes: try gzipCLI(headerLine + line), in: dir)
            #expect(v1.error?.kind == .badRecord && v1.records.count == 1, "\(line)")
        }
    }

    @Test func formatTwoRoundTripsThroughTheWriter() throws {
        let dir = try makeTempDir()
        let path = dir + "/w.mcdump.gz"
        let writer = try DumpWriter(path: path)
        var header = sampleHeader
        header.format = DumpFormat.watchVersion
        let line = Array("ts=1.5 gid=9 type=item_store key=a%20b status=stored cmd=set ttl=0 clsid=1 cfd=30 size=7".utf8)
        let w = DumpWatch(
            streams: ["fetchers", "mutations"], startedLocal: 1, finishedLocal: 2, seconds: 1, events: 1, ownEvents: 0, ownConnections: 0,
            connectionEvents: 0, skipped: 5, unreadable: 0, workerDropped: 2, watcherSkipped: 5, ended: "elapsed")
        try writer.write(.header(header))
        try writer.write(.event(line))
        try writer.write(.watch(w))
        #expect(throws: DumpWriteError.self) { try writer.write(.event(Array("a\nITEM x".utf8))) }
        #expect(throws: DumpWriteError.self) { try writer.write(.event([])) }
        _ = try writer.finish(DumpTrailer(finishedLocal: 3, listed: 0, captured: 0, missed: 0, valueBytes: 0, complete: true, method: "cachedump"))
        let out = try readAll(path: path)
        #expect(out.error == nil && out.sawTrailer)
        #expect(out.records.dropFirst().first == .event(line))
        #expect(out.records.dropFirst(2).first == .watch(w))
        guard case .end(let t)? = out.records.last else {
            Issue.record("no END")
            return
        }
        #expect(t.method == "cachedump")
    }

    @Test func recordOrderRules() throws {
        let dir = try makeTempDir()
        let end = #"END {"captured":0,"complete":true,"finished_local":2,"listed":0,"missed":0,"value_bytes":0}"# + "\n"
        let after = try readAll(bytes: try gzipCLI(headerLine + end + "MISS a\n"), in: dir)
        #expect(after.records.count == 1 && !after.sawTrailer)  // END is withheld: the input after it is bad
        #expect(after.error?.kind == .badRecord && after.error?.message == "record after END")
        let emptyMemberAfter = try readAll(bytes: try gzipCLI(headerLine + end) + (try gzipCLI("")), in: dir)
        #expect(emptyMemberAfter.error == nil && emptyMemberAfter.sawTrailer && emptyMemberAfter.records.count == 2)
        let twice = try readAll(bytes: try gzipCLI(headerLine + headerLine), in: dir)
        #expect(twice.error?.kind == .badRecord && twice.records.count == 1)
        let badStats = try readAll(bytes: try gzipCLI(headerLine + "STATS general start {\"a\":1}\n"), in: dir)
        #expect(badStats.error?.kind == .badRecord && badStats.error?.message.contains("STATS JSON") == true)
        for miss in ["MISS\n", "MISS a b c\n", "MISS %zz\n", "MISS a \n", "MISS a%20b reason%\n"] {
            let out = try readAll(bytes: try gzipCLI(headerLine + miss), in: dir)
            #expect(out.records.count == 1 && out.error?.kind == .badRecord, "\(miss)")
        }
        let badEnd = try readAll(bytes: try gzipCLI(headerLine + "END {\"complete\":true}\n"), in: dir)
        #expect(badEnd.error?.kind == .badRecord && !badEnd.sawTrailer)
        let badNote = try readAll(bytes: try gzipCLI(headerLine + "NOTE {\"level\":\"x\"}\n"), in: dir)
        #expect(badNote.error?.kind == .badRecord && badNote.error?.message.contains("message") == true)
    }

    @Test func overlongLinesAreRefused() throws {
        let dir = try makeTempDir()
        let path = dir + "/long.gz"
        try Data(try gzipCLI(headerLine + "NOTE {\"level\":\"x\",\"message\":\"" + String(repeating: "y", count: 300_000) + "\"}\n"))
            .write(to: URL(fileURLWithPath: path))
        let reader = try DumpReader(path: path)
        reader.maxLineBytes = 100_000
        let out = readAll(reader)
        #expect(out.records.count == 1)
        #expect(out.error?.kind == .badRecord && out.error?.message.contains("longer than 100000") == true)
        let lenient = try readAll(path: path)
        #expect(lenient.error == nil && lenient.records.count == 2 && !lenient.sawTrailer)
    }

    @Test func errorsAreStickyAndIOErrorsArePositioned() throws {
        let dir = try makeTempDir()
        let path = dir + "/x.gz"
        try Data(try gzipCLI("nonsense\n")).write(to: URL(fileURLWithPath: path))
        let reader = try DumpReader(path: path)
        var first: DumpReadError?
        do { _ = try reader.next() } catch let e as DumpReadError { first = e }
        do {
            _ = try reader.next()
            Issue.record("second next() did not throw")
        } catch let e as DumpReadError { #expect(e == first) }
        #expect { try DumpReader(path: dir + "/missing") } throws: { ($0 as? DumpReadError)?.kind == .io }
        let dirReader = try DumpReader(path: dir)
        #expect { try dirReader.next() } throws: { ($0 as? DumpReadError)?.kind == .io }
    }
}

@Suite struct HandWrittenStreamTests {
    @Test func statsJSONEscapesAndOrderAreKept() throws {
        let dir = try makeTempDir()
        let line = #"STATS settings start { "b" : "\u00e9\ud83d\ude00" , "a":"x\/y\"z\\\n\t", "b":"dup" }"# + "\n"
        let out = try readAll(bytes: try gzipCLI(headerLine + line), in: dir)
        #expect(out.error == nil)
        let expected = DumpStats(
            section: "settings", label: "start", values: [("b", "é😀"), ("a", "x/y\"z\\\n\t"), ("b", "dup")])
        #expect(out.records.last == .stats(expected))
    }

    @Test(arguments: [
        #"{"a":1}"#, #"{"a":"x",}"#, #"{"a":{"b":"c"}}"#, #"{"a":"\ud800"}"#, #"{"a":"\udc00x"}"#, #"{"a":"x"} extra"#,
        #"{"a":"\q"}"#, "{\"a\":\"tab\traw\"}", #"["a"]"#, #"{"a":"x""#, #"{"a" "x"}"#, #"{"a":"\u12"}"#,
    ])
    func malformedStatsJSONIsABadRecord(json: String) throws {
        let dir = try makeTempDir()
        let out = try readAll(bytes: try gzipCLI(headerLine + "STATS general start " + json + "\n"), in: dir)
        #expect(out.records.count == 1)
        #expect(out.error?.kind == .badRecord, "\(json)")
        #expect(out.error?.recordOffset == Int64(headerLine.utf8.count))
    }

    @Test func unknownJSONFieldsAreIgnoredAndOptionalOnesMayBeMissing() throws {
        let dir = try makeTempDir()
        let header =
            #"MCDUMP 1 {"format":1,"host":"h","port":1,"collector":"c","method":"keys","keys_only":true,"started_local":2,"future":{"x":[1,2]}}"#
        let end = #"END {"finished_local":3,"listed":1,"captured":0,"missed":0,"value_bytes":0,"complete":false,"reason":"keys only","new":1}"#
        let item = "ITEM %e9%2Fk 4294967295 9223372036854775807 18446744073709551615 -9223372036854775808 -5 0 1 -1 0"
        let out = try readAll(bytes: try gzipCLI([header, item, end].joined(separator: "\n") + "\n"), in: dir)
        #expect(out.error == nil && out.sawTrailer)
        #expect(out.records.count == 3)
        guard out.records.count == 3, case .header(let h) = out.records[0], case .item(let i) = out.records[1],
            case .end(let t) = out.records[2]
        else { return }
        #expect(h.keysOnly && h.serverVersion == nil && h.commandLine == nil && h.method == "keys")
        #expect(i.key == [0xE9, 0x2F, 0x6B] && i.flags == UInt32.max && i.cas == UInt64.max && i.exp == Int64.min)
        #expect(i.valueLength == Int.max)  // a huge length is fine when no value follows (captured 0)
        #expect(i.lastAccess == -5 && i.fetched && i.totalSize == -1 && i.value == nil)
        #expect(!t.complete && t.reason == "keys only")
    }
}
