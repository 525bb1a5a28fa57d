// SkewAnalysis/Copies: keys found on more than one host — copies a client's failover or a changed
// server list left behind, which only one host's copy (at most) is ever read from. Each key is
// remembered as a 64-bit digest with the host it was first seen on, in an open-addressing table of
// 10 bytes a slot (about 14 bytes a key; at most `maxTracked` keys).
import PipelineRecords

/// One key found on several hosts: its hosts in the order met, and the size of each copy after the
/// first (the first copy's size is not remembered).
public struct CopyEntry: Sendable, Equatable {
    public var key: String
    public var hosts: [String]
    public var sizes: [Int64]
    public init(key: String, hosts: [String], sizes: [Int64]) {
        self.key = key
        self.hosts = hosts
        self.sizes = sizes
    }
}

/// Digest → host index, open addressing with linear probing; a digest of 0 marks an empty slot (a key
/// whose digest is 0 is stored as 1).
struct DigestTable {
    private(set) var count = 0
    private var digests = [UInt64](repeating: 0, count: 1 << 12)
    private var hosts = [UInt16](repeating: 0, count: 1 << 12)

    /// The host stored for `digest`, after storing `host` for it when it was not there (nil then; with
    /// `insert` false nothing is stored).
    mutating func firstHost(_ digest: UInt64, orInsert host: UInt16, insert: Bool = true) -> UInt16? {
        let d = digest == 0 ? 1 : digest
        if insert && (count + 1) * 10 > digests.count * 7 { grow() }
        let mask = digests.count - 1
        var i = Int(truncatingIfNeeded: d ^ (d >> 29)) & mask
        while digests[i] != 0 {
            if digests[i] == d { return hosts[i] }
            i = (i + 1) & mask
        }
        guard insert else { return nil }
        digests[i] = d
        hosts[i] = host
        count += 1
        return nil
    }

    private mutating func grow() {
        let oldDigests = digests, oldHosts = hosts
        digests = [UInt64](repeating: 0, count: oldDigests.count * 2)
        hosts = [UInt16](repeating: 0, count: oldDigests.count * 2)
        count = 0
        for (k, d) in oldDigests.enumerated() where d != 0 { _ = firstHost(d, orInsert: oldHosts[k]) }
    }
}

/// Keys met on more than one host, counted while the records stream by.
struct CopyTracker {
    /// Keys remembered at most; beyond, new keys are not checked (a warning says so).
    static let maxTracked = 4_000_000
    /// Entries kept for the report (the first met); all are counted.
    static let kept = 100

    private var seen = DigestTable()
    private var hostIndex: [String: UInt16] = [:]
    private var hostNames: [String] = []
    /// Entries of keys found twice or more, in the order their second copy was met.
    private(set) var entries: [CopyEntry] = []
    private var entryIndex: [UInt64: Int] = [:]
    /// Keys with copies, the copies beyond the first, and those copies' bytes.
    private(set) var keys = 0
    private(set) var extraCopies = 0
    private(set) var extraBytes: Int64 = 0
    private(set) var overflowed = false

    /// FNV-1a 64 of the key's bytes.
    static func digest(_ key: [UInt8]) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in key { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return h
    }

    mutating func add(key: [UInt8], display: @autoclosure () -> String, host: String, size: Int64) {
        let h = CopyTracker.digest(key)
        let index: UInt16
        if let i = hostIndex[host] {
            index = i
        } else {
            guard hostNames.count < Int(UInt16.max) else { return }
            index = UInt16(hostNames.count)
            hostIndex[host] = index
            hostNames.append(host)
        }
        let full = seen.count >= CopyTracker.maxTracked
        guard let firstHost = seen.firstHost(h, orInsert: index, insert: !full) else {
            if full { overflowed = true }
            return
        }
        guard firstHost != index else { return }  // the same key twice on one host: another matter
        extraCopies += 1
        extraBytes &+= size
        if let e = entryIndex[h] {
            if entries[e].hosts.count < 16 {
                entries[e].hosts.append(host)
                entries[e].sizes.append(size)
            }
        } else {
            keys += 1
            if entries.count < CopyTracker.kept {
                entryIndex[h] = entries.count
                entries.append(CopyEntry(key: display(), hosts: [hostNames[Int(firstHost)], host], sizes: [size]))
            }
        }
    }

    /// Merges a partial's counts and entries (copies *across* partials are not found: each partial
    /// remembers only its own keys).
    mutating func merge(keys k: Int, extraCopies c: Int, extraBytes b: Int64, entries e: [CopyEntry]) {
        keys &+= k
        extraCopies &+= c
        extraBytes &+= b
        for entry in e where entries.count < CopyTracker.kept { entries.append(entry) }
    }
}
