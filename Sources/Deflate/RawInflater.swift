// Deflate/RawInflater: a streaming decoder of raw DEFLATE data (RFC 1951), written for speed: a 64-bit
// bit buffer refilled eight bytes at a time, one table lookup per symbol (two for long codes), and
// matches copied eight bytes at a time. Output goes into the decoder's own window buffer, which the
// caller reads after each call (no copy into a caller buffer, no separate window copy as in zlib).
//
// Input may arrive in pieces. A call works only while the next symbol or block header is surely in the
// input it was given; otherwise it stops at that symbol and asks for more (`needsInput`), reporting the
// bytes it consumed. The caller then passes the unconsumed bytes again, followed by more, or says that
// no more will come (`final`), and a stream cut short is reported as truncated.
// What counts as valid data follows zlib's inflate, and its error messages are zlib's.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a deflate stream could not be decoded.
public struct InflateError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The data is not valid deflate (bad block type, bad code set, distance too far back …).
        case data
        /// The input ended (`final`) before the end of the stream.
        case truncated
    }
    public var kind: Kind
    public var message: String
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }
    public var description: String { message }
}

/// Decodes one raw deflate stream after another (`reset` between them).
public final class RawInflater {
    /// What a call to `inflate` ended with.
    public enum Status: Sendable, Equatable {
        /// More input is needed: pass the unconsumed bytes again with more after them, or `final: true`.
        case needsInput
        /// The output buffer is full: read `output`, then call again (with the unconsumed input).
        case outputFull
        /// The stream's last block has ended; `consumed` includes its last partial byte.
        case streamEnd
    }

    /// The result of one call.
    public struct Step: Sendable, Equatable {
        public var consumed: Int
        public var status: Status
        public init(consumed: Int, status: Status) {
            self.consumed = consumed
            self.status = status
        }
    }

    /// Decoded bytes a call produces at most.
    public let chunkSize: Int
    /// History kept for back-references (deflate's window).
    static let history = 32 << 10
    /// Room a call needs at the write position before it decodes another symbol: the longest match
    /// plus the overshoot of the copies (16 bytes at a time).
    static let symbolRoom = 258 + 16
    /// Input a non-final call needs before it decodes a symbol (the longest symbol is 48 bits, and a
    /// refill reads eight bytes), or a block header (a dynamic header is at most ~290 bytes).
    /// (16 bytes also cover the two refills one loop pass may make: three literals and a match.)
    static let symbolMargin = 16
    static let headerMargin = 320

    private let buffer: UnsafeMutablePointer<UInt8>
    private let bufferSize: Int
    private var outPos = 0
    private var outStart = 0
    private let litlen: DecodeTable
    private let dist: DecodeTable
    private let codeLength: DecodeTable
    private let lengths: UnsafeMutablePointer<UInt8>

    private enum Phase: Equatable {
        case blockHeader
        case stored(remaining: Int)
        case huffman
        case done
    }
    private var phase = Phase.blockHeader
    private var lastBlock = false
    /// Bits of the first byte of the next input that were already consumed (0…7).
    private var bitOffset = 0

    public init(chunkSize: Int = 256 << 10) {
        self.chunkSize = max(chunkSize, 4096)
        bufferSize = RawInflater.history + self.chunkSize + RawInflater.symbolRoom
        buffer = .allocate(capacity: bufferSize + 16)
        litlen = DecodeTable(capacity: 2048 + 1024, rootBits: 10)
        dist = DecodeTable(capacity: 1024, rootBits: 8)
        codeLength = DecodeTable(capacity: 128, rootBits: 7)
        lengths = .allocate(capacity: 320)
        lengths.initialize(repeating: 0, count: 320)
    }

    deinit {
        buffer.deallocate()
        litlen.deallocate()
        dist.deallocate()
        codeLength.deallocate()
        lengths.deallocate()
    }

    /// Starts a new stream (history is forgotten).
    public func reset() {
        phase = .blockHeader
        lastBlock = false
        bitOffset = 0
        outPos = 0
        outStart = 0
    }

