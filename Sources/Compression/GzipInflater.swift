// Compression/GzipInflater: gzip members (RFC 1952) and zlib streams (RFC 1950) around ISA-L's
// DEFLATE decoder (RawInflater): the headers are read here, step by step in any chunking, with zlib's
// rules and error messages; the body and the trailer's checksum and size are igzip's.
import Synchronization

/// Inflates one stream after another, step by step: feed input, read `output`, learn where a stream
/// (a gzip member) ends. Used by `DumpReader` for members and, one-shot, for compressed values.
public final class GzipInflater {
    /// What one `inflate` call ended with (as for a raw stream; `streamEnd` once the trailer checked out).
    public typealias Status = RawInflater.Status
    /// What one call did: input bytes consumed, and its status.
    public typealias Step = RawInflater.Step

    private var format: ZlibFormat
    private let raw: RawInflater
    private enum Phase {
        case header(HeaderState)
        case body
        case done
    }
    private struct HeaderState {
        var stage = 0  // gzip: 0 fixed part, 1 extra length, 2 extra, 3 name, 4 comment, 5 header CRC
        var flags: UInt8 = 0
        var extraLeft = 0
        var crc: UInt32 = 0
    }
    private var phase: Phase = .header(HeaderState())
    private var streamFormat: ZlibFormat

    /// `chunkSize`: the most output one call produces.
    public init(format: ZlibFormat = .gzip, chunkSize: Int = 256 << 10) {
        self.format = format
        streamFormat = format
        raw = RawInflater(chunkSize: chunkSize)
        reset()
    }

    /// Starts a new stream in another format.
    func reset(format: ZlibFormat) {
        self.format = format
        reset()
    }

    /// Starts a new stream (the next gzip member).
    public func reset() {
        raw.reset(trailer: format == .raw ? .none : format == .zlib ? .zlib : .gzip)
        phase = format == .raw ? .body : .header(HeaderState())
        streamFormat = format
    }

    /// The bytes the last `inflate` call produced (whatever its status, and also when it threw: the
    /// bytes decoded before the damage or before a trailer that is cut or does not match); valid until
    /// the next call or `reset`.
    public private(set) var output = UnsafeRawBufferPointer(start: nil, count: 0)

    /// Inflates from `input`. With `final`, `input` is all there is: a stream cut short is `truncated`.
    /// Invalid data throws `.data` (and nothing after it is produced).
    public func inflate(_ input: UnsafeRawBufferPointer, final: Bool) throws(ZlibError) -> Step {
        var at = 0
        output = UnsafeRawBufferPointer(start: nil, count: 0)
        while true {
            switch phase {
            case .header(var state):
                let used = try readHeader(input, from: at, state: &state, final: final)
                at += used.consumed
                guard used.complete else {
                    phase = .header(state)
                    return Step(consumed: at, status: .needsInput)
                }
                phase = .body
            case .body:
                let step: RawInflater.Step
                do throws(InflateError) {
                    step = try raw.inflate(UnsafeRawBufferPointer(rebasing: input[at...]), final: final)
                } catch {
                    output = raw.output  // what was decoded before the damage (zlib's tools deliver it too)
                    throw ZlibError(kind: error.kind == .truncated ? .truncated : .data, message: error.message)
                }
                at += step.consumed
                output = raw.output
                switch step.status {
                case .needsInput: return Step(consumed: at, status: .needsInput)
                case .outputFull: return Step(consumed: at, status: .outputFull)
                case .streamEnd:
                    // The trailer (if any) was read and checked with the body.
                    phase = .done
                    return Step(consumed: at, status: .streamEnd)
                }
            case .done:
                return Step(consumed: at, status: .streamEnd)
            }
        }
    }

