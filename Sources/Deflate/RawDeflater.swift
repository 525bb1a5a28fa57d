// Deflate/RawDeflater: a fast DEFLATE encoder (RFC 1951) for whole buffers, written for the dump
// writer: as small as zlib's level 1 on Keystone-shaped data and about four times as fast
// (inflate-bench on a collect dump's content: 842–848 against 210–217 MB/s, 4% smaller).
//
// Matching is greedy with one probe per position: a hash of the next four bytes names the last
// position that had the same hash; if the bytes there match (within the 32 KiB window) the match is
// extended sixteen bytes at a time (its last few bytes by one overlapping 8-byte compare), emitted, and
// skipped over (one position inside it is hashed too). Positions are probed two at a time, so that
// their table loads overlap. Every 65535 symbols make
// a block with its own Huffman codes (length-limited to 15 bits, 7 for the code-length code); a block
// that would not be smaller than its bytes stored is written as stored blocks instead, so incompressible
// input (already-compressed values) costs five bytes per 64 KiB, and the output never exceeds
// `bound(n)`. Each call writes one complete stream (the last block is final).

/// Compresses whole buffers into complete raw deflate streams. Keeps its tables between calls; not
/// thread-safe: one per thread.
public final class RawDeflater {
    /// 2^16 hash entries (256 KiB): against 2^15, more of the repeats are found, so fewer positions are
    /// literals that each cost a probe — faster and slightly smaller on a collect dump (inflate-bench,
    /// alternated: 0.75–0.90 s against 0.85–0.90 s, 73.5 against 73.8 MB); 2^13 and 2^14 were slower.
    static let hashBits = 16
    /// Symbols per block: 65535, so that a block of literals that is better stored fits one stored
    /// block. A symbol is a literal byte (< 256) or a match: length << 20 | distance code << 15 |
    /// (distance - 1).
    static let blockSymbols = 65535

    private let table: UnsafeMutablePointer<Int32>
    private let symbols: UnsafeMutablePointer<UInt32>
    private let litFreq: UnsafeMutablePointer<Int>
    private let distFreq: UnsafeMutablePointer<Int>
    /// `Codes.lengthCodes` and `Codes.distanceCodes`, read through pointers in the matching loop.
    private let lengthCodes: UnsafeMutablePointer<UInt8>
    private let distanceCodes: UnsafeMutablePointer<UInt8>
    /// What each symbol of the current block writes, filled per block (see `writeBlock`).
    private let literalBits: UnsafeMutablePointer<UInt32>
    private let lengthBits: UnsafeMutablePointer<UInt32>
    private let distanceBits: UnsafeMutablePointer<UInt64>

    public init() {
        table = .allocate(capacity: 1 << RawDeflater.hashBits)
        symbols = .allocate(capacity: RawDeflater.blockSymbols)
        litFreq = .allocate(capacity: 286)
        distFreq = .allocate(capacity: 30)
        lengthCodes = .allocate(capacity: Codes.lengthCodes.count)
        lengthCodes.initialize(from: Codes.lengthCodes, count: Codes.lengthCodes.count)
        distanceCodes = .allocate(capacity: Codes.distanceCodes.count)
        distanceCodes.initialize(from: Codes.distanceCodes, count: Codes.distanceCodes.count)
        literalBits = .allocate(capacity: 256)
        lengthBits = .allocate(capacity: 259)
        distanceBits = .allocate(capacity: 30)
    }

    deinit {
        table.deallocate()
        symbols.deallocate()
        litFreq.deallocate()
        distFreq.deallocate()
        lengthCodes.deallocate()
        distanceCodes.deallocate()
        literalBits.deallocate()
        lengthBits.deallocate()
        distanceBits.deallocate()
    }

    /// The most bytes `compress` writes for `n` bytes of input: the bytes stored, five bytes of block
    /// header per 64 KiB and per block, and room for the bit writer's last word.
    public static func bound(_ n: Int) -> Int { n + (n >> 12) + 64 }

