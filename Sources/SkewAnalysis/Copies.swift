// SkewAnalysis/Copies: keys found on more than one host — copies a client's failover or a changed
// server list left behind, which only one host's copy (at most) is ever read from. Each key is
// remembered as a 64-bit digest with the host it was first seen on (at most `maxTracked` keys).
import PipelineRecords

/// One key found on several hosts: its hosts in the order met and the size of each copy.
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

/// Keys met on more than one host, counted while the records stream by.
struct CopyTracker {
    /// Keys remembered at most (about 16 bytes each); beyond, new keys are not checked (a warning says so).
    static let maxTracked = 4_000_000
    /// Entries kept for the report (the first met); all are counted.
    static let kept = 100

    private var seen: [UInt64: (host: UInt16, size: Int64)] = [:]
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
        guard let first = seen[h] else {
            if seen.count >= CopyTracker.maxTracked {
                overflowed = true
                return
            }
            seen[h] = (index, size)
            return
        }
        guard first.host != index else { return }  // the same key twice on one host: another matter
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
                entries.append(CopyEntry(key: display(), hosts: [hostNames[Int(first.host)], host], sizes: [first.size, size]))
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
