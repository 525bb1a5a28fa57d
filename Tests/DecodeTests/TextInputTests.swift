// DecodeTests/TextInputTests: the inputs operators already have — a `get`/`gets` capture made by hand
// (and one recorded from a real memcached), metadump and cachedump listings from a real memcached —
// with format detection, `--input-format`, stdin, and bad lines that become error records.
import Foundation
import Testing
import TestSupport

@Suite("text inputs")
struct TextInputTests {
    @Test("a hand-made nc capture of gets responses")
    func handMadeCapture() throws {
        let dir = try ScratchDir()
        var capture = Data("VALUE plain 0 5 7\r\nhello\r\nVALUE num 2 3 8\r\n-12\r\n".utf8)
        capture += Data("VALUE bin 0 4 9\r\n\u{0}\r\n\u{1}\r\n".utf8)  // payload holds CR LF itself
        capture += Data("VALUE sp%C3%A9 16 5\r\n".utf8) + Data([0x63, 0x61, 0x66, 0xC3, 0xA9]) + Data("\r\nEND\r\n".utf8)
        let path = dir.file("capture.txt")
        try capture.write(to: URL(fileURLWithPath: path))
        let r = try DecodeTool.run([path])
        #expect(r.status == 0, "\(r.stderrText)")
        let recs = try DecodeTool.records(r.stdoutText)
        let items = DecodeTool.items(recs)
        #expect(items.map { $0["key"] as? String } == ["plain", "num", "bin", "sp%C3%A9"])
        #expect(items[0]["value"] as? String == "hello")
        #expect(items[0]["cas"] as? Int == 7)
        #expect(items[1]["value"] as? Int == -12)
        #expect(items[2]["value"] as? String == "\u{0}\r\n\u{1}")
        #expect(items[3]["value"] as? String == "café")
        #expect(items[3]["cas"] == nil)
        let source = try #require(DecodeTool.sources(recs).first)
        #expect(source["format"] as? String == "nc")
        #expect(source["complete"] as? Bool == true)
    }

    @Test("a data block whose length disagrees with its CRLF framing is withheld, not passed off as a value")
    func badFramingIsWithheld() throws {
        let dir = try ScratchDir()
        let path = dir.file("capture.txt")
        try Data("VALUE good 0 2\r\nok\r\nVALUE k 0 5\r\nabc\r\nEND\r\n".utf8).write(to: URL(fileURLWithPath: path))
        let r = try DecodeTool.run([path])
        #expect(r.status == 3, "\(r.stderrText)")
        #expect(r.stderrText.contains("not followed by CRLF"), "\(r.stderrText)")
        let recs = try DecodeTool.records(r.stdoutText)
        #expect(DecodeTool.items(recs).map { $0["key"] as? String } == ["good"])
        let source = try #require(DecodeTool.sources(recs).first)
        #expect(source["complete"] as? Bool != true)
    }

    @Test("a gets capture from a real memcached through stdin, and one cut short")
    func realCaptureOnStdin() throws {
        let server = try MemcachedServer(memoryMB: 16)
        defer { server.stop() }
        let code = """
            import socket, sys
            s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
            def cmd(c):
                s.sendall(c)
            cmd(b'set a 0 0 3\\r\\nabc\\r\\nset b 16 0 2\\r\\nhi\\r\\nset c 2 0 2\\r\\n42\\r\\n')
            buf = b''
            while buf.count(b'STORED') < 3: buf += s.recv(4096)
            cmd(b'gets a b c nokey\\r\\n')
            buf = b''
            while not buf.endswith(b'END\\r\\n'): buf += s.recv(4096)
            sys.stdout.buffer.write(buf)
            """
        let raw = try Python.run(code: code, [String(server.port)]).stdout
        let r = try DecodeTool.run(["-"], stdin: raw)
        #expect(r.status == 0, "\(r.stderrText)")
        let items = DecodeTool.items(try DecodeTool.records(r.stdoutText))
        #expect(items.map { $0["value"] as? String ?? "\($0["value"] ?? "nil")" } == ["abc", "hi", "42"])
        #expect(items.allSatisfy { $0["cas"] is Int })

        let cut = try DecodeTool.run(["-"], stdin: raw.prefix(raw.count - 12))
        #expect(cut.status == 3)
        #expect(cut.stderrText.contains("incomplete") || cut.stderrText.contains("truncated"))
        let src = try #require(DecodeTool.sources(try DecodeTool.records(cut.stdoutText)).first)
        #expect(src["complete"] as? Bool == false)
    }

