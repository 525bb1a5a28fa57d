// Attribution/Attributor: one pass over decode's NDJSON. Each item record gets `kind`,
// `logical_key`, `user`, `via`, `tokens` (for token lists) and `placement`, appended to the record's
// own bytes (nothing else changes, unless token ids are redacted). Memory: the user table, one
// 28-byte entry per token id met in a token list (sha1("token-"+id) → user), and one clock per host.
import ByteText
import KeyPlacement
import PipelineRecords

public struct AttributionOptions: Sendable {
    /// The client's ordered server list; placement is computed only when it is given.
    public var servers: [ServerSpec]?
    /// The client whose distribution decides where a key belongs (default: the Kilo-era python-memcached).
    public var client: ClientPlacement = .pythonMemcached159
    /// `[token] expiration`: the implied issue rate of a list is its live entries / ttl.
    public var tokenTTL: Double = 3600
    public var redactor: Redactor?
    /// Server clock to use for hosts without a source record before their items.
    public var captureTime: Double?
    public init() {}
}

/// Keystone's key families (`kind`, docs/attribute.md).
public enum KeyKind: String, Sendable, CaseIterable {
    case usertokens, token, revocationList = "revocation-list", lock, cache, unknown
}

/// How an item was attributed (`via`).
public enum Via: String, Sendable, CaseIterable {
    case usertokensSHA1 = "usertokens-sha1", tokenList = "token-list", tokenBody = "token-body", lockKey = "lock-key"
    case revocationList = "revocation-list", valueShape = "value-shape", dogpileEnvelope = "dogpile-envelope"
    case keyPrefix = "key-prefix", none
}

/// A record line attribute could not use (it is passed through unchanged).
public struct AttributionIssue: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// True when the rest of the input cannot be trusted either (a record stream of another schema).
    public var fatal = false
    public var description: String { message }
}

public final class Attributor {
    public static let revocationListKey = KeystoneKeys.revocationListKey
    public static let valueCeiling = 1_048_576.0

    public let options: AttributionOptions
    public private(set) var users: [User]
    private var byID: [String: Int] = [:]
    private var byListKey: [Digest20: Int] = [:]
    private var tokenOwner: [Digest20: Int32] = [:]
    private var clocks: [String: Double] = [:]
    /// Latest server time seen in items per host (`la`, dogpile `ct`): the clock of last resort.
    private var latestSeen: [String: Double] = [:]
    /// The placement scheme over `options.servers`, with the servers' names.
    private let placer: (scheme: any PlacementScheme, names: [String])?
    /// Items per kind and per via, for the closing summary.
    public private(set) var kindCounts: [KeyKind: Int] = [:]
    public private(set) var viaCounts: [Via: Int] = [:]
    public private(set) var misplaced = 0
    public private(set) var recordsSeen = 0

    /// Throws when the server list cannot make a scheme (e.g. every weight 0).
    public init(users: [User], options: AttributionOptions) throws(PlacementError) {
        self.options = options
        self.users = []
        if let servers = options.servers {
            placer = (try options.client.scheme(servers: servers), servers.map(\.address))
        } else {
            placer = nil
        }
        for u in users { _ = addUser(u) }
    }

    /// Number of token ids remembered from token lists.
    public var tokenMapCount: Int { tokenOwner.count }
    /// Users seen in token bodies but absent from the export.
    public var usersNotInExport: [User] { users.filter { !$0.inExport } }

    private func addUser(_ u: User) -> Int {
        if let i = byID[u.id] { return i }
        users.append(u)
        let i = users.count - 1
        byID[u.id] = i
        byListKey[Digest20(logicalKey: KeystoneKeys.userTokensLogical(u.id))] = i
        return i
    }