    /// Compresses `input` into one complete raw deflate stream written into `out` from `offset` on
    /// (`out` is grown to at least `offset + bound(input.count)` bytes when smaller, never cleared, and
    /// the bytes before `offset` are left alone); returns how many bytes it wrote, or nil if the stream
    /// did not fit in `bound` (which cannot happen: every block is at most its stored size; the check
    /// keeps memory safety and the output's integrity from resting on that argument alone).
    public func compress(_ input: UnsafeRawBufferPointer, into out: inout [UInt8], at offset: Int = 0) -> Int? {
        let start = max(offset, 0)
        let need = start + RawDeflater.bound(input.count)
        if out.count < need { out.append(contentsOf: repeatElement(0, count: need - out.count)) }
        return out.withUnsafeMutableBytes { o -> Int? in
            guard let first = o.baseAddress?.advanced(by: start) else { return nil }
            let capacity = o.count - start
            var w = BitWriter(base: first.assumingMemoryBound(to: UInt8.self), capacity: capacity)
            encode(input, &w)
            w.flush()
            if w.overflowed {
                w = BitWriter(base: first.assumingMemoryBound(to: UInt8.self), capacity: capacity)
                writeStored(input, from: 0, to: input.count, final: true, &w)
                w.flush()
            }
            return w.overflowed ? nil : w.count
        }
    }

    // MARK: matching

