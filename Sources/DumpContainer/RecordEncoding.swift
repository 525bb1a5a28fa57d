// DumpContainer/RecordEncoding: turns DumpRecords into the bytes of the decompressed stream
// (docs/dump-format.md). Items, the hot path, are encoded without Foundation.
import Compression
import ByteText
import Foundation
import JSONText

enum RecordEncoding {
    /// Largest value one ITEM record may carry (a gzip member is compressed in one zlib call).
    static let maxValueBytes = GzipDeflater.maxInput - 4096

    /// Appends the encoding of `record` to `out`; throws `DumpWriteError` (path filled by the caller)
    /// when the record cannot be represented.
    static func append(_ record: DumpRecord, to out: inout [UInt8]) throws(DumpWriteError) {
        switch record {
        case .header(let h):
            guard DumpFormat.readable.contains(h.format) else { throw invalid("header format must be 1 or 2") }
            appendASCII("MCDUMP ", to: &out)
            DecimalText.append(Int64(h.format), to: &out)
            out.append(0x20)
            try appendJSON(h, to: &out)
        case .stats(let s):
            guard isToken(s.section), isToken(s.label) else {
                throw invalid("stats section and label must be tokens of [A-Za-z0-9_.:-], got '\(s.section)' '\(s.label)'")
            }
            appendASCII("STATS ", to: &out)
            appendASCII(s.section, to: &out)
            out.append(0x20)
            appendASCII(s.label, to: &out)
            out.append(0x20)
            StatsJSON.append(s.values, to: &out)
            out.append(0x0A)
        case .item(let item):
            try appendItem(item, to: &out)
        case .miss(let m):
            guard !m.key.isEmpty else { throw invalid("MISS key is empty") }
            appendASCII("MISS ", to: &out)
            PercentEncoding.append(m.key, to: &out)
            if let reason = m.reason {
                guard !reason.isEmpty else { throw invalid("MISS reason is empty (use nil)") }
                out.append(0x20)
                PercentEncoding.append(Array(reason.utf8), to: &out)
            }
            out.append(0x0A)
        case .note(let n):
            appendASCII("NOTE ", to: &out)
            try appendJSON(n, to: &out)
        case .event(let line):
            guard !line.isEmpty, !line.contains(0x0A), !line.contains(0x0D) else {
                throw invalid("EVENT line is empty or holds a line end")
            }
            appendASCII("EVENT ", to: &out)
            out.append(contentsOf: line)
            out.append(0x0A)
        case .watch(let w):
            appendASCII("WATCH ", to: &out)
            try appendJSON(w, to: &out)
        case .end(let t):
            appendASCII("END ", to: &out)
            try appendJSON(t, to: &out)
        }
    }

    /// An upper bound of the encoded size of an item (the hot, possibly large record); a guess for others.
    static func estimatedSize(_ record: DumpRecord) -> Int {
        switch record {
        case .item(let item): return 200 + 3 * item.key.count + (item.value?.count ?? 0)
        case .miss(let m): return 16 + 3 * m.key.count + 3 * (m.reason?.utf8.count ?? 0)
        case .event(let line): return 8 + line.count
        default: return 4096
        }
    }

    /// `ITEM <key> <flags> <vlen> <cas> <exp> <la> <cls> <fetched> <total> <captured>\n[<value>\n]`
    static func appendItem(_ item: DumpItem, to out: inout [UInt8]) throws(DumpWriteError) {
        if let v = item.value {
            // withUnsafeBytes rethrows untyped: carry the typed error out by hand.
            let failure: DumpWriteError? = v.withUnsafeBytes { raw in
                do throws(DumpWriteError) {
                    try appendItem(item, value: raw, to: &out)
                    return nil
                } catch {
                    return error
                }
            }
            if let failure { throw failure }
        } else {
            try appendItem(item, value: nil, to: &out)
        }
    }

    /// The ITEM record of `item`'s metadata with `value` (nil: not captured); `item.value` is not read.
    static func appendItem(_ item: DumpItem, value: UnsafeRawBufferPointer?, to out: inout [UInt8]) throws(DumpWriteError) {
        guard !item.key.isEmpty else { throw invalid("ITEM key is empty") }
        guard item.valueLength >= 0 else { throw invalid("ITEM value length \(item.valueLength) is negative") }
        guard item.slabClass >= 0 else { throw invalid("ITEM slab class \(item.slabClass) is negative") }
        guard item.totalSize >= -1 else { throw invalid("ITEM total size \(item.totalSize) is below -1") }
        if let v = value {
            guard v.count == item.valueLength else {
                throw invalid("ITEM value has \(v.count) bytes but valueLength is \(item.valueLength)")
            }
            guard v.count <= maxValueBytes else { throw invalid("ITEM value of \(v.count) bytes is too large") }
        }
        // The line before the value is built on the stack and appended in one call, then the value:
        // three appends per item instead of one per field (this is collect's hot path).
        let lineBound = 5 + 3 * item.key.count + 9 * (DecimalText.maxBytes + 1) + 2
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: lineBound) { buffer in
            guard let p = buffer.baseAddress else { return }
            var n = 0
            @inline(__always) func byte(_ b: UInt8) {
                p[n] = b
                n &+= 1
            }
            for b in "ITEM ".utf8 { byte(b) }
            n &+= PercentEncoding.write(item.key, to: p + n)
            byte(0x20)
            n &+= DecimalText.write(UInt64(item.flags), to: p + n)
            byte(0x20)
            n &+= DecimalText.write(Int64(item.valueLength), to: p + n)
            byte(0x20)
            n &+= DecimalText.write(item.cas, to: p + n)
            byte(0x20)
            n &+= DecimalText.write(item.exp, to: p + n)
            byte(0x20)
            n &+= DecimalText.write(item.lastAccess, to: p + n)
            byte(0x20)
            n &+= DecimalText.write(Int64(item.slabClass), to: p + n)
            byte(0x20)
            byte(item.fetched ? 0x31 : 0x30)
            byte(0x20)
            n &+= DecimalText.write(Int64(item.totalSize), to: p + n)
            byte(0x20)
            byte(value == nil ? 0x30 : 0x31)
            byte(0x0A)
            out.append(contentsOf: UnsafeBufferPointer(start: p, count: n))
        }
        if let v = value {
            out.append(contentsOf: v)
            out.append(0x0A)
        }
    }

    static func invalid(_ message: String) -> DumpWriteError {
        DumpWriteError(kind: .invalidRecord, message: message, path: "")
    }

    /// A token: 1–64 bytes of [A-Za-z0-9_.:-].
    static func isToken(_ s: String) -> Bool {
        let u = s.utf8
        return !u.isEmpty && u.count <= 64 && u.allSatisfy(isTokenByte)
    }

    static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case 0x41...0x5A, 0x61...0x7A, 0x30...0x39, 0x5F, 0x2E, 0x3A, 0x2D: return true
        default: return false
        }
    }

    static func appendASCII(_ s: String, to out: inout [UInt8]) { out.append(contentsOf: s.utf8) }

    /// One-line JSON (sorted keys, no pretty printing) followed by `\n`.
    static func appendJSON<T: Encodable>(_ value: T, to out: inout [UInt8]) throws(DumpWriteError) {
        do {
            out.append(contentsOf: try JSONTextEncoder().encode(value))
            out.append(0x0A)
        } catch {
            throw invalid("cannot encode \(T.self) as JSON: \(error)")
        }
    }
}
