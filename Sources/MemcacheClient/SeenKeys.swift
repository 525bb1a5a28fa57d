// MemcacheClient/SeenKeys: the keys a server's listing has yielded so far, as 64-bit fingerprints in
// an open-addressing table (8 bytes per key), so that a key listed twice — by one crawl that met an
// item moving between LRU segments, or by a second crawl — is fetched once. Shared by the spools of
// one server.

public final class SeenKeys {
    /// Fingerprints; 0 marks an empty slot (a fingerprint of 0 is stored as 1).
    private var slots: [UInt64]
    private var mask: Int
    public private(set) var count = 0

    public init(expected: Int = 0) {
        let capacity = SeenKeys.capacity(for: expected)
        slots = [UInt64](repeating: 0, count: capacity)
        mask = capacity - 1
    }

    /// A power of two at least 4/3 of `keys` (load stays at or below 3/4), at least 64.
    static func capacity(for keys: Int) -> Int {
        var c = 64
        while c < Int.max / 4 && c * 3 < keys * 4 { c *= 2 }
        return c
    }

    /// Makes room for `more` keys beyond those already held.
    public func reserve(_ more: Int) {
        let wanted = SeenKeys.capacity(for: count + max(0, more))
        if wanted > slots.count { rehash(to: wanted) }
    }

    /// True the first time a key is offered. Two different keys share a fingerprint with a
    /// probability of about 2^-64 per pair (below 10^-6 for a few million keys); the later one would
    /// then count as seen.
    func insert(_ key: [UInt8]) -> Bool {
        insert(fingerprint: SeenKeys.fingerprint(key))
    }

    private func insert(fingerprint f: UInt64) -> Bool {
        if (count + 1) * 4 > slots.count * 3 { rehash(to: slots.count * 2) }
        var i = Int(truncatingIfNeeded: f) & mask
        while true {
            let s = slots[i]
            if s == 0 {
                slots[i] = f
                count += 1
                return true
            }
            if s == f { return false }
            i = (i + 1) & mask
        }
    }

    private func rehash(to capacity: Int) {
        let old = slots
        slots = [UInt64](repeating: 0, count: capacity)
        mask = capacity - 1
        count = 0
        for f in old where f != 0 { _ = insert(fingerprint: f) }
    }

    /// A 64-bit hash of the bytes and their length: each 8-byte word is mixed in with a xor, an odd
    /// multiply and a rotation (a bijection of the state, so keys of one length that differ in one
    /// word never collide), then a splitmix64 finalizer spreads the bits over the table index.
    static func fingerprint(_ key: [UInt8]) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(key.count)
        key.withUnsafeBytes { raw in
            var i = 0
            let n = raw.count
            while i + 8 <= n {
                h = ((h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD)
                h = (h << 31) | (h >> 33)
                i += 8
            }
            if i < n {
                var tail: UInt64 = 0
                var shift: UInt64 = 0
                while i < n {
                    tail |= UInt64(raw[i]) << shift
                    shift += 8
                    i += 1
                }
                h = ((h ^ tail) &* 0xFF51_AFD7_ED55_8CCD)
                h = (h << 31) | (h >> 33)
            }
        }
        h ^= h >> 30
        h &*= 0xBF58_476D_1CE4_E5B9
        h ^= h >> 27
        h &*= 0x94D0_49BB_1331_11EB
        h ^= h >> 31
        return h == 0 ? 1 : h
    }
}