    @Test("metadump and cachedump listings from a real memcached: metadata-only items")
    func listings() throws {
        // Without the LRU maintainer (no segmented LRU) new items sit in the COLD LRU, the only one cachedump walks.
        let server = try MemcachedServer(memoryMB: 16, extraArguments: ["-o", "no_lru_maintainer"])
        defer { server.stop() }
        let code = """
            import socket, sys
            s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
            def until(end):
                buf = b''
                while not buf.endswith(end): buf += s.recv(65536)
                return buf
            s.sendall(b'set tokens/x 1 0 5\\r\\nhello\\r\\nset sp\\xc3\\xa9cial 0 3600 2\\r\\nhi\\r\\n')
            b = b''
            while b.count(b'STORED') < 2: b += s.recv(4096)
            s.sendall(b'lru_crawler metadump all\\r\\n')
            meta = until(b'END\\r\\n')
            open(sys.argv[2], 'wb').write(meta)
            out = b''
            for cls in range(1, 4):
                s.sendall(b'stats cachedump %d 0\\r\\n' % cls)
                out += until(b'END\\r\\n')
            open(sys.argv[3], 'wb').write(out)
            """
        let dir = try ScratchDir()
        let meta = dir.file("meta.txt"), cache = dir.file("cache.txt")
        try Python.run(code: code, [String(server.port), meta, cache])
        let m = try DecodeTool.run([meta])
        #expect(m.status == 0, "\(m.stderrText)")
        let mrecs = try DecodeTool.records(m.stdoutText)
        let mitems = DecodeTool.items(mrecs)
        #expect(Set(mitems.compactMap { $0["key"] as? String }) == ["tokens/x", "spécial"])
        for item in mitems {
            #expect(item["captured"] as? Bool == false)
            #expect(item["value"] == nil)
            #expect(item["total_size"] is Int && item["cls"] is Int && item["la"] is Int && item["cas"] is Int)
        }
        #expect(mitems.first { $0["key"] as? String == "tokens/x" }?["exp"] is NSNull)
        #expect(mitems.first { $0["key"] as? String == "spécial" }?["exp"] is Int)
        #expect(DecodeTool.sources(mrecs).first?["format"] as? String == "metadump")

        let c = try DecodeTool.run([cache])
        #expect(c.status == 0, "\(c.stderrText)")
        let crecs = try DecodeTool.records(c.stdoutText)
        let citems = DecodeTool.items(crecs)
        #expect(Set(citems.compactMap { $0["key"] as? String }) == ["tokens/x", "spécial"])
        #expect(citems.first { $0["key"] as? String == "tokens/x" }?["size"] as? Int == 5)
        #expect(DecodeTool.sources(crecs).first?["format"] as? String == "cachedump")

        // Forced format on a listing that auto-detection would read differently.
        let forced = try DecodeTool.run(["--input-format", "nc", meta])
        #expect(forced.status == 3)
        #expect(DecodeTool.items(try DecodeTool.records(forced.stdoutText)).isEmpty)
    }

    @Test("bad lines become error records and reading goes on")
    func badLines() throws {
        let listing = "key=a exp=-1 la=1 cas=1 fetch=no cls=1 size=60\ngarbage here\nkey=b exp=-1 la=1 cas=2 fetch=no cls=1 size=60\nkey=%ZZ exp=1\nEND\r\n"
        let r = try DecodeTool.run(["-"], stdin: Data(listing.utf8))
        #expect(r.status == 3)
        let recs = try DecodeTool.records(r.stdoutText)
        #expect(DecodeTool.items(recs).compactMap { $0["key"] as? String } == ["a", "b"])
        let errors = recs.filter { $0["type"] as? String == "error" }
        #expect(errors.count == 2)
        #expect(errors.first?["offset"] as? Int == 47)
        #expect(DecodeTool.sources(recs).first?["complete"] as? Bool == false)
    }

    @Test("input that is no known format is fatal (exit 2); empty input too")
    func unknownFormat() throws {
        let r = try DecodeTool.run(["-"], stdin: Data("hello world\n".utf8))
        #expect(r.status == 2)
        #expect(r.stderrText.contains("unknown_format"))
        let e = try DecodeTool.run(["-"], stdin: Data())
        #expect(e.status == 2)
    }
}
