// CollectTests/LiveSpoolTests: a crawl's spool is read while the crawl task still writes it — the
// crawl side parses the listing text and drops keys already listed; the reader yields what is
// spooled, says `.pending` when it has caught up, ends once the crawl ended, and throws (after
// yielding everything spooled) when the listing broke off. The crawls' key source chains spools.
import Foundation
import MemcacheProtocol
import Testing

@testable import MemcacheClient

@Suite struct LiveSpoolTests {
    func lines(_ keys: ClosedRange<Int>) -> String {
        keys.map { "key=k\($0) exp=-1 la=1764000000 cas=\($0) fetch=no cls=1 size=70\n" }.joined()
    }

    /// Feeds listing text to the crawl side of `spool`, as the crawl task does with what it receives.
    struct Feeder {
        var buffer = ResponseBuffer()
        var parser = MetadumpParser()
        let seen: SeenKeys

        mutating func feed(_ spool: MetadumpSpool, _ text: String) throws -> MetadumpEvent? {
            buffer.append(contentsOf: Array(text.utf8))
            return try spool.ingest(&buffer, parser: &parser, seen: seen)
        }
    }

    func drain(_ spool: MetadumpSpool) throws -> (keys: [String], last: KeyPoll) {
        var keys: [String] = []
        while true {
            let poll = try spool.next()
            guard case .key(let k) = poll else { return (keys, poll) }
            keys.append(String(decoding: k.key, as: UTF8.self))
        }
    }

    @Test func readsWhatIsSpooledWaitsThenEndsAtEND() throws {
        let spool = try MetadumpSpool(directory: NSTemporaryDirectory())
        var feeder = Feeder(seen: SeenKeys())
        var (keys, last) = try drain(spool)
        #expect(keys.isEmpty)
        guard case .pending = last else { Issue.record("an empty running spool is pending"); return }
        #expect(try feeder.feed(spool, lines(1...3) + "key=k4 exp=-1 la=1") == nil)  // a line not yet whole
        (keys, last) = try drain(spool)
        #expect(keys == ["k1", "k2", "k3"])
        guard case .pending = last else { Issue.record("caught up with a running crawl: pending"); return }
        #expect(try feeder.feed(spool, "764000000 cas=4 fetch=yes cls=2 size=71 flags=9\n" + lines(2...5) + "END\r\n") == .end)
        (keys, last) = try drain(spool)
        #expect(keys == ["k4", "k5"])  // k2, k3 and k4 were listed twice: yielded once
        guard case .end = last else { Issue.record("END ends it"); return }
        #expect(spool.lines == 8 && spool.yielded == 5 && spool.duplicates == 3)
    }

    @Test func entriesKeepEveryField() throws {
        let spool = try MetadumpSpool(directory: NSTemporaryDirectory())
        var feeder = Feeder(seen: SeenKeys())
        let text = "key=a%20b%00 exp=1764003600 la=1764000001 cas=18446744073709551615 fetch=yes cls=63 size=593920 flags=4294967295\n"
            + "key=plain exp=-1 la=0 cas=0 fetch=no cls=1\nEND\n"  // no size: an older server
        #expect(try feeder.feed(spool, text) == .end)
        guard case .key(let a) = try spool.next(), case .key(let b) = try spool.next() else {
            Issue.record("two keys expected")
            return
        }
        #expect(a.key == [0x61, 0x20, 0x62, 0x00])
        #expect(a.metadump == MetadumpEntry(
            key: [0x61, 0x20, 0x62, 0x00], exp: 1_764_003_600, lastAccess: 1_764_000_001, cas: UInt64.max, fetched: true,
            slabClass: 63, totalSize: 593_920, flags: UInt32.max))
        #expect(b.metadump == MetadumpEntry(
            key: Array("plain".utf8), exp: -1, lastAccess: 0, cas: 0, fetched: false, slabClass: 1, totalSize: -1, flags: nil))
        guard case .end = try spool.next() else { Issue.record("then the end"); return }
    }

    @Test func aBrokenListingThrowsAfterWhatWasSpooled() throws {
        let spool = try MetadumpSpool(directory: NSTemporaryDirectory())
        var feeder = Feeder(seen: SeenKeys())
        _ = try feeder.feed(spool, lines(1...2))
        spool.fail("connection closed by the server")
        guard case .key = try spool.next(), case .key = try spool.next() else {
            Issue.record("the spooled keys come first")
            return
        }
        let error = #expect(throws: MemcacheClientError.self) { try spool.next() }
        #expect("\(error.map { "\($0)" } ?? "")".contains("the listing broke off: connection closed by the server"))
    }

    @Test func aRefusalIsReturnedAndNothingIsSpooled() throws {
        let spool = try MetadumpSpool(directory: NSTemporaryDirectory())
        var feeder = Feeder(seen: SeenKeys())
        #expect(try feeder.feed(spool, "BUSY currently processing crawler request\r\n") == .failed(.busy("currently processing crawler request")))
        #expect(spool.lines == 0)
    }

    @Test func crawlsYieldEveryKeyOnceAcrossSpools() throws {
        let seen = SeenKeys()
        let first = try MetadumpSpool(directory: NSTemporaryDirectory())
        var one = Feeder(seen: seen)
        _ = try one.feed(first, lines(1...4) + "END\n")
        let second = try MetadumpSpool(directory: NSTemporaryDirectory())
        var two = Feeder(seen: seen)
        _ = try two.feed(second, lines(3...6) + "END\n")
        let crawls = MetadumpCrawls(completedSpools: [first, second])
        var keys: [String] = []
        while case .key(let k) = try crawls.nextKey() { keys.append(String(decoding: k.key, as: UTF8.self)) }
        #expect(keys == ["k1", "k2", "k3", "k4", "k5", "k6"])
        #expect(second.yielded == 2 && second.duplicates == 2)
    }
}
