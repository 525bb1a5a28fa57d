// MemcacheProtocol/ValueParsers: incremental parsers for the answers that carry values — meta
// responses (`VA`/`HD`/`OK`/`EN`/`MN`) and `VALUE` blocks of `gets`. Values are bounded by
// `maxValueBytes`: a larger meta value is read through without being buffered and reported as
// `.oversized` (that one item loses its value, the batch goes on); a larger `VALUE` block is an error
// before any of it is buffered.
import ByteText

/// The return flags of a meta response, in the order the server sent them.
public struct MetaFlags: Sendable, Equatable {
    public var clientFlags: UInt32?  // f
    public var ttl: Int64?  // t (-1 = never expires)
    public var size: Int?  // s (value length)
    public var cas: UInt64?  // c
    public var key: [UInt8]?  // k (decoded when the `b` flag came back)
    public var opaque: UInt32?  // O (collect only sends numbers; anything else lands in `other`)
    public var other: [String] = []

    public init() {}

    /// Parses the flags of a response line, skipping its first `skip` tokens (code, size).
    static func parse(line: ArraySlice<UInt8>, skip: Int, offset: Int) throws -> MetaFlags {
        try line.withUnsafeBufferPointer { try parse(bytes: $0, skip: skip, offset: offset) }
    }

    /// The same over the line's bytes in place (one `VA` line per captured item).
    static func parse(bytes p: UnsafeBufferPointer<UInt8>, skip: Int, offset: Int) throws -> MetaFlags {
        var f = MetaFlags()
        var rawKey: UnsafeBufferPointer<UInt8>?
        var base64 = false
        var index = 0
        var i = 0
        while let range = Bytes.nextToken(p, &i) {
            let start = range.lowerBound
            index += 1
            guard index > skip else { continue }
            let token = UnsafeBufferPointer(rebasing: p[start..<i])
            let v = UnsafeBufferPointer(rebasing: p[(start + 1)..<i])
            func bad() -> ProtocolError {
                ProtocolError(.malformed, "bad meta flag \(Bytes.text(UnsafeBufferPointer(rebasing: token.prefix(40))))", offset: offset)
            }
            switch p[start] {
            case UInt8(ascii: "f"): guard let x = Bytes.uint64(v), x <= UInt64(UInt32.max) else { throw bad() }; f.clientFlags = UInt32(x)
            case UInt8(ascii: "t"): guard let x = Bytes.int64(v) else { throw bad() }; f.ttl = x
            case UInt8(ascii: "s"): guard let x = Bytes.int64(v), x >= 0 else { throw bad() }; f.size = Int(x)
            case UInt8(ascii: "c"): guard let x = Bytes.uint64(v) else { throw bad() }; f.cas = x
            case UInt8(ascii: "k"): rawKey = v
            case UInt8(ascii: "b"): base64 = true
            case UInt8(ascii: "O"):
                if let x = Bytes.uint64(v), x <= UInt64(UInt32.max) { f.opaque = UInt32(x) } else { f.other.append(Bytes.text(token)) }
            default: f.other.append(Bytes.text(token))
            }
        }
        if let rawKey {
            if base64 {
                guard let k = Base64.decode(rawKey) else { throw ProtocolError(.malformed, "bad base64 key", offset: offset) }
                f.key = k
            } else {
                f.key = Array(rawKey)
            }
        }
        return f
    }
}

public enum MetaResponse: Sendable, Equatable {
    /// `VA <size> <flags>` and the value.
    case value(MetaFlags, [UInt8])
    /// `HD <flags>` (1.6.10+) or `OK <flags>` (1.6.0–1.6.9): a hit without value.
    case hit(MetaFlags)
    /// `EN`: a miss (only when `q` was not given).
    case miss(MetaFlags)
    /// `VA` with a value over `maxValueBytes`: its bytes were read and dropped; `size` is the length
    /// the server announced.
    case oversized(MetaFlags, size: Int)
    /// `MN`: the end of a pipelined batch.
    case noop
    case failed(ServerAnswer)
}

/// A meta response whose value (if any) was lent to the caller instead of copied.
public enum MetaEvent: Sendable, Equatable {
    /// `VA`: the value was handed to the `onValue` closure.
    case value(MetaFlags)
    case hit(MetaFlags)
    case miss(MetaFlags)
    /// `VA` over the limit: the value was read through and dropped; `size` is the announced length.
    case oversized(MetaFlags, size: Int)
    case noop
    case failed(ServerAnswer)
}

public struct MetaResponseParser: Sendable {
    public var maxValueBytes: Int
    private var pending: (flags: MetaFlags, size: Int)?
    /// An oversized value being read through: its flags, size and the bytes still to drop.
    private var skipping: (flags: MetaFlags, size: Int, remaining: Int)?

    public init(maxValueBytes: Int = 64 << 20) {
        self.maxValueBytes = maxValueBytes
    }

    /// The next response with its value copied out (tests, probes).
    public mutating func next(from buf: inout ResponseBuffer) throws -> MetaResponse? {
        var value: [UInt8] = []
        switch try next(from: &buf, onValue: { _, bytes in value = Array(bytes) }) {
        case nil: return nil
        case .value(let f): return .value(f, value)
        case .hit(let f): return .hit(f)
        case .miss(let f): return .miss(f)
        case .oversized(let f, let n): return .oversized(f, size: n)
        case .noop: return .noop
        case .failed(let a): return .failed(a)
        }
    }

