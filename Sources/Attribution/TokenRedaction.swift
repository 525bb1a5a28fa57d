// Attribution/TokenRedaction: `--redact` at byte level — every JSON string of a record equal to a
// token id is replaced by its keyed digest while the bytes are copied out; nothing is re-rendered.
// One or a few ids (a token body, a revocation list) are found with the C library's memmem; a token
// list's ids are replaced where its parse found them; other many ids are looked up per string by length.
import KeyPlacement
import PipelineRecords

import ByteText
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

enum TokenRedaction {
    /// Appends `body` to `out` with every JSON string `"<id>"` replaced by `"<label>"`.
    static func append(_ body: UnsafeRawBufferPointer, replacing pairs: [(id: String, label: String)], to out: inout [UInt8]) {
        let wanted = pairs.filter { !$0.id.isEmpty }
        if wanted.isEmpty || body.isEmpty {
            out.append(contentsOf: body)
        } else if wanted.count <= 8 {
            appendFew(body, wanted, &out)
        } else {
            appendMany(body, wanted, &out)
        }
    }

    /// Appends `body` with the JSON strings at `ranges` (ascending, not overlapping) replaced by
    /// `"<label>"` — a token list's ids, whose places its parse already found.
    static func append(_ body: UnsafeRawBufferPointer, replacing ranges: [Range<Int>], labels: [String], to out: inout [UInt8]) {
        var copied = 0
        for (r, label) in zip(ranges, labels) where r.lowerBound >= copied && r.upperBound <= body.count {
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: body[copied..<r.lowerBound]))
            out.append(0x22)
            out.append(contentsOf: label.utf8)
            out.append(0x22)
            copied = r.upperBound
        }
        out.append(contentsOf: UnsafeRawBufferPointer(rebasing: body[copied...]))
    }

    /// memmem for each quoted id; the earliest match is replaced, then the search goes on after it.
    private static func appendFew(_ body: UnsafeRawBufferPointer, _ pairs: [(id: String, label: String)], _ out: inout [UInt8]) {
        let needles: [[UInt8]] = pairs.map { [0x22] + Array($0.id.utf8) + [0x22] }
        let labels: [[UInt8]] = pairs.map { [0x22] + Array($0.label.utf8) + [0x22] }
        var next = [Int](repeating: -1, count: needles.count)
        func find(_ k: Int, from: Int) -> Int {
            guard from < body.count else { return Int.max }
            return needles[k].withUnsafeBytes { n in TokenRedaction.search(body, n, from: from) }
        }
        for k in needles.indices { next[k] = find(k, from: 0) }
        var at = 0
        while true {
            var best = -1
            for k in needles.indices where next[k] != Int.max && (best < 0 || next[k] < next[best]) { best = k }
            guard best >= 0 else { break }
            let pos = next[best]
            // A match must be a whole string: the quote before it must not be escaped or end another string.
            if pos >= at && isStringStart(body, pos) {
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: body[at..<pos]))
                out.append(contentsOf: labels[best])
                at = pos + needles[best].count
                for k in needles.indices where next[k] < at { next[k] = find(k, from: at) }
            } else {
                next[best] = find(best, from: pos + 1)
            }
        }
        out.append(contentsOf: UnsafeRawBufferPointer(rebasing: body[at...]))
    }

    /// Offset of the first occurrence of `needle` (a quoted id) at or after `from`, Int.max if none
    /// (ByteText's memmem search).
    static func search(_ hay: UnsafeRawBufferPointer, _ needle: UnsafeRawBufferPointer, from: Int) -> Int {
        ByteSearch.firstIndex(of: needle, in: hay, from: from) ?? Int.max
    }

    /// True when the quote at `pos` opens a JSON string (counting the string quotes before it).
    private static func isStringStart(_ body: UnsafeRawBufferPointer, _ pos: Int) -> Bool {
        // Record bytes were written by a trusted writer: strings start after `:`, `,`, `[`, `{`.
        var k = pos - 1
        while k >= 0, body[k] == 0x20 { k -= 1 }
        guard k >= 0 else { return true }
        let b = body[k]
        return b == UInt8(ascii: ":") || b == UInt8(ascii: ",") || b == UInt8(ascii: "[") || b == UInt8(ascii: "{")
    }

    /// Walks the strings of the record and looks each one of a token id's length up.
    private static func appendMany(_ body: UnsafeRawBufferPointer, _ pairs: [(id: String, label: String)], _ out: inout [UInt8]) {
        var map: [[UInt8]: [UInt8]] = [:]
        for p in pairs { map[Array(p.id.utf8)] = Array(p.label.utf8) }
        let lengths = Set(map.keys.map(\.count))
        var i = 0
        var copied = 0
        while i < body.count {
            guard body[i] == 0x22, let end = JSONSkim.stringEnd(body, i) else { i += 1; continue }
            let len = end - i - 2
            if lengths.contains(len), let rep = map[Array(body[(i + 1)..<(end - 1)])] {
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: body[copied..<(i + 1)]))
                out.append(contentsOf: rep)
                copied = end - 1
            }
            i = end
        }
        out.append(contentsOf: UnsafeRawBufferPointer(rebasing: body[copied...]))
    }
}
