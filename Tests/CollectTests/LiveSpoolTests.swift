// CollectTests/LiveSpoolTests: a crawl's spool — the crawl side parses the listing text as it arrives
// and spools it; once sealed at END, the reader yields every key once (repeats within the crawl, and
// keys an earlier crawl listed, are skipped), says `.pending` before the seal, and throws when the
// listing broke off. Fingerprint runs are merged in bounded memory, tested with tiny runs.
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

        mutating func feed(_ spool: MetadumpSpool, _ text: String) throws -> MetadumpEvent? {
            buffer.append(contentsOf: Array(text.utf8))
            return try spool.ingest(&buffer, parser: &parser)
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

    /// A spool of `text` (which ends with END), sealed after `earlier`.
    func sealed(_ text: String, after earlier: MetadumpSpool? = nil, runCapacity: Int = 1 << 20) throws -> MetadumpSpool {
        let spool = try MetadumpSpool(directory: NSTemporaryDirectory(), runCapacity: runCapacity)
        var feeder = Feeder()
        #expect(try feeder.feed(spool, text) == .end)
        try spool.seal(after: earlier)
        return spool
    }

    @Test func pendingUntilSealedThenEveryKeyOnce() throws {
        let spool = try MetadumpSpool(directory: NSTemporaryDirectory(), runCapacity: 3)
        var feeder = Feeder()
        guard case .pending = try spool.next() else { Issue.record("an unsealed spool is pending"); return }
        #expect(try feeder.feed(spool, lines(1...3) + "key=k4 exp=-1 la=1") == nil)  // a line not yet whole
        guard case .pending = try spool.next() else { Issue.record("still pending while crawling"); return }
        #expect(try feeder.feed(spool, "764000000 cas=4 fetch=yes cls=2 size=71 flags=9\n" + lines(2...5) + lines(3...3) + "END\r\n") == .end)
        try spool.seal(after: nil)
        let (keys, last) = try drain(spool)
        #expect(keys == ["k1", "k2", "k3", "k4", "k5"])  // k2, k4 listed twice and k3 three times: yielded once
        guard case .end = last else { Issue.record("the end after the last record"); return }
        #expect(spool.lines == 9 && spool.yielded == 5 && spool.duplicates == 4)
    }

    @Test func entriesKeepEveryField() throws {
        let spool = try sealed(
            "key=a%20b%00 exp=1764003600 la=1764000001 cas=18446744073709551615 fetch=yes cls=63 size=593920 flags=4294967295\n"
                + "key=plain exp=-1 la=0 cas=0 fetch=no cls=1\nEND\n")  // no size: an older server
        guard case .key(let a) = try spool.next(), case .key(let b) = try spool.next() else {
            Issue.record("two keys expected")
            return
        }
        #expect(a.key == [0x61, 0x20, 0x62, 0x00])
        #expect(
            a.metadump
                == MetadumpFacts(
                    MetadumpEntry(
                        key: [0x61, 0x20, 0x62, 0x00], exp: 1_764_003_600, lastAccess: 1_764_000_001, cas: UInt64.max, fetched: true,
                        slabClass: 63, totalSize: 593_920, flags: UInt32.max)))
        #expect(
            b.metadump
                == MetadumpFacts(
                    MetadumpEntry(
                        key: Array("plain".utf8), exp: -1, lastAccess: 0, cas: 0, fetched: false, slabClass: 1, totalSize: -1, flags: nil)))
        guard case .end = try spool.next() else { Issue.record("then the end"); return }
    }

    @Test func aBrokenListingThrows() throws {
        let spool = try MetadumpSpool(directory: NSTemporaryDirectory())
        var feeder = Feeder()
        _ = try feeder.feed(spool, lines(1...2))
        spool.fail("connection closed by the server")
        let error = #expect(throws: MemcacheClientError.self) { try spool.next() }
        #expect("\(error.map { "\($0)" } ?? "")".contains("the listing broke off: connection closed by the server"))
    }

    @Test func aRefusalIsReturnedAndNothingIsSpooled() throws {
        let spool = try MetadumpSpool(directory: NSTemporaryDirectory())
        var feeder = Feeder()
        #expect(try feeder.feed(spool, "BUSY currently processing crawler request\r\n") == .failed(.busy("currently processing crawler request")))
        #expect(spool.lines == 0)
    }

    @Test(arguments: [1, 2, 3, 1 << 20])
    func aLaterCrawlYieldsOnlyWhatTheFirstDidNotList(runCapacity: Int) throws {
        let first = try sealed(lines(1...4) + lines(2...2) + "END\n", runCapacity: runCapacity)
        let second = try sealed(lines(3...6) + lines(6...6) + lines(1...1) + "END\n", after: first, runCapacity: runCapacity)
        let crawls = MetadumpCrawls(completedSpools: [first, second])
        var keys: [String] = []
        while case .key(let k) = try crawls.nextKey() { keys.append(String(decoding: k.key, as: UTF8.self)) }
        #expect(keys == ["k1", "k2", "k3", "k4", "k5", "k6"])
        #expect(first.yielded == 4 && first.duplicates == 1)
        #expect(second.yielded == 2 && second.duplicates == 4)
    }

    @Test func fingerprintRunsMergeInOrderWhateverTheRunSize() throws {
        var rng = SystemRandomNumberGenerator()
        let values = (0..<5000).map { _ in UInt64.random(in: 0...2000, using: &rng) }
        for capacity in [1, 7, 64, 5000] {
            let runs = try FingerprintRuns(directory: NSTemporaryDirectory(), runCapacity: capacity)
            for v in values { try runs.add(v) }
            try runs.finish()
            #expect(runs.runs.count == (values.count + capacity - 1) / capacity)
            var merged = runs.merged()
            var out: [UInt64] = []
            while let v = try merged.next() { out.append(v) }
            #expect(out == values.sorted())
        }
    }

    @Test func radixSortAgreesWithTheStandardSort() {
        var rng = SystemRandomNumberGenerator()
        let random = (0..<20000).map { _ in UInt64.random(in: 0...UInt64.max, using: &rng) }
        let cases: [[UInt64]] = [
            [], [42], [2, 1], random,
            (0..<3000).map { _ in UInt64.random(in: 0...9, using: &rng) },  // many repeats, one byte differs
            (0..<3000).map { _ in UInt64.random(in: 0...255, using: &rng) << 56 | 7 },  // only the top byte
            [UInt64](repeating: 0xDEAD_BEEF, count: 100),  // every pass skipped
            random.sorted(), random.sorted().reversed(), [UInt64.max, 0, UInt64.max, 1 << 63, (1 << 63) - 1],
        ]
        for values in cases {
            var sorted = values
            radixSort(&sorted)
            #expect(sorted == values.sorted())
        }
    }

    @Test func keysDifferingInOneByteOrInLengthHaveDifferentFingerprints() {
        let base = Array("6e49b86a7502dae881f3b9466ecbdfa4743c7eb9".utf8)
        var seen: Set<UInt64> = [keyFingerprint(base)]
        for i in base.indices {
            for delta: UInt8 in [1, 2, 0x80] {
                var k = base
                k[i] = k[i] &+ delta
                #expect(seen.insert(keyFingerprint(k)).inserted)
            }
        }
        // Prefixes, and keys padded with zero bytes (the tail word is zero-filled), are other keys.
        for n in 0..<base.count { #expect(seen.insert(keyFingerprint(Array(base.prefix(n)))).inserted) }
        #expect(seen.insert(keyFingerprint(base + [0])).inserted)
        #expect(seen.insert(keyFingerprint(base + [0, 0])).inserted)
    }
}
