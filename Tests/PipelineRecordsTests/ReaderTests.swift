// PipelineRecordsTests/ReaderTests: ByteReader (lines, exact payloads, limits, truncation), the JSON
// skimmer (including malformed and very deep input) and OutputSink (EPIPE is success, ENOSPC is not).
import Foundation
import PipelineRecords
import Testing
import TestSupport

@Suite("readers and sinks")
struct ReaderTests {
    func reader(_ bytes: [UInt8], maxLine: Int = 1 << 20) throws -> ByteReader {
        var fds: [Int32] = [0, 0]
        try #require(pipe(&fds) == 0)
        // Write from another thread so large inputs do not block on the pipe buffer.
        let writeEnd = fds[1]
        let data = bytes
        Thread.detachNewThread {
            data.withUnsafeBytes { p in
                var off = 0
                while off < p.count {
                    let n = write(writeEnd, p.baseAddress! + off, p.count - off)
                    if n <= 0 { break }
                    off += n
                }
            }
            close(writeEnd)
        }
        return ByteReader(fd: fds[0], name: "pipe", maxLineBytes: maxLine, closeOnDeinit: true)
    }

    @Test("lines: \\n and \\r\\n ends, empty lines, a last line without newline, across chunk boundaries")
    func lines() throws {
        var input: [UInt8] = []
        var want: [String] = []
        for i in 0..<20_000 {
            let s = String(repeating: "x", count: i % 97) + "\(i)"
            want.append(s)
            input += Array(s.utf8) + (i % 2 == 0 ? [0x0D, 0x0A] : [0x0A])
        }
        input += Array("last".utf8)
        want.append("last")
        let r = try reader(input)
        var got: [String] = []
        while let l = try r.nextLine() { got.append(String(decoding: l, as: UTF8.self)) }
        #expect(got == want)
        #expect(r.lineNumber == want.count)
    }

    @Test("exact reads and truncation inside a payload")
    func exactReads() throws {
        let r = try reader(Array("VALUE\r\n0123456789\r\nEND".utf8))
        #expect(try r.nextLine().map { Array($0) } == Array("VALUE".utf8))
        #expect(try r.read(count: 10) == Array("0123456789".utf8))
        #expect(try r.nextLine()?.isEmpty == true)
        #expect(throws: ByteReadError.self) { _ = try r.read(count: 10) }
    }

    @Test("a line longer than the cap is an error with its offset")
    func longLine() throws {
        let r = try reader(Array("ok\n".utf8) + [UInt8](repeating: 0x61, count: 5000) + [0x0A], maxLine: 1000)
        _ = try r.nextLine()
        do {
            _ = try r.nextLine()
            Issue.record("expected lineTooLong")
        } catch {
            #expect(error.kind == .lineTooLong)
            #expect(error.offset == 3)
            #expect(error.line == 2)
        }
    }

    @Test("JSON skimmer: members, counts, compaction, malformed input and deep nesting")
    func skimmer() throws {
        let text = Array(#" { "a" : [1, {"b": "x,]}"}, 2] , "c\"d": null, "e": -1.5e3 } "#.utf8)
        try text.withUnsafeBytes { p in
            let m = try #require(JSONSkim.objectMembers(p))
            #expect(m.count == 3)
            #expect(JSONSkim.keyEquals(p, m[0].key, "a"))
            #expect(JSONSkim.arrayCount(p, from: m[0].value.lowerBound) == 3)
            #expect(String(decoding: UnsafeRawBufferPointer(rebasing: p[m[2].value]), as: UTF8.self) == "-1.5e3")
            #expect(String(decoding: JSONSkim.compact(p), as: UTF8.self) == #"{"a":[1,{"b":"x,]}"},2],"c\"d":null,"e":-1.5e3}"#)
        }
        for bad in [#"{"a" 1}"#, #"{"a":1"#, "[1,2", #"{"a":}"#, "]", #""open"#, ""] {
            Array(bad.utf8).withUnsafeBytes { p in
                #expect(JSONSkim.objectMembers(p) == nil || bad.hasPrefix("["), "\(bad)")
                if bad.hasPrefix("[") { #expect(JSONSkim.arrayCount(p) == nil) }
            }
        }
        let deep = [UInt8](repeating: UInt8(ascii: "["), count: 200_000) + [UInt8](repeating: UInt8(ascii: "]"), count: 200_000)
        deep.withUnsafeBytes { p in
            #expect(JSONSkim.valueEnd(p, from: 0) == deep.count)
            #expect(JSONSkim.valueEnd(UnsafeRawBufferPointer(rebasing: p[0..<(deep.count - 1)]), from: 0) == nil)
        }
    }

    @Test("a closed pipe makes the sink quiet, not failed; a full disk is an error")
    func sinkErrors() throws {
        OutputSink.ignoreSIGPIPE()
        var fds: [Int32] = [0, 0]
        try #require(pipe(&fds) == 0)
        close(fds[0])
        let sink = OutputSink(fd: fds[1], name: "pipe")
        try sink.write(Array("hello\n".utf8))
        #expect(sink.readerClosed)
        try sink.write(Array("more\n".utf8))
        close(fds[1])

        let full = open("/dev/full", O_WRONLY)
        try #require(full >= 0)
        defer { close(full) }
        let fsink = OutputSink(fd: full, name: "/dev/full")
        #expect(throws: OutputError.self) { try fsink.write(Array("x".utf8)) }
        #expect(!fsink.readerClosed)
    }
}
