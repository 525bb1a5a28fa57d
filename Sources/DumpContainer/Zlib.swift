// DumpContainer/Zlib: small wrappers over the system zlib (CZlib) — one-shot member deflate for the
// writer, a step-wise inflater for the reader, and a capped one-shot inflate that decode reuses
// for zlib-compressed memcached values (python-memcached's flag 8 / zlib.compress).
import CZlib

/// A zlib failure, with a kind callers can act on.
public struct ZlibError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Kind: String, Sendable, Equatable {
        /// The compressed data is invalid (bad header, bad block, checksum mismatch).
        case data
        /// The compressed data ended before the end of the stream.
        case truncated
        /// Output would exceed the caller's cap (a decompression bomb, or simply too big).
        case outputLimit = "output_limit"
        /// zlib could not allocate memory.
        case memory
        /// Misuse or an unexpected zlib status (not caused by the input data).
        case `internal`
    }
    public var kind: Kind
    public var message: String
    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }
    public var description: String { "zlib \(kind.rawValue): \(message)" }
}

/// Stream framing: gzip (RFC 1952), zlib (RFC 1950) or raw deflate (RFC 1951).
public enum ZlibFormat: Sendable {
    case gzip, zlib, raw
    /// Inflate only: accept either a gzip or a zlib header.
    case auto

    /// zlib's windowBits convention: 15 = zlib, +16 = gzip, +32 = detect, negative = raw.
    var windowBits: Int32 {
        switch self {
        case .gzip: return 15 + 16
        case .zlib: return 15
        case .raw: return -15
        case .auto: return 15 + 32
        }
    }
}

private func zlibMessage(_ stream: UnsafeMutablePointer<z_stream>, _ code: Int32) -> String {
    if let msg = stream.pointee.msg { return String(cString: msg) }
    return "status \(code)"
}

/// Compresses whole buffers into complete streams (one gzip member per call). The z_stream lives in
/// allocated storage with a stable address, as zlib keeps a back-pointer to it; it is reset between calls.
public final class GzipDeflater {
    private let stream: UnsafeMutablePointer<z_stream>
    /// Largest input accepted by one `compress` call (zlib counts in 32-bit units).
    public static let maxInput = 1 << 30

