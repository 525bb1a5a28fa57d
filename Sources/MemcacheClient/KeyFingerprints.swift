// MemcacheClient/KeyFingerprints: finds the keys a crawl listed twice, and the keys a second crawl
// listed that the first did not, in memory bounded whatever the server's size. Each crawl's 64-bit key
// fingerprints go into sorted runs of at most `runCapacity` (4 MiB at the default) in an unlinked
// file; a k-way merge of the runs then yields every fingerprint in order, so repeats and differences
// come out of one pass. Only the (normally few) repeated or new fingerprints are kept in memory.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A 64-bit hash of the bytes and their length: each 8-byte word is mixed in with a xor, an odd
/// multiply and a rotation (a bijection of the state, so keys of one length that differ in one word
/// never collide), then a splitmix64 finalizer. Two different keys share a fingerprint with a chance
/// of about 2^-64 per pair; the later one would then count as a repeat.
func keyFingerprint(_ key: [UInt8]) -> UInt64 {
    var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(key.count)
    key.withUnsafeBytes { raw in
        var i = 0
        let n = raw.count
        while i + 8 <= n {
            h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
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
            h = (h ^ tail) &* 0xFF51_AFD7_ED55_8CCD
            h = (h << 31) | (h >> 33)
        }
    }
    h ^= h >> 30
    h &*= 0xBF58_476D_1CE4_E5B9
    h ^= h >> 27
    h &*= 0x94D0_49BB_1331_11EB
    h ^= h >> 31
    return h
}

/// The fingerprints of one crawl, as sorted runs in an unlinked file. Written by one task only.
final class FingerprintRuns {
    private let fd: Int32
    let runCapacity: Int
    private var chunk: [UInt64] = []
    /// Each spilled run: where it starts in the file and how many fingerprints it holds.
    private(set) var runs: [(offset: Int64, count: Int)] = []
    private var fileSize: Int64 = 0

    init(directory: String, runCapacity: Int = 1 << 19) throws {
        fd = try SpoolFiles.unlinkedTemporary(in: directory, prefix: ".metadump-keys", what: "key file")
        self.runCapacity = max(1, runCapacity)
        chunk.reserveCapacity(self.runCapacity)
    }

    deinit { close(fd) }

    var count: Int { runs.reduce(chunk.count) { $0 + $1.count } }

    func add(_ fingerprint: UInt64) throws {
        chunk.append(fingerprint)
        if chunk.count >= runCapacity { try spill() }
    }

    /// Sorts the fingerprints gathered since the last run and writes them as a run.
    func spill() throws {
        guard !chunk.isEmpty else { return }
        radixSort(&chunk)
        try chunk.withUnsafeBytes { try SpoolFiles.write(fd, $0, at: fileSize, what: "key file") }
        runs.append((fileSize, chunk.count))
        fileSize += Int64(chunk.count * 8)
        chunk.removeAll(keepingCapacity: true)
    }

    /// Spills the last run and gives the in-memory chunk back (a sealed crawl holds only its file).
    func finish() throws {
        try spill()
        chunk = []
    }

    /// Every fingerprint in ascending order (call after `finish`).
    func merged() -> MergedFingerprints { MergedFingerprints(fd: fd, runs: runs) }
}

