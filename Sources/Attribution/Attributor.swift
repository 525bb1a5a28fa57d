// Attribution/Attributor: attribute's joins over decode's NDJSON, exact whatever the record order and
// the same bytes on any number of threads.
//
// Main pass (`attributeBlock`, on worker threads, blocks of whole lines): each record is attributed
// from its own bytes and the exported user list only — never from what other records said — so a
// block's output does not depend on which blocks came before. `kind`, `logical_key`, `user`, `via`,
// `tokens` and `placement` are appended to the record's own bytes (token ids replaced in place with
// --redact); everything else passes through byte for byte. The records whose attribution needs the
// whole stream are held back (`deferred`): token lists (their `expired` figure needs the capture's
// clock, which decode writes after the items; their owner may be a user met only in a token body) and
// sha1-shaped keys that nothing in their own record identifies (a token whose body was not decoded,
// a list of a user not in the export).
//
// End (`finish`): with the whole stream seen — users met in token bodies and lock keys, each host's
// clock, the token ids of every list — the held records are attributed and written after the others,
// in their input order. Memory: the user table, one entry per token id in a list, one clock per host;
// held records wait in a spool (DeferredRecords), not in memory.
//
// Facts of other streams (`addFacts`, attribute --facts; StreamFactsFile): their users and token lists
// join the held records at the end exactly as if their records had been in this stream; `streamFacts`
// gives this stream's own (attribute --facts-out), with the number of held records that depend on them.
import ByteText
import KeyPlacement
import KeyFamilies
import LineBlocks
import PipelineRecords
import JSONText

public struct AttributionOptions: Sendable {
    /// The client's ordered server list; placement is computed only when it is given.
    public var servers: [ServerSpec]?
    /// The client whose distribution decides where a key belongs (default: the Kilo-era python-memcached).
    public var client: ClientPlacement = .pythonMemcached159
    /// True when the operator named `client` (`--client`): it then holds for every item. Otherwise it holds
    /// only for Keystone's keys, and the other items get the schemes that fit them (`placement.fits`).
    public var clientGiven = false
    /// `[token] expiration`: the implied issue rate of a list is its live entries / ttl.
    public var tokenTTL: Double = 3600
    public var redactor: Redactor?
    /// Server clock to use for hosts without a source record.
    public var captureTime: Double?
    public init() {}
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

/// What the main pass made of one block: the output, the held records, and what it learnt.
public struct BlockAttribution: Sendable {
    /// Output lines (each ending in `\n`).
    public var output: [UInt8] = []
    /// Held records (each ending in `\n`), in order.
    public var deferred: [UInt8] = []
    public var deferredCount = 0
    /// Problems, with their line numbers; a fatal one ends the block.
    public var issues: [(line: Int, issue: AttributionIssue)] = []
    public var records = 0
    var learnt = StreamFacts()
    var counts = Counts()
}

/// What the stream says beyond each record: users met, list contents, clocks.
struct StreamFacts: Sendable {
    /// Users not in the export, met in token bodies or lock keys, in order of first meeting.
    var users: [User] = []
    /// Held records that need the token lists' contents (a token key its own record does not identify).
    var needingLists = 0
    /// The clock of the last `source` record per host.
    var clocks: [String: Double] = [:]
    /// Latest server time seen in items per host (`la`, dogpile `ct`): the clock of last resort.
    var latestSeen: [String: Double] = [:]
}

struct Counts: Sendable {
    var kinds: [KeyKind: Int] = [:]
    var vias: [Via: Int] = [:]
    var misplaced = 0
    /// `traffic` records attributed (counted apart from items).
    var traffic = 0
    /// Held records whose owner or kind other streams' facts decide or could change (StreamFactsFile).
    var sensitive = 0

    mutating func add(_ o: Counts) {
        for (k, v) in o.kinds { kinds[k, default: 0] += v }
        for (k, v) in o.vias { vias[k, default: 0] += v }
        misplaced += o.misplaced
        traffic += o.traffic
        sensitive += o.sensitive
    }
}

public final class Attributor: @unchecked Sendable {
    public static let revocationListKey = KeystoneKeys.revocationListKey

