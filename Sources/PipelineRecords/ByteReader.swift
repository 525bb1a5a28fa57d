// PipelineRecords/ByteReader: buffered reading of a file descriptor as lines (NDJSON, text listings)
// or as exact byte counts (payloads of `VALUE` blocks), with a cap on line length so a file without
// newlines cannot exhaust memory. Errors carry the byte offset and line number.
#if canImport(Glibc)
    import ByteText
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A read failure: the descriptor failed, a line was too long, or the input ended inside a payload.
public struct ByteReadError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Kind: String, Sendable { case io, lineTooLong = "line_too_long", truncated }
    public var kind: Kind
    public var message: String
    public var name: String
    public var offset: Int64
    public var line: Int
    public var description: String { "\(name): \(kind.rawValue) at byte \(offset) (line \(line)): \(message)" }
    public init(kind: Kind, message: String, name: String, offset: Int64, line: Int) {
        self.kind = kind
        self.message = message
        self.name = name
        self.offset = offset
        self.line = line
    }
}

public final class ByteReader {
    public let fd: Int32
    public let name: String
    /// Longest line returned (without its newline); longer is `lineTooLong`.
    public var maxLineBytes: Int
    /// Offset (from the start of the input) of the next unread byte.
    public var offset: Int64 { consumedBefore + Int64(start) }
    /// Number of lines returned so far.
    public private(set) var lineNumber = 0

    private var buf: [UInt8]
    private var start = 0
    private var end = 0
    private var consumedBefore: Int64 = 0
    private var eof = false
    private let ownsDescriptor: Bool
    private static let chunk = 256 << 10

    /// Reads `fd` (left open unless `closeOnDeinit`); `initialBytes` are delivered before the descriptor's data.
    public init(fd: Int32, name: String, maxLineBytes: Int = 64 << 20, initialBytes: [UInt8] = [], closeOnDeinit: Bool = false) {
        self.fd = fd
        self.name = name
        self.maxLineBytes = maxLineBytes
        self.ownsDescriptor = closeOnDeinit
        buf = initialBytes
        end = initialBytes.count
    }

    deinit { if ownsDescriptor { _ = close(fd) } }

    /// Opens `path` for reading.
    public convenience init(path: String, maxLineBytes: Int = 64 << 20) throws(ByteReadError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw ByteReadError(kind: .io, message: "cannot open: \(String(cString: strerror(errno)))", name: path, offset: 0, line: 0)
        }
        self.init(fd: fd, name: path, maxLineBytes: maxLineBytes, closeOnDeinit: true)
    }

    private func fail(_ kind: ByteReadError.Kind, _ message: String) -> ByteReadError {
        ByteReadError(kind: kind, message: message, name: name, offset: offset, line: lineNumber + 1)
    }

    /// Reads more bytes into the buffer; false at end of input.
    private func fill() throws(ByteReadError) -> Bool {
        if eof { return false }
        if start > 0 && (start == end || start >= buf.count / 2) {
            buf.removeSubrange(0..<start)
            consumedBefore += Int64(start)
            end -= start
            start = 0
        }
        if buf.count - end < ByteReader.chunk { buf.append(contentsOf: repeatElement(0, count: ByteReader.chunk - (buf.count - end))) }
        let got = buf.withUnsafeMutableBytes { p in FileIO.read(fd, into: p.baseAddress! + end, count: p.count - end) }
        switch got {
        case .success(let n) where n > 0: end += n; return true
        case .success: eof = true; return false
        case .failure(let f): throw fail(.io, f.message)
        }
    }

    /// The next line without its `\n` (and without a trailing `\r`), nil at end of input.
    /// A last line without a newline is returned as is.
    public func nextLine() throws(ByteReadError) -> ArraySlice<UInt8>? {
        var scan = start
        while true {
            if let nl = buf[scan..<end].firstIndex(of: UInt8(ascii: "\n")) {
                var lineEnd = nl
                if lineEnd > start && buf[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
                guard lineEnd - start <= maxLineBytes else { throw fail(.lineTooLong, "line longer than \(maxLineBytes) bytes") }
                let line = buf[start..<lineEnd]
                start = nl + 1
                lineNumber += 1
                return line
            }
            guard end - start <= maxLineBytes + 1 else { throw fail(.lineTooLong, "line longer than \(maxLineBytes) bytes") }
            let keep = end - start
            if try !fill() {
                guard end > start else { return nil }
                let line = buf[start..<end]
                start = end
                lineNumber += 1
                return line
            }
            scan = start + keep
        }
    }

    /// Exactly `count` bytes, or `truncated` when the input ends first.
    public func read(count: Int) throws(ByteReadError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(min(count, 64 << 20))
        while out.count < count {
            if start == end {
                guard try fill() else { throw fail(.truncated, "input ended \(count - out.count) bytes before the end of a \(count)-byte payload") }
            }
            let take = min(count - out.count, end - start)
            out.append(contentsOf: buf[start..<(start + take)])
            start += take
        }
        return out
    }

    /// Up to `count` bytes from the start of the input without consuming them (for format detection).
    public func peek(_ count: Int) throws(ByteReadError) -> ArraySlice<UInt8> {
        while end - start < count { if try !fill() { break } }
        return buf[start..<min(end, start + count)]
    }
}
