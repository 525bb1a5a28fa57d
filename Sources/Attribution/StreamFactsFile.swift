// Attribution/StreamFactsFile: what one record stream tells the end-of-stream joins of another —
// `attribute --facts-out` writes it, `attribute --facts` reads it (docs/attribute.md, "Facts of other
// streams"). NDJSON: a header line, then the users met outside the export and the token lists held to
// the end (each list's key digest and the digests of the token keys it names; never a token id).
// A file may hold the facts of several streams one after the other (each from its own header line).
import ByteText
import JSONText
import PipelineRecords

/// One held token list: its key, and the keys `token-<id>` of the token ids it names (sha1 digests).
public struct TokenListFact: Sendable, Equatable {
    public var list: Digest20
    public var tokens: [Digest20]
    public init(list: Digest20, tokens: [Digest20]) {
        self.list = list
        self.tokens = tokens
    }
}

/// The facts of one stream (or of several, read from one file) that other streams' held records may need.
public struct StreamFactsFile: Sendable {
    public static let type = "attribute-facts"
    public static let version = 1

    /// Users met outside the export (token bodies, lock keys), in order of first meeting, each in its fullest
    /// description.
    public var users: [User] = []
    /// Every held token list of the stream.
    public var lists: [TokenListFact] = []
    /// Held records whose owner or kind depended on, or could change with, facts from outside the stream.
    public var sensitive = 0

    public init(users: [User] = [], lists: [TokenListFact] = [], sensitive: Int = 0) {
        self.users = users
        self.lists = lists
        self.sensitive = sensitive
    }

    /// The file's bytes: the header, the users, the lists (one a line).
    public func rendered() -> [UInt8] {
        var w = NDJSONWriter(capacity: 256 + users.count * 96 + lists.reduce(0) { $0 + 60 + 43 * $1.tokens.count })
        w.beginObject()
        w.key("type"); w.string(StreamFactsFile.type)
        w.key("version"); w.int(StreamFactsFile.version)
        w.key("sensitive"); w.int(sensitive)
        w.key("users"); w.int(users.count)
        w.key("token_lists"); w.int(lists.count)
        w.endObject()
        w.endLine()
        for u in users {
            w.beginObject()
            w.key("type"); w.string("user")
            w.key("id"); w.string(u.id)
            w.key("name"); w.string(u.name)
            w.key("domain"); w.string(u.domain)
            w.endObject()
            w.endLine()
        }
        for l in lists {
            w.beginObject()
            w.key("type"); w.string("token-list")
            w.key("key"); w.string(l.list.hex)
            w.key("tokens")
            w.beginArray()
            for t in l.tokens { w.string(t.hex) }
            w.endArray()
            w.endObject()
            w.endLine()
        }
        return w.buffer
    }

    /// A line of a facts file that cannot be used (its number counts from 1; 0: the file as a whole).
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { line > 0 ? "line \(line): \(message)" : message }
    }

    /// Reads facts line by line (`add` each line without its `\n`, numbered from 1, then `end`),
    /// appending to `facts`: every section starts with a header of this version and holds the users and
    /// lists it announces. `facts.sensitive` is the sum of the sections'.
    public struct Reader: Sendable {
        public private(set) var facts = StreamFactsFile()
        private var section: (line: Int, users: Int, lists: Int)?
        private var seenUsers = 0, seenLists = 0
        private var lastLine = 0

        public init() {}

        public mutating func add<C: Collection>(_ bytes: C, line number: Int) throws(Problem) where C.Element == UInt8 {
            lastLine = number
            if bytes.isEmpty { return }
            let v: JSONValue
            do throws(JSONParseError) { v = try JSONParser.parse(bytes) } catch {
                throw Problem(line: number, message: "not JSON: \(error)")
            }
            guard case .object = v, let type = v["type"]?.string else { throw Problem(line: number, message: "not a facts line (no `type`)") }
            switch type {
            case StreamFactsFile.type:
                try closeSection()
                guard let version = v["version"]?.int else { throw Problem(line: number, message: "a facts header without a version") }
                guard version == Int64(StreamFactsFile.version) else {
                    throw Problem(line: number, message: "facts of version \(version); this attribute reads version \(StreamFactsFile.version)")
                }
                guard let s = v["sensitive"]?.int, s >= 0, let u = v["users"]?.int, u >= 0, let l = v["token_lists"]?.int, l >= 0 else {
                    throw Problem(line: number, message: "a facts header without its counts (sensitive, users, token_lists)")
                }
                section = (number, Int(u), Int(l))
                seenUsers = 0
                seenLists = 0
                facts.sensitive += Int(s)
            case "user":
                guard section != nil else { throw Problem(line: number, message: "a user before any attribute-facts header") }
                guard let id = v["id"]?.string, !id.isEmpty else { throw Problem(line: number, message: "a user without an id") }
                func optional(_ name: String) throws(Problem) -> String? {
                    guard let m = v[name], !m.isNull else { return nil }
                    guard let s = m.string else { throw Problem(line: number, message: "a user's \(name) that is neither a string nor null") }
                    return s
                }
                facts.users.append(User(id: id, name: try optional("name"), domain: try optional("domain"), inExport: false))
                seenUsers += 1
            case "token-list":
                guard section != nil else { throw Problem(line: number, message: "a token list before any attribute-facts header") }
                guard let key = v["key"]?.string, let list = Digest20(hex: key) else {
                    throw Problem(line: number, message: "a token list whose key is not 40 hex digits")
                }
                guard let entries = v["tokens"]?.array else { throw Problem(line: number, message: "a token list without its tokens") }
                var tokens: [Digest20] = []
                tokens.reserveCapacity(entries.count)
                for e in entries {
                    guard let t = e.string.flatMap({ Digest20(hex: $0) }) else {
                        throw Problem(line: number, message: "a token key that is not 40 hex digits")
                    }
                    tokens.append(t)
                }
                facts.lists.append(TokenListFact(list: list, tokens: tokens))
                seenLists += 1
            default:
                throw Problem(line: number, message: "unknown facts line type \"\(type)\"")
            }
        }

        /// After the last line: the file must have held a header, and its last section all it announced.
        public mutating func end() throws(Problem) {
            guard section != nil else {
                throw Problem(line: max(lastLine, 1), message: "no attribute-facts header (not a file of attribute --facts-out)")
            }
            try closeSection()
        }

        private func closeSection() throws(Problem) {
            guard let s = section else { return }
            if seenUsers != s.users || seenLists != s.lists {
                throw Problem(
                    line: s.line,
                    message:
                        "the header announces \(s.users) users and \(s.lists) token lists; its section holds \(seenUsers) and \(seenLists) (a cut file?)"
                )
            }
        }
    }
}
