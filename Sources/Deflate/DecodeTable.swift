// Deflate/DecodeTable: canonical Huffman decode tables (RFC 1951 §3.2.2) as flat arrays of 32-bit
// entries: a root table indexed by the next `rootBits` input bits (LSB first), and subtables for the
// longer codes. Which code-length sets are accepted follows zlib's inflate exactly, so the two agree
// on what is a valid stream.

/// One table entry:
/// - bits 0…7: input bits the entry accounts for (the code's length; for a subtable link, `rootBits`)
/// - bits 8…11: extra bits that follow (length and distance codes), or a subtable's index bits
/// - bits 12…15: the kind (`Entry.literal` …)
/// - bits 16…31: the literal byte, the length or distance base, or a subtable's offset
enum Entry {
    static let literal: UInt32 = 0
    static let length: UInt32 = 1 << 12
    static let endOfBlock: UInt32 = 2 << 12
    static let subtable: UInt32 = 3 << 12
    static let invalid: UInt32 = 4 << 12
    static let kindMask: UInt32 = 0xF << 12

    @inline(__always) static func make(kind: UInt32, value: Int, extra: Int, bits: Int) -> UInt32 {
        UInt32(truncatingIfNeeded: value) << 16 | UInt32(truncatingIfNeeded: extra) << 8 | kind
            | UInt32(truncatingIfNeeded: bits)
    }
}

/// The three alphabets of a deflate stream.
enum Alphabet {
    /// Literal/length codes 0…287 (286 and 287 never occur in a valid stream).
    case literalLength
    /// Distance codes 0…31 (30 and 31 never occur in a valid stream).
    case distance
    /// The code-length code of a dynamic block header (0…18).
    case codeLength

    static let lengthBase: [UInt16] = [
        3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
    ]
    static let lengthExtra: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBase: [UInt16] = [
        1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
        8193, 12289, 16385, 24577,
    ]
    static let distanceExtra: [UInt8] = [
        0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
    ]

    /// The entries of every symbol, without bit counts (made once).
    static let literalLengthEntries: [UInt32] = (0..<288).map { Alphabet.literalLength.entry($0) }
    static let distanceEntries: [UInt32] = (0..<32).map { Alphabet.distance.entry($0) }
    static let codeLengthEntries: [UInt32] = (0..<19).map { Alphabet.codeLength.entry($0) }

    var entries: [UInt32] {
        switch self {
        case .literalLength: return Alphabet.literalLengthEntries
        case .distance: return Alphabet.distanceEntries
        case .codeLength: return Alphabet.codeLengthEntries
        }
    }

    /// The entry for `symbol` without its bit count.
    func entry(_ symbol: Int) -> UInt32 {
        switch self {
        case .literalLength:
            if symbol < 256 { return Entry.make(kind: Entry.literal, value: symbol, extra: 0, bits: 0) }
            if symbol == 256 { return Entry.make(kind: Entry.endOfBlock, value: 0, extra: 0, bits: 0) }
            let i = symbol - 257
            guard i < Alphabet.lengthBase.count else { return Entry.make(kind: Entry.invalid, value: 0, extra: 0, bits: 0) }
            return Entry.make(
                kind: Entry.length, value: Int(Alphabet.lengthBase[i]), extra: Int(Alphabet.lengthExtra[i]), bits: 0)
        case .distance:
            guard symbol < Alphabet.distanceBase.count else {
                return Entry.make(kind: Entry.invalid, value: 0, extra: 0, bits: 0)
            }
            return Entry.make(
                kind: Entry.length, value: Int(Alphabet.distanceBase[symbol]), extra: Int(Alphabet.distanceExtra[symbol]),
                bits: 0)
        case .codeLength:
            return Entry.make(kind: Entry.literal, value: symbol, extra: 0, bits: 0)
        }
    }
}

/// A decode table in caller-owned storage.
struct DecodeTable {
    let entries: UnsafeMutablePointer<UInt32>
    let capacity: Int
    let rootBits: Int

    init(capacity: Int, rootBits: Int) {
        entries = .allocate(capacity: capacity)
        entries.initialize(repeating: Entry.invalid, count: capacity)
        self.capacity = capacity
        self.rootBits = rootBits
    }

    func deallocate() { entries.deallocate() }

