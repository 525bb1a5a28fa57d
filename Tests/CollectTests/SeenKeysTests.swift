// CollectTests/SeenKeysTests: the fingerprint table that drops keys a listing yields twice — every
// distinct key is new exactly once, through growth and explicit reservations, and keys that differ
// in one byte anywhere (or only in length) are told apart.
import Testing

@testable import MemcacheClient

@Suite struct SeenKeysTests {
    @Test func eachKeyIsNewOnceThroughGrowth() {
        let seen = SeenKeys()  // starts small: 64 slots, grows by rehashing
        let keys = (0..<50_000).map { Array("usertokens-\($0)".utf8) }
        for k in keys { #expect(seen.insert(k)) }
        #expect(seen.count == keys.count)
        var again = 0
        for k in keys.reversed() where !seen.insert(k) { again += 1 }
        #expect(again == keys.count)
        #expect(seen.count == keys.count)
        seen.reserve(100_000)  // a later crawl's lines: nothing is lost by the rehash
        #expect(keys.allSatisfy { !seen.insert($0) })
        #expect(seen.insert(Array("usertokens-50000".utf8)))
    }

    @Test func keysDifferingInOneByteOrInLengthAreDistinct() {
        let seen = SeenKeys(expected: 10_000)
        let base = Array("6e49b86a7502dae881f3b9466ecbdfa4743c7eb9".utf8)
        #expect(seen.insert(base))
        var distinct = 1
        for i in base.indices {
            for delta: UInt8 in [1, 2, 0x80] {
                var k = base
                k[i] = k[i] &+ delta
                if seen.insert(k) { distinct += 1 }
            }
        }
        #expect(distinct == 1 + base.count * 3)
        // Prefixes, and keys padded with zero bytes (the tail word is zero-filled), are other keys.
        for n in 0..<base.count { #expect(seen.insert(Array(base.prefix(n)))) }
        #expect(seen.insert(base + [0]))
        #expect(seen.insert(base + [0, 0]))
        #expect(!seen.insert(base + [0]))
    }
}
