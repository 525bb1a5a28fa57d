// Attribution/KeystoneValues: reading Keystone's decoded values (canonical JSON) — the
// `usertokens-<uid>` list of (token_id, expiry) pairs, token bodies in their v2 and v3 shapes
//, the revocation list — and Keystone's isotime strings.
import PipelineRecords

public enum KeystoneValues {
    /// The user a token body names, and the token id it carries.
    public struct TokenBody: Sendable, Equatable {
        public var tokenID: String?
        public var user: User?
        /// `v2.0`, `v3.0`, or nil when the body does not say.
        public var version: String?
    }

    /// A token body if `v` looks like one (a dict with `token_data` or `token_version`). One pass over
    /// the value: the members on the way to the token id and the user are walked into, every other
    /// member (the service catalog, roles, …) is stepped over once.
    public static func tokenBody(_ v: JSONSlice) -> TokenBody? {
        guard v.isObject else { return nil }
        var f = BodyPaths()
        guard walk(v.bytes, v.range.lowerBound, .top, &f) != nil else { return nil }
        guard f.tokenData || f.tokenVersion != nil else { return nil }
        let p = v.bytes
        func string(_ r: Range<Int>?) -> String? { r.flatMap { JSONSlice(bytes: p, range: $0).string } }
        var body = TokenBody(tokenID: nil, user: nil, version: string(f.tokenVersion))
        body.tokenID = string(f.id) ?? string(f.key) ?? string(f.accessTokenID)
        for candidate in [f.topUser, f.accessUser, f.v3User] {
            guard let r = candidate, let u = JSONSlice(bytes: p, range: r).members, let id = u[Field.id]?.string else { continue }
            if !id.isEmpty {
                let domain = u[Field.domain]?[Field.name]?.string ?? u[Field.domain]?[Field.id]?.string ?? u[Field.domainID]?.string
                body.user = User(id: id, name: u[Field.name]?.string, domain: domain, inExport: false)
            }
            break
        }
        if body.version == nil { body.version = f.access ? "v2.0" : (f.v3Token ? "v3.0" : nil) }
        return body
    }

    /// Where the members a token body is read by lie (the first of each name).
    struct BodyPaths {
        var id, key, tokenVersion, accessTokenID: Range<Int>?
        var topUser, accessUser, v3User: Range<Int>?
        var tokenData = false, access = false, v3Token = false, accessToken = false
    }

    /// The objects on the way: the body, `token_data`, `token_data.access`, `…access.token`, `token_data.token`.
    enum BodyNode { case top, tokenData, access, accessToken, v3Token }

    /// Walks the object starting at `start` (a `{`) as `node`; returns the index after its `}`, nil when malformed.
    static func walk(_ p: UnsafeRawBufferPointer, _ start: Int, _ node: BodyNode, _ f: inout BodyPaths) -> Int? {
        JSONSkim.walkMembers(p, from: start) { key, vs in
            let isObject = p[vs] == UInt8(ascii: "{")
            var into: BodyNode?
            var capture: WritableKeyPath<BodyPaths, Range<Int>?>?
            func named(_ n: StaticString) -> Bool { JSONSkim.keyEquals(p, key, n) }
            switch node {
            case .top:
                if named(Field.id) {
                    capture = \.id
                } else if named(Field.key) {
                    capture = \.key
                } else if named(Field.tokenVersion) {
                    capture = \.tokenVersion
                } else if named(Field.user) {
                    capture = \.topUser
                } else if named(Field.tokenData), !f.tokenData {
                    f.tokenData = true; if isObject { into = .tokenData }
                }
            case .tokenData:
                if named(Field.access), !f.access {
                    f.access = true; if isObject { into = .access }
                } else if named(Field.token), !f.v3Token {
                    f.v3Token = true; if isObject { into = .v3Token }
                }
            case .access:
                if named(Field.user) {
                    capture = \.accessUser
                } else if named(Field.token), !f.accessToken {
                    f.accessToken = true; if isObject { into = .accessToken }
                }
            case .accessToken:
                if named(Field.id) { capture = \.accessTokenID }
            case .v3Token:
                if named(Field.user) { capture = \.v3User }
            }
            let ve = into.map { walk(p, vs, $0, &f) } ?? JSONSkim.valueEnd(p, from: vs)
            if let end = ve, let capture, f[keyPath: capture] == nil { f[keyPath: capture] = vs..<end }
            return ve
        }
    }

