// KeystoneKeys: how Keystone (Kilo…Newton KVS/memcache token persistence) names its memcached keys,
// and recognition of the key shapes found in a dump. Logical keys are mangled with sha1 hex (dogpile's
// sha1_mangle_key); lock keys are not mangled and carry the user id in clear.
import ByteText
import Crypto

public enum KeystoneKeys {
    /// dogpile `sha1_mangle_key`: lower-case sha1 hex of the logical key's bytes.
    public static func mangled(_ logical: [UInt8]) -> String {
        hex(sha1(logical))
    }

    /// The 20 raw bytes of sha1(bytes) (what `mangled` prints as hex).
    public static func sha1(_ bytes: [UInt8]) -> [UInt8] {
        Array(Insecure.SHA1.hash(data: bytes))
    }

    /// sha1 hex of a logical key given as text (its UTF-8 bytes, as Keystone encodes ids).
    public static func mangled(_ logical: String) -> String { mangled(Array(logical.utf8)) }

    /// `usertokens-<user id>`: the user's token list (logical key).
    public static func userTokensLogical(_ userID: String) -> String { "usertokens-" + userID }
    /// `token-<token id>`: one token body (logical key).
    public static func tokenLogical(_ tokenID: String) -> String { "token-" + tokenID }
    /// `revocation-list` (logical key).
    public static let revocationListLogical = "revocation-list"

    /// memcached key of a user's token list.
    public static func userTokensKey(_ userID: String) -> String { mangled(userTokensLogical(userID)) }
    /// memcached key of a token body.
    public static func tokenKey(_ tokenID: String) -> String { mangled(tokenLogical(tokenID)) }
    /// memcached key of the revocation list: `d08fca1361cfc00a936d7c93e4308aceb6ebc6ac`.
    public static let revocationListKey = mangled(revocationListLogical)
    /// memcached key of a user's token list for an id given as raw bytes (LDAP ids need not be UTF-8).
    public static func userTokensKey(_ userID: [UInt8]) -> String { mangled(Array("usertokens-".utf8) + userID) }
    /// memcached key of a token body for an id given as raw bytes.
    public static func tokenKey(_ tokenID: [UInt8]) -> String { mangled(Array("token-".utf8) + tokenID) }
    /// The lock guarding a user's token list, NOT mangled: `_lockusertokens-<user id>`.
    public static func userTokensLockKey(_ userID: String) -> String { "_lock" + userTokensLogical(userID) }

    /// Lower-case hex of bytes.
    public static func hex(_ bytes: [UInt8]) -> String { Hex.lowercase(bytes) }

    /// Lower-case hex of bytes.
    public static func hex(_ bytes: UnsafeRawBufferPointer) -> String { Hex.lowercase(bytes) }
}

/// What a memcached key looks like, before any join.
public enum KeyShape: Sendable, Hashable {
    /// 40 lower-case hex chars: a sha1-mangled logical key (Keystone tokens, lists, dogpile caches).
    case sha1Hex
    /// `_lock<logical>`: Keystone's unmangled lock. `userID` is set for `_lockusertokens-<id>`.
    case lock(logical: String, userID: String?)
    /// keystonemiddleware's `tokens/<sha256 hex>` (`tokens%2F<hex>` in a metadump is decoded first).
    case middlewareToken(sha256Hex: String)
    /// Anything else.
    case other
}

extension KeystoneKeys {
    /// Classifies a key as sent to memcached. URI-encoded keys (as `lru_crawler metadump` prints them)
    /// should be decoded with `PercentEncoding.decodeLenient` first; `shape(ofMetadumpKey:)` does both.
    public static func shape(of key: [UInt8]) -> KeyShape {
        if key.count == 40, key.allSatisfy(isLowerHex) { return .sha1Hex }
        let lock = Array("_lock".utf8)
        if key.count > lock.count, key.starts(with: lock) {
            let logical = String(decoding: key[lock.count...], as: UTF8.self)
            let prefix = "usertokens-"
            let user =
                logical.hasPrefix(prefix) && logical.count > prefix.count
                ? String(logical.dropFirst(prefix.count)) : nil
            return .lock(logical: logical, userID: user)
        }
        let tokens = Array("tokens/".utf8)
        if key.count == tokens.count + 64, key.starts(with: tokens), key[tokens.count...].allSatisfy(isLowerHex) {
            return .middlewareToken(sha256Hex: String(decoding: key[tokens.count...], as: UTF8.self))
        }
        return .other
    }

    /// `shape(of:)` after URI-decoding a metadump key.
    public static func shape(ofMetadumpKey key: [UInt8]) -> KeyShape { shape(of: PercentEncoding.decodeLenient(key)) }

    static func isLowerHex(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x66)
    }
}
