// Attribution/UserList: the operator's user export, in whichever format they have it —
// `openstack user list --long -f json|csv|value`, NDJSON, or a plain `id,name` CSV. The format is
// detected from the content; a bad row is reported with its line number and skipped.
import PipelineRecords

public struct User: Sendable, Equatable {
    public var id: String
    public var name: String?
    public var domain: String?
    /// False for users met only in token bodies (not in the export).
    public var inExport: Bool
    /// The line of the export the user was read from (0 when not from an export); not part of equality.
    public var line = 0
    public init(id: String, name: String? = nil, domain: String? = nil, inExport: Bool = true) {
        self.id = id
        self.name = name
        self.domain = domain
        self.inExport = inExport
    }

    public static func == (a: User, b: User) -> Bool {
        a.id == b.id && a.name == b.name && a.domain == b.domain && a.inExport == b.inExport
    }
}

public enum UserListFormat: String, Sendable {
    case json, ndjson, csv, csvPlain = "csv-plain", value
}

/// A row that could not be used: where, and why.
public struct UserListIssue: Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var message: String
    public var description: String { "line \(line): \(message)" }
}

public struct ParsedUserList: Sendable {
    public var format: UserListFormat
    public var users: [User]
    public var issues: [UserListIssue]
    /// A contradiction that makes the whole list unusable (one user id with two names or domains).
    public var conflict: UserListIssue?

    /// The same user id twice is a repeat when everything else agrees (dropped); with a different name
    /// or domain the export contradicts itself and nothing can be attributed by it.
    mutating func checkRepeats() {
        var first: [String: User] = [:]
        var kept: [User] = []
        for u in users {
            if let earlier = first[u.id] {
                if earlier != u && conflict == nil {
                    let show = { (x: User) in "\(x.name ?? "no name")\(x.domain.map { " in domain \($0)" } ?? "")" }
                    conflict = UserListIssue(
                        line: u.line,
                        message: "user id \(u.id) is also on line \(earlier.line) with another name or domain (\(show(earlier)) / \(show(u)))")
                }
                continue
            }
            first[u.id] = u
            kept.append(u)
        }
        users = kept
    }
}

public enum UserListParser {
    /// Longest accepted user id, in bytes (Keystone's column is 64; LDAP ids can be longer).
    public static let maxIDBytes = 255

    public static func parse(_ bytes: [UInt8]) -> ParsedUserList {
        var list = parseRows(bytes)
        list.checkRepeats()
        return list
    }

    static func parseRows(_ bytes: [UInt8]) -> ParsedUserList {
        var text = bytes
        if text.starts(with: [0xEF, 0xBB, 0xBF]) { text.removeFirst(3) }
        let first = text.first { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }
        if first == UInt8(ascii: "[") { return parseJSONArray(text) }
        if first == UInt8(ascii: "{") { return parseNDJSON(text) }
        let lines = splitLines(text)
        let head = lines.first { !$0.text.trimmed(of: " \t\r").isEmpty }?.text ?? ""
        let headerFields = csvFields(head)?.map { $0.lowercased() } ?? []
        if headerFields.contains("id") && (headerFields.count > 1 || head.contains(",")) {
            return parseCSV(lines, header: headerFields)
        }
        if head.contains(",") { return parseCSV(lines, header: nil) }
        return parseValue(lines)
    }

    // MARK: rows

    static func makeUser(id: String?, name: String?, domain: String?, line: Int, issues: inout [UserListIssue]) -> User? {
        guard let id, !id.isEmpty else { issues.append(UserListIssue(line: line, message: "no user id")); return nil }
        guard id.utf8.count <= maxIDBytes else { issues.append(UserListIssue(line: line, message: "user id longer than \(maxIDBytes) bytes")); return nil }
        guard !id.unicodeScalars.contains(where: { $0.value < 0x20 || $0 == " " }) else {
            issues.append(UserListIssue(line: line, message: "user id contains spaces or control characters"))
            return nil
        }
        var user = User(id: id, name: name.flatMap { $0.isEmpty ? nil : $0 }, domain: domain.flatMap { $0.isEmpty ? nil : $0 })
        user.line = line
        return user
    }