    private func encode(_ input: UnsafeRawBufferPointer, _ w: inout BitWriter) {
        let n = input.count
        guard n > 0, let base = input.baseAddress else {
            writeStored(input, from: 0, to: 0, final: true, &w)
            return
        }
        table.initialize(repeating: Int32.min, count: 1 << RawDeflater.hashBits)
        clearFrequencies()
        @inline(__always) func load32(_ p: Int) -> UInt32 { base.loadUnaligned(fromByteOffset: p, as: UInt32.self) }
        @inline(__always) func load64(_ p: Int) -> UInt64 { base.loadUnaligned(fromByteOffset: p, as: UInt64.self) }
        @inline(__always) func hash(_ v: UInt32) -> Int { Int((v &* 0x9E37_79B1) >> UInt32(32 - RawDeflater.hashBits)) }
        // Locals, not properties: a store through one pointer could alias a property, so the loop
        // would load every property again after each store.
        let table = self.table, symbols = self.symbols, litFreq = self.litFreq, distFreq = self.distFreq
        let lengthCodes = self.lengthCodes, distanceCodes = self.distanceCodes
        var count = 0  // symbols in the current block
        var blockStart = 0
        var p = 0
        // The length of the match at `at` with the earlier `cand` (their first four bytes are equal):
        // extended sixteen bytes per step while they fit, then eight, then the last few bytes below
        // the cap by one overlapping 8-byte compare. Every load stays inside the input: at + 12 <= n,
        // and the 8-byte loads end at or before at + maxLen <= n (cand is before at).
        @inline(__always) func matchLength(_ at: Int, _ cand: Int) -> Int {
            let maxLen = min(258, n - at)
            var len = 4
            while len + 16 <= maxLen {
                let x = load64(at + len) ^ load64(cand + len)
                if x != 0 { return len + x.trailingZeroBitCount >> 3 }
                let y = load64(at + len + 8) ^ load64(cand + len + 8)
                if y != 0 { return len + 8 + y.trailingZeroBitCount >> 3 }
                len += 16
            }
            while len + 8 <= maxLen {
                let x = load64(at + len) ^ load64(cand + len)
                if x != 0 { return len + x.trailingZeroBitCount >> 3 }
                len += 8
            }
            if len < maxLen {
                // The last eight bytes below maxLen (>= 12 here), overlapping what already matched: the
                // first difference, if any, is at len or after.
                let x = load64(at + maxLen - 8) ^ load64(cand + maxLen - 8)
                return x == 0 ? maxLen : maxLen - 8 + x.trailingZeroBitCount >> 3
            }
            return len
        }
        // A block ends every `blockSymbols` symbols.
        @inline(__always) func endBlockIfFull() {
            if count == RawDeflater.blockSymbols {
                writeBlock(input, from: blockStart, to: p, symbolCount: count, final: false, &w)
                blockStart = p
                count = 0
            }
        }
        // The byte at p as a literal.
        @inline(__always) func literal() {
            let b = base.load(fromByteOffset: p, as: UInt8.self)
            symbols[count] = UInt32(b)
            count &+= 1
            litFreq[Int(b)] &+= 1
            p &+= 1
            endBlockIfFull()
        }
        // Two positions per step, p and p + 1: both hashes are looked up before either table entry is
        // replaced, so the two (often cache-missing) loads overlap, and a run of literals takes half
        // the steps. p + 13 <= n here, so both positions have the twelve bytes a match needs.
        while p + 13 <= n {
            let cur0 = load32(p), cur1 = load32(p + 1)
            let h0 = hash(cur0), h1 = hash(cur1)
            let cand0 = Int(table[h0]), cand1 = Int(table[h1])
            table[h0] = Int32(truncatingIfNeeded: p)
            table[h1] = Int32(truncatingIfNeeded: p + 1)
            var cand = cand0
            let d0 = p - cand0
            if !(d0 > 0 && d0 <= 32768 && load32(cand0) == cur0) {
                // No match at p: a literal, then try p + 1.
                literal()
                let d1 = p - cand1
                guard d1 > 0 && d1 <= 32768 && load32(cand1) == cur1 else {
                    literal()
                    continue
                }
                cand = cand1
            }
            // A match at p with cand: 4 <= len <= 258 and 1 <= dist <= 32768, so every index below is
            // inside its table.
            let len = matchLength(p, cand)
            let dist = p - cand
            let dc = Int(dist <= 256 ? distanceCodes[dist &- 1] : distanceCodes[256 &+ ((dist &- 1) >> 7)])
            symbols[count] = UInt32(truncatingIfNeeded: len << 20 | dc << 15 | (dist &- 1))
            count += 1
            litFreq[257 &+ Int(lengthCodes[len])] += 1
            distFreq[dc] += 1
            let q = p + 2
            if q + 4 <= n { table[hash(load32(q))] = Int32(truncatingIfNeeded: q) }
            p += len
            endBlockIfFull()
        }
        while p < n {
            let b = base.load(fromByteOffset: p, as: UInt8.self)
            symbols[count] = UInt32(b)
            count += 1
            litFreq[Int(b)] += 1
            p += 1
            if count == RawDeflater.blockSymbols && p < n {
                writeBlock(input, from: blockStart, to: p, symbolCount: count, final: false, &w)
                blockStart = p
                count = 0
            }
        }
        writeBlock(input, from: blockStart, to: n, symbolCount: count, final: true, &w)
    }

    private func clearFrequencies() {
        litFreq.initialize(repeating: 0, count: 286)
        distFreq.initialize(repeating: 0, count: 30)
    }

    // MARK: blocks

