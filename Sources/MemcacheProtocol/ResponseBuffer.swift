// MemcacheProtocol/ResponseBuffer: bytes received so far, with bounded line reading. Parsers take
// lines and payloads out of it; callers append whatever chunks arrive (any split is fine).
import ByteText
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why a response could not be parsed. `offset` counts bytes from the start of the stream.
public struct ProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case lineTooLong = "line-too-long"
        case valueTooLarge = "value-too-large"
        case malformed
        case unexpected
    }
    public var kind: Kind
    public var message: String
    public var offset: Int

    public init(_ kind: Kind, _ message: String, offset: Int) {
        self.kind = kind
        self.message = message
        self.offset = offset
    }

    public var description: String { "protocol \(kind.rawValue) at byte \(offset): \(message)" }
}

/// Accumulates response bytes; consumed bytes are dropped once they are the larger half.
public struct ResponseBuffer: Sendable {
    private var storage: [UInt8] = []
    private var readIndex = 0
    /// Where the next newline search starts (so an incomplete line is not rescanned).
    private var scanIndex = 0
    /// Bytes consumed before `storage[0]` (for error offsets).
    private var discarded = 0
    /// Longest line accepted (without its terminator).
    public var maxLineLength: Int

    public init(maxLineLength: Int = 64 * 1024) {
        self.maxLineLength = maxLineLength
    }

    public var readableCount: Int { storage.count - readIndex }
    /// Stream offset of the next unread byte.
    public var offset: Int { discarded + readIndex }

    public mutating func append<C: Collection>(contentsOf bytes: C) where C.Element == UInt8 {
        if readIndex > 0 && readIndex >= storage.count / 2 {
            storage.removeSubrange(0..<readIndex)
            discarded += readIndex
            scanIndex -= readIndex
            readIndex = 0
        }
        storage.append(contentsOf: bytes)
    }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        append(contentsOf: bytes)
    }

    /// The next line without its `\n` (and a `\r` before it), or nil when it is not complete yet.
    public mutating func readLine() throws -> ArraySlice<UInt8>? {
        let end = storage.count
        let from = max(scanIndex, readIndex)
        // memchr over the unscanned bytes; `from...end` is within the storage by construction.
        let found: Int? = storage.withUnsafeBufferPointer { p -> Int? in
            guard let base = p.baseAddress, from < end else { return nil }
            guard let hit = memchr(base + from, 0x0A, end - from) else { return nil }
            return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
        }
        guard let i = found else {
            scanIndex = end
            if end - readIndex > maxLineLength + 1 {
                throw ProtocolError(.lineTooLong, "no line end within \(maxLineLength) bytes", offset: offset)
            }
            return nil
        }
        var lineEnd = i
        if lineEnd > readIndex && storage[lineEnd - 1] == 0x0D { lineEnd -= 1 }
        let line = storage[readIndex..<lineEnd]
        readIndex = i + 1
        scanIndex = readIndex
        return line
    }

    /// `count` payload bytes followed by `\r\n`, or nil until they have all arrived.
    public mutating func readPayload(count: Int) throws -> [UInt8]? {
        try withPayload(count: count) { Array($0) }
    }

    /// Like `readPayload`, but lends the payload to `body` without copying it (nil, and `body` not
    /// called, until all of it has arrived). The bytes are valid only inside `body`.
    public mutating func withPayload<R>(count: Int, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
        guard count >= 0, readableCount >= count + 2 else { return nil }
        let payloadEnd = readIndex + count
        guard storage[payloadEnd] == 0x0D, storage[payloadEnd + 1] == 0x0A else {
            throw ProtocolError(.malformed, "data block of \(count) bytes not followed by CRLF", offset: discarded + payloadEnd)
        }
        let start = readIndex
        let result = try storage.withUnsafeBytes { raw in
            try body(UnsafeRawBufferPointer(rebasing: raw[start..<payloadEnd]))
        }
        readIndex = payloadEnd + 2
        scanIndex = readIndex
        return result
    }

    /// Drops the payload bytes that have arrived, up to `remaining` (which counts down), then its
    /// `\r\n`; true once the whole payload and its terminator are gone. Nothing of it is kept, so a
    /// value too large to capture is read through in bounded memory.
    public mutating func skipPayload(remaining: inout Int) throws -> Bool {
        let drop = min(remaining, readableCount)
        readIndex += drop
        scanIndex = readIndex
        remaining -= drop
        guard remaining == 0, readableCount >= 2 else { return false }
        guard storage[readIndex] == 0x0D, storage[readIndex + 1] == 0x0A else {
            throw ProtocolError(.malformed, "skipped data block not followed by CRLF", offset: offset)
        }
        readIndex += 2
        scanIndex = readIndex
        return true
    }

    /// Drops everything (after an error the connection is not reused).
    public mutating func reset() {
        discarded += storage.count
        storage = []
        readIndex = 0
        scanIndex = 0
    }
}