    /// The bytes the last `inflate` call produced; valid until the next call or `reset`.
    public var output: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: buffer + outStart, count: outPos - outStart)
    }

    /// Decodes from `input` until the stream ends, the output chunk is full, or more input is needed.
    /// With `final`, `input` is all there is: a stream that needs more is `truncated`.
    public func inflate(_ input: UnsafeRawBufferPointer, final: Bool) throws(InflateError) -> Step {
        // The previous output has been read: keep only the history a back-reference can reach.
        if outPos + RawInflater.symbolRoom + chunkSize / 4 > bufferSize && outPos > RawInflater.history {
            memmove(buffer, buffer + (outPos - RawInflater.history), RawInflater.history)
            outPos = RawInflater.history
        }
        outStart = outPos
        guard phase != .done else { return Step(consumed: 0, status: .streamEnd) }
        var bits = BitReader(input, bitOffset: bitOffset)
        defer { (_, bitOffset) = bits.position }
        while true {
            switch phase {
            case .done:
                return Step(consumed: bits.consumedThroughPartialByte, status: .streamEnd)
            case .blockHeader:
                if !final && bits.bytesLeft < RawInflater.headerMargin {
                    return Step(consumed: bits.position.bytes, status: .needsInput)
                }
                if outPos + RawInflater.symbolRoom > bufferSize {
                    return Step(consumed: bits.position.bytes, status: .outputFull)
                }
                try readBlockHeader(&bits)
                try bits.checkNotPastEnd()
            case .stored(let remaining):
                if remaining == 0 {
                    phase = lastBlock ? .done : .blockHeader
                    continue
                }
                let room = bufferSize - outPos
                let n = min(remaining, bits.bytesLeft, room)
                if n == 0 {
                    if room == 0 { return Step(consumed: bits.position.bytes, status: .outputFull) }
                    if final { throw InflateError(.truncated, "unexpected end of stream (in a stored block)") }
                    return Step(consumed: bits.position.bytes, status: .needsInput)
                }
                bits.copyBytes(to: buffer + outPos, count: n)
                outPos += n
                phase = .stored(remaining: remaining - n)
            case .huffman:
                let status = try decodeHuffman(&bits, final: final)
                if let status { return Step(consumed: bits.position.bytes, status: status) }
                phase = lastBlock ? .done : .blockHeader
            }
        }
    }

    // MARK: - Block headers

    private func readBlockHeader(_ bits: inout BitReader) throws(InflateError) {
        bits.refill()
        lastBlock = bits.take(1) == 1
        let type = bits.take(2)
        try bits.checkNotPastEnd()
        switch type {
        case 0:
            bits.alignToByte()
            bits.refill()
            let len = Int(bits.take(16))
            let nlen = Int(bits.take(16))
            try bits.checkNotPastEnd()
            guard len == (~nlen & 0xFFFF) else { throw InflateError(.data, "invalid stored block lengths") }
            bits.returnWholeBytes()
            phase = .stored(remaining: len)
        case 1:
            try buildFixedTables()
            phase = .huffman
        case 2:
            try readDynamicTables(&bits)
            phase = .huffman
        default:
            throw InflateError(.data, "invalid block type")
        }
    }

    private static let codeLengthOrder: [Int] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    private func readDynamicTables(_ bits: inout BitReader) throws(InflateError) {
        bits.refill()
        let nlen = Int(bits.take(5)) + 257
        let ndist = Int(bits.take(5)) + 1
        let ncode = Int(bits.take(4)) + 4
        try bits.checkNotPastEnd()
        guard nlen <= 286 && ndist <= 30 else { throw InflateError(.data, "too many length or distance symbols") }
        lengths.update(repeating: 0, count: 19)
        for i in 0..<ncode {
            if i % 8 == 0 { bits.refill() }
            lengths[RawInflater.codeLengthOrder[i]] = UInt8(bits.take(3))
        }
        try bits.checkNotPastEnd()
        guard codeLength.build(lengths: lengths, count: 19, alphabet: .codeLength) else {
            throw InflateError(.data, "invalid code lengths set")
        }
        let total = nlen + ndist
        var i = 0
        while i < total {
            bits.refill()
            let e = codeLength.entries[Int(bits.peek(7))]
            bits.skip(Int(e & 0xFF))
            let symbol = Int(e >> 16)
            if symbol < 16 {
                lengths[i] = UInt8(symbol)
                i += 1
                continue
            }
            var value: UInt8 = 0
            var repeatCount: Int
            switch symbol {
            case 16:
                repeatCount = 3 + Int(bits.take(2))
                guard i > 0 else {
                    // (zlib reads the two extra bits first: a stream ending before them is truncated.)
                    try bits.checkNotPastEnd()
                    throw InflateError(.data, "invalid bit length repeat")
                }
                value = lengths[i - 1]
            case 17: repeatCount = 3 + Int(bits.take(3))
            default: repeatCount = 11 + Int(bits.take(7))
            }
            try bits.checkNotPastEnd()
            guard i + repeatCount <= total else { throw InflateError(.data, "invalid bit length repeat") }
            while repeatCount > 0 {
                lengths[i] = value
                i += 1
                repeatCount -= 1
            }
        }
        try bits.checkNotPastEnd()
        guard lengths[256] != 0 else { throw InflateError(.data, "invalid code -- missing end-of-block") }
        guard litlen.build(lengths: lengths, count: nlen, alphabet: .literalLength) else {
            throw InflateError(.data, "invalid literal/lengths set")
        }
        guard dist.build(lengths: lengths + nlen, count: ndist, alphabet: .distance) else {
            throw InflateError(.data, "invalid distances set")
        }
    }

    private func buildFixedTables() throws(InflateError) {
        for i in 0..<144 { lengths[i] = 8 }
        for i in 144..<256 { lengths[i] = 9 }
        for i in 256..<280 { lengths[i] = 7 }
        for i in 280..<288 { lengths[i] = 8 }
        for i in 288..<320 { lengths[i] = 5 }
        guard litlen.build(lengths: lengths, count: 288, alphabet: .literalLength),
            dist.build(lengths: lengths + 288, count: 32, alphabet: .distance)
        else { throw InflateError(.data, "fixed tables") }
    }

    // MARK: - Compressed blocks

    /// Decodes symbols of the current block. Returns nil at its end of block, or why it stopped early
    /// (at a symbol boundary).
    @inline(__always)
    private func decodeHuffman(_ reader: inout BitReader, final: Bool) throws(InflateError) -> Status? {
        let out = buffer
        let limit = bufferSize - RawInflater.symbolRoom
        let lt = litlen.entries
        let dt = dist.entries
        let litMask = UInt64((1 << litlen.rootBits) - 1)
        let distMask = UInt64((1 << dist.rootBits) - 1)
        var pos = outPos
        var bits = reader
        defer {
            reader = bits
            outPos = pos
        }
        // Output up to here came from bits inside the input. Near the end of a final input a symbol may
        // be decoded from bits past it before the check notices; a truncated stream's output then ends
        // here, so that what it delivers is exactly what the input holds.
        var inputBacked = pos
        while true {
            if bits.bytesLeft < RawInflater.symbolMargin {
                if !final { return .needsInput }
                do throws(InflateError) {
                    try bits.checkNotPastEnd()
                } catch {
                    pos = inputBacked
                    throw error
                }
                inputBacked = pos
            }
            if pos > limit { return .outputFull }
            bits.refill()
            var e = lt[Int(truncatingIfNeeded: bits.buf & litMask)]
            // Up to three literals per refill (each code is at most 15 bits; a refill leaves 56).
            if e & Entry.kindMask == Entry.literal {
                bits.skip(Int(e & 0xFF))
                out[pos] = UInt8(truncatingIfNeeded: e >> 16)
                pos &+= 1
                e = lt[Int(truncatingIfNeeded: bits.buf & litMask)]
                if e & Entry.kindMask == Entry.literal {
                    bits.skip(Int(e & 0xFF))
                    out[pos] = UInt8(truncatingIfNeeded: e >> 16)
                    pos &+= 1
                    e = lt[Int(truncatingIfNeeded: bits.buf & litMask)]
                    if e & Entry.kindMask == Entry.literal {
                        bits.skip(Int(e & 0xFF))
                        out[pos] = UInt8(truncatingIfNeeded: e >> 16)
                        pos &+= 1
                        continue
                    }
                }
                // The next symbol is not a literal: decode it after a refill.
                if bits.count < 48 { bits.refill() }
            }
            if e & Entry.kindMask == Entry.subtable {
                bits.skip(Int(e & 0xFF))
                let sub = UInt64((1 << ((e >> 8) & 0xF)) - 1)
                e = lt[Int(e >> 16) + Int(truncatingIfNeeded: bits.buf & sub)]
            }
            bits.skip(Int(e & 0xFF))
            let kind = e & Entry.kindMask
            if kind == Entry.literal {
                out[pos] = UInt8(truncatingIfNeeded: e >> 16)
                pos += 1
                continue
            }
            if kind != Entry.length {
                if kind == Entry.endOfBlock {
                    if final { try bits.checkNotPastEnd() }
                    return nil
                }
                try bits.checkNotPastEnd()
                throw InflateError(.data, "invalid literal/length code")
            }
            let length = Int(e >> 16) + Int(bits.take(Int((e >> 8) & 0xF)))
            var d = dt[Int(truncatingIfNeeded: bits.buf & distMask)]
            if d & Entry.kindMask == Entry.subtable {
                bits.skip(Int(d & 0xFF))
                let sub = UInt64((1 << ((d >> 8) & 0xF)) - 1)
                d = dt[Int(d >> 16) + Int(truncatingIfNeeded: bits.buf & sub)]
            }
            bits.skip(Int(d & 0xFF))
            guard d & Entry.kindMask != Entry.invalid else {
                try bits.checkNotPastEnd()
                throw InflateError(.data, "invalid distance code")
            }
            let distance = Int(d >> 16) + Int(bits.take(Int((d >> 8) & 0xF)))
            guard distance <= pos else {
                try bits.checkNotPastEnd()
                throw InflateError(.data, "invalid distance too far back")
            }
            RawInflater.copyMatch(out + pos, distance: distance, length: length)
            pos += length
        }
    }

    /// Copies a back-reference; may write up to 15 bytes past its end (the buffer has room for that).
    @inline(__always)
    static func copyMatch(_ dst: UnsafeMutablePointer<UInt8>, distance: Int, length: Int) {
        let src = UnsafeRawPointer(dst - distance)
        let to = UnsafeMutableRawPointer(dst)
        if distance >= 16 {
            var i = 0
            repeat {
                let a = src.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                let b = src.loadUnaligned(fromByteOffset: i &+ 8, as: UInt64.self)
                to.storeBytes(of: a, toByteOffset: i, as: UInt64.self)
                to.storeBytes(of: b, toByteOffset: i &+ 8, as: UInt64.self)
                i &+= 16
            } while i < length
        } else if distance >= 8 {
            var i = 0
            repeat {
                to.storeBytes(of: src.loadUnaligned(fromByteOffset: i, as: UInt64.self), toByteOffset: i, as: UInt64.self)
                i &+= 8
            } while i < length
        } else if distance == 1 {
            let v = UInt64(src.load(as: UInt8.self)) &* 0x0101_0101_0101_0101
            var i = 0
            repeat {
                to.storeBytes(of: v, toByteOffset: i, as: UInt64.self)
                i += 8
            } while i < length
        } else {
            for i in 0..<length { dst[i] = dst[i - distance] }
        }
    }
}