    /// Builds the table for `count` code lengths (0 = unused symbol). Returns false for a set zlib
    /// rejects: over-subscribed, or incomplete unless it is a single code of length 1 (and never
    /// incomplete for the code-length alphabet). A set with no codes at all is accepted; every
    /// lookup in it is then `invalid`.
    func build(lengths: UnsafePointer<UInt8>, count: Int, alphabet: Alphabet) -> Bool {
        // withUnsafeTemporaryAllocation keeps these on the stack: a dynamic block builds three tables.
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 16) { lenCount in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: 16) { nextCode in
                withUnsafeTemporaryAllocation(of: UInt16.self, capacity: 288) { sorted in
                    fill(lengths, count, alphabet, lenCount.baseAddress!, nextCode.baseAddress!, sorted.baseAddress!)
                }
            }
        }
    }

    private func fill(
        _ lengths: UnsafePointer<UInt8>, _ count: Int, _ alphabet: Alphabet, _ lenCount: UnsafeMutablePointer<Int>,
        _ offsets: UnsafeMutablePointer<Int>, _ sorted: UnsafeMutablePointer<UInt16>
    ) -> Bool {
        lenCount.initialize(repeating: 0, count: 16)
        for s in 0..<count { lenCount[Int(lengths[s])] += 1 }
        lenCount[0] = 0
        var maxLen = 15
        while maxLen > 0 && lenCount[maxLen] == 0 { maxLen -= 1 }
        let rootSize = 1 << rootBits
        // Lookups that match no code: as in zlib, they account for one bit (which matters only for
        // whether a stream ending there is truncated or invalid).
        let noCode = Entry.invalid | 1
        if maxLen == 0 {
            entries.update(repeating: noCode, count: rootSize)
            return true
        }
        var left = 1
        for len in 1...15 {
            left <<= 1
            left -= lenCount[len]
            if left < 0 { return false }
        }
        if left > 0 {
            if alphabet == .codeLength || maxLen != 1 { return false }
            entries.update(repeating: noCode, count: rootSize)
        }
        // Symbols sorted by (length, symbol): the canonical codes then count up one by one.
        offsets[1] = 0
        for len in 1..<15 { offsets[len + 1] = offsets[len] + lenCount[len] }
        for s in 0..<count where lengths[s] != 0 {
            let len = Int(lengths[s])
            sorted[offsets[len]] = UInt16(s)
            offsets[len] += 1
        }
        let used = offsets[15]
        let symbolEntries = alphabet.entries
        var code = 0
        var len = 1
        var remainingAtLen = lenCount[1]
        var i = 0
        var nextSub = rootSize
        var subPrefix = -1
        var subOffset = 0
        var subBits = 0
        while i < used {
            while remainingAtLen == 0 {
                code <<= 1
                len += 1
                remainingAtLen = lenCount[len]
            }
            let base = symbolEntries[Int(sorted[i])]
            if len <= rootBits {
                let e = base | UInt32(len)
                var index = DecodeTable.reverse(code, len)
                let step = 1 << len
                while index < rootSize {
                    entries[index] = e
                    index += step
                }
            } else {
                let prefix = code >> (len - rootBits)
                if prefix != subPrefix {
                    // A new subtable, as wide as the longest code under this prefix (the codes under a
                    // prefix are consecutive in canonical order, longest last).
                    var last = i
                    var lastCode = code
                    var lastLen = len
                    var scanLeft = remainingAtLen - 1
                    while last + 1 < used {
                        var c = lastCode + 1
                        var l = lastLen
                        var r = scanLeft
                        while r == 0 {
                            c <<= 1
                            l += 1
                            r = lenCount[l]
                        }
                        if c >> (l - rootBits) != prefix { break }
                        last += 1
                        lastCode = c
                        lastLen = l
                        scanLeft = r - 1
                    }
                    subBits = lastLen - rootBits
                    subOffset = nextSub
                    nextSub += 1 << subBits
                    guard nextSub <= capacity else { return false }
                    subPrefix = prefix
                    entries[DecodeTable.reverse(prefix, rootBits)] = Entry.make(
                        kind: Entry.subtable, value: subOffset, extra: subBits, bits: rootBits)
                }
                let subLen = len - rootBits
                let e = base | UInt32(subLen)
                var index = DecodeTable.reverse(code & ((1 << subLen) - 1), subLen)
                let step = 1 << subLen
                let end = 1 << subBits
                while index < end {
                    entries[subOffset + index] = e
                    index += step
                }
            }
            code += 1
            remainingAtLen -= 1
            i += 1
        }
        return true
    }

    @inline(__always) static func reverse(_ code: Int, _ bits: Int) -> Int {
        var v = UInt32(truncatingIfNeeded: code)
        v = v.bitReversed
        return Int(v >> (32 - UInt32(bits)))
    }
}

extension UInt32 {
    @inline(__always) var bitReversed: UInt32 {
        var v = self
        v = ((v >> 1) & 0x5555_5555) | ((v & 0x5555_5555) << 1)
        v = ((v >> 2) & 0x3333_3333) | ((v & 0x3333_3333) << 2)
        v = ((v >> 4) & 0x0F0F_0F0F) | ((v & 0x0F0F_0F0F) << 4)
        return v.byteSwapped
    }
}
