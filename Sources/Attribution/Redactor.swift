// Attribution/Redactor: token ids are bearer secrets; `--redact` replaces each one by a stable keyed
// digest (HMAC-SHA1 under the operator's key), so equal ids stay equal across records and runs
// with the same key, and nobody without the key can test a guess.

public struct TokenRedactor: Sendable {
    private let key: [UInt8]
    public static let prefix = "redacted-"

    public init(key: [UInt8]) { self.key = key }

    /// `redacted-` + the first 24 hex digits of HMAC-SHA1(key, id).
    public func redact(_ tokenID: String) -> String {
        let mac = SHA1.hmac(key: key, message: Array(tokenID.utf8))
        var s = TokenRedactor.prefix
        for b in mac.prefix(12) {
            let h = String(b, radix: 16)
            s += h.count == 1 ? "0" + h : h
        }
        return s
    }
}
