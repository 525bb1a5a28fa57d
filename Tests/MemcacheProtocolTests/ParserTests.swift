// Tests of the incremental response parsers: every response shape of the memcached text protocol that collect reads (as 1.6.18 and
// newer servers send it), fed whole and split at every byte boundary, plus the limits and errors.
import ByteText
import Testing

@testable import MemcacheProtocol

/// Feeds `bytes` in two pieces split at `cut` and collects every event until `done` says stop.
func parseAll<E>(
    _ bytes: [UInt8], cut: Int, maxLine: Int = 64 * 1024, _ next: (inout ResponseBuffer) throws -> E?, done: (E) -> Bool
) throws -> [E] {
    var buf = ResponseBuffer(maxLineLength: maxLine)
    var events: [E] = []
    for piece in [bytes[0..<cut], bytes[cut...]] {
        buf.append(contentsOf: piece)
        while let e = try next(&buf) {
            events.append(e)
            if done(e) { return events }
        }
    }
    return events
}

/// Checks that every split point gives the same events as the whole input.
func everySplit<E: Equatable>(_ text: [UInt8], as type: E.Type, _ make: () -> (inout ResponseBuffer) throws -> E?, done: @escaping (E) -> Bool) throws -> [E] {
    let whole = try parseAll(text, cut: text.count, make(), done: done)
    for cut in 0...text.count {
        let parts = try parseAll(text, cut: cut, make(), done: done)
        #expect(parts == whole, "split at \(cut)")
    }
    return whole
}