    /// Reads as much of the stream header as `input` holds; `complete` once all of it is read.
    private func readHeader(
        _ input: UnsafeRawBufferPointer, from start: Int, state: inout HeaderState, final: Bool
    ) throws(ZlibError) -> (consumed: Int, complete: Bool) {
        var at = start
        func cutShort() throws(ZlibError) -> (consumed: Int, complete: Bool) {
            if final { throw ZlibError(kind: .truncated, message: "stream ends inside its header") }
            return (at - start, false)
        }
        if state.stage == 0 && streamFormat == .auto {
            guard at < input.count else { return try cutShort() }
            streamFormat = input[at] == 0x1F ? .gzip : .zlib
            raw.reset(trailer: streamFormat == .zlib ? .zlib : .gzip)
        }
        if streamFormat == .zlib {
            guard input.count - at >= 2 else { return try cutShort() }
            let cmf = input[at]
            let flg = input[at + 1]
            guard (UInt(cmf) << 8 | UInt(flg)) % 31 == 0 else { throw ZlibError(kind: .data, message: "incorrect header check") }
            guard cmf & 0x0F == 8 else { throw ZlibError(kind: .data, message: "unknown compression method") }
            guard cmf >> 4 <= 7 else { throw ZlibError(kind: .data, message: "invalid window size") }
            guard flg & 0x20 == 0 else { throw ZlibError(kind: .data, message: "stream needs a preset dictionary") }
            return (2, true)
        }
        func headerCRC(_ from: Int, _ to: Int) {
            guard to > from else { return }
            state.crc = Checksum.update(.crc32, state.crc, UnsafeRawBufferPointer(rebasing: input[from..<to]))
        }
        while true {
            switch state.stage {
            case 0:
                // Judge what is there before asking for the rest (garbage after a member is named as such).
                let have = input.count - at
                if have >= 1 && input[at] != 0x1F || have >= 2 && input[at + 1] != 0x8B {
                    throw ZlibError(kind: .data, message: "incorrect header check")
                }
                if have >= 3 && input[at + 2] != 8 { throw ZlibError(kind: .data, message: "unknown compression method") }
                if have >= 4 && input[at + 3] & 0xE0 != 0 {
                    throw ZlibError(kind: .data, message: "unknown header flags set")
                }
                guard have >= 10 else { return try cutShort() }
                state.flags = input[at + 3]
                state.crc = Checksum.initial(.crc32)
                headerCRC(at, at + 10)
                at += 10
                state.stage = 1
            case 1:
                if state.flags & 0x04 != 0 {
                    guard input.count - at >= 2 else { return try cutShort() }
                    state.extraLeft = Int(input[at]) | Int(input[at + 1]) << 8
                    headerCRC(at, at + 2)
                    at += 2
                }
                state.stage = 2
            case 2:
                if state.flags & 0x04 != 0 && state.extraLeft > 0 {
                    let n = min(state.extraLeft, input.count - at)
                    headerCRC(at, at + n)
                    at += n
                    state.extraLeft -= n
                    if state.extraLeft > 0 { return try cutShort() }
                }
                state.stage = 3
            case 3, 4:
                let flag: UInt8 = state.stage == 3 ? 0x08 : 0x10
                if state.flags & flag != 0 {
                    // A zero-terminated name or comment.
                    var end = at
                    while end < input.count && input[end] != 0 { end += 1 }
                    let found = end < input.count
                    headerCRC(at, found ? end + 1 : end)
                    at = found ? end + 1 : end
                    if !found { return try cutShort() }
                }
                state.stage += 1
            default:
                if state.flags & 0x02 != 0 {
                    guard input.count - at >= 2 else { return try cutShort() }
                    let stored = UInt32(input[at]) | UInt32(input[at + 1]) << 8
                    guard stored == state.crc & 0xFFFF else { throw ZlibError(kind: .data, message: "header crc mismatch") }
                    at += 2
                }
                return (at - start, true)
            }
        }
    }
}

extension GzipInflater {
    /// Inflates one complete stream from the start of `bytes`, refusing to produce more than
    /// `maxOutput` bytes. Returns the output and how many input bytes the stream used
    /// (bytes after the stream end are left alone, as Python's `zlib.decompress` does).
    public static func inflate(
        _ bytes: [UInt8], format: ZlibFormat, maxOutput: Int
    ) throws(ZlibError) -> (output: [UInt8], consumed: Int) {
        var output: [UInt8] = []
        var consumed = 0
        let cap = max(maxOutput, 0)
        let outcome = oneShotInflaters.with(format: format) { inflater in
            bytes.withUnsafeBytes { input -> Result<Void, ZlibError> in
                while true {
                    let step: Step
                    do throws(ZlibError) {
                        step = try inflater.inflate(UnsafeRawBufferPointer(rebasing: input[consumed...]), final: true)
                    } catch {
                        return .failure(error)
                    }
                    consumed += step.consumed
                    let out = inflater.output
                    if out.count > cap - output.count {
                        return .failure(ZlibError(kind: .outputLimit, message: "output exceeds \(maxOutput) bytes"))
                    }
                    output.append(contentsOf: out)
                    if step.status == .streamEnd { return .success(()) }
                }
            }
        }
        try outcome.get()
        return (output, consumed)
    }

    /// Inflates a zlib stream (RFC 1950) such as python-memcached's compressed values;
    /// throws `.outputLimit` when it would exceed `maxOutput` bytes.
    public static func inflateZlib(_ bytes: [UInt8], maxOutput: Int) throws(ZlibError) -> [UInt8] {
        try inflate(bytes, format: .zlib, maxOutput: maxOutput).output
    }
}

/// Idle inflaters for the one-shot calls (compressed values come by the ten thousand, from several
/// threads): a caller takes one, or makes one when none is idle, uses it alone and puts it back.
private let oneShotInflaters = InflaterPool()

private final class InflaterPool: Sendable {
    /// An inflater handed between threads. Safe because the pool gives each to one caller at a time:
    /// it is either idle in the pool or used by the single caller that took it.
    private struct Handoff: @unchecked Sendable { let inflater: GzipInflater }
    private let idle = Mutex<[Handoff]>([])
    private static let keep = 16

    func with<R>(format: ZlibFormat, _ body: (GzipInflater) -> R) -> R {
        let taken = idle.withLock { $0.popLast() }
        let inflater: GzipInflater
        if let taken {
            inflater = taken.inflater
            inflater.reset(format: format)
        } else {
            // 64 KiB of output per call: small values do not pay for a large buffer, big ones loop.
            inflater = GzipInflater(format: format, chunkSize: 64 << 10)
        }
        let result = body(inflater)
        idle.withLock { if $0.count < InflaterPool.keep { $0.append(Handoff(inflater: inflater)) } }
        return result
    }
}
