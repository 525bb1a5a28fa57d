// MemcacheProtocol/ListingParsers: incremental parsers for the line-oriented answers — `version`,
// `stats …` blocks, `lru_crawler metadump` listings and `stats cachedump` listings. Each `next(from:)`
// returns one event, or nil when more bytes are needed; bytes may arrive in any chunking.
import ByteText

/// One event of a `stats` answer.
public enum StatsEvent: Sendable, Equatable {
    case stat(name: String, value: String)
    case end
    case failed(ServerAnswer)
}

public struct StatsParser: Sendable {
    public init() {}

    public mutating func next(from buf: inout ResponseBuffer) throws -> StatsEvent? {
        let at = buf.offset
        guard let line = try buf.readLine() else { return nil }
        if line.elementsEqual("END".utf8) { return .end }
        if Bytes.starts(line, with: "STAT ") {
            let body = line.dropFirst(5)
            guard let sp = body.firstIndex(of: 0x20) else {
                return .stat(name: Bytes.text(body), value: "")
            }
            return .stat(name: Bytes.text(body[body.startIndex..<sp]), value: Bytes.text(body[(sp + 1)...]))
        }
        if let answer = ServerAnswer.parse(line) { return .failed(answer) }
        throw ProtocolError(.unexpected, "unexpected line in stats answer: \(Bytes.text(line.prefix(80)))", offset: at)
    }
}

/// The answer to `version`: `VERSION 1.6.18`.
public enum VersionParser {
    public static func next(from buf: inout ResponseBuffer) throws -> Result<String, ServerAnswer>? {
        let at = buf.offset
        guard let line = try buf.readLine() else { return nil }
        if Bytes.starts(line, with: "VERSION ") { return .success(Bytes.text(line.dropFirst(8))) }
        if let answer = ServerAnswer.parse(line) { return .failure(answer) }
        throw ProtocolError(.unexpected, "unexpected answer to version: \(Bytes.text(line.prefix(80)))", offset: at)
    }
}

/// One line of `lru_crawler metadump` (1.6.18 fields; unknown fields are ignored).
public struct MetadumpEntry: Sendable, Equatable {
    public var key: [UInt8]
    public var exp: Int64  // absolute unix time, -1 = never
    public var lastAccess: Int64  // absolute unix time
    public var cas: UInt64
    public var fetched: Bool
    public var slabClass: Int  // 0 when the server did not say (< 1.5.4); real classes start at 1
    public var totalSize: Int  // ITEM_ntotal, -1 when the server did not say
    public var flags: UInt32?  // 1.6.24+

    public init(
        key: [UInt8], exp: Int64, lastAccess: Int64, cas: UInt64, fetched: Bool, slabClass: Int, totalSize: Int,
        flags: UInt32? = nil
    ) {
        self.key = key
        self.exp = exp
        self.lastAccess = lastAccess
        self.cas = cas
        self.fetched = fetched
        self.slabClass = slabClass
        self.totalSize = totalSize
        self.flags = flags
    }
}

/// A listing line as it stands: the key, and whichever other fields it has.
public struct MetadumpFields: Sendable, Equatable {
    public var key: [UInt8]
    public var exp: Int64?  // absolute unix time, -1 = never
    public var lastAccess: Int64?
    public var cas: UInt64?
    public var fetched: Bool?
    public var slabClass: Int?
    public var totalSize: Int?
    public var flags: UInt32?
}

public enum MetadumpEvent: Sendable, Equatable {
    case entry(MetadumpEntry)
    case end
    /// The crawler refused (BUSY, BADCLASS, NOTSTARTED, CLIENT_ERROR lru crawler disabled, ERROR …).
    case failed(ServerAnswer)
}

/// Lines end in `\n` (1.6.18) or `\r\n`; an optional `OK` line comes first on 1.6.43+; `END` ends it.
public struct MetadumpParser: Sendable {
    private var sawFirstLine = false
    public init() {}

