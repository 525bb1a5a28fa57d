// SkewAnalysis/Copies: keys found on more than one host — copies a client's failover or a changed
// server list left behind, which only one host's copy (at most) is ever read from. Each key is
// remembered as a 64-bit digest with the host it was first seen on and fingerprints of that copy's value
// and CAS, in an open-addressing table of 18 bytes a slot (about 26 bytes a key; at most `maxTracked`
// keys).
//
// Across partials (`report --merge`): a partial carries its key log (`CopyLog`), every item's key, host,
// size and fingerprints in input order, and the merge replays the logs through one tracker — the
// main records' in input order, then the records attribute held to the end of its stream, in input
// order — which is the order one report over all the inputs meets them.
import ByteText
import JSONText
import LineBlocks
import PipelineRecords

/// One key found on several hosts: its hosts in the order met, and for each copy after the first its
/// size and whether it holds the first copy's bytes and CAS (nil where a record does not say: no
/// `value_crc32` or no `cas`). The first copy's size is not remembered.
public struct CopyEntry: Sendable, Equatable {
    public var key: String
    public var hosts: [String]
    public var sizes: [Int64]
    public var sameValue: [Bool?]
    public var sameCAS: [Bool?]
    public init(key: String, hosts: [String], sizes: [Int64], sameValue: [Bool?]? = nil, sameCAS: [Bool?]? = nil) {
        self.key = key
        self.hosts = hosts
        self.sizes = sizes
        self.sameValue = sameValue ?? Array(repeating: nil, count: sizes.count)
        self.sameCAS = sameCAS ?? Array(repeating: nil, count: sizes.count)
    }
}

/// What is remembered of a key's first copy: its host, and 32-bit fingerprints of its value (size,
/// flags and `value_crc32`) and of its CAS; a fingerprint of 0 means the record did not say.
struct FirstCopy: Equatable {
    var host: UInt16
    var value: UInt32
    var cas: UInt32

    /// The value's fingerprint: 0 without a CRC, never 0 with one.
    static func valueFingerprint(crc: UInt32?, size: Int64, flags: UInt32?) -> UInt32 {
        guard let crc else { return 0 }
        var h = UInt64(crc) &* 0x9E37_79B9_7F4A_7C15
        h ^= UInt64(bitPattern: size) &* 0xC2B2_AE3D_27D4_EB4F
        h ^= UInt64(flags ?? 0) &* 0x1656_67B1_9E37_79F9
        h ^= h >> 32
        let f = UInt32(truncatingIfNeeded: h)
        return f == 0 ? 1 : f
    }

    /// The CAS folded to 32 bits: 0 without a CAS, never 0 with one.
    static func casFingerprint(_ cas: UInt64?) -> UInt32 {
        guard let cas else { return 0 }
        let f = UInt32(truncatingIfNeeded: cas ^ (cas >> 32))
        return f == 0 ? 1 : f
    }

    /// Whether `other` matches this copy's fingerprint `mine` (nil when either is unknown).
    static func same(_ mine: UInt32, _ other: UInt32) -> Bool? { mine == 0 || other == 0 ? nil : mine == other }
}

/// Digest → first copy, open addressing with linear probing; a digest of 0 marks an empty slot (a key
/// whose digest is 0 is stored as 1). 18 bytes a slot.
struct DigestTable {
    private(set) var count = 0
    private var digests = [UInt64](repeating: 0, count: 1 << 12)
    private var hosts = [UInt16](repeating: 0, count: 1 << 12)
    private var values = [UInt32](repeating: 0, count: 1 << 12)
    private var cases = [UInt32](repeating: 0, count: 1 << 12)

    /// The first copy stored for `digest`, after storing `copy` for it when it was not there (nil then;
    /// with `insert` false nothing is stored).
    mutating func first(_ digest: UInt64, orInsert copy: FirstCopy, insert: Bool = true) -> FirstCopy? {
        let d = digest == 0 ? 1 : digest
        if insert && (count + 1) * 10 > digests.count * 7 { grow() }
        let mask = digests.count - 1
        var i = Int(truncatingIfNeeded: d ^ (d >> 29)) & mask
        while digests[i] != 0 {
            if digests[i] == d { return FirstCopy(host: hosts[i], value: values[i], cas: cases[i]) }
            i = (i + 1) & mask
        }
        guard insert else { return nil }
        digests[i] = d
        hosts[i] = copy.host
        values[i] = copy.value
        cases[i] = copy.cas
        count += 1
        return nil
    }