    /// Writes the symbols gathered for input[from..<to] as one dynamic-Huffman block, or as stored
    /// blocks when that is not larger.
    private func writeBlock(_ input: UnsafeRawBufferPointer, from: Int, to: Int, symbolCount: Int, final: Bool,
                            _ w: inout BitWriter) {
        defer { clearFrequencies() }
        litFreq[256] += 1  // end of block
        let litLens = Huffman.lengths(UnsafeBufferPointer(start: litFreq, count: 286), maxBits: 15)
        var distLens = Huffman.lengths(UnsafeBufferPointer(start: distFreq, count: 30), maxBits: 15)
        if !distLens.contains(where: { $0 != 0 }) { distLens[0] = 1 }  // one unused code, as zlib writes
        let header = Huffman.Header(litLens: litLens, distLens: distLens)
        var bits = header.bitCount
        for s in 0..<286 where litFreq[s] > 0 {
            bits += litFreq[s] * (Int(litLens[s]) + (s > 256 ? Codes.lengthExtra[s - 257] : 0))
        }
        for d in 0..<30 where distFreq[d] > 0 { bits += distFreq[d] * (Int(distLens[d]) + Codes.distanceExtra[d]) }
        let stored = to - from
        if bits / 8 + 1 >= stored + 5 * (stored / 65535 + 1) {
            writeStored(input, from: from, to: to, final: final, &w)
            return
        }
        w.put(final ? 1 : 0, 1)
        w.put(2, 2)
        header.write(&w)
        let litCodes = Huffman.canonicalCodes(litLens), distCodes = Huffman.canonicalCodes(distLens)
        // What each symbol writes, looked up once per symbol. A literal: its code in the low 24 bits,
        // the bit count in the top 8. A whole length: its code and extra bits together, likewise. A
        // distance code: code in bits 0-15, code length in 16-23, code length + extra bits in 24-31,
        // and the code's base distance - 1 from bit 32 (the extra bits are added per match).
        let literal = literalBits, length = lengthBits, distance = distanceBits, symbols = self.symbols
        for b in 0..<256 { literal[b] = UInt32(litCodes[b]) | UInt32(litLens[b]) << 24 }
        for len in 3...258 {
            let lc = Int(Codes.lengthCodes[len]), ls = 257 + lc
            length[len] = (UInt32(litCodes[ls]) | UInt32(len - Codes.lengthBase[lc]) << UInt32(litLens[ls]))
                | UInt32(Int(litLens[ls]) + Codes.lengthExtra[lc]) << 24
        }
        for d in 0..<30 {
            distance[d] = UInt64(distCodes[d]) | UInt64(distLens[d]) << 16
                | UInt64(Int(distLens[d]) + Codes.distanceExtra[d]) << 24 | UInt64(Codes.distanceBase[d] - 1) << 32
        }
        // Every symbol was made by `encode`: a literal < 256, or a length in 3...258 with a distance
        // code < 30 and a distance - 1 within that code's range, so every lookup is inside its table.
        // `bits` is the block's exact size, so the symbols go out without a bounds check or a branch
        // per code (`emit`, `settle`) once it is known to fit with room to spare. It always does: a
        // dynamic block is written only when smaller than stored, and `bound` has 64 bytes of slack;
        // if it ever did not, the writer says overflowed and `compress` stores the input instead.
        guard w.count + bits / 8 + 16 <= w.capacity else {
            w.overflow()
            return
        }
        w.settle()
        for k in 0..<symbolCount {
            let s = symbols[k]
            if s < 256 {
                let e = literal[Int(s)]
                w.emit(UInt64(e & 0xFF_FFFF), Int(e >> 24))
            } else {
                let e = length[Int(s >> 20)]
                let de = distance[Int((s >> 15) & 31)]
                let extra = UInt64(s & 0x7FFF) &- (de >> 32)
                // Length code and extra bits (at most 20), then distance code and extra bits (at most 28).
                w.emit(UInt64(e & 0xFF_FFFF), Int(e >> 24))
                w.emit(de & 0xFFFF | extra &<< ((de >> 16) & 0xFF), Int((de >> 24) & 0xFF))
            }
            w.settle()
        }
        w.put(UInt64(litCodes[256]), Int(litLens[256]))
    }

    /// input[from..<to] as stored blocks of at most 65535 bytes (one empty block for an empty range).
    private func writeStored(_ input: UnsafeRawBufferPointer, from: Int, to: Int, final: Bool, _ w: inout BitWriter) {
        var at = from
        repeat {
            let len = min(65535, to - at)
            let last = at + len == to
            w.put(final && last ? 1 : 0, 1)
            w.put(0, 2)
            w.alignToByte()
            w.put(UInt64(len) | UInt64(~len & 0xFFFF) << 16, 32)
            w.putBytes(UnsafeRawBufferPointer(rebasing: input[at..<(at + len)]))
            at += len
        } while at < to
    }

}

