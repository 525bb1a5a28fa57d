// Oracle: deterministic key sets and the bridge to Tests/oracles/placement_oracle.py, which places the
// same keys with the real libraries (python-memcached 1.62, pymemcache 4.0, uhashring 2.5, libmemcached 1.1.4).
import Foundation
import KeyPlacement
import TestSupport

enum KeySets {
    static func hexID(_ rng: inout SplitMix64) -> String {
        KeystoneKeys.hex((0..<16).map { _ in UInt8.random(in: 0...255, using: &rng) })
    }

    /// sha1 hex of `usertokens-<id>` and `token-<id>`: Keystone's real key shape.
    static func keystone(count: Int, seed: UInt64 = 1) -> [[UInt8]] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { i in
            let logical = (i % 2 == 0 ? "usertokens-" : "token-") + hexID(&rng)
            return Array(KeystoneKeys.mangled(logical).utf8)
        }
    }

    /// Printable ASCII keys (0x21…0x7e), 1…250 bytes, as python-memcached accepts them.
    static func ascii(count: Int, seed: UInt64 = 2) -> [[UInt8]] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            (0..<Int.random(in: 1...250, using: &rng)).map { _ in UInt8.random(in: 0x21...0x7e, using: &rng) }
        }
    }

    /// Byte keys with high bytes (valid for python-memcached's key check; not necessarily UTF-8).
    static func highBytes(count: Int, seed: UInt64 = 3) -> [[UInt8]] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            (0..<Int.random(in: 1...80, using: &rng)).map { _ in
                Bool.random(using: &rng) ? UInt8.random(in: 0x80...0xff, using: &rng) : UInt8.random(in: 0x21...0x7e, using: &rng)
            }
        }
    }

    /// UTF-8 keys with non-ASCII characters of every width (Latin-1, BMP beyond 0xFF, astral).
    static func unicode(count: Int, seed: UInt64 = 4) -> [[UInt8]] {
        var rng = SplitMix64(seed: seed)
        let pools: [ClosedRange<UInt32>] = [0x21...0x7e, 0xa0...0xff, 0x100...0x7ff, 0x3040...0x30ff, 0x1f600...0x1f64f]
        return (0..<count).map { _ in
            var s = String.UnicodeScalarView()
            for _ in 0..<Int.random(in: 1...40, using: &rng) {
                let pool = pools[Int.random(in: 0..<pools.count, using: &rng)]
                if let u = Unicode.Scalar(UInt32.random(in: pool, using: &rng)) { s.append(u) }
            }
            return Array(String(s).utf8)
        }
    }

    /// sha1-hex keys whose python-memcached hash is 0 (where `or 1` matters), found by search.
    static func zeroHash(count: Int) -> [[UInt8]] {
        var found: [[UInt8]] = []
        var i = 0
        while found.count < count {
            let key = Array(KeystoneKeys.mangled("usertokens-zero-\(i)").utf8)
            if KeyHash.cmemcache(key, orOne: false) == 0 { found.append(key) }
            i += 1
        }
        return found
    }

    /// Everything python-memcached may hash.
    static func allBytes() -> [[UInt8]] {
        keystone(count: 2000) + ascii(count: 600) + highBytes(count: 400) + unicode(count: 200) + zeroHash(count: 3)
    }
}

enum Oracle {
    /// Runs the oracle script in `mode` with a JSON config; returns one output line per key.
    static func run(_ mode: String, _ config: String, keys: [[UInt8]]) throws -> [String] {
        let input = keys.map { KeystoneKeys.hex($0) + "\n" }.joined()
        let result = try Python.run(
            script: Repo.path("Tests/oracles/placement_oracle.py"), [mode, config], stdin: Data(input.utf8))
        return result.stdoutText.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    /// Oracle output parsed as integers.
    static func ints(_ mode: String, _ config: String, keys: [[UInt8]]) throws -> [Int64] {
        try run(mode, config, keys: keys).map { Int64($0) ?? -1 }
    }
}

/// The first few indices where two lists differ, for readable failures.
func mismatches<T: Equatable>(_ a: [T], _ b: [T], keys: [[UInt8]]) -> [String] {
    var out: [String] = []
    if a.count != b.count { out.append("count \(a.count) vs \(b.count)") }
    for i in 0..<min(a.count, b.count) where a[i] != b[i] {
        out.append("key \(KeystoneKeys.hex(keys[i])): swift \(a[i]) vs python \(b[i])")
        if out.count >= 5 { break }
    }
    return out
}