    public init(level: Int32 = 1, format: ZlibFormat = .gzip) throws(ZlibError) {
        guard format != .auto else { throw ZlibError(kind: .internal, message: "deflate needs a concrete format") }
        stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let rc = deflateInit2_(
            stream, level, Z_DEFLATED, format.windowBits, 8, Z_DEFAULT_STRATEGY,
            ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw ZlibError(kind: rc == Z_MEM_ERROR ? .memory : .internal, message: "deflateInit2 failed (\(rc))")
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Compresses `input` into one complete stream (header, data, trailer).
    public func compress(_ input: UnsafeRawBufferPointer) throws(ZlibError) -> [UInt8] {
        guard input.count <= GzipDeflater.maxInput else {
            throw ZlibError(kind: .internal, message: "input of \(input.count) bytes exceeds \(GzipDeflater.maxInput)")
        }
        guard deflateReset(stream) == Z_OK else { throw ZlibError(kind: .internal, message: "deflateReset failed") }
        let bound = Int(deflateBound(stream, uLong(input.count))) + 64
        var status: Int32 = Z_OK
        let out = [UInt8](unsafeUninitializedCapacity: bound) { buf, count in
            guard let outBase = buf.baseAddress else { status = Z_BUF_ERROR; count = 0; return }
            stream.pointee.next_in =
                input.baseAddress.map { UnsafeMutablePointer(mutating: $0.assumingMemoryBound(to: Bytef.self)) }
            stream.pointee.avail_in = uInt(input.count)
            stream.pointee.next_out = outBase
            stream.pointee.avail_out = uInt(bound)
            status = deflate(stream, Z_FINISH)
            count = bound - Int(stream.pointee.avail_out)
            stream.pointee.next_in = nil
            stream.pointee.next_out = nil
        }
        guard status == Z_STREAM_END else {
            throw ZlibError(kind: .internal, message: "deflate did not finish (\(status))")
        }
        return out
    }

    /// Compresses `input` into one complete stream at the start of `out`, a scratch buffer that is
    /// grown when too small and otherwise reused as it is (never cleared: the writer keeps a few alive
    /// instead of allocating and zeroing one per member). Returns how many bytes of `out` hold the stream.
    public func compress(_ input: [UInt8], into out: inout [UInt8]) throws(ZlibError) -> Int {
        guard input.count <= GzipDeflater.maxInput else {
            throw ZlibError(kind: .internal, message: "input of \(input.count) bytes exceeds \(GzipDeflater.maxInput)")
        }
        guard deflateReset(stream) == Z_OK else { throw ZlibError(kind: .internal, message: "deflateReset failed") }
        let bound = Int(deflateBound(stream, uLong(input.count))) + 64
        if out.count < bound { out.append(contentsOf: repeatElement(0, count: bound - out.count)) }
        var status: Int32 = Z_OK
        var produced = 0
        input.withUnsafeBytes { inp in
            out.withUnsafeMutableBytes { o in
                guard let outBase = o.baseAddress else { return }
                stream.pointee.next_in =
                    inp.baseAddress.map { UnsafeMutablePointer(mutating: $0.assumingMemoryBound(to: Bytef.self)) }
                stream.pointee.avail_in = uInt(inp.count)
                stream.pointee.next_out = outBase.assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_out = uInt(bound)
                status = deflate(stream, Z_FINISH)
                produced = bound - Int(stream.pointee.avail_out)
                stream.pointee.next_in = nil
                stream.pointee.next_out = nil
            }
        }
        guard status == Z_STREAM_END else {
            throw ZlibError(kind: .internal, message: "deflate did not finish (\(status))")
        }
        return produced
    }

    /// Convenience form of `compress(_:)` for arrays.
    public func compress(_ input: [UInt8]) throws(ZlibError) -> [UInt8] {
        var result: Result<[UInt8], ZlibError> = .success([])
        input.withUnsafeBytes { raw in
            do throws(ZlibError) { result = .success(try compress(raw)) } catch { result = .failure(error) }
        }
        return try result.get()
    }
}

/// Step-wise inflater: feed input, get output, learn where a stream (e.g. a gzip member) ends.
public final class GzipInflater {
    private let stream: UnsafeMutablePointer<z_stream>

    /// What one `inflate` call did.
    public struct Step: Sendable, Equatable {
        public var consumed: Int
        public var produced: Int
        public var streamEnd: Bool
    }

    public init(format: ZlibFormat = .gzip) throws(ZlibError) {
        stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let rc = inflateInit2_(stream, format.windowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw ZlibError(kind: rc == Z_MEM_ERROR ? .memory : .internal, message: "inflateInit2 failed (\(rc))")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Starts a new stream (the next gzip member) with the same settings.
    public func reset() throws(ZlibError) {
        guard inflateReset(stream) == Z_OK else { throw ZlibError(kind: .internal, message: "inflateReset failed") }
    }

    /// Inflates from `input` into `output`. A step with nothing consumed or produced and no stream
    /// end means zlib needs more input (or more output space). Throws on invalid data.
    public func inflate(
        _ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer
    ) throws(ZlibError) -> Step {
        guard let outBase = output.baseAddress, output.count > 0 else {
            return Step(consumed: 0, produced: 0, streamEnd: false)
        }
        let inCount = min(input.count, Int(UInt32.max))
        let outCount = min(output.count, Int(UInt32.max))
        stream.pointee.next_in =
            input.baseAddress.map { UnsafeMutablePointer(mutating: $0.assumingMemoryBound(to: Bytef.self)) }
        stream.pointee.avail_in = uInt(inCount)
        stream.pointee.next_out = outBase.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = uInt(outCount)
        let rc = CZlib.inflate(stream, Z_NO_FLUSH)
        let step = Step(
            consumed: inCount - Int(stream.pointee.avail_in),
            produced: outCount - Int(stream.pointee.avail_out),
            streamEnd: rc == Z_STREAM_END)
        stream.pointee.next_in = nil
        stream.pointee.next_out = nil
        switch rc {
        case Z_OK, Z_STREAM_END, Z_BUF_ERROR:
            return step
        case Z_DATA_ERROR:
            throw ZlibError(kind: .data, message: zlibMessage(stream, rc))
        case Z_NEED_DICT:
            throw ZlibError(kind: .data, message: "stream needs a preset dictionary")
        case Z_MEM_ERROR:
            throw ZlibError(kind: .memory, message: "out of memory")
        default:
            throw ZlibError(kind: .internal, message: zlibMessage(stream, rc))
        }
    }

    /// Inflates one complete stream from the start of `bytes`, refusing to produce more than
    /// `maxOutput` bytes. Returns the output and how many input bytes the stream used
    /// (bytes after the stream end are left alone, as Python's `zlib.decompress` does).
    /// Output goes into an uninitialised buffer that doubles as needed (first guess: 4× the input),
    /// copied once into the result.
    public static func inflate(
        _ bytes: [UInt8], format: ZlibFormat, maxOutput: Int
    ) throws(ZlibError) -> (output: [UInt8], consumed: Int) {
        let inflater = try GzipInflater(format: format)
        // Room for one byte beyond the limit, so that output past it is seen (not waited for).
        let roomLimit = maxOutput < Int.max ? max(maxOutput, 0) + 1 : Int.max
        var capacity = min(roomLimit, max(bytes.count * 4, 4096))
        var buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 1)
        defer { buffer.deallocate() }
        var produced = 0
        var consumed = 0
        while true {
            if produced == capacity {
                guard capacity < roomLimit else {
                    throw ZlibError(kind: .outputLimit, message: "output exceeds \(maxOutput) bytes")
                }
                let grown = capacity <= roomLimit / 2 ? capacity * 2 : roomLimit
                let fresh = UnsafeMutableRawPointer.allocate(byteCount: grown, alignment: 1)
                fresh.copyMemory(from: buffer, byteCount: produced)
                buffer.deallocate()
                buffer = fresh
                capacity = grown
            }
            let room = UnsafeMutableRawBufferPointer(start: buffer + produced, count: capacity - produced)
            let step = try bytes.withUnsafeBytes { input -> Result<Step, ZlibError> in
                do throws(ZlibError) {
                    return .success(try inflater.inflate(UnsafeRawBufferPointer(rebasing: input[consumed...]), into: room))
                } catch {
                    return .failure(error)
                }
            }.get()
            consumed += step.consumed
            produced += step.produced
            if produced > maxOutput {
                throw ZlibError(kind: .outputLimit, message: "output exceeds \(maxOutput) bytes")
            }
            if step.streamEnd { break }
            if step.consumed == 0 && step.produced == 0 {
                throw ZlibError(
                    kind: .truncated, message: "stream ends after \(consumed) of \(bytes.count) bytes without its end")
            }
        }
        let output = [UInt8](UnsafeRawBufferPointer(start: buffer, count: produced))
        return (output, consumed)
    }

    /// Inflates a zlib stream (RFC 1950, windowBits 15) such as python-memcached's compressed values;
    /// throws `.outputLimit` when it would exceed `maxOutput` bytes.
    public static func inflateZlib(_ bytes: [UInt8], maxOutput: Int) throws(ZlibError) -> [UInt8] {
        try inflate(bytes, format: .zlib, maxOutput: maxOutput).output
    }
}
