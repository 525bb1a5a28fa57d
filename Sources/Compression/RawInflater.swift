// Compression/RawInflater: a DEFLATE body (RFC 1951) decoded step by step by ISA-L's igzip
// (`isal_inflate`): feed input in any pieces, read at most `chunkSize` bytes of output per call, learn
// where the stream ends. The body may be followed by a gzip or zlib trailer, which igzip then reads and
// checks against the checksum it keeps of the output (its CRC-32, or Adler-32) — igzip reads input
// ahead in eight-byte words, and only with the trailer in its hands does it give back exactly the
// bytes after the stream. The headers before the body are GzipInflater's.
import CIsal

/// Invalid or cut DEFLATE data.
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

public final class RawInflater {
    /// What a call to `inflate` ended with.
    public enum Status: Sendable, Equatable {
        /// More input is needed: pass the unconsumed bytes again with more after them, or `final: true`.
        case needsInput
        /// The output buffer is full: read `output`, then call again (with the unconsumed input).
        case outputFull
        /// The stream's last block has ended; `consumed` counts the bytes up to and including its last
        /// (partial) byte, and no byte after it.
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

    /// What follows the DEFLATE body.
    /// The bytes after the stream end are given back exactly (`consumed` stops at the stream's end)
    /// when the stream ends in the call that also holds them — always after a gzip trailer, and for a
    /// stream given whole. A zlib or raw stream fed in pieces may have had up to three (zlib) or seven
    /// (raw) bytes after its end read ahead in an earlier call; those are not given back. (The dump
    /// reader feeds gzip members; zlib values are inflated whole.)
    public enum Trailer: Sendable, Equatable {
        /// Nothing: a raw stream.
        case none
        /// gzip's CRC-32 and size (8 bytes).
        case gzip
        /// zlib's Adler-32 (4 bytes).
        case zlib

        var flag: UInt32 {
            switch self {
            case .none: return UInt32(ISAL_DEFLATE)
            case .gzip: return UInt32(ISAL_GZIP_NO_HDR_VER)
            case .zlib: return UInt32(ISAL_ZLIB_NO_HDR_VER)
            }
        }
        var length: Int { self == .gzip ? 8 : self == .zlib ? 4 : 0 }
    }

    /// Decoded bytes a call produces at most.
    public let chunkSize: Int
    public private(set) var trailer: Trailer = .none
    private let state: UnsafeMutablePointer<inflate_state>
    private let buffer: UnsafeMutablePointer<UInt8>
    private var produced = 0
    private var finished = false

    public init(chunkSize: Int = 256 << 10) {
        self.chunkSize = min(max(chunkSize, 4096), Int(UInt32.max))
        state = .allocate(capacity: 1)
        buffer = .allocate(capacity: self.chunkSize)
        isal_inflate_init(state)
        state.pointee.crc_flag = trailer.flag
    }

    deinit {
        state.deallocate()
        buffer.deallocate()
    }

    /// Starts a new stream (history is forgotten), whose body is followed by `trailer`.
    public func reset(trailer: Trailer = .none) {
        isal_inflate_reset(state)
        self.trailer = trailer
        state.pointee.crc_flag = trailer.flag
        produced = 0
        finished = false
    }

    /// The bytes the last `inflate` call produced; valid until the next call or `reset`.
    public var output: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: buffer, count: produced) }

    /// Decodes from `input` until the stream ends, the output chunk is full, or more input is needed.
    /// With `final`, `input` is all there is: a stream that needs more is `truncated`.
    public func inflate(_ input: UnsafeRawBufferPointer, final: Bool) throws(InflateError) -> Step {
        produced = 0
        guard !finished else { return Step(consumed: 0, status: .streamEnd) }
        // igzip counts in 32 bits: a larger input is taken in pieces (`consumed` says how far it got).
        let offered = min(input.count, Int(UInt32.max))
        let base = input.baseAddress.map { UnsafeMutablePointer(mutating: $0.assumingMemoryBound(to: UInt8.self)) }
        state.pointee.next_in = base
        state.pointee.avail_in = UInt32(offered)
        state.pointee.next_out = buffer
        state.pointee.avail_out = UInt32(chunkSize)
        defer {
            state.pointee.next_in = nil
            state.pointee.next_out = nil
        }
        while true {
            let before = (state.pointee.avail_in, state.pointee.avail_out)
            let rc = isal_inflate(state)
            produced = chunkSize - Int(state.pointee.avail_out)
            let consumed = offered - Int(state.pointee.avail_in)
            if rc < 0 { throw InflateError(.data, RawInflater.message(rc)) }
            if state.pointee.block_state == ISAL_BLOCK_FINISH {
                finished = true
                // Whole bytes igzip read ahead past the stream are given back. After a gzip trailer there
                // are none (at most seven bytes were ahead when the body ended, all of them trailer);
                // after a zlib trailer or a raw body there may be, and only those of this call can be.
                let ahead = min(max(Int(state.pointee.read_in_length), 0) / 8, consumed)
                return Step(consumed: consumed - ahead, status: .streamEnd)
            }
            if state.pointee.avail_out == 0 { return Step(consumed: consumed, status: .outputFull) }
            if state.pointee.avail_in == 0 || before == (state.pointee.avail_in, state.pointee.avail_out) {
                if final && consumed == input.count {
                    if state.pointee.block_state == ISAL_CHECKSUM_CHECK || state.pointee.block_state == ISAL_BLOCK_INPUT_DONE && trailer != .none {
                        throw InflateError(.truncated, "stream ends inside its \(trailer.length)-byte trailer")
                    }
                    throw InflateError(.truncated, "unexpected end of stream")
                }
                return Step(consumed: consumed, status: .needsInput)
            }
        }
    }

    /// igzip's error codes in zlib's words where zlib has them.
    static func message(_ rc: Int32) -> String {
        switch rc {
        case ISAL_INVALID_BLOCK: return "invalid block"
        case ISAL_INVALID_SYMBOL: return "invalid code"
        case ISAL_INVALID_LOOKBACK: return "invalid distance too far back"
        case ISAL_INCORRECT_CHECKSUM: return "incorrect data check"
        default: return "invalid deflate data (igzip error \(rc))"
        }
    }
}
