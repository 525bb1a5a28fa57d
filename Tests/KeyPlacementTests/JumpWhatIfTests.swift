// Jump hash against go-jump's jump_test.go vectors, and the what-if accumulator against figures
// computed independently (by hand and by Python on the same items).
import Foundation
import Testing
import KeyPlacement
import TestSupport

@Suite struct JumpHashTests {
    @Test func goJumpVectors() {
        // dgryski/go-jump jump_test.go, Hash(key, n) for n = 1…19.
        let key1 = [0, 0, 0, 0, 0, 0, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 17, 17]
        let keyBeef = [0, 1, 2, 3, 3, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 16, 16, 16]
        #expect((1...19).map { JumpHash.bucket(1, buckets: $0) } == key1)
        #expect((1...19).map { JumpHash.bucket(0xdead_beef, buckets: $0) } == keyBeef)
        #expect(JumpHash.bucket(42, buckets: 0) == 0)
        #expect(JumpHash.bucket(42, buckets: -3) == 0)
    }

    @Test func keyIsFirstEightMD5BytesBigEndian() throws {
        let keys = KeySets.keystone(count: 200)
        let input = keys.map { KeystoneKeys.hex($0) + "\n" }.joined()
        let expected = try Python.run(
            code: "import sys, hashlib\nfor l in sys.stdin: print(int(hashlib.md5(bytes.fromhex(l.strip())).hexdigest()[:16], 16))",
            stdin: Data(input.utf8)
        ).stdoutText.split(separator: "\n").map { UInt64($0) ?? 0 }
        #expect(keys.map(JumpHash.key(for:)) == expected)
    }

    @Test func monotoneWhenAddingServers() throws {
        let keys = KeySets.keystone(count: 2000)
        let five = try JumpPlacement(servers: (1...5).map { ServerSpec.hypothetical($0) })
        let six = try JumpPlacement(servers: (1...6).map { ServerSpec.hypothetical($0) })
        let moved = keys.filter { five.serverIndex(for: $0) != six.serverIndex(for: $0) }
        #expect(moved.allSatisfy { six.serverIndex(for: $0) == 5 })
        #expect(!moved.isEmpty && moved.count < keys.count / 3)
    }
}

@Suite struct WhatIfTests {
    @Test func totalsPerSchemeMatchPlacement() throws {
        let servers = [ServerSpec(host: "a"), ServerSpec(host: "b"), ServerSpec(host: "c")]
        let schemes = try WhatIf.standardSchemes(servers: servers, deltas: [-1, 0, 2])
        #expect(schemes.count == 18)
        #expect(Set(schemes.map(\.serverCount)) == [2, 3, 5])
        var acc = WhatIfAccumulator(schemes: schemes, keepLargest: 8)
        let keys = KeySets.keystone(count: 300)
        for (i, k) in keys.enumerated() { acc.add(key: k, size: UInt64(100 + i)) }
        #expect(acc.itemCount == 300)
        #expect(acc.totalBytes == UInt64((0..<300).reduce(0) { $0 + 100 + $1 }))
        for (s, summary) in zip(schemes, acc.summaries) {
            #expect(summary.bytes.reduce(0, +) == acc.totalBytes)
            var expected = [UInt64](repeating: 0, count: s.serverCount)
            for (i, k) in keys.enumerated() { expected[s.serverIndex(for: k)] += UInt64(100 + i) }
            #expect(summary.bytes == expected, "\(summary.scheme)")
            #expect(summary.items.reduce(0, +) == 300)
        }
        #expect(acc.largestItem == 399)
    }

    @Test func boundsByHand() {
        // Items 10, 4, 3, 3 on 2 servers: total 20, mean 10, largest 10 → lower bound 1.0;
        // LPT: 10 | 4+3+3 = 10 → 1.0.
        var acc = WhatIfAccumulator(schemes: [])
        for (i, s) in [10, 4, 3, 3].enumerated() { acc.add(key: [UInt8(i)], size: UInt64(s)) }
        #expect(acc.bound(servers: 2) == BalanceBound(serverCount: 2, lowerBound: 1, greedy: 1, exact: true))
        // On 3 servers: mean 20/3, largest 10 → 1.5; LPT 10 | 4 | 3+3 → 1.5.
        let b3 = acc.bound(servers: 3)
        #expect(abs(b3.lowerBound - 1.5) < 1e-12 && abs(b3.greedy - 1.5) < 1e-12)
        // LPT's classic 7/6 case: 3,3,2,2,2 on 2 servers: LPT gives 3+2+2=7 vs mean 6.
        var lpt = WhatIfAccumulator(schemes: [])
        for (i, s) in [3, 3, 2, 2, 2].enumerated() { lpt.add(key: [UInt8(i)], size: UInt64(s)) }
        #expect(abs(lpt.bound(servers: 2).greedy - 7.0 / 6.0) < 1e-12)
        #expect(WhatIfAccumulator(schemes: []).bound(servers: 4).greedy == 0)
    }

    @Test func keptLargestApproximation() {
        // One huge item and many small ones; keeping only 4 items still finds the huge one.
        var acc = WhatIfAccumulator(schemes: [], keepLargest: 4)
        acc.add(key: [0], size: 1000)
        for i in 1...1000 { acc.add(key: [UInt8(i & 0xff)], size: 1) }
        let b = acc.bound(servers: 4)
        #expect(!b.exact)
        #expect(acc.largestItem == 1000)
        // total 2000, mean 500: the big item alone gives max/mean 2.
        #expect(abs(b.lowerBound - 2) < 1e-12 && abs(b.greedy - 2) < 1e-12)
        var spread = WhatIfAccumulator(schemes: [], keepLargest: 2)
        for i in 0..<100 { spread.add(key: [UInt8(i)], size: 10) }
        #expect(abs(spread.bound(servers: 4).greedy - 1) < 1e-12)
    }

    @Test func resizing() {
        let s = [ServerSpec(host: "a"), ServerSpec(host: "b")]
        #expect(WhatIf.resized(s, by: 2).map(\.host) == ["a", "b", "whatif-3", "whatif-4"])
        #expect(WhatIf.resized(s, by: -5).map(\.host) == ["a"])
        #expect(WhatIf.maxOverMean([]) == 0)
        #expect(WhatIf.maxOverMean([1, 3]) == 1.5)
        let summary = LoadSummary(scheme: "x", serverCount: 2, bytes: [1, 3], items: [1, 1])
        #expect(summary.topShare == 0.75 && summary.maxOverMean == 1.5)
    }
}
