// PlacementScheme: the one protocol every distribution (modulo, ketama, rendezvous, jump…) implements,
// the errors this module reports, and how a key's bytes looked as the Python object the client hashed.
import ByteText

/// Where a key lands under one scheme: the index into the ordered server list and the hash that chose it.
public struct Placement: Sendable, Hashable {
    /// Index into the server list the scheme was built with.
    public var serverIndex: Int
    /// The key hash the scheme computed (its width depends on the scheme; 128-bit md5 rings give the top 64 bits).
    public var hash: UInt64

    public init(serverIndex: Int, hash: UInt64) {
        self.serverIndex = serverIndex
        self.hash = hash
    }
}

/// A key-distribution scheme over an ordered server list fixed at init.
public protocol PlacementScheme: Sendable {
    /// Short stable identifier, e.g. `python-memcached-1.60`, `libmemcached-ketama-weighted`.
    var name: String { get }
    /// Number of servers in the list the scheme was built with.
    var serverCount: Int { get }
    /// The server a key (the bytes as sent to memcached) belongs on.
    func placement(for key: [UInt8]) -> Placement
}

extension PlacementScheme {
    /// Index of the server a key belongs on.
    public func serverIndex(for key: [UInt8]) -> Int { placement(for: key).serverIndex }
}

/// A failure with a kind, a message and, where it applies, a character offset or list position.
public struct PlacementError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case badServerSpec = "bad-server-spec"
        case badWeight = "bad-weight"
        case noServers = "no-servers"
        case badArgument = "bad-argument"
    }
    public var kind: Kind
    public var message: String
    /// Character offset in the parsed text, or index in a list; nil when not applicable.
    public var offset: Int?

    public init(_ kind: Kind, _ message: String, offset: Int? = nil) {
        self.kind = kind
        self.message = message
        self.offset = offset
    }

    public var description: String {
        if let offset { return "\(kind.rawValue) at \(offset): \(message)" }
        return "\(kind.rawValue): \(message)"
    }
}

/// The Python type of the key object the caller handed to a client that hashes `str(key)` or
/// `f"{node}-{key}"` (pymemcache rendezvous, uhashring). memcached only shows the bytes; this says how
/// the application held them.
public enum PythonKeyForm: String, Sendable, Hashable {
    /// A `str`: the bytes are its UTF-8 encoding (invalid UTF-8 is read as Latin-1, one char per byte).
    case str
    /// A `bytes` object: formatted as its repr, `b'…'`.
    case bytes

    /// The characters of the Python string the client formats for this key.
    public func pythonScalars(of key: [UInt8]) -> [Unicode.Scalar] {
        switch self {
        case .str:
            if let s = validUTF8(key) { return Array(s.unicodeScalars) }
            return key.map { Unicode.Scalar($0) }
        case .bytes:
            return PythonRepr.bytesRepr(key).map { Unicode.Scalar($0) }
        }
    }

    /// UTF-8 bytes of `str(key)` (what uhashring feeds to md5).
    public func pythonStrUTF8(of key: [UInt8]) -> [UInt8] {
        switch self {
        case .str:
            if validUTF8(key) != nil { return key }
            return Array(String(String.UnicodeScalarView(key.map { Unicode.Scalar($0) })).utf8)
        case .bytes:
            return PythonRepr.bytesRepr(key)
        }
    }
}

/// The string when the bytes are valid UTF-8 (ByteText's strict check), else nil.
func validUTF8(_ bytes: [UInt8]) -> String? {
    bytes.withUnsafeBytes { JSONString.isValidUTF8($0) } ? String(decoding: bytes, as: UTF8.self) : nil
}

/// CPython's `repr(bytes)`, byte for byte.
public enum PythonRepr {
    /// `b'…'` with CPython's quote choice (double quotes when the value has `'` and no `"`),
    /// `\t \n \r \\ \'` escapes and `\xNN` (lower-case hex) for other bytes outside 0x20…0x7e.
    public static func bytesRepr(_ bytes: [UInt8]) -> [UInt8] {
        let sq = UInt8(ascii: "'"), dq = UInt8(ascii: "\""), bs = UInt8(ascii: "\\")
        let quote: UInt8 = (bytes.contains(sq) && !bytes.contains(dq)) ? dq : sq
        var out: [UInt8] = [UInt8(ascii: "b"), quote]
        out.reserveCapacity(bytes.count + 3)
        for c in bytes {
            switch c {
            case quote, bs: out += [bs, c]
            case 0x09: out += [bs, UInt8(ascii: "t")]
            case 0x0a: out += [bs, UInt8(ascii: "n")]
            case 0x0d: out += [bs, UInt8(ascii: "r")]
            case 0x20..<0x7f: out.append(c)
            default: out += [bs, UInt8(ascii: "x"), Hex.lowerDigit(c >> 4), Hex.lowerDigit(c & 15)]
            }
        }
        out.append(quote)
        return out
    }
}