/// Sorts `values` ascending: a least-significant-digit radix sort, eight passes of one byte each
/// (all eight counts in one pass first; a pass whose byte is the same everywhere is skipped). The last
/// run of a crawl is sorted after its END, while the fetch waits: on 500,000 fingerprints this takes
/// a few milliseconds where the standard library's comparison sort took about ninety.
func radixSort(_ values: inout [UInt64]) {
    let n = values.count
    guard n > 1 else { return }
    var counts = [Int](repeating: 0, count: 8 * 256)
    values.withUnsafeBufferPointer { v in
        counts.withUnsafeMutableBufferPointer { c in
            for x in v {
                for d in 0..<8 { c[d &* 256 &+ Int(truncatingIfNeeded: (x &>> UInt64(d &* 8)) & 0xFF)] &+= 1 }
            }
        }
    }
    var scratch = [UInt64](repeating: 0, count: n)
    for d in 0..<8 {
        let shift = UInt64(d * 8)
        // Every value has the same byte here: the pass would not move anything.
        if counts[d * 256 + Int(truncatingIfNeeded: (values[0] >> shift) & 0xFF)] == n { continue }
        var offset = 0
        for b in 0..<256 {
            let k = counts[d * 256 + b]
            counts[d * 256 + b] = offset
            offset += k
        }
        values.withUnsafeBufferPointer { src in
            scratch.withUnsafeMutableBufferPointer { dst in
                counts.withUnsafeMutableBufferPointer { c in
                    let base = d &* 256
                    for x in src {
                        let slot = base &+ Int(truncatingIfNeeded: (x &>> shift) & 0xFF)
                        dst[c[slot]] = x
                        c[slot] &+= 1
                    }
                }
            }
        }
        swap(&values, &scratch)
    }
}

/// A k-way merge of sorted runs read back in 64 KiB slices: a few slices in memory, whatever the size.
struct MergedFingerprints {
    private struct Cursor {
        var offset: Int64
        var remaining: Int
        var buffer: [UInt64] = []
        var index = 0
    }

    private let fd: Int32
    private var cursors: [Cursor]

    init(fd: Int32, runs: [(offset: Int64, count: Int)]) {
        self.fd = fd
        cursors = runs.map { Cursor(offset: $0.offset, remaining: $0.count) }
    }

    /// The smallest fingerprint not yet returned, or nil at the end.
    mutating func next() throws -> UInt64? {
        var best = -1
        for i in cursors.indices {
            if cursors[i].index == cursors[i].buffer.count {
                try refill(i)
                if cursors[i].buffer.isEmpty { continue }
            }
            if best < 0 || cursors[i].buffer[cursors[i].index] < cursors[best].buffer[cursors[best].index] { best = i }
        }
        guard best >= 0 else { return nil }
        defer { cursors[best].index += 1 }
        return cursors[best].buffer[cursors[best].index]
    }

    private mutating func refill(_ i: Int) throws {
        let n = min(cursors[i].remaining, 8192)
        cursors[i].index = 0
        guard n > 0 else {
            cursors[i].buffer = []
            return
        }
        var buffer = [UInt64](repeating: 0, count: n)
        let offset = cursors[i].offset
        try buffer.withUnsafeMutableBytes { try SpoolFiles.read(fd, into: $0, at: offset, what: "key file") }
        cursors[i].buffer = buffer
        cursors[i].offset += Int64(n * 8)
        cursors[i].remaining -= n
    }
}

/// What the reader of a crawl's spool lets through.
struct ListingFilter: Sendable {
    /// Fingerprints listed more than once by this crawl: only their first record is yielded.
    var repeated: Set<UInt64>
    /// For a later crawl: the only fingerprints to yield (those the earlier crawls did not list).
    var onlyNew: Set<UInt64>?

    /// The first crawl: its repeats.
    static func first(_ runs: FingerprintRuns) throws -> ListingFilter {
        var merged = runs.merged()
        var repeated = Set<UInt64>()
        var previous: UInt64?
        while let f = try merged.next() {
            if f == previous { repeated.insert(f) }
            previous = f
        }
        return ListingFilter(repeated: repeated, onlyNew: nil)
    }

    /// A later crawl `runs` after the crawls in `earlier` (one run set holding all of them): the
    /// fingerprints only it has, and which of those it repeats.
    static func later(_ runs: FingerprintRuns, after earlier: FingerprintRuns) throws -> ListingFilter {
        var mine = runs.merged()
        var theirs = earlier.merged()
        var onlyNew = Set<UInt64>()
        var repeated = Set<UInt64>()
        var other = try theirs.next()
        var previous: UInt64?
        while let f = try mine.next() {
            while let o = other, o < f { other = try theirs.next() }
            if other != f {
                if f == previous { repeated.insert(f) } else { onlyNew.insert(f) }
            }
            previous = f
        }
        return ListingFilter(repeated: repeated, onlyNew: onlyNew)
    }
}
