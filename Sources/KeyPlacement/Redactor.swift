// Redactor: token ids are bearer secrets; output carries a stable keyed digest in their place, so the
// same id always maps to the same label within one key, and nobody without the key can test a guess.
import Crypto

// @unchecked: the members are immutable hash states, only ever copied before use.
public struct Redactor: @unchecked Sendable {
    public static let prefix = "redacted:"
    /// Hex characters of the HMAC kept after the prefix (64 bits).
    public static let digestHexLength = 16
    let keyBytes: [UInt8]
    /// HMAC-SHA256 (RFC 2104) with both padded keys already absorbed: SHA-256 states after
    /// `key ⊕ ipad` and after `key ⊕ opad`. Each label copies them (value types), so a label costs the
    /// message's and the digest's blocks only, fed as raw bytes.
    private let inner: SHA256
    private let outer: SHA256

    /// `key`: the secret (e.g. from `--redact-key-file`, or random per run). An empty key is allowed
    /// but then anyone can recompute labels; callers should supply at least 16 random bytes.
    public init(key: [UInt8]) {
        keyBytes = key
        var block = key.count > 64 ? Array(SHA256.hash(data: key)) : key
        block += [UInt8](repeating: 0, count: 64 - block.count)
        var i = SHA256(), o = SHA256()
        i.update(data: block.map { $0 ^ 0x36 })
        o.update(data: block.map { $0 ^ 0x5C })
        inner = i
        outer = o
    }

    /// `redacted:` + the first 16 hex chars of HMAC-SHA256(key, id bytes).
    public func redact(_ tokenID: [UInt8]) -> String {
        tokenID.withUnsafeBytes { redact(bytes: $0) }
    }

    /// The label of an id given as raw bytes.
    public func redact(bytes tokenID: UnsafeRawBufferPointer) -> String {
        var h = inner
        h.update(bufferPointer: tokenID)
        var o = outer
        h.finalize().withUnsafeBytes { o.update(bufferPointer: $0) }
        return o.finalize().withUnsafeBytes { m in
            Self.prefix + KeystoneKeys.hex(UnsafeRawBufferPointer(rebasing: m[0..<(Self.digestHexLength / 2)]))
        }
    }

    public func redact(_ tokenID: String) -> String {
        var id = tokenID
        return id.withUTF8 { redact(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// Whether a string is a label this type produces.
    public static func isRedacted(_ s: String) -> Bool {
        guard s.hasPrefix(prefix) else { return false }
        let rest = s.utf8.dropFirst(prefix.utf8.count)
        return rest.count == digestHexLength && rest.allSatisfy(KeystoneKeys.isLowerHex)
    }
}