    /// Attributes one NDJSON line and appends the output line (with `\n`) to `out`.
    /// Lines that are not item records, and lines that cannot be parsed, pass through unchanged
    /// (the latter also throw after being written, so the caller can count them).
    public func process(_ line: ArraySlice<UInt8>, into out: inout [UInt8]) throws(AttributionIssue) {
        recordsSeen += 1
        let parsed: JSONValue
        var valueRange: Range<Int>?
        do throws(JSONParseError) {
            let record = try JSONParser.parse(line, skipping: LazyValue.member)
            parsed = record.value
            valueRange = record.skipped["value"]
        } catch {
            out.append(contentsOf: line); out.append(0x0A)
            throw AttributionIssue(message: "not a JSON record: \(error)")
        }
        if let problem = RecordCheck.problem(in: parsed) {
            if !problem.fatal { out.append(contentsOf: line); out.append(0x0A) }
            throw AttributionIssue(message: "bad record: \(problem.message)", fatal: problem.fatal)
        }
        switch parsed["type"]?.string {
        case "source":
            noteClock(parsed)
            out.append(contentsOf: line); out.append(0x0A)
        case "item":
            guard let end = line.lastIndex(of: UInt8(ascii: "}")) else {
                out.append(contentsOf: line); out.append(0x0A)
                return
            }
            var w = NDJSONWriter(capacity: 512)
            let value = LazyValue(line: line, range: valueRange)
            let redactIDs = attribute(parsed, value: value, into: &w)
            var body = Array(line[line.startIndex..<end])
            if let r = options.redactor, !redactIDs.isEmpty { body = Attributor.replace(redactIDs, in: body, with: r) }
            out.append(contentsOf: body)
            out.append(contentsOf: w.buffer)
            out.append(contentsOf: "}\n".utf8)
        default:
            out.append(contentsOf: line); out.append(0x0A)
        }
    }

    static func hostKey(_ r: JSONValue) -> String? {
        guard let host = r["host"]?.string else { return nil }
        if let port = r["port"]?.int { return "\(host):\(port)" }
        return host
    }

    private func noteClock(_ r: JSONValue) {
        guard let host = Attributor.hostKey(r) else { return }
        let w = r["window"]
        let t = w?["end"]?.double ?? w?["start"]?.double ?? r["stats"]?["end"]?["general"]?["time"]?.string.flatMap(Double.init)
            ?? r["stats"]?["start"]?["general"]?["time"]?.string.flatMap(Double.init)
        if let t { clocks[host] = t }
    }