    public let options: AttributionOptions
    /// The export (fixed for the main pass).
    let exported: [User]
    let exportedByID: [String: Int]
    let exportedByListKey: [Digest20: Int]
    /// `user` objects of the exported users, rendered once.
    let exportedJSON: [[UInt8]]
    /// The placement scheme over `options.servers`, with the servers' names.
    let placer: (scheme: any PlacementScheme, names: [String])?
    /// Every client scheme over `options.servers` (not jump: what-if only), for the items whose client
    /// is not known: which of them put the key where it was found.
    let candidates: [(name: String, scheme: any PlacementScheme)]

    // Whole-stream state, merged in input order by the caller's thread.
    private var facts = StreamFacts()
    private var discoveredByID: [String: Int] = [:]
    private var counts = Counts()
    public private(set) var recordsSeen = 0
    /// Final join tables: list keys of every user, and token key → owner (an index into `owners`, -1
    /// for a list nobody is known to own), built by `prepareFinish` when a held record needs it.
    private var byListKey: [Digest20: User] = [:]
    private var owners: [User] = []
    private var tokenOwnerTable: [Digest20: Int32]?
    /// Other streams' facts (`addFacts`): their users not in the export (fullest description each) and
    /// their token lists; this stream's own held lists, read by `prepareFinish` for `streamFacts`.
    private var outsideUsers: [String: User] = [:]
    private var outsideLists: [TokenListFact] = []
    private var ownLists: [TokenListFact] = []

    /// Throws when the server list cannot make a scheme (e.g. every weight 0).
    public init(users: [User], options: AttributionOptions) throws(PlacementError) {
        self.options = options
        if let servers = options.servers {
            placer = (try options.client.scheme(servers: servers), servers.map(\.address))
            var all: [(name: String, scheme: any PlacementScheme)] = []
            for c in ClientPlacement.allCases where c != .jump {
                if let scheme = try? c.scheme(servers: servers) { all.append((c.rawValue, scheme)) }
            }
            candidates = all
        } else {
            placer = nil
            candidates = []
        }
        var list: [User] = []
        var byID: [String: Int] = [:]
        var byKey: [Digest20: Int] = [:]
        for u in users where byID[u.id] == nil {
            byID[u.id] = list.count
            byKey[Digest20(logicalKey: KeystoneKeys.userTokensLogical(u.id))] = list.count
            list.append(u)
        }
        exported = list
        exportedByID = byID
        exportedByListKey = byKey
        exportedJSON = list.map(Attributor.userJSON)
    }

    public var kindCounts: [KeyKind: Int] { counts.kinds }
    public var viaCounts: [Via: Int] { counts.vias }
    public var misplaced: Int { counts.misplaced }
    public var trafficRecords: Int { counts.traffic }
    /// Users seen in token bodies or lock keys but absent from the export, in order of first meeting.
    public var usersNotInExport: [User] { facts.users }
    /// Held records whose owner or kind depended on, or could change with, other streams' facts.
    public var sensitiveRecords: Int { counts.sensitive }

    static func userJSON(_ u: User) -> [UInt8] {
        var w = NDJSONWriter(capacity: 128)
        w.beginObject()
        w.key(.userID); w.string(u.id)
        w.key(.userName); if let n = u.name { w.string(n) } else { w.null() }
        w.key(.userDomain); if let d = u.domain { w.string(d) } else { w.null() }
        w.key(.userInExport); w.bool(u.inExport)
        w.endObject()
        return w.buffer
    }

    // MARK: main pass (any thread)

    /// Attributes a block's lines. Pure: reads only the export and the options.
    public func attributeBlock(_ lines: (((UnsafeRawBufferPointer, Int) -> Bool) -> Void)) -> BlockAttribution {
        var b = BlockAttribution()
        b.output.reserveCapacity(1 << 20)
        lines { line, number in
            b.records += 1
            let r: RecordView
            do throws(RecordSyntaxError) { r = try RecordView(line) } catch {
                Attributor.passThrough(line, &b.output)
                b.issues.append((number, AttributionIssue(message: "not a JSON record: \(error)")))
                return true
            }
            if let problem = RecordCheck.problem(in: r) {
                if problem.fatal {
                    b.issues.append((number, AttributionIssue(message: "bad record: \(problem.message)", fatal: true)))
                    return false
                }
                Attributor.passThrough(line, &b.output)
                b.issues.append((number, AttributionIssue(message: "bad record: \(problem.message)")))
                return true
            }
            switch r.type {
            case .source?:
                if let host = r.hostKey, let t = Attributor.clock(ofSource: line) { b.learnt.clocks[host] = t }
                Attributor.passThrough(line, &b.output)
            case .item?, .traffic?:
                // A traffic record is attributed as an item whose value is not known (docs/attribute.md).
                if !attributeItem(r, phase: .main, into: &b.output, learnt: &b.learnt, counts: &b.counts) {
                    Attributor.passThrough(line, &b.deferred)
                    b.deferredCount += 1
                }
            default:
                Attributor.passThrough(line, &b.output)
            }
            return true
        }
        return b
    }