@Suite struct ParserTests {
    @Test func statsBlock() throws {
        let text = Array("STAT pid 123\r\nSTAT version 1.6.18\r\nSTAT items:1:number 5\r\nSTAT empty \r\nEND\r\n".utf8)
        let events = try everySplit(
            text, as: StatsEvent.self,
            {
                var p = StatsParser()
                return { try p.next(from: &$0) }
            }, done: { $0 == .end })
        #expect(
            events == [
                .stat(name: "pid", value: "123"), .stat(name: "version", value: "1.6.18"),
                .stat(name: "items:1:number", value: "5"), .stat(name: "empty", value: ""), .end,
            ])
    }

    @Test func statsError() throws {
        var buf = ResponseBuffer()
        buf.append(contentsOf: Array("CLIENT_ERROR bad command line format\r\n".utf8))
        var p = StatsParser()
        #expect(try p.next(from: &buf) == .failed(.clientError("bad command line format")))
    }

    @Test func version() throws {
        var buf = ResponseBuffer()
        buf.append(contentsOf: Array("VERSION 1.6.18\r\n".utf8))
        #expect(try VersionParser.next(from: &buf) == .success("1.6.18"))
    }

    /// The exact 1.6.18 shape: `\n` lines, then `END\r\n`; keys URI-encoded.
    @Test func metadump1618() throws {
        let text = Array(
            ("key=tokens%2Fx exp=-1 la=1795711337 cas=2 fetch=no cls=1 size=70\n"
                + "key=sp%C3%A9cial exp=1795714937 la=1795711338 cas=3 fetch=yes cls=39 size=593989\n" + "END\r\n").utf8)
        let events = try everySplit(
            text, as: MetadumpEvent.self,
            {
                var p = MetadumpParser()
                return { try p.next(from: &$0) }
            }, done: { $0 == .end })
        #expect(events.count == 3)
        #expect(
            events[0]
                == .entry(MetadumpEntry(key: Array("tokens/x".utf8), exp: -1, lastAccess: 1_795_711_337, cas: 2, fetched: false, slabClass: 1, totalSize: 70)))
        #expect(
            events[1]
                == .entry(
                    MetadumpEntry(
                        key: [0x73, 0x70, 0xC3, 0xA9, 0x63, 0x69, 0x61, 0x6C], exp: 1_795_714_937, lastAccess: 1_795_711_338, cas: 3, fetched: true,
                        slabClass: 39, totalSize: 593_989)))
        #expect(events[2] == .end)
    }

    /// 1.6.43+: a leading `OK\r\n`, `\r\n` line ends, the `flags=` and extstore fields.
    @Test func metadumpNewer() throws {
        let text = Array("OK\r\nkey=a exp=-1 la=10 cas=1 fetch=no cls=1 size=60 flags=9 ext_page=1 ext_offset=2\r\nEND\r\n".utf8)
        let events = try everySplit(
            text, as: MetadumpEvent.self,
            {
                var p = MetadumpParser()
                return { try p.next(from: &$0) }
            }, done: { $0 == .end })
        #expect(events == [.entry(MetadumpEntry(key: [0x61], exp: -1, lastAccess: 10, cas: 1, fetched: false, slabClass: 1, totalSize: 60, flags: 9)), .end])
    }

    @Test(arguments: [
        ("BUSY currently processing crawler request", ServerAnswer.busy("currently processing crawler request")),
        ("BADCLASS invalid class id", .badClass("invalid class id")),
        ("NOTSTARTED no items to crawl", .notStarted("no items to crawl")),
        ("CLIENT_ERROR lru crawler disabled", .clientError("lru crawler disabled")),
        ("ERROR metadump not allowed", .error("metadump not allowed")),
        ("ERROR cannot pipeline other commands before metadump", .error("cannot pipeline other commands before metadump")),
        ("ERROR", .error("")),
    ])
    func metadumpRefusals(line: String, answer: ServerAnswer) throws {
        let text = Array((line + "\r\n").utf8)
        let events = try everySplit(
            text, as: MetadumpEvent.self,
            {
                var p = MetadumpParser()
                return { try p.next(from: &$0) }
            }, done: { _ in true })
        #expect(events == [.failed(answer)])
    }

    @Test(arguments: [
        "key=%zz exp=-1 la=1 cas=1 fetch=no cls=1 size=1\n",
        "key=a exp=never la=1 cas=1 fetch=no\n",
        "key=a exp=-1 la=1 cas=1 fetch=maybe\n",
        "key=a exp=-1 la=1 fetch=no\n",
        "something else\n",
        "key=a exp=-1 la=1 cas=18446744073709551616 fetch=no\n",  // UInt64.max + 1
        "key=a exp=-1 la=1 cas=1 fetch=no cls=65536\n",
        "key=a exp=-1 la=1 cas=1 fetch=no size=-1\n",
        "key=a exp=-1 la=1 cas=1 fetch=no flags=4294967296\n",
        "key=a exp=-1 la= cas=1 fetch=no\n",
        "key=a exp=- la=1 cas=1 fetch=no\n",
        "key= exp=-1 la=1 cas=1 fetch=no\n",
        "key=a%4 exp=-1 la=1 cas=1 fetch=no\n",
    ])
    func metadumpMalformed(line: String) throws {
        var buf = ResponseBuffer()
        buf.append(contentsOf: Array(line.utf8))
        var p = MetadumpParser()
        #expect(throws: ProtocolError.self) { try p.next(from: &buf) }
    }

    /// The error names the field and the stream offset of its line.
    @Test func metadumpErrorNamesFieldAndOffset() throws {
        let good = "key=a exp=-1 la=1 cas=1 fetch=no cls=1 size=60\n"
        var buf = ResponseBuffer()
        buf.append(contentsOf: Array((good + "key=b  exp=never la=1 cas=1 fetch=no\n").utf8))
        var p = MetadumpParser()
        _ = try p.next(from: &buf)
        let e = #expect(throws: ProtocolError.self) { try p.next(from: &buf) }
        #expect(e?.kind == .malformed && e?.offset == good.utf8.count)
        #expect(e?.message == "bad metadump field exp=never")
        // Unknown fields and fields without `=` are skipped; extra spaces between fields are fine.
        buf.append(contentsOf: Array("key=c   exp=5 newfield=x junk la=2 cas=3 fetch=yes  \n".utf8))
        #expect(try p.next(from: &buf) == .entry(MetadumpEntry(key: [0x63], exp: 5, lastAccess: 2, cas: 3, fetched: true, slabClass: 0, totalSize: -1)))
    }

    @Test func lineLimit() throws {
        var buf = ResponseBuffer(maxLineLength: 100)
        buf.append(contentsOf: [UInt8](repeating: 0x61, count: 150))
        var p = MetadumpParser()
        let e = #expect(throws: ProtocolError.self) { try p.next(from: &buf) }
        #expect(e?.kind == .lineTooLong)
    }

    @Test func cachedump() throws {
        let text = Array("ITEM sp\u{e9}cial%x [2 b; 0 s]\r\nITEM k1 [5 b; 1795714937 s]\r\nEND\r\n".utf8)
        let events = try everySplit(
            text, as: CachedumpEvent.self,
            {
                var p = CachedumpParser()
                return { try p.next(from: &$0) }
            }, done: { $0 == .end })
        #expect(
            events == [
                .entry(CachedumpEntry(key: Array("sp\u{e9}cial%x".utf8), valueLength: 2, exp: -1)),
                .entry(CachedumpEntry(key: Array("k1".utf8), valueLength: 5, exp: 1_795_714_937)), .end,
            ])
        var buf = ResponseBuffer()
        buf.append(contentsOf: Array("CLIENT_ERROR stats cachedump not allowed\r\n".utf8))
        var p = CachedumpParser()
        #expect(try p.next(from: &buf) == .failed(.clientError("stats cachedump not allowed")))
        buf.append(contentsOf: Array("ITEM k [x b; 0 s]\r\n".utf8))
        #expect(throws: ProtocolError.self) { try p.next(from: &buf) }
    }

    @Test func metaResponses() throws {
        let value = "hello\r\nworld"  // a value containing CRLF is length-framed, not line-framed
        let text = Array(
            ("VA 12 f1 t3599 s12 c7 kusertokens-abc O0\r\n\(value)\r\n" + "HD s593920 f9 t-1 c8 O1\r\n"
                + "OK f2 O2\r\n" + "VA 3 f5 t99 s3 c1 kc3AgYWNlAf8= b O3\r\nabc\r\n" + "EN\r\n" + "MN\r\n").utf8)
        let events = try everySplit(
            text, as: MetaResponse.self,
            {
                var p = MetaResponseParser()
                return { try p.next(from: &$0) }
            }, done: { $0 == .noop })
        #expect(events.count == 6)
        guard case .value(let f0, let v0) = events[0] else { Issue.record("not a value"); return }
        #expect(v0 == Array(value.utf8))
        #expect(f0.clientFlags == 1 && f0.ttl == 3599 && f0.size == 12 && f0.cas == 7 && f0.opaque == 0)
        #expect(f0.key == Array("usertokens-abc".utf8))
        guard case .hit(let f1) = events[1] else { Issue.record("not a hit"); return }
        #expect(f1.size == 593_920 && f1.clientFlags == 9 && f1.ttl == -1 && f1.cas == 8 && f1.opaque == 1)
        guard case .hit(let f2) = events[2] else { Issue.record("OK is a hit on 1.6.0–1.6.9"); return }
        #expect(f2.clientFlags == 2)
        guard case .value(let f3, let v3) = events[3] else { Issue.record("not a value"); return }
        #expect(f3.key == [0x73, 0x70, 0x20, 0x61, 0x63, 0x65, 0x01, 0xFF])
        #expect(v3 == Array("abc".utf8))
        guard case .miss = events[4] else { Issue.record("not a miss"); return }
        #expect(events[5] == .noop)
    }

    @Test func opaquesAreNumbersAndAnythingElseIsKeptAsAnOtherFlag() throws {
        var buf = ResponseBuffer()
        buf.append(contentsOf: Array("HD f1 O4294967295\r\nHD f2 Oabc\r\nHD f3 O4294967296 Zx\r\n".utf8))
        var p = MetaResponseParser()
        guard case .hit(let a)? = try p.next(from: &buf), case .hit(let b)? = try p.next(from: &buf),
            case .hit(let c)? = try p.next(from: &buf)
        else {
            Issue.record("three hits expected")
            return
        }
        #expect(a.opaque == UInt32.max && a.other.isEmpty)
        #expect(b.opaque == nil && b.other == ["Oabc"])
        #expect(c.opaque == nil && c.other == ["O4294967296", "Zx"])
    }

    @Test func valuesAreLentWithoutACopyAndOnlyWhenWhole() throws {
        var buf = ResponseBuffer()
        var p = MetaResponseParser()
        var lent: [[UInt8]] = []
        let take: (MetaFlags, UnsafeRawBufferPointer) throws -> Void = { _, bytes in lent.append(Array(bytes)) }
        buf.append(contentsOf: Array("VA 5 O7\r\nhel".utf8))
        #expect(try p.next(from: &buf, onValue: take) == nil)
        #expect(lent.isEmpty)
        buf.append(contentsOf: Array("lo\r\nMN\r\n".utf8))
        #expect(
            try p.next(from: &buf, onValue: take)
                == .value(
                    {
                        var f = MetaFlags(); f.opaque = 7; return f
                    }()))
        #expect(lent == [Array("hello".utf8)])
        #expect(try p.next(from: &buf, onValue: take) == .noop)
        // A value not followed by CRLF is an error, and nothing is lent.
        var bad = ResponseBuffer()
        bad.append(contentsOf: Array("VA 2 O1\r\nabcd\r\n".utf8))
        var q = MetaResponseParser()
        #expect(throws: ProtocolError.self) { try q.next(from: &bad, onValue: take) }
        #expect(lent.count == 1)
    }

    /// A malformed flag or size is an error naming it and the offset of its line.
    @Test(arguments: [
        ("VA x f0\r\n", "bad VA line: VA x f0"),
        ("VA -1 f0\r\n", "bad VA line: VA -1 f0"),
        ("VA 3 t9x\r\n", "bad meta flag t9x"),
        ("HD f4294967296\r\n", "bad meta flag f4294967296"),
        ("HD  s-5  O1\r\n", "bad meta flag s-5"),
        ("EN c\r\n", "bad meta flag c"),
        ("VA 3 k!!!! b\r\n", "bad base64 key"),
    ])
    func malformedMetaFlags(line: String, message: String) throws {
        let good = "HD f1 O1\r\n"
        var buf = ResponseBuffer()
        buf.append(contentsOf: Array((good + line).utf8))
        var p = MetaResponseParser()
        _ = try p.next(from: &buf)
        let e = #expect(throws: ProtocolError.self) { try p.next(from: &buf) }
        #expect(e?.kind == .malformed && e?.message == message && e?.offset == good.utf8.count)
    }

    /// A value over the limit is read through (never buffered whole) and reported as `.oversized`;
    /// the responses after it parse as usual, however the stream is cut.
    @Test func metaValueOverTheLimitIsSkippedNotFatal() throws {
        let big = String(repeating: "x", count: 2000)
        let text = Array(("VA 2000 f3 c9 O1\r\n\(big)\r\n" + "VA 5 f0 O2\r\nsmall\r\n" + "MN\r\n").utf8)
        let events = try everySplit(
            text, as: MetaResponse.self,
            {
                var p = MetaResponseParser(maxValueBytes: 1000)
                return { try p.next(from: &$0) }
            }, done: { $0 == .noop })
        #expect(events.count == 3)
        guard case .oversized(let f, let size) = events[0] else { Issue.record("not oversized: \(events[0])"); return }
        #expect(size == 2000 && f.clientFlags == 3 && f.cas == 9 && f.opaque == 1)
        guard case .value(let f2, let v2) = events[1] else { Issue.record("not a value"); return }
        #expect(f2.opaque == 2 && v2 == Array("small".utf8))

        // A skipped block must still end in CRLF.
        var buf = ResponseBuffer()
        buf.append(contentsOf: Array("VA 3 f0\r\nabcdef\r\n".utf8))
        var p = MetaResponseParser(maxValueBytes: 1)
        let e = #expect(throws: ProtocolError.self) { try p.next(from: &buf) }
        #expect(e?.kind == .malformed)
    }

    @Test func metaValueLimitAndFraming() throws {

        var buf2 = ResponseBuffer()
        buf2.append(contentsOf: Array("VA 2 f0\r\nabcd\r\n".utf8))
        var p2 = MetaResponseParser()
        #expect(throws: ProtocolError.self) { try p2.next(from: &buf2) }

        var buf3 = ResponseBuffer()
        buf3.append(contentsOf: Array("CLIENT_ERROR bad command line format\r\n".utf8))
        var p3 = MetaResponseParser()
        #expect(try p3.next(from: &buf3) == .failed(.clientError("bad command line format")))
    }

    @Test func valueBlocks() throws {
        let text = Array("VALUE a 1 5 11\r\nhello\r\nVALUE b 9 0 12\r\n\r\nEND\r\n".utf8)
        let events = try everySplit(
            text, as: ValueEvent.self,
            {
                var p = ValueParser()
                return { try p.next(from: &$0) }
            }, done: { $0 == .end })
        #expect(
            events == [
                .value(ValueBlock(key: [0x61], flags: 1, cas: 11, value: Array("hello".utf8))),
                .value(ValueBlock(key: [0x62], flags: 9, cas: 12, value: [])), .end,
            ])
    }

    @Test func uriAndBase64() {
        #expect(PercentEncoding.decodeStrict("a%2Fb%C3%a9".utf8) == [0x61, 0x2F, 0x62, 0xC3, 0xA9])
        #expect(PercentEncoding.decodeStrict("bad%2".utf8) == nil)
        for n in 0..<40 {
            let bytes = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            var enc: [UInt8] = []
            Base64.encode(bytes, into: &enc)
            #expect(Base64.decode(enc) == bytes)
        }
        #expect(Base64.decode(Array("c3AgYWNlAf8=".utf8)) == [0x73, 0x70, 0x20, 0x61, 0x63, 0x65, 0x01, 0xFF])
        #expect(Base64.decode(Array("c3A!".utf8)) == nil)
    }

    @Test func listingLinesLenientlyAndStrictly() throws {
        func line(_ s: String) -> ArraySlice<UInt8> { ArraySlice(s.utf8) }
        // Lenient (decode's text inputs): only the key is required; fields not there stay nil.
        let bare = try MetadumpParser.fields(line("key=a%20b cls=3"), offset: 0)
        #expect(bare.key == Array("a b".utf8) && bare.slabClass == 3 && bare.exp == nil && bare.cas == nil && bare.fetched == nil)
        // Strict (a server's listing): exp, la, cas and fetch too.
        #expect(throws: ProtocolError.self) { try MetadumpParser.entry(line("key=a%20b cls=3"), offset: 0) }
        let full = try MetadumpParser.entry(line("key=k exp=-1 la=5 cas=7 fetch=no cls=1 size=70"), offset: 0)
        #expect(full.exp == -1 && full.lastAccess == 5 && full.cas == 7 && !full.fetched && full.totalSize == 70)
        // A field that is there must be well formed, in both readings.
        for bad in ["key=k exp=soon", "key=k fetch=maybe", "key=%zz", "cls=1", "key=k size=-4"] {
            #expect(throws: ProtocolError.self, "\(bad)") { try MetadumpParser.fields(line(bad), offset: 0) }
        }
        // cachedump and VALUE lines: one parser for collect and decode.
        let item = try CachedumpParser.entry(line("ITEM k1 [12 b; 0 s]"), offset: 0)
        #expect(item == CachedumpEntry(key: Array("k1".utf8), valueLength: 12, exp: -1))
        #expect(throws: ProtocolError.self) { try CachedumpParser.entry(line("ITEM k1 [12 b 0 s]"), offset: 0) }
        let header = try ValueParser.header(line("VALUE k 1 5 99"), offset: 0)
        #expect(header == ValueHeader(key: Array("k".utf8), flags: 1, cas: 99, size: 5))
        for bad in ["VALUE k 1", "VALUE k 4294967296 5", "VALUE k 1 -5", "VALUE k 1 5 x", "VALUES k 1 5"] {
            #expect(throws: ProtocolError.self, "\(bad)") { try ValueParser.header(line(bad), offset: 0) }
        }
    }
}