    /// Writes the added fields (each preceded by a comma) and returns the token ids to redact.
    private func attribute(_ r: JSONValue, value lazyValue: LazyValue, into w: inout NDJSONWriter) -> [String] {
        let keyText = r["key"]?.string ?? r["key_b64"]?.string.flatMap { Base64.decode($0) }.map { String(decoding: $0, as: UTF8.self) }
        let keyBytes: [UInt8] = r["key"]?.string.map { Array($0.utf8) } ?? r["key_b64"]?.string.flatMap { Base64.decode($0) } ?? []
        let key = keyText ?? ""
        if let host = Attributor.hostKey(r) {
            let seen = max(r["la"]?.double ?? 0, r["dogpile"]?["ct"]?.double ?? 0)
            if seen > latestSeen[host] ?? 0 { latestSeen[host] = seen }
        }
        var kind = KeyKind.unknown
        var via = Via.none
        var logical: String?
        var owner: Int?
        var secrets: [String] = []
        var list: [KeystoneValues.ListEntry]?
        let digest = Digest20(hex: key)
        let redact = { (id: String) -> String in self.options.redactor?.redact(id) ?? id }

        if key == Attributor.revocationListKey {
            kind = .revocationList; via = .revocationList; logical = "revocation-list"
            if let v = lazyValue.tree, let ids = KeystoneValues.revocationIDs(v) { secrets = ids }
        } else if key.hasPrefix("_lock") {
            kind = .lock; via = .lockKey; logical = key
            let target = String(key.dropFirst(5))
            if target.hasPrefix("usertokens-") {
                let id = String(target.dropFirst("usertokens-".count))
                owner = byID[id] ?? addUser(User(id: id, inExport: false))
            }
        } else if let d = digest, let u = byListKey[d] {
            kind = .usertokens; via = .usertokensSHA1; owner = u; logical = "usertokens-" + users[u].id
            if let v = lazyValue.tree { list = KeystoneValues.tokenList(v) }
        } else if let d = digest, let u = tokenOwner[d] {
            kind = .token; via = .tokenList; owner = Int(u)
            if let v = lazyValue.tree, let b = KeystoneValues.tokenBody(v), let id = b.tokenID { secrets = [id]; logical = "token-" + redact(id) }
        } else if let v = lazyValue.tree, let b = KeystoneValues.tokenBody(v) {
            kind = .token; via = .tokenBody
            if let id = b.tokenID {
                secrets = [id]
                if KeystoneKeys.tokenKey(id) == key.lowercased() { logical = "token-" + redact(id) }
            }
            if let u = b.user { owner = byID[u.id] ?? addUser(u) }
        } else if let v = lazyValue.tree, let entries = KeystoneValues.tokenList(v), !entries.isEmpty {
            kind = .usertokens; via = .valueShape; list = entries
        } else if key.hasPrefix("tokens/") || key.hasPrefix("tokens%2F") {
            kind = .cache; via = .keyPrefix
        } else if r["dogpile"] != nil {
            kind = .cache; via = .dogpileEnvelope
        }
        if let entries = list {
            secrets = entries.map(\.tokenID)
            if let u = owner {
                for e in entries { tokenOwner[Digest20(logicalKey: KeystoneKeys.tokenLogical(e.tokenID))] = Int32(u) }
            }
        }
        kindCounts[kind, default: 0] += 1
        viaCounts[via, default: 0] += 1

        w.buffer.append(contentsOf: ",\"kind\":".utf8); w.buffer.append(contentsOf: quoted(kind.rawValue))
        w.buffer.append(contentsOf: ",\"logical_key\":".utf8)
        if let logical { w.buffer.append(contentsOf: quoted(logical)) } else { w.buffer.append(contentsOf: "null".utf8) }
        w.buffer.append(contentsOf: ",\"user\":".utf8)
        if let o = owner {
            let u = users[o]
            var uw = NDJSONWriter(capacity: 128)
            uw.beginObject()
            uw.key("id"); uw.string(u.id)
            uw.key("name"); if let n = u.name { uw.string(n) } else { uw.null() }
            uw.key("domain"); if let d = u.domain { uw.string(d) } else { uw.null() }
            uw.key("in_export"); uw.bool(u.inExport)
            uw.endObject()
            w.buffer.append(contentsOf: uw.buffer)
        } else {
            w.buffer.append(contentsOf: "null".utf8)
        }
        w.buffer.append(contentsOf: ",\"via\":".utf8); w.buffer.append(contentsOf: quoted(via.rawValue))
        if let entries = list { writeTokens(entries, record: r, into: &w) }
        if let placer { writePlacement(placer, keyBytes: keyBytes, found: Attributor.hostKey(r), into: &w) }
        return secrets
    }

    private func quoted(_ s: String) -> [UInt8] {
        var w = NDJSONWriter(capacity: s.utf8.count + 2)
        w.string(s)
        return w.buffer
    }

    private func writeTokens(_ entries: [KeystoneValues.ListEntry], record r: JSONValue, into w: inout NDJSONWriter) {
        let host = Attributor.hostKey(r)
        var clockSource = "source"
        var clock = host.flatMap { clocks[$0] }
        if clock == nil, let t = options.captureTime { clock = t; clockSource = "option" }
        if clock == nil, let t = host.flatMap({ latestSeen[$0] }), t > 0 { clock = t; clockSource = "last-seen" }
        let times = entries.compactMap(\.expires)
        let expired = clock.map { c in times.filter { $0 <= c }.count }
        let live = entries.count - (expired ?? 0)
        var tw = NDJSONWriter(capacity: 256)
        tw.beginObject()
        tw.key("entries"); tw.int(entries.count)
        tw.key("expired"); if let expired { tw.int(expired) } else { tw.null() }
        tw.key("clock"); if let clock { tw.double(clock) } else { tw.null() }
        tw.key("clock_source"); if clock != nil { tw.string(clockSource) } else { tw.null() }
        let first = entries.min { ($0.expires ?? .infinity) < ($1.expires ?? .infinity) }
        let last = entries.max { ($0.expires ?? -.infinity) < ($1.expires ?? -.infinity) }
        tw.key("first_expiry"); if let t = first?.expiresText, first?.expires != nil { tw.string(t) } else { tw.null() }
        tw.key("last_expiry"); if let t = last?.expiresText, last?.expires != nil { tw.string(t) } else { tw.null() }
        tw.key("ttl"); tw.double(options.tokenTTL)
        tw.key("issue_rate"); tw.double(options.tokenTTL > 0 ? Double(live) / options.tokenTTL : 0)
        if let size = r["size"]?.double {
            tw.key("ceiling_share"); tw.double(size / Attributor.valueCeiling)
        }
        tw.endObject()
        w.buffer.append(contentsOf: ",\"tokens\":".utf8)
        w.buffer.append(contentsOf: tw.buffer)
    }