    static func passThrough(_ line: UnsafeRawBufferPointer, _ out: inout [UInt8]) {
        out.append(contentsOf: line)
        out.append(0x0A)
    }

    /// The capture time a `source` record gives: `window.end`, else `window.start`, else the `time`
    /// of its last, then first, stats sample.
    static func clock(ofSource line: UnsafeRawBufferPointer) -> Double? {
        guard let r = try? RecordView(line) else { return nil }
        if let w = r[.window] {
            if let t = w[.windowEnd]?.double ?? w[.windowStart]?.double { return t }
        }
        let stats = r[.stats]
        for sample in [RecordField.windowEnd, .windowStart] {
            if let t = stats?[sample]?[.statsGeneral]?[.statsTime]?.string.flatMap(Double.init) { return t }
        }
        return nil
    }

    // MARK: merging (caller's thread, input order)

    /// Takes in what a block learnt (call in input order, before `finish`).
    public func merge(_ b: BlockAttribution) {
        recordsSeen += b.records
        counts.add(b.counts)
        for u in b.learnt.users where exportedByID[u.id] == nil {
            if let i = discoveredByID[u.id] {
                // The same user in several token bodies: keep the fullest description, whatever the order.
                if Attributor.fuller(u, than: facts.users[i]) { facts.users[i] = u }
            } else {
                discoveredByID[u.id] = facts.users.count
                facts.users.append(u)
            }
        }
        facts.needingLists += b.learnt.needingLists
        for (h, t) in b.learnt.clocks { facts.clocks[h] = t }
        for (h, t) in b.learnt.latestSeen where t > facts.latestSeen[h] ?? 0 { facts.latestSeen[h] = t }
    }

    /// An order-independent choice between two descriptions of one user (`UserDescription`).
    static func fuller(_ a: User, than b: User) -> Bool {
        UserDescription.fuller(name: a.name, domain: a.domain, than: b.name, b.domain)
    }

    /// Takes in other streams' facts (call before `prepareFinish`, in any order, any number of times):
    /// their users and token lists then join the held records as if their records had been in this stream.
    /// A user of the export stays the export's; clocks are per host and never taken from facts.
    public func addFacts(_ f: StreamFactsFile) {
        for u in f.users where exportedByID[u.id] == nil {
            if let old = outsideUsers[u.id], !Attributor.fuller(u, than: old) { continue }
            outsideUsers[u.id] = u
        }
        outsideLists += f.lists
    }

    /// This stream's facts for other streams (after the held records): the users met outside the export,
    /// the held token lists (read only when `prepareFinish` was asked for them) and the sensitive count.
    public func streamFacts() -> StreamFactsFile {
        StreamFactsFile(users: facts.users, lists: ownLists, sensitive: counts.sensitive)
    }

    // MARK: end of stream (caller's thread)