/// LSB-first reader over one input buffer. `buf` holds `count` valid bits (refills keep 56…63);
/// bits above them are the input's next bits or zero. Past the end of the input it reads zero bytes
/// and counts them, so a final stream that needs them is caught as truncated.
struct BitReader {
    let base: UnsafePointer<UInt8>
    let end: Int
    var next = 0
    var buf: UInt64 = 0
    var count = 0
    var overread = 0

    /// Stands in for an empty input's missing base address; never written after it is made.
    nonisolated(unsafe) private static let empty: UnsafeMutablePointer<UInt8> = {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 8)
        p.initialize(repeating: 0, count: 8)
        return p
    }()

    init(_ input: UnsafeRawBufferPointer, bitOffset: Int) {
        base = input.baseAddress.map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) } ?? UnsafePointer(BitReader.empty)
        end = input.baseAddress == nil ? 0 : input.count
        if bitOffset > 0 {
            refill()
            skip(bitOffset)
        }
    }

    @inline(__always) var bytesLeft: Int { end &- next }

    /// The input bit position (may lie beyond the input only after a truncated final stream).
    var bitPosition: Int { (next + overread) * 8 - count }

    /// Position of the next unread bit: whole bytes consumed, and bits consumed of the next byte.
    var position: (bytes: Int, bit: Int) { (bitPosition >> 3, bitPosition & 7) }

    var consumedThroughPartialByte: Int { min(end, (bitPosition + 7) >> 3) }

    @inline(__always) mutating func refill() {
        if end &- next >= 8 {
            let word = UnsafeRawPointer(base + next).loadUnaligned(as: UInt64.self)
            buf |= UInt64(littleEndian: word) &<< UInt64(truncatingIfNeeded: count)
            next &+= (63 &- count) &>> 3
            count |= 56
        } else {
            refillSlowly()
        }
    }

    mutating func refillSlowly() {
        while count <= 56 {
            if next < end {
                buf |= UInt64(base[next]) &<< UInt64(truncatingIfNeeded: count)
                next += 1
            } else {
                overread += 1
            }
            count += 8
        }
    }

    @inline(__always) func peek(_ n: Int) -> UInt64 { buf & ((1 &<< UInt64(truncatingIfNeeded: n)) &- 1) }

    @inline(__always) mutating func skip(_ n: Int) {
        buf &>>= UInt64(truncatingIfNeeded: n)
        count &-= n
    }

    @inline(__always) mutating func take(_ n: Int) -> UInt64 {
        let v = peek(n)
        skip(n)
        return v
    }

    mutating func alignToByte() { skip(count & 7) }

    /// A final stream may not use bits beyond its input.
    @inline(__always) func checkNotPastEnd() throws(InflateError) {
        if overread > 0 && bitPosition > end * 8 {
            throw InflateError(.truncated, "unexpected end of stream")
        }
    }

    /// After a byte-aligned header: gives the bytes held in `buf` back to the input.
    mutating func returnWholeBytes() {
        next = min(bitPosition >> 3, end)
        overread = 0
        buf = 0
        count = 0
    }

    /// Copies `n` bytes straight from the input (stored blocks); `buf` must be empty and aligned.
    mutating func copyBytes(to dst: UnsafeMutablePointer<UInt8>, count n: Int) {
        dst.update(from: base + next, count: n)
        next += n
    }
}