    static func fromObject(_ v: JSONValue, line: Int, issues: inout [UserListIssue]) -> User? {
        guard case .object = v else { issues.append(UserListIssue(line: line, message: "not a JSON object")); return nil }
        func field(_ names: [String]) -> String? {
            for n in names { if let s = v[n]?.string { return s } }
            return nil
        }
        let id = field(["ID", "id", "Id", "user_id"])
        if id == nil, v["ID"] ?? v["id"] != nil {
            issues.append(UserListIssue(line: line, message: "user id is not a string"))
            return nil
        }
        return makeUser(id: id, name: field(["Name", "name"]), domain: field(["Domain", "domain", "domain_id", "Domain ID"]), line: line, issues: &issues)
    }

    static func parseJSONArray(_ text: [UInt8]) -> ParsedUserList {
        var users: [User] = []
        var issues: [UserListIssue] = []
        text.withUnsafeBytes { p in
            var lineAt = LineCounter()
            var i = JSONSkim.skipSpace(p, 0) + 1
            while true {
                i = JSONSkim.skipSpace(p, i)
                guard i < p.count else { issues.append(UserListIssue(line: lineAt.line(p, i), message: "unterminated JSON array")); return }
                if p[i] == UInt8(ascii: "]") { return }
                let line = lineAt.line(p, i)
                guard let end = JSONSkim.valueEnd(p, from: i) else {
                    issues.append(UserListIssue(line: line, message: "malformed JSON; the rest of the file is skipped"))
                    return
                }
                do throws(JSONParseError) {
                    let v = try JSONParser.parse(UnsafeRawBufferPointer(rebasing: p[i..<end]))
                    if let u = fromObject(v, line: line, issues: &issues) { users.append(u) }
                } catch {
                    issues.append(UserListIssue(line: line, message: "malformed JSON: \(error.message)"))
                }
                i = JSONSkim.skipSpace(p, end)
                if i < p.count, p[i] == UInt8(ascii: ",") { i += 1; continue }
                if i < p.count, p[i] == UInt8(ascii: "]") { return }
                issues.append(UserListIssue(line: lineAt.line(p, i), message: "expected ',' or ']'; the rest of the file is skipped"))
                return
            }
        }
        return ParsedUserList(format: .json, users: users, issues: issues)
    }

    static func parseNDJSON(_ text: [UInt8]) -> ParsedUserList {
        var users: [User] = []
        var issues: [UserListIssue] = []
        for (n, rawText, rawBytes) in splitLines(text) where !rawText.trimmed(of: " \t\r").isEmpty {
            do throws(JSONParseError) {
                let v = try JSONParser.parse(rawBytes)
                if let u = fromObject(v, line: n, issues: &issues) { users.append(u) }
            } catch {
                issues.append(UserListIssue(line: n, message: "malformed JSON: \(error.message)"))
            }
        }
        return ParsedUserList(format: .ndjson, users: users, issues: issues)
    }

    static func parseCSV(_ lines: [(line: Int, text: String, bytes: ArraySlice<UInt8>)], header: [String]?) -> ParsedUserList {
        var users: [User] = []
        var issues: [UserListIssue] = []
        var idCol = 0, nameCol: Int? = 1, domainCol: Int? = nil
        var width = 2
        if let header {
            idCol = header.firstIndex(of: "id") ?? 0
            nameCol = header.firstIndex(of: "name")
            domainCol = header.firstIndex(of: "domain") ?? header.firstIndex(of: "domain id") ?? header.firstIndex(of: "domain_id")
            width = header.count
        }
        var sawHeader = header == nil
        for (n, text, _) in lines where !text.trimmed(of: " \t\r").isEmpty {
            if !sawHeader { sawHeader = true; continue }
            guard let fields = csvFields(text) else { issues.append(UserListIssue(line: n, message: "unbalanced quotes")); continue }
            if header == nil && fields.count < 1 || header != nil && fields.count != width {
                issues.append(UserListIssue(line: n, message: "expected \(width) fields, found \(fields.count)"))
                continue
            }
            if header == nil { width = max(width, fields.count) }
            let get = { (c: Int?) -> String? in c.flatMap { $0 < fields.count ? fields[$0] : nil } }
            if let u = makeUser(id: get(idCol), name: get(nameCol), domain: get(domainCol), line: n, issues: &issues) { users.append(u) }
        }
        return ParsedUserList(format: header == nil ? .csvPlain : .csv, users: users, issues: issues)
    }