    /// Builds the whole-stream join tables (with other streams' facts, `addFacts`); then `attributeHeld`
    /// attributes each held record. The token lists (all held) are read for their token ids only when some
    /// held record needs them, or `listsForFacts` (for `streamFacts`).
    public func prepareFinish(held: DeferredRecords, listsForFacts: Bool = false) throws(ByteReadError) {
        // The users met outside the export, here and in other streams' facts: the fullest description each.
        var discovered: [String: User] = outsideUsers
        for u in facts.users {
            if let old = discovered[u.id], !Attributor.fuller(u, than: old) { continue }
            discovered[u.id] = u
        }
        for u in exported { byListKey[Digest20(logicalKey: KeystoneKeys.userTokensLogical(u.id))] = u }
        for u in discovered.values { byListKey[Digest20(logicalKey: KeystoneKeys.userTokensLogical(u.id))] = u }
        guard facts.needingLists > 0 || listsForFacts else { return }
        var lists: [TokenListFact] = []
        try held.forEach { line in
            guard let r = try? RecordView(line), r.type == .item, let d = r[.key]?.string.flatMap({ Digest20(hex: $0) }),
                let v = r[.value], let entries = KeystoneValues.tokenList(v)
            else { return }
            lists.append(TokenListFact(list: d, tokens: entries.map { Digest20(logicalKey: KeystoneKeys.tokenLogical($0.tokenID)) }))
        }
        if listsForFacts { ownLists = lists }
        guard facts.needingLists > 0 else { return }
        lists += outsideLists
        // Owners are numbered in user-id order, so a token named by two lists (two owners) gets the same
        // one whatever the order of the lists (and whichever stream they came from): the smaller number.
        let named = Set(lists.compactMap { byListKey[$0.list]?.id })
        owners = named.sorted().compactMap { id in exportedByID[id].map { exported[$0] } ?? discovered[id] }
        var index: [String: Int32] = [:]
        for (i, u) in owners.enumerated() { index[u.id] = Int32(i) }
        var table: [Digest20: Int32] = [:]
        table.reserveCapacity(lists.reduce(0) { $0 + $1.tokens.count })
        for l in lists {
            // -1: a list nobody is known to own.
            let i = byListKey[l.list].flatMap { index[$0.id] } ?? -1
            for t in l.tokens {
                let old = table[t] ?? -1
                if old < 0 || (i >= 0 && i < old) { table[t] = i }
            }
        }
        tokenOwnerTable = table
    }

    /// Whether a token list of the stream names this token key, and that list's owner if known.
    private func tokenOwner(_ d: Digest20) -> (named: Bool, owner: User?) {
        guard let i = tokenOwnerTable?[d] else { return (false, nil) }
        return (true, i >= 0 ? owners[Int(i)] : nil)
    }

    /// Attributes one held record with everything the stream said, appending the output line.
    public func attributeHeld(_ line: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        var c = Counts()
        attributeHeld(line, into: &out, counts: &c)
        counts.add(c)
    }

    /// Attributes a block of held records (any thread, after `prepareFinish`); `mergeHeld` takes in
    /// the result, in order.
    public func attributeHeldBlock(_ lines: (((UnsafeRawBufferPointer, Int) -> Bool) -> Void)) -> BlockAttribution {
        var b = BlockAttribution()
        lines { line, _ in
            attributeHeld(line, into: &b.output, counts: &b.counts)
            return true
        }
        return b
    }

    public func mergeHeld(_ b: BlockAttribution) { counts.add(b.counts) }

    private func attributeHeld(_ line: UnsafeRawBufferPointer, into out: inout [UInt8], counts: inout Counts) {
        guard let r = try? RecordView(line) else { Attributor.passThrough(line, &out); return }
        var learnt = StreamFacts()
        _ = attributeItem(r, phase: .final, into: &out, learnt: &learnt, counts: &counts)
    }

    // MARK: one item

    enum Phase { case main, final }