/// Writes bits least significant first into a fixed buffer, a 32-bit word at a time. Stops writing
/// (and says so in `overflowed`) rather than pass the buffer's end.
struct BitWriter {
    let base: UnsafeMutablePointer<UInt8>
    let capacity: Int
    private(set) var count = 0
    private var bits: UInt64 = 0
    private var held = 0
    private(set) var overflowed = false

    init(base: UnsafeMutablePointer<UInt8>, capacity: Int) {
        self.base = base
        self.capacity = capacity
    }

    /// Appends the low `n` bits of `v` (n <= 32; the bits above n must be zero).
    @inline(__always) mutating func put(_ v: UInt64, _ n: Int) {
        bits |= v << UInt64(held)
        held += n
        if held >= 32 {
            guard count + 4 <= capacity else {
                overflowed = true
                held -= 32
                bits >>= 32
                return
            }
            UnsafeMutableRawPointer(base + count).storeBytes(of: UInt32(truncatingIfNeeded: bits).littleEndian, as: UInt32.self)
            count += 4
            bits >>= 32
            held -= 32
        }
    }

    /// The unchecked pair `emit`/`settle`, for a stretch whose bytes are known to fit with 8 to spare:
    /// `settle` stores the 8-byte word and keeps only the bits past its whole bytes (at most 7), so
    /// after it up to 56 bits can be emitted before the next `settle` — one symbol at a time here.
    /// Appends the low `n` bits of `v` (the bits above n must be zero) without writing anything.
    @inline(__always) mutating func emit(_ v: UInt64, _ n: Int) {
        bits |= v &<< UInt64(held)
        held &+= n
    }

    /// Writes the whole bytes held, with no bounds check: needs `count + 8 <= capacity` and at most
    /// 63 bits held. Also what a stretch of `emit`s starts with (`put` can leave up to 31 bits held).
    @inline(__always) mutating func settle() {
        UnsafeMutableRawPointer(base + count).storeBytes(of: bits.littleEndian, as: UInt64.self)
        let whole = held &>> 3
        count &+= whole
        bits = bits &>> UInt64(whole &<< 3)
        held &= 7
    }

    /// Gives up: nothing more is written (`compress` then stores the input).
    mutating func overflow() { overflowed = true }

    /// Pads with zero bits to a byte boundary.
    mutating func alignToByte() {
        let pad = (8 - held % 8) % 8
        if pad > 0 { put(0, pad) }
    }

    /// Appends whole bytes (after `alignToByte`): the bytes held go out first, then a plain copy.
    mutating func putBytes(_ bytes: UnsafeRawBufferPointer) {
        flush()  // whole bytes only, after alignToByte
        guard !overflowed, let src = bytes.baseAddress, !bytes.isEmpty else { return }
        guard bytes.count <= capacity - count else {
            overflowed = true
            return
        }
        (base + count).initialize(from: src.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        count += bytes.count
    }

    /// Writes the bits still held, padded to a byte.
    mutating func flush() {
        while held > 0 {
            guard count < capacity else {
                overflowed = true
                return
            }
            base[count] = UInt8(truncatingIfNeeded: bits)
            count += 1
            bits >>= 8
            held = max(held - 8, 0)
        }
    }
}

/// The length and distance codes of RFC 1951 §3.2.5: the decoder's tables (`Alphabet`) as `Int`s, and
/// the reverse maps the encoder needs.
enum Codes {
    static let lengthBase = Alphabet.lengthBase.map(Int.init)
    static let lengthExtra = Alphabet.lengthExtra.map(Int.init)
    static let distanceBase = Alphabet.distanceBase.map(Int.init)
    static let distanceExtra = Alphabet.distanceExtra.map(Int.init)