    /// Member names of Keystone's values.
    enum Field {
        static let tokenData: StaticString = "token_data", tokenVersion: StaticString = "token_version"
        static let access: StaticString = "access", token: StaticString = "token", user: StaticString = "user"
        static let id: StaticString = "id", key: StaticString = "key", name: StaticString = "name"
        static let domain: StaticString = "domain", domainID: StaticString = "domain_id", datetime: StaticString = "$datetime"
    }

    /// One `(token_id, expiry)` entry of a user's token list.
    public struct ListEntry: Sendable, Equatable {
        public var tokenID: String
        /// The expiry as written (isotime string or `$datetime` text).
        public var expiresText: String?
        public var expires: Double?
        /// Where the id's JSON string lies in the record's bytes (for redaction in place).
        public var idRange: Range<Int>? = nil
    }

    /// The entries of a usertokens list, if `v` has that shape (an array whose elements are
    /// two-element arrays starting with a string). An empty array counts as a list.
    public static func tokenList(_ v: JSONSlice) -> [ListEntry]? {
        guard let items = v.elements else { return nil }
        var out: [ListEntry] = []
        out.reserveCapacity(items.count)
        for item in items {
            guard let pair = item.elements, pair.count == 2, let id = pair[0].string else { return nil }
            let text = pair[1].string ?? pair[1][Field.datetime]?.string
            out.append(ListEntry(tokenID: id, expiresText: text, expires: text.flatMap(parseISOTime), idRange: pair[0].range))
        }
        return out
    }

    /// True when `v` starts like a token list (an array whose first element is an array starting with
    /// a string, or an empty array), without reading the rest.
    static func looksLikeTokenList(_ v: JSONSlice) -> Bool {
        guard v.isArray else { return false }
        let p = v.bytes
        var i = JSONSkim.skipSpace(p, v.range.lowerBound + 1)
        guard i < v.range.upperBound else { return false }
        if p[i] == UInt8(ascii: "]") { return true }
        guard p[i] == UInt8(ascii: "[") else { return false }
        i = JSONSkim.skipSpace(p, i + 1)
        return i < v.range.upperBound && p[i] == UInt8(ascii: "\"")
    }

    /// Token ids in a revocation list (`[{'id','expires','audit_id'}]`), if `v` has that shape.
    public static func revocationIDs(_ v: JSONSlice) -> [String]? {
        guard let items = v.elements else { return nil }
        var ids: [String] = []
        for item in items {
            guard let id = item[Field.id]?.string else { return nil }
            ids.append(id)
        }
        return ids
    }

    /// Seconds since the epoch of `YYYY-MM-DDTHH:MM:SS[.ffffff][Z]` (UTC; a `+00:00` suffix is accepted).
    public static func parseISOTime(_ s: String) -> Double? {
        let u = Array(s.utf8)
        guard u.count >= 19, u[4] == 0x2D, u[7] == 0x2D, u[10] == 0x54 || u[10] == 0x20, u[13] == 0x3A, u[16] == 0x3A else { return nil }
        func num(_ r: Range<Int>) -> Int? {
            var v = 0
            for i in r {
                guard u[i] >= 0x30 && u[i] <= 0x39 else { return nil }
                v = v * 10 + Int(u[i] - 0x30)
            }
            return v
        }
        guard let y = num(0..<4), let mo = num(5..<7), let d = num(8..<10), let h = num(11..<13), let mi = num(14..<16),
            let sec = num(17..<19), (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, sec < 61
        else { return nil }
        var frac = 0.0
        var i = 19
        if i < u.count && u[i] == 0x2E {
            i += 1
            var scale = 0.1
            while i < u.count, u[i] >= 0x30 && u[i] <= 0x39 {
                frac += Double(u[i] - 0x30) * scale
                scale /= 10
                i += 1
            }
        }
        let rest = String(decoding: u[i...], as: UTF8.self)
        guard rest.isEmpty || rest == "Z" || rest == "+00:00" else { return nil }
        return Double(daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec) + frac
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }
}