    public mutating func next(from buf: inout ResponseBuffer) throws -> MetadumpEvent? {
        while true {
            let at = buf.offset
            guard let line = try buf.readLine() else { return nil }
            let first = !sawFirstLine
            sawFirstLine = true
            if line.elementsEqual("END".utf8) { return .end }
            if first && line.elementsEqual("OK".utf8) { continue }
            if Bytes.starts(line, with: "key=") { return .entry(try MetadumpParser.entry(line, offset: at)) }
            if let answer = ServerAnswer.parse(line) { return .failed(answer) }
            throw ProtocolError(.unexpected, "unexpected metadump line: \(Bytes.text(line.prefix(80)))", offset: at)
        }
    }

    static func entry(_ line: ArraySlice<UInt8>, offset: Int) throws -> MetadumpEntry {
        try line.withUnsafeBufferPointer { try entry(bytes: $0, offset: offset) }
    }

    /// A server's listing line: key, exp, la, cas and fetch required.
    static func entry(bytes p: UnsafeBufferPointer<UInt8>, offset: Int) throws -> MetadumpEntry {
        let f = try fields(bytes: p, offset: offset)
        guard let exp = f.exp, let la = f.lastAccess, let cas = f.cas, let fetched = f.fetched else {
            let text = String(decoding: UnsafeBufferPointer(rebasing: p[0..<min(p.count, 80)]), as: UTF8.self)
            throw ProtocolError(.malformed, "metadump line lacks key/exp/la/cas/fetch: \(text)", offset: offset)
        }
        return MetadumpEntry(
            key: f.key, exp: exp, lastAccess: la, cas: cas, fetched: fetched, slabClass: f.slabClass ?? 0, totalSize: f.totalSize ?? -1,
            flags: f.flags)
    }

    /// The lenient reading of a listing line (a listing an operator saved, which decode reads): only
    /// the key is required; every field present must be well formed; fields not there stay nil.
    public static func fields(_ line: ArraySlice<UInt8>, offset: Int) throws -> MetadumpFields {
        try line.withUnsafeBufferPointer { try fields(bytes: $0, offset: offset) }
    }

    /// One listing line's fields, read in place (the crawl phase parses hundreds of thousands of lines, while
    /// the fetch waits for its END).
    static func fields(bytes p: UnsafeBufferPointer<UInt8>, offset: Int) throws -> MetadumpFields {
        var key: [UInt8]?
        var exp: Int64?, la: Int64?, cas: UInt64?, fetched: Bool?
        var cls: Int?, size: Int?
        var flags: UInt32?
        let n = p.count
        var i = 0
        while let token = Bytes.nextToken(p, &i) {
            let start = token.lowerBound
            var eq = start
            while eq < i && p[eq] != UInt8(ascii: "=") { eq += 1 }
            guard eq < i else { continue }
            let value = UnsafeBufferPointer(rebasing: p[(eq + 1)..<i])
            func named(_ literal: StaticString) -> Bool {
                Bytes.equals(UnsafeBufferPointer(rebasing: p[start..<eq]), literal)
            }
            func bad() -> ProtocolError {
                let field = String(decoding: UnsafeBufferPointer(rebasing: p[start..<min(i, start + 80)]), as: UTF8.self)
                return ProtocolError(.malformed, "bad metadump field \(field)", offset: offset)
            }
            // Dispatch on the name's length and first byte, then confirm it (one comparison per field).
            switch (eq - start, p[start]) {
            case (3, UInt8(ascii: "k")) where named("key"):
                guard let k = PercentEncoding.decodeStrict(value), !k.isEmpty else { throw bad() }
                key = k
            case (3, UInt8(ascii: "e")) where named("exp"):
                guard let v = Bytes.int64(value) else { throw bad() }
                exp = v
            case (2, UInt8(ascii: "l")) where named("la"):
                guard let v = Bytes.int64(value) else { throw bad() }
                la = v
            case (3, UInt8(ascii: "c")) where named("cas"):
                guard let v = Bytes.uint64(value) else { throw bad() }
                cas = v
            case (5, UInt8(ascii: "f")) where named("fetch"):
                if Bytes.equals(value, "yes") { fetched = true } else if Bytes.equals(value, "no") { fetched = false } else { throw bad() }
            case (3, UInt8(ascii: "c")) where named("cls"):
                guard let v = Bytes.int64(value), v >= 0, v < 1 << 16 else { throw bad() }
                cls = Int(v)
            case (4, UInt8(ascii: "s")) where named("size"):
                guard let v = Bytes.int64(value), v >= 0, v < 1 << 40 else { throw bad() }
                size = Int(v)
            case (5, UInt8(ascii: "f")) where named("flags"):
                guard let v = Bytes.uint64(value), v <= UInt64(UInt32.max) else { throw bad() }
                flags = UInt32(v)
            default: break  // a field of a newer server
            }
        }
        guard let key else {
            let text = String(decoding: UnsafeBufferPointer(rebasing: p[0..<min(n, 80)]), as: UTF8.self)
            throw ProtocolError(.malformed, "metadump line lacks a key: \(text)", offset: offset)
        }
        return MetadumpFields(key: key, exp: exp, lastAccess: la, cas: cas, fetched: fetched, slabClass: cls, totalSize: size, flags: flags)
    }
}