    /// Length (3...258) → code index 0...28 (258 is code 28, never 27 with all extra bits set).
    static let lengthCodes: [UInt8] = {
        var t = [UInt8](repeating: 0, count: 259)
        for c in 0..<28 {
            for l in lengthBase[c]..<min(lengthBase[c] + (1 << lengthExtra[c]), 258) { t[l] = UInt8(c) }
        }
        t[258] = 28
        return t
    }()

    /// Distance - 1 → code: entries 0..<256 for distances up to 256, then one per 128 distances.
    static let distanceCodes: [UInt8] = {
        var t = [UInt8](repeating: 0, count: 512)
        for c in 0..<30 {
            for d in distanceBase[c]..<(distanceBase[c] + (1 << distanceExtra[c])) {
                if d <= 256 { t[d - 1] = UInt8(c) } else { t[256 + ((d - 1) >> 7)] = UInt8(c) }
            }
        }
        return t
    }()
}

/// Length-limited canonical Huffman codes.
enum Huffman {
    /// Code lengths for `freq` (0 for unused symbols), none longer than `maxBits`: a Huffman tree built
    /// with two queues, depths beyond `maxBits` cut to it, and the Kraft sum restored by moving codes
    /// one level deeper (as miniz does). A lone symbol gets length 1.
    static func lengths(_ freq: UnsafeBufferPointer<Int>, maxBits: Int) -> [UInt8] {
        var lens = [UInt8](repeating: 0, count: freq.count)
        var used = freq.indices.filter { freq[$0] > 0 }
        if used.isEmpty { return lens }
        if used.count == 1 {
            lens[used[0]] = 1
            return lens
        }
        used.sort { freq[$0] < freq[$1] || (freq[$0] == freq[$1] && $0 < $1) }
        let n = used.count
        // Nodes 0..<n are the leaves (ascending weight), n..<2n-1 the merged nodes (ascending too).
        var weight = used.map { freq[$0] } + [Int](repeating: 0, count: n - 1)
        var parent = [Int](repeating: 0, count: 2 * n - 1)
        var leaf = 0, merged = n, next = n
        func smallest() -> Int {
            if leaf < n && (merged >= next || weight[leaf] <= weight[merged]) {
                leaf += 1
                return leaf - 1
            }
            merged += 1
            return merged - 1
        }
        while next < 2 * n - 1 {
            let a = smallest(), b = smallest()
            weight[next] = weight[a] + weight[b]
            parent[a] = next
            parent[b] = next
            next += 1
        }
        var depth = [Int](repeating: 0, count: 2 * n - 1)
        for i in stride(from: 2 * n - 3, through: 0, by: -1) { depth[i] = depth[parent[i]] + 1 }
        var perLength = [Int](repeating: 0, count: maxBits + 1)
        for k in 0..<n { perLength[min(depth[k], maxBits)] += 1 }
        var kraft = 0
        for l in 1...maxBits { kraft += perLength[l] << (maxBits - l) }
        while kraft > 1 << maxBits {
            perLength[maxBits] -= 1
            for l in stride(from: maxBits - 1, through: 1, by: -1) where perLength[l] > 0 {
                perLength[l] -= 1
                perLength[l + 1] += 2
                break
            }
            kraft -= 1
        }
        // The least frequent symbols get the longest codes.
        var k = 0
        for l in stride(from: maxBits, through: 1, by: -1) {
            for _ in 0..<perLength[l] {
                lens[used[k]] = UInt8(l)
                k += 1
            }
        }
        return lens
    }

