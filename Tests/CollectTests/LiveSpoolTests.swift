// CollectTests/LiveSpoolTests: a second crawl's spool is read while the crawl task still writes it —
// the reader yields what is spooled, says `.pending` when it has caught up, ends at END, and throws
// (after yielding everything spooled) when the listing broke off. The crawls' key source keeps
// asking while a crawl may still come.
import Foundation
import Testing

@testable import MemcacheClient

@Suite struct LiveSpoolTests {
    func lines(_ keys: ClosedRange<Int>) -> [UInt8] {
        Array(keys.map { "key=k\($0) exp=-1 la=1764000000 cas=\($0) fetch=no cls=1 size=70\n" }.joined().utf8)
    }

    func append(_ spool: MetadumpSpool, _ bytes: [UInt8], linesNow: Int, ended: Bool) throws {
        try bytes.withUnsafeBytes { try spool.append($0, linesNow: linesNow, ended: ended) }
    }

    func drain(_ spool: MetadumpSpool, _ seen: SeenKeys) throws -> (keys: [String], last: KeyPoll) {
        var keys: [String] = []
        while true {
            let poll = try spool.next(seen: seen)
            guard case .key(let k) = poll else { return (keys, poll) }
            keys.append(String(decoding: k.key, as: UTF8.self))
        }
    }

    @Test func readsWhatIsSpooledWaitsThenEndsAtEND() throws {
        let dir = NSTemporaryDirectory()
        let spool = try MetadumpSpool(directory: dir)
        let seen = SeenKeys()
        var (keys, last) = try drain(spool, seen)
        #expect(keys.isEmpty)
        guard case .pending = last else { Issue.record("an empty running spool is pending"); return }
        try append(spool, lines(1...3), linesNow: 3, ended: false)
        (keys, last) = try drain(spool, seen)
        #expect(keys == ["k1", "k2", "k3"])
        guard case .pending = last else { Issue.record("caught up with a running crawl: pending"); return }
        try append(spool, lines(2...5) + Array("END\r\n".utf8), linesNow: 7, ended: true)
        (keys, last) = try drain(spool, seen)
        #expect(keys == ["k4", "k5"])  // k2 and k3 were listed twice: yielded once
        guard case .end = last else { Issue.record("END ends it"); return }
        #expect(spool.lines == 7 && spool.yielded == 5 && spool.duplicates == 2)
    }

    @Test func aBrokenListingThrowsAfterWhatWasSpooled() throws {
        let spool = try MetadumpSpool(directory: NSTemporaryDirectory())
        try append(spool, lines(1...2), linesNow: 2, ended: false)
        spool.fail("connection closed by the server")
        let seen = SeenKeys()
        guard case .key = try spool.next(seen: seen), case .key = try spool.next(seen: seen) else {
            Issue.record("the spooled keys come first")
            return
        }
        let error = #expect(throws: MemcacheClientError.self) { try spool.next(seen: seen) }
        #expect("\(error.map { "\($0)" } ?? "")".contains("the listing broke off: connection closed by the server"))
    }

    @Test func crawlsYieldEveryKeyOnceAcrossSpools() throws {
        let first = try MetadumpSpool(directory: NSTemporaryDirectory())
        try append(first, lines(1...4) + Array("END\r\n".utf8), linesNow: 4, ended: true)
        let second = try MetadumpSpool(directory: NSTemporaryDirectory())
        try append(second, lines(3...6) + Array("END\r\n".utf8), linesNow: 4, ended: true)
        let crawls = MetadumpCrawls(completedSpools: [first, second])
        var keys: [String] = []
        while case .key(let k) = try crawls.nextKey() { keys.append(String(decoding: k.key, as: UTF8.self)) }
        #expect(keys == ["k1", "k2", "k3", "k4", "k5", "k6"])
        #expect(second.yielded == 2 && second.duplicates == 2)
    }
}