    private mutating func grow() {
        let oldDigests = digests, oldHosts = hosts, oldValues = values, oldCases = cases
        let n = oldDigests.count * 2
        digests = [UInt64](repeating: 0, count: n)
        hosts = [UInt16](repeating: 0, count: n)
        values = [UInt32](repeating: 0, count: n)
        cases = [UInt32](repeating: 0, count: n)
        count = 0
        for (k, d) in oldDigests.enumerated() where d != 0 {
            _ = first(d, orInsert: FirstCopy(host: oldHosts[k], value: oldValues[k], cas: oldCases[k]))
        }
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
    /// Copies after the first that hold the first copy's bytes, and those that hold other bytes (copies
    /// whose records carry no `value_crc32` are in neither).
    private(set) var sameValueCopies = 0
    private(set) var differingValueCopies = 0
    private(set) var overflowed = false

    /// FNV-1a 64 of the key's bytes.
    static func digest(_ key: [UInt8]) -> UInt64 { key.withUnsafeBytes { digest($0) } }

    static func digest(_ key: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in key { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return h
    }

    mutating func add(
        key: [UInt8], display: @autoclosure () -> String, host: String, size: Int64, flags: UInt32? = nil, valueCRC: UInt32? = nil, cas: UInt64? = nil
    ) {
        add(
            digest: CopyTracker.digest(key), display: display(), host: host, size: size,
            value: FirstCopy.valueFingerprint(crc: valueCRC, size: size, flags: flags), cas: FirstCopy.casFingerprint(cas))
    }

    /// One copy of a key, by its digest and its value's and CAS's fingerprints (`FirstCopy`).
    mutating func add(digest h: UInt64, display: @autoclosure () -> String, host: String, size: Int64, value: UInt32, cas: UInt32) {
        let index: UInt16
        if let i = hostIndex[host] {
            index = i
        } else {
            guard hostNames.count < Int(UInt16.max) else { return }
            index = UInt16(hostNames.count)
            hostIndex[host] = index
            hostNames.append(host)
        }
        let copy = FirstCopy(host: index, value: value, cas: cas)
        let full = seen.count >= CopyTracker.maxTracked
        guard let first = seen.first(h, orInsert: copy, insert: !full) else {
            if full { overflowed = true }
            return
        }
        guard first.host != index else { return }  // the same key twice on one host: another matter
        extraCopies += 1
        extraBytes &+= size
        let sameValue = FirstCopy.same(first.value, copy.value), sameCAS = FirstCopy.same(first.cas, copy.cas)
        switch sameValue {
        case true?: sameValueCopies += 1
        case false?: differingValueCopies += 1
        case nil: break
        }
        if let e = entryIndex[h] {
            if entries[e].hosts.count < 16 {
                entries[e].hosts.append(host)
                entries[e].sizes.append(size)
                entries[e].sameValue.append(sameValue)
                entries[e].sameCAS.append(sameCAS)
            }
        } else {
            keys += 1
            if entries.count < CopyTracker.kept {
                entryIndex[h] = entries.count
                entries.append(
                    CopyEntry(key: display(), hosts: [hostNames[Int(first.host)], host], sizes: [size], sameValue: [sameValue], sameCAS: [sameCAS]))
            }
        }
    }

    var summary: CopySummary {
        CopySummary(
            keys: keys, extraCopies: extraCopies, extraBytes: extraBytes, sameValueCopies: sameValueCopies,
            differingValueCopies: differingValueCopies, entries: entries)
    }

    /// Merges the counts and entries of a partial without a key log (copies between it and the other
    /// partials are not found: it remembers only its own keys).
    mutating func merge(_ c: CopySummary) {
        keys &+= c.keys
        extraCopies &+= c.extraCopies
        extraBytes &+= c.extraBytes
        sameValueCopies &+= c.sameValueCopies
        differingValueCopies &+= c.differingValueCopies
        for entry in c.entries where entries.count < CopyTracker.kept { entries.append(entry) }
    }
}

/// One item of a key log: its key (`key`, or the `key_b64` text when `base64`), its host (an index into
/// the log's hosts), its size and the fingerprints of its value and CAS (`FirstCopy`). In a partial:
/// `[key, host, size, value, cas, flags]`, flags 1 when the key is `key_b64`'s text.
struct CopyLogEntry: Equatable {
    var key: String
    var base64: Bool
    var host: Int
    var size: Int64
    var value: UInt32
    var cas: UInt32

    var json: [UInt8] {
        var w = NDJSONWriter(capacity: key.utf8.count + 48)
        w.beginArray()
        w.string(key); w.int(host); w.int(Int(size)); w.int(Int(value)); w.int(Int(cas)); w.int(base64 ? 1 : 0)
        w.endArray()
        return w.buffer
    }

    init(key: String, base64: Bool, host: Int, size: Int64, value: UInt32, cas: UInt32) {
        self.key = key
        self.base64 = base64
        self.host = host
        self.size = size
        self.value = value
        self.cas = cas
    }
}

/// The key log a partial carries (`copy_log`): every item's `CopyLogEntry`, the main records' and the
/// held ones' (attribute wrote them after the rest of its stream) apart, each in input order, at most
/// `maxEntries`. Lines wait in spools (`DeferredRecords`: 4 MiB in memory, the rest in a temporary file).
/// In a merge, `held` also holds the held entries of the partials merged, replayed at the end.
final class CopyLog {
    static let maxEntries = CopyTracker.maxTracked
    private(set) var hosts: [String] = []
    private var hostIndex: [String: Int] = [:]
    /// The main entries, kept only when a partial is written.
    let main: DeferredRecords?
    let held = DeferredRecords()
    /// Entries logged, and whether every entry offered was.
    private(set) var entries = 0
    var complete = true
    /// The first spool failure (a temporary file that could not be written), reported at the end.
    private(set) var failure: ByteReadError?

    init(keepMain: Bool) { main = keepMain ? DeferredRecords() : nil }

    func host(_ name: String) -> Int {
        if let i = hostIndex[name] { return i }
        hostIndex[name] = hosts.count
        hosts.append(name)
        return hosts.count - 1
    }

    /// Logs an entry (the main one only when kept); false when the log is full.
    @discardableResult
    func append(_ e: CopyLogEntry, held isHeld: Bool) -> Bool {
        guard entries < CopyLog.maxEntries else {
            complete = false
            return false
        }
        guard isHeld || main != nil else { return true }
        entries += 1
        var line = e.json
        line.append(0x0A)
        do throws(ByteReadError) { try (isHeld ? held : main!).append(line, count: 1) } catch {
            if failure == nil { failure = error }
        }
        return true
    }

    /// Calls `body` with each entry of a spool, in order.
    func forEach(_ spool: DeferredRecords, _ body: (KeyLogRead.Entry) -> Void) throws(AggregationIssue) {
        let hostCount = hosts.count
        var bad: AggregationIssue?
        do throws(ByteReadError) {
            try spool.forEach { line in
                guard bad == nil else { return }
                do throws(AggregationIssue) {
                    let end = JSONSkim.valueEnd(line, from: 0) ?? line.count
                    body(try KeyLogRead.Entry(JSONSlice(bytes: line, range: 0..<end), hostCount: hostCount, path: "the key log's spool"))
                } catch { bad = error }
            }
        } catch {
            throw AggregationIssue(message: "the key log's spool: \(error)")
        }
        if let bad { throw bad }
    }
}

/// A key log read in place from a partial's bytes (`Aggregator.readKeyLog`): its hosts, and its main and
/// held entries checked and digested.
struct KeyLogRead {
    var complete = true
    var hosts: [String] = []
    var main: [Entry] = []
    var held: [Entry] = []

    /// One entry, `[key, host, size, value, cas, flags]`, read without copying its key: the key's digest
    /// (over the key's UTF-8, or the bytes key_b64's text decodes to, as the report digests records), and the key itself left in the bytes for the few
    /// entries a report shows.
    struct Entry {
        var key: JSONSlice
        var base64: Bool
        var digest: UInt64
        var host: Int
        var size: Int64
        var value: UInt32
        var cas: UInt32

        init(_ s: JSONSlice, hostCount: Int, path: @autoclosure () -> String) throws(AggregationIssue) {
            guard let a = s.elements, a.count == 6 else { throw AggregationIssue(message: "\(path()): expected [key, host, size, value, cas, flags]") }
            func count(_ k: Int, max: Int64 = .max) throws(AggregationIssue) -> Int64 {
                guard let n = a[k].int, n >= 0, n <= max else {
                    let range = max == .max ? "a non-negative integer" : "an integer from 0 to \(max)"
                    throw AggregationIssue(message: "\(path())[\(k)]: expected \(range), got \(String(decoding: a[k].raw.prefix(40), as: UTF8.self))")
                }
                return n
            }
            host = Int(try count(1))
            guard host < hostCount else { throw AggregationIssue(message: "\(path()): host \(host) is not in copy_log.hosts") }
            size = try count(2)
            value = UInt32(try count(3, max: Int64(UInt32.max)))
            cas = UInt32(try count(4, max: Int64(UInt32.max)))
            base64 = try count(5, max: 1) == 1
            key = a[0]
            // The key's bytes as the report digests them: the string's UTF-8 (read in place when it is
            // plain ASCII), or what key_b64's text decodes to.
            if !base64, let plain = key.plainStringBytes, !plain.contains(where: { $0 >= 0x80 || $0 < 0x20 }) {
                digest = CopyTracker.digest(plain)
            } else {
                guard let text = key.string else { throw AggregationIssue(message: "\(path())[0]: expected a string") }
                guard let bytes = base64 ? Base64.decode(text) : Array(text.utf8) else {
                    throw AggregationIssue(message: "\(path())[0]: not base64, though flags say key_b64")
                }
                digest = CopyTracker.digest(bytes)
            }
        }

        var keyText: String { key.string ?? "" }
        var display: String { base64 ? "base64:" + keyText : keyText }

        func entry(host: Int) -> CopyLogEntry {
            CopyLogEntry(key: keyText, base64: base64, host: host, size: size, value: value, cas: cas)
        }
    }
}