/// One line of `stats cachedump`: `ITEM <key> [<value bytes> b; <abs exp or 0> s]`.
public struct CachedumpEntry: Sendable, Equatable {
    public var key: [UInt8]
    public var valueLength: Int
    public var exp: Int64  // absolute unix time, -1 = never (the server prints 0)
}

public enum CachedumpEvent: Sendable, Equatable {
    case entry(CachedumpEntry)
    case end
    case failed(ServerAnswer)
}

public struct CachedumpParser: Sendable {
    public init() {}

    public mutating func next(from buf: inout ResponseBuffer) throws -> CachedumpEvent? {
        let at = buf.offset
        guard let line = try buf.readLine() else { return nil }
        if line.elementsEqual("END".utf8) { return .end }
        if Bytes.starts(line, with: "ITEM ") { return .entry(try CachedumpParser.entry(line, offset: at)) }
        if let answer = ServerAnswer.parse(line) { return .failed(answer) }
        throw CachedumpParser.bad(line, at)
    }

    /// One `ITEM <key> [<n> b; <t> s]` line (also the lines of a listing decode reads). The key is raw
    /// and has no spaces.
    public static func entry(_ line: ArraySlice<UInt8>, offset at: Int) throws -> CachedumpEntry {
        guard Bytes.starts(line, with: "ITEM ") else { throw bad(line, at) }
        let body = line.dropFirst(5)
        guard let sp = body.firstIndex(of: 0x20) else { throw bad(line, at) }
        let key = Array(body[body.startIndex..<sp])
        var tail = body[(sp + 1)...]
        guard tail.first == UInt8(ascii: "["), tail.last == UInt8(ascii: "]"), !key.isEmpty else { throw bad(line, at) }
        tail = tail.dropFirst().dropLast()
        let parts = Bytes.split(tail)
        guard parts.count == 4, parts[1].elementsEqual("b;".utf8), parts[3].elementsEqual("s".utf8),
            let n = Bytes.int64(parts[0]), n >= 0, n <= Int64(Int32.max), let t = Bytes.int64(parts[2])
        else { throw bad(line, at) }
        return CachedumpEntry(key: key, valueLength: Int(n), exp: t == 0 ? -1 : t)
    }

    static func bad(_ line: ArraySlice<UInt8>, _ at: Int) -> ProtocolError {
        ProtocolError(.malformed, "bad cachedump line: \(Bytes.text(line.prefix(80)))", offset: at)
    }
}