    /// Writes the attributed item and returns true, or (main phase only) returns false to hold it.
    private func attributeItem(
        _ r: RecordView, phase: Phase, into out: inout [UInt8], learnt: inout StreamFacts, counts: inout Counts
    ) -> Bool {
        let keySlice = r[.key]
        let key = keySlice?.string ?? ""
        let keyBytes = r.keyBytes ?? []
        let host = r.hostKey
        if phase == .main, let host {
            let seen = max(r[.la]?.double ?? 0, r[.dogpile]?[.dogpileCreated]?.double ?? 0)
            if seen > learnt.latestSeen[host] ?? 0 { learnt.latestSeen[host] = seen }
        }
        let value = r[.value]
        let digest = Digest20(hex: key)
        var kind = KeyKind.unknown
        var via = Via.none
        var logical: String?
        var owner: UserRef = .none
        var secrets: [String] = []
        var list: [KeystoneValues.ListEntry]?
        /// A token body's id, and its label when already computed for `logical_key`.
        var tokenID: String?
        var logicalLabel: String?
        let redact = { (id: String) -> String in self.options.redactor?.redact(id) ?? id }
        /// A held record whose owner or kind other streams' facts decide or could change: its owner is a
        /// user met outside the export, or was found through the token lists, or nothing identified it.
        var sensitive = false

        let exportedList = digest.flatMap { exportedByListKey[$0] }
        // A token list (or what starts like one): held to the end (clock, owner).
        let listCandidate = value.map { v in KeystoneValues.looksLikeTokenList(v) || (exportedList != nil && v.isArray) } ?? false
        if phase == .main && listCandidate { return false }
        if listCandidate, let v = value {
            list = KeystoneValues.tokenList(v)
            if let d = digest, let u = byListKey[d] {
                kind = .usertokens; via = .usertokensSHA1; owner = ownerRef(u); logical = KeystoneKeys.userTokensLogical(u.id)
                sensitive = exportedByID[u.id] == nil
            } else if let entries = list, !entries.isEmpty {
                kind = .usertokens; via = .valueShape
                sensitive = digest != nil
            } else {
                list = nil
                sensitive = digest != nil
            }
        }
        if kind != .unknown {
            // Decided above.
        } else if key == Attributor.revocationListKey {
            kind = .revocationList; via = .revocationList; logical = KeystoneKeys.revocationListLogical
            if let v = value, let ids = KeystoneValues.revocationIDs(v) { secrets = ids }
        } else if key.hasPrefix("_lock") {
            kind = .lock; via = .lockKey; logical = key
            let target = key.dropFirst(5)
            if target.hasPrefix("usertokens-") {
                let id = String(target.dropFirst("usertokens-".count))
                if let i = exportedByID[id] {
                    owner = .exported(i)
                } else {
                    let u = User(id: id, inExport: false)
                    owner = .other(u)
                    learnt.users.append(u)
                }
            }
        } else if let i = exportedList {
            kind = .usertokens; via = .usertokensSHA1; owner = .exported(i); logical = KeystoneKeys.userTokensLogical(exported[i].id)
        } else if let v = value, let b = KeystoneValues.tokenBody(v) {
            kind = .token; via = .tokenBody
            if let id = b.tokenID {
                secrets = [id]
                tokenID = id
                if let d = digest, Digest20(logicalKey: KeystoneKeys.tokenLogical(id)) == d {
                    let label = redact(id)
                    if options.redactor != nil { logicalLabel = label }
                    logical = KeystoneKeys.tokenLogical(label)
                }
            }
            if let u = b.user {
                if let i = exportedByID[u.id] {
                    owner = .exported(i)
                } else {
                    owner = .other(u)
                    learnt.users.append(u)
                }
            } else if let d = digest {
                // A body without its user: only a list can tell (at the end).
                guard phase == .final else { learnt.needingLists += 1; return false }
                let named = tokenOwner(d)
                if let u = named.owner { owner = ownerRef(u); via = .tokenList }
                sensitive = true
            }
        } else if let d = digest, !Attributor.decoded(value) || r[.dogpile] == nil {
            // A sha1-shaped key whose own record does not say what it is (its value not decoded, or a
            // value of no known shape): the list of a user met elsewhere, or a token named by a list.
            // Known only at the end.
            guard phase == .final else { learnt.needingLists += 1; return false }
            sensitive = true
            if let u = byListKey[d] {
                kind = .usertokens; via = .usertokensSHA1; owner = ownerRef(u); logical = KeystoneKeys.userTokensLogical(u.id)
                sensitive = exportedByID[u.id] == nil
            } else if case let named = tokenOwner(d), named.named {
                kind = .token; via = .tokenList
                if let u = named.owner { owner = ownerRef(u) }
            } else if r[.dogpile] != nil {
                kind = .cache; via = .dogpileEnvelope
            }
        } else if key.hasPrefix("tokens/") || key.hasPrefix("tokens%2F") {
            kind = .cache; via = .keyPrefix
        } else if r[.dogpile] != nil {
            kind = .cache; via = .dogpileEnvelope
        }
        if let entries = list { secrets = entries.map(\.tokenID) }
        let isTraffic = r.type == .traffic
        if sensitive { counts.sensitive += 1 }
        if isTraffic {
            counts.traffic += 1
        } else {
            counts.kinds[kind, default: 0] += 1
            counts.vias[via, default: 0] += 1
        }

        // The record's own bytes up to its closing brace, token ids replaced in place with --redact.
        let body = UnsafeRawBufferPointer(rebasing: r.bytes[0..<r.closingBrace])
        if let redactor = options.redactor, !secrets.isEmpty {
            let listRanges = list.flatMap { entries in entries.allSatisfy({ $0.idRange != nil }) ? entries.map { $0.idRange! } : nil }
            let labels = listRanges != nil ? list!.map { redactor.redact($0.tokenID) } : []
            let pairs = listRanges != nil ? [] : secrets.map { (id: $0, label: $0 == tokenID ? logicalLabel ?? redactor.redact($0) : redactor.redact($0)) }
            // One part of the body, redacted: a token list's ids where its parse found them, else every
            // string equal to an id.
            func redacted(_ part: Range<Int>) {
                let bytes = UnsafeRawBufferPointer(rebasing: body[part])
                if let ranges = listRanges {
                    let inside = zip(ranges, labels).filter { part.contains($0.0.lowerBound) }
                    TokenRedaction.append(
                        bytes, replacing: inside.map { $0.0.lowerBound - part.lowerBound..<$0.0.upperBound - part.lowerBound },
                        labels: inside.map(\.1), to: &out)
                } else {
                    TokenRedaction.append(bytes, replacing: pairs, to: &out)
                }
            }
            if let value, let announced = r[.valueJSONBytes], announced.range.upperBound < value.range.lowerBound,
                value.range.upperBound <= body.count
            {
                // The value changes length: its announced length is rewritten (the bytes between the
                // number and the value — `,"value":` — hold no token id).
                redacted(0..<value.range.lowerBound)
                let numberEnd = out.count - (value.range.lowerBound - announced.range.upperBound)
                let numberStart = numberEnd - announced.range.count
                let valueStart = out.count
                redacted(value.range)
                let length = out.count - valueStart
                // Only where the number still stands (a hand-made record whose token id is spelled
                // like a member name could have moved it): otherwise readers scan the value.
                let number = UnsafeRawBufferPointer(rebasing: r.bytes[announced.range])
                if length != value.range.count, numberStart >= 0, out[numberStart..<numberEnd].elementsEqual(number) {
                    out.replaceSubrange(numberStart..<numberEnd, with: Array(String(length).utf8))
                }
                redacted(value.range.upperBound..<body.count)
            } else {
                redacted(0..<body.count)
            }
        } else {
            out.append(contentsOf: body)
        }
        var w = NDJSONWriter(capacity: 0)
        swap(&w.buffer, &out)
        w.continueObject()
        w.key(.kind); w.string(kind.rawValue)
        w.key(.logicalKey); if let logical { w.string(logical) } else { w.null() }
        w.key(.user)
        switch owner {
        case .none: w.null()
        case .exported(let i): w.raw(exportedJSON[i])
        case .other(let u): w.raw(Attributor.userJSON(u))
        }
        w.key(.via); w.string(via.rawValue)
        if let entries = list { writeTokens(entries, record: r, host: host, into: &w) }
        let misplacedBefore = counts.misplaced
        defer { if isTraffic { counts.misplaced = misplacedBefore } }
        if let placer {
            if !options.clientGiven, let named = r[.familyClient]?.string, let scheme = candidateScheme(named) {
                // A family rule names the client that places these keys.
                writePlacement((scheme, placer.names), keyBytes: keyBytes, found: host, counts: &counts, into: &w)
            } else if options.clientGiven || Attributor.isKeystone(kind: kind, family: r[.family]?.string, key: keyBytes) {
                writePlacement(placer, keyBytes: keyBytes, found: host, counts: &counts, into: &w)
            } else {
                writeFits(placer.names, keyBytes: keyBytes, found: host, into: &w)
            }
        }
        // Held back to the end of the stream: `report` replays a merge's key logs in this order.
        if phase == .final { w.key(.held); w.bool(true) }
        w.endObject()
        w.buffer.append(0x0A)
        swap(&w.buffer, &out)
        return true
    }