/// An answer that replaces the expected data: an error, or a crawler refusal.
public enum ServerAnswer: Error, Sendable, Equatable, CustomStringConvertible {
    case error(String)  // ERROR [msg]
    case clientError(String)  // CLIENT_ERROR msg
    case serverError(String)  // SERVER_ERROR msg
    case busy(String)  // BUSY msg (crawler already running)
    case badClass(String)  // BADCLASS msg
    case notStarted(String)  // NOTSTARTED msg

    /// Recognises an error or refusal line; nil for anything else.
    public static func parse(_ line: ArraySlice<UInt8>) -> ServerAnswer? {
        let text = String(decoding: line, as: UTF8.self)
        func rest(after word: String) -> String? {
            if text == word { return "" }
            if text.hasPrefix(word + " ") { return String(text.dropFirst(word.count + 1)) }
            return nil
        }
        if let r = rest(after: "ERROR") { return .error(r) }
        if let r = rest(after: "CLIENT_ERROR") { return .clientError(r) }
        if let r = rest(after: "SERVER_ERROR") { return .serverError(r) }
        if let r = rest(after: "BUSY") { return .busy(r) }
        if let r = rest(after: "BADCLASS") { return .badClass(r) }
        if let r = rest(after: "NOTSTARTED") { return .notStarted(r) }
        return nil
    }

    public var description: String {
        switch self {
        case .error(let m): return m.isEmpty ? "ERROR" : "ERROR \(m)"
        case .clientError(let m): return "CLIENT_ERROR \(m)"
        case .serverError(let m): return "SERVER_ERROR \(m)"
        case .busy(let m): return "BUSY \(m)"
        case .badClass(let m): return "BADCLASS \(m)"
        case .notStarted(let m): return "NOTSTARTED \(m)"
        }
    }
}

/// Small helpers over byte slices shared by the parsers.
enum Bytes {
    static func split(_ line: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        line.split(separator: 0x20, omittingEmptySubsequences: true)
    }

    /// The next space-separated token of `p` at or after `i`, which is moved past it; nil at the end.
    @inline(__always)
    static func nextToken(_ p: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> Range<Int>? {
        let n = p.count
        while i < n && p[i] == 0x20 { i += 1 }
        if i == n { return nil }
        let start = i
        while i < n && p[i] != 0x20 { i += 1 }
        return start..<i
    }

    /// Byte equality with a literal.
    @inline(__always)
    static func equals(_ s: ArraySlice<UInt8>, _ literal: StaticString) -> Bool {
        s.withUnsafeBufferPointer { equals($0, literal) }
    }

    @inline(__always)
    static func equals(_ s: UnsafeBufferPointer<UInt8>, _ literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard s.count == n else { return false }
        let p = literal.utf8Start
        for k in 0..<n where s[k] != p[k] { return false }
        return true
    }

    /// Decimal digits with an optional `-` (ByteText's one parser).
    @inline(__always) static func int64(_ s: ArraySlice<UInt8>) -> Int64? { DecimalText.parseSigned(s) }
    @inline(__always) static func int64(_ s: UnsafeBufferPointer<UInt8>) -> Int64? { DecimalText.parseSigned(s) }
    /// Decimal digits (ByteText's one parser).
    @inline(__always) static func uint64(_ s: ArraySlice<UInt8>) -> UInt64? { DecimalText.parseUnsigned(s) }
    @inline(__always) static func uint64(_ s: UnsafeBufferPointer<UInt8>) -> UInt64? { DecimalText.parseUnsigned(s) }

    /// Whether `s` starts with `prefix` (no allocation).
    static func starts(_ s: ArraySlice<UInt8>, with prefix: StaticString) -> Bool {
        let n = prefix.utf8CodeUnitCount
        return s.count >= n && equals(s.prefix(n), prefix)
    }

    static func text(_ s: ArraySlice<UInt8>) -> String { String(decoding: s, as: UTF8.self) }
    static func text(_ s: UnsafeBufferPointer<UInt8>) -> String { String(decoding: s, as: UTF8.self) }
}
