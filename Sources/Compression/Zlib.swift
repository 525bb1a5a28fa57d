// Compression/Zlib: small wrappers over the system zlib (CZlib): one-shot deflate at any level for the
// dump writer's levels other than 1, and the error and format types GzipInflater (over ISA-L) and
// FastGzipDeflater share with it.
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
    /// Inflate only: a gzip member if the data starts with gzip's magic bytes, else a zlib stream.
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