    /// `-f value`: columns separated by single spaces; only the id and the name are trusted
    /// (later columns such as Description may contain spaces).
    static func parseValue(_ lines: [(line: Int, text: String, bytes: ArraySlice<UInt8>)]) -> ParsedUserList {
        var users: [User] = []
        var issues: [UserListIssue] = []
        for (n, text, _) in lines where !text.trimmed(of: " \t\r").isEmpty {
            let cols = text.trimmed(of: "\r").split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            let domain = cols.count == 7 ? cols[3] : nil
            if let u = makeUser(id: cols.first, name: cols.count > 1 ? cols[1] : nil, domain: domain, line: n, issues: &issues) {
                users.append(u)
            }
        }
        return ParsedUserList(format: .value, users: users, issues: issues)
    }

    // MARK: helpers

    static func splitLines(_ text: [UInt8]) -> [(line: Int, text: String, bytes: ArraySlice<UInt8>)] {
        var out: [(Int, String, ArraySlice<UInt8>)] = []
        var start = 0
        var n = 1
        for i in 0...text.count where i == text.count || text[i] == 0x0A {
            var end = i
            if end > start && text[end - 1] == 0x0D { end -= 1 }
            if !(i == text.count && start == i) {
                let slice = text[start..<end]
                out.append((n, String(decoding: slice, as: UTF8.self), slice))
            }
            start = i + 1
            n += 1
        }
        return out
    }

    /// One CSV row (RFC 4180 quoting, `""` escapes); nil on unbalanced quotes.
    static func csvFields(_ line: String) -> [String]? {
        var fields: [String] = []
        var cur = ""
        var quoted = false
        var chars = Array(line.trimmed(of: "\r"))
        chars.append(",")
        var i = 0
        var wasQuoted = false
        while i < chars.count {
            let c = chars[i]
            if quoted {
                if c == "\"" {
                    if i + 1 < chars.count - 1 && chars[i + 1] == "\"" { cur.append("\""); i += 2; continue }
                    quoted = false
                } else {
                    cur.append(c)
                }
            } else if c == "\"" && cur.isEmpty && !wasQuoted {
                quoted = true
                wasQuoted = true
            } else if c == "," {
                fields.append(wasQuoted ? cur : cur.trimmed(of: " \t"))
                cur = ""
                wasQuoted = false
            } else {
                cur.append(c)
            }
            i += 1
        }
        return quoted ? nil : fields
    }
}

/// Line number of a byte offset, counted incrementally (offsets must not decrease).
struct LineCounter {
    var offset = 0
    var lineNo = 1
    mutating func line(_ p: UnsafeRawBufferPointer, _ to: Int) -> Int {
        let to = min(to, p.count)
        while offset < to {
            if p[offset] == 0x0A { lineNo += 1 }
            offset += 1
        }
        return lineNo
    }
}

extension StringProtocol {
    /// The string without leading and trailing characters from `set`.
    func trimmed(of set: String) -> String {
        let chars = Set(set)
        var s = Substring(self)
        while let f = s.first, chars.contains(f) { s.removeFirst() }
        while let l = s.last, chars.contains(l) { s.removeLast() }
        return String(s)
    }
}