    /// Canonical codes (RFC 1951 §3.2.2) for `lens`, bit-reversed for a least-significant-first writer.
    static func canonicalCodes(_ lens: [UInt8]) -> [UInt16] {
        var perLength = [Int](repeating: 0, count: 16)
        for l in lens where l > 0 { perLength[Int(l)] += 1 }
        var next = [Int](repeating: 0, count: 16)
        var code = 0
        for b in 1..<16 {
            code = (code + perLength[b - 1]) << 1
            next[b] = code
        }
        var codes = [UInt16](repeating: 0, count: lens.count)
        for (s, l) in lens.enumerated() where l > 0 {
            var c = next[Int(l)]
            next[Int(l)] += 1
            var r = 0
            for _ in 0..<Int(l) {
                r = r << 1 | c & 1
                c >>= 1
            }
            codes[s] = UInt16(r)
        }
        return codes
    }

    /// A dynamic block's header: HLIT, HDIST, HCLEN, the code-length code and the run-length coded
    /// lengths of both alphabets (RFC 1951 §3.2.7).
    struct Header {
        static let order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
        let hlit: Int, hdist: Int, hclen: Int
        /// (code-length symbol, its extra bits)
        let runs: [(UInt8, UInt8)]
        let lens: [UInt8]
        let codes: [UInt16]

        init(litLens: [UInt8], distLens: [UInt8]) {
            var hlit = 286
            while hlit > 257 && litLens[hlit - 1] == 0 { hlit -= 1 }
            var hdist = 30
            while hdist > 1 && distLens[hdist - 1] == 0 { hdist -= 1 }
            let all = Array(litLens[0..<hlit]) + Array(distLens[0..<hdist])
            var runs: [(UInt8, UInt8)] = []
            var i = 0
            while i < all.count {
                let v = all[i]
                var run = 1
                while i + run < all.count && all[i + run] == v { run += 1 }
                i += run
                if v == 0 && run >= 3 {
                    while run >= 11 {
                        let t = min(run, 138)
                        runs.append((18, UInt8(t - 11)))
                        run -= t
                    }
                    if run >= 3 {
                        runs.append((17, UInt8(run - 3)))
                        run = 0
                    }
                } else if v != 0 && run >= 4 {
                    runs.append((v, 0))
                    run -= 1
                    while run >= 3 {
                        let t = min(run, 6)
                        runs.append((16, UInt8(t - 3)))
                        run -= t
                    }
                }
                for _ in 0..<run { runs.append((v, 0)) }
            }
            var freq = [Int](repeating: 0, count: 19)
            for (s, _) in runs { freq[Int(s)] += 1 }
            // zlib refuses an incomplete code-length code, and one symbol alone would make one.
            if freq.filter({ $0 > 0 }).count < 2 { freq[freq[0] == 0 ? 0 : 1] += 1 }
            let lens = freq.withUnsafeBufferPointer { Huffman.lengths($0, maxBits: 7) }
            var hclen = 19
            while hclen > 4 && lens[Header.order[hclen - 1]] == 0 { hclen -= 1 }
            self.hlit = hlit
            self.hdist = hdist
            self.hclen = hclen
            self.runs = runs
            self.lens = lens
            codes = Huffman.canonicalCodes(lens)
        }

        static func extraBits(_ symbol: UInt8) -> Int { symbol == 16 ? 2 : (symbol == 17 ? 3 : (symbol == 18 ? 7 : 0)) }

        /// Bits the header takes after the 3-bit block header.
        var bitCount: Int {
            var bits = 3 + 14 + 3 * hclen
            for (s, _) in runs { bits += Int(lens[Int(s)]) + Header.extraBits(s) }
            return bits
        }

        func write(_ w: inout BitWriter) {
            w.put(UInt64(hlit - 257), 5)
            w.put(UInt64(hdist - 1), 5)
            w.put(UInt64(hclen - 4), 4)
            for k in 0..<hclen { w.put(UInt64(lens[Header.order[k]]), 3) }
            for (s, e) in runs {
                w.put(UInt64(codes[Int(s)]) | UInt64(e) << UInt64(lens[Int(s)]), Int(lens[Int(s)]) + Header.extraBits(s))
            }
        }
    }
}