    /// The next response; a value is lent to `onValue` straight from the buffer (valid only during
    /// the call), then `.value(flags)` is returned. nil until a whole response has arrived.
    public mutating func next(
        from buf: inout ResponseBuffer, onValue: (MetaFlags, UnsafeRawBufferPointer) throws -> Void
    ) throws -> MetaEvent? {
        while true {
            if var s = skipping {
                let done = try buf.skipPayload(remaining: &s.remaining)
                skipping = done ? nil : s
                guard done else { return nil }
                return .oversized(s.flags, size: s.size)
            }
            if let p = pending {
                guard try buf.withPayload(count: p.size, { try onValue(p.flags, $0) }) != nil else { return nil }
                pending = nil
                return .value(p.flags)
            }
            let at = buf.offset
            guard let line = try buf.readLine() else { return nil }
            let code = line.prefix(3)
            if Bytes.equals(code, "VA ") {
                let (flags, n) = try line.withUnsafeBufferPointer { p -> (MetaFlags, Int64) in
                    // The size is the token after `VA`.
                    var i = 3
                    let size = Bytes.nextToken(p, &i) ?? 3..<3
                    guard let n = Bytes.int64(UnsafeBufferPointer(rebasing: p[size])), n >= 0 else {
                        throw ProtocolError(.malformed, "bad VA line: \(Bytes.text(line.prefix(80)))", offset: at)
                    }
                    return (try MetaFlags.parse(bytes: p, skip: 2, offset: at), n)
                }
                if n <= Int64(maxValueBytes) {
                    pending = (flags, Int(n))
                } else {
                    skipping = (flags, Int(n), Int(n))
                }
                continue
            }
            let word = line.prefix { $0 != 0x20 }
            if Bytes.equals(word, "HD") || Bytes.equals(word, "OK") {
                return .hit(try MetaFlags.parse(line: line, skip: 1, offset: at))
            }
            if Bytes.equals(word, "EN") { return .miss(try MetaFlags.parse(line: line, skip: 1, offset: at)) }
            if Bytes.equals(word, "MN") { return .noop }
            if let answer = ServerAnswer.parse(line) { return .failed(answer) }
            throw ProtocolError(.unexpected, "unexpected meta answer: \(Bytes.text(line.prefix(80)))", offset: at)
        }
    }
}

/// One `VALUE <key> <flags> <bytes> [<cas>]` block of a `get`/`gets` answer.
public struct ValueBlock: Sendable, Equatable {
    public var key: [UInt8]
    public var flags: UInt32
    public var cas: UInt64?
    public var value: [UInt8]
}

public enum ValueEvent: Sendable, Equatable {
    case value(ValueBlock)
    case end
    case failed(ServerAnswer)
}

/// The line that starts a `VALUE` block.
public struct ValueHeader: Sendable, Equatable {
    public var key: [UInt8]
    public var flags: UInt32
    public var cas: UInt64?
    /// The data block's announced length.
    public var size: Int
}

public struct ValueParser: Sendable {
    /// `VALUE <key> <flags> <bytes> [<cas>]` (also the header lines of a capture decode reads).
    public static func header(_ line: ArraySlice<UInt8>, offset: Int) throws -> ValueHeader {
        let tokens = Bytes.split(line)
        guard tokens.count == 4 || tokens.count == 5, tokens[0].elementsEqual("VALUE".utf8),
            let flags = Bytes.uint64(tokens[2]), flags <= UInt64(UInt32.max),
            let n = Bytes.int64(tokens[3]), n >= 0, n <= Int64(Int32.max)
        else { throw ProtocolError(.malformed, "bad VALUE line: \(Bytes.text(line.prefix(80)))", offset: offset) }
        var cas: UInt64?
        if tokens.count == 5 {
            guard let c = Bytes.uint64(tokens[4]) else {
                throw ProtocolError(.malformed, "bad cas in VALUE line: \(Bytes.text(line.prefix(80)))", offset: offset)
            }
            cas = c
        }
        return ValueHeader(key: Array(tokens[1]), flags: UInt32(flags), cas: cas, size: Int(n))
    }

    public var maxValueBytes: Int
    private var pending: (key: [UInt8], flags: UInt32, cas: UInt64?, size: Int)?

    public init(maxValueBytes: Int = 64 << 20) {
        self.maxValueBytes = maxValueBytes
    }

    public mutating func next(from buf: inout ResponseBuffer) throws -> ValueEvent? {
        if let p = pending {
            guard let data = try buf.readPayload(count: p.size) else { return nil }
            pending = nil
            return .value(ValueBlock(key: p.key, flags: p.flags, cas: p.cas, value: data))
        }
        let at = buf.offset
        guard let line = try buf.readLine() else { return nil }
        if line.elementsEqual("END".utf8) { return .end }
        if Bytes.starts(line, with: "VALUE ") {
            let h = try ValueParser.header(line, offset: at)
            guard h.size <= maxValueBytes else {
                throw ProtocolError(.valueTooLarge, "value of \(h.size) bytes exceeds the \(maxValueBytes)-byte limit", offset: at)
            }
            pending = (h.key, h.flags, h.cas, h.size)
            return try next(from: &buf)
        }
        if let answer = ServerAnswer.parse(line) { return .failed(answer) }
        throw ProtocolError(.unexpected, "unexpected line in get answer: \(Bytes.text(line.prefix(80)))", offset: at)
    }
}