    /// True when the record carries its decoded value (not absent, not cut by `--max-value-json`).
    static func decoded(_ value: JSONSlice?) -> Bool {
        guard let v = value else { return false }
        return !(v.isObject && v[truncatedMember] != nil)
    }

    static let truncatedMember: StaticString = "$truncated"

    enum UserRef {
        case none
        case exported(Int)
        case other(User)
    }

    private func ownerRef(_ u: User) -> UserRef {
        if let i = exportedByID[u.id] { return .exported(i) }
        return .other(u)
    }

    private func writeTokens(_ entries: [KeystoneValues.ListEntry], record r: RecordView, host: String?, into w: inout NDJSONWriter) {
        var clockSource = "source"
        var clock = host.flatMap { facts.clocks[$0] }
        if clock == nil, let t = options.captureTime { clock = t; clockSource = "option" }
        if clock == nil, let t = host.flatMap({ facts.latestSeen[$0] }), t > 0 { clock = t; clockSource = "last-seen" }
        let times = entries.compactMap(\.expires)
        let expired = clock.map { c in times.filter { $0 <= c }.count }
        let live = entries.count - (expired ?? 0)
        w.key(.tokens)
        w.beginObject()
        w.key(.tokensEntries); w.int(entries.count)
        w.key(.tokensExpired); if let expired { w.int(expired) } else { w.null() }
        w.key(.tokensClock); if let clock { w.double(clock) } else { w.null() }
        w.key(.tokensClockSource); if clock != nil { w.string(clockSource) } else { w.null() }
        let first = entries.min { ($0.expires ?? .infinity) < ($1.expires ?? .infinity) }
        let last = entries.max { ($0.expires ?? -.infinity) < ($1.expires ?? -.infinity) }
        w.key(.tokensFirstExpiry); if let t = first?.expiresText, first?.expires != nil { w.string(t) } else { w.null() }
        w.key(.tokensLastExpiry); if let t = last?.expiresText, last?.expires != nil { w.string(t) } else { w.null() }
        w.key(.tokensTTL); w.double(options.tokenTTL)
        w.key(.tokensIssueRate); w.double(options.tokenTTL > 0 ? Double(live) / options.tokenTTL : 0)
        if let size = r[.size]?.double {
            w.key(.tokensCeilingShare); w.double(size / ClientLimits.valueCeiling)
        }
        w.endObject()
    }