    private func writePlacement(
        _ placer: (scheme: any PlacementScheme, names: [String]), keyBytes: [UInt8], found: String?,
        into w: inout NDJSONWriter
    ) {
        var pw = NDJSONWriter(capacity: 160)
        pw.beginObject()
        let p = placer.scheme.placement(for: keyBytes)
        let expected = placer.names[p.serverIndex]
        pw.key("expected"); pw.string(expected)
        pw.key("hash"); pw.uint(p.hash)
        pw.key("scheme"); pw.string(placer.scheme.name)
        let ok = expected == found
        pw.key("ok"); pw.bool(ok)
        if !ok, let found, let modulo = placer.scheme as? PythonMemcachedModulo {
            // Where the found host sits in the client's dead-server retry chain (0 = home).
            let chain = modulo.retryChain(for: keyBytes) { _ in true }
            let step = chain.firstIndex { placer.names[$0] == found }
            pw.key("failover_step"); if let step { pw.int(step) } else { pw.null() }
        }
        pw.endObject()
        if !ok { misplaced += 1 }
        w.buffer.append(contentsOf: ",\"placement\":".utf8)
        w.buffer.append(contentsOf: pw.buffer)
    }

    /// Replaces every JSON string `"<id>"` for the given ids by its redacted form.
    static func replace(_ ids: [String], in body: [UInt8], with r: Redactor) -> [UInt8] {
        var map: [[UInt8]: [UInt8]] = [:]
        for id in ids where !id.isEmpty { map[Array(id.utf8)] = Array(r.redact(id).utf8) }
        guard let shortest = map.keys.map(\.count).min(), let longest = map.keys.map(\.count).max() else { return body }
        var out: [UInt8] = []
        out.reserveCapacity(body.count)
        var i = 0
        while i < body.count {
            if body[i] == 0x22 {
                // A JSON string: find its end (escapes cannot occur in hex ids, so compare raw bytes).
                var j = i + 1
                while j < body.count, body[j] != 0x22 { j += body[j] == 0x5C ? 2 : 1 }
                let len = j - i - 1
                if j < body.count, len >= shortest, len <= longest, let rep = map[Array(body[(i + 1)..<j])] {
                    out.append(0x22); out.append(contentsOf: rep); out.append(0x22)
                    i = j + 1
                    continue
                }
                let stop = min(j + 1, body.count)
                out.append(contentsOf: body[i..<stop])
                i = stop
                continue
            }
            out.append(body[i])
            i += 1
        }
        return out
    }
}

/// An item's `value`, parsed only when a join asks for it, and then without the members no join reads
/// (service catalogs, the bulk of a token body).
final class LazyValue {
    /// The record member read lazily.
    static let member: Set<String> = ["value"]
    static let unneeded: Set<String> = ["catalog", "serviceCatalog"]
    private let line: ArraySlice<UInt8>
    private let range: Range<Int>?
    private var parsed = false
    private var cached: JSONValue?

    init(line: ArraySlice<UInt8>, range: Range<Int>?) {
        self.line = line
        self.range = range
    }

    /// The value's tree; nil when the record has no value or it does not parse.
    var tree: JSONValue? {
        if parsed { return cached }
        parsed = true
        guard let range else { return nil }
        let start = line.startIndex + range.lowerBound
        let end = line.startIndex + range.upperBound
        cached = try? JSONParser.parse(line[start..<end], skipping: LazyValue.unneeded).value
        return cached
    }
}