    /// The scheme of a client named in a record (`family_client`), by any of its accepted names; nil
    /// for a name no candidate has.
    func candidateScheme(_ name: String) -> (any PlacementScheme)? {
        guard let client = try? ClientPlacement.named(name) else { return nil }
        return candidates.first { $0.name == client.rawValue }?.scheme
    }

    /// Keystone's items — its kinds (dogpile envelopes and keystonemiddleware's cache included) and its
    /// key families (the record's, else its key's): their client is python-memcached's.
    static func isKeystone(kind: KeyKind, family: String?, key: [UInt8]) -> Bool {
        switch kind {
        case .usertokens, .token, .revocationList, .lock, .cache: return true
        case .unknown:
            let name = family ?? FamilyProfiles.family(of: key)?.name
            return name.map { $0.hasPrefix("keystone") } ?? false
        }
    }

    /// An item whose client is not known: `placement.fits`, the client schemes that put its key on the
    /// host it was found on (none when that host is not in the server list). `report` infers each key
    /// family's client from them.
    private func writeFits(_ names: [String], keyBytes: [UInt8], found: String?, into w: inout NDJSONWriter) {
        w.key(.placement)
        w.beginObject()
        w.key(.placementFits)
        w.beginArray()
        if let found, let index = names.firstIndex(of: found) {
            for c in candidates where c.scheme.serverIndex(for: keyBytes) == index { w.string(c.name) }
        }
        w.endArray()
        w.endObject()
    }

    private func writePlacement(
        _ placer: (scheme: any PlacementScheme, names: [String]), keyBytes: [UInt8], found: String?, counts: inout Counts,
        into w: inout NDJSONWriter
    ) {
        let p = placer.scheme.placement(for: keyBytes)
        let expected = placer.names[p.serverIndex]
        w.key(.placement)
        w.beginObject()
        w.key(.placementExpected); w.string(expected)
        w.key(.placementHash); w.uint(p.hash)
        w.key(.placementScheme); w.string(placer.scheme.name)
        let ok = expected == found
        w.key(.placementOK); w.bool(ok)
        if !ok, let found, let modulo = placer.scheme as? PythonMemcachedModulo {
            // Where the found host sits in the client's dead-server retry chain (0 = home).
            let chain = modulo.retryChain(for: keyBytes) { _ in true }
            let step = chain.firstIndex { placer.names[$0] == found }
            w.key(.placementFailoverStep); if let step { w.int(step) } else { w.null() }
        }
        w.endObject()
        if !ok { counts.misplaced += 1 }
    }
}
