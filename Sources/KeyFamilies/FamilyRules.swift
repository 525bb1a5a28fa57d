// KeyFamilies/FamilyRules: the operator's own families (`--families FILE`): ordered lines
// `REGEX => FAMILY [OWNER] [client=NAME]`, POSIX extended regular expressions (the C library's
// regcomp/regexec, matched against the key's bytes), `$1`…`$9` in FAMILY and OWNER replaced by the groups;
// `client=` names the client that places the family's keys (checked by the caller against its clients).
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why a rules file was refused: the line and what is wrong with it.
public struct FamilyRulesError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var message: String
    public var description: String { "line \(line): \(message)" }
}

/// A compiled POSIX extended regular expression. `regexec` on a compiled expression is thread-safe.
final class PosixRegex: @unchecked Sendable {
    private var compiled = regex_t()
    let groupCount: Int

    init(_ pattern: String) throws(FamilyRulesError) {
        let status = regcomp(&compiled, pattern, REG_EXTENDED)
        if status != 0 {
            var buffer = [CChar](repeating: 0, count: 256)
            regerror(status, &compiled, &buffer, buffer.count)
            let message = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw FamilyRulesError(line: 0, message: "bad regular expression \(pattern): \(message)")
        }
        groupCount = Int(compiled.re_nsub)
    }

    deinit { regfree(&compiled) }

    /// The byte ranges of the whole match and each group (nil for a group that did not take part),
    /// or nil when `subject` does not match. `subject` is matched up to its first NUL byte.
    func match(_ subject: [UInt8]) -> [Range<Int>?]? {
        var cString = subject
        cString.append(0)
        var groups = [regmatch_t](repeating: regmatch_t(), count: groupCount + 1)
        let status = cString.withUnsafeBufferPointer { p in
            p.baseAddress!.withMemoryRebound(to: CChar.self, capacity: p.count) { regexec(&compiled, $0, groups.count, &groups, 0) }
        }
        guard status == 0 else { return nil }
        return groups.map { $0.rm_so < 0 ? nil : Int($0.rm_so)..<Int($0.rm_eo) }
    }
}

/// One rule: a regular expression, the family it names, an optional owner and client, and its line.
public struct FamilyRule: Sendable {
    public let pattern: String
    public let family: String
    public let owner: String?
    /// The client that places this family's keys (`client=NAME`), when the rule says.
    public let client: String?
    /// The line of the rules file (0 for a rule made in code).
    public let line: Int
    let regex: PosixRegex

    public init(pattern: String, family: String, owner: String? = nil, client: String? = nil, line: Int = 0) throws(FamilyRulesError) {
        self.pattern = pattern
        self.family = family
        self.owner = owner
        self.client = client
        self.line = line
        regex = try PosixRegex(pattern)
        for name in [family] + (owner.map { [$0] } ?? []) {
            for n in FamilyRule.groupReferences(name) where n > regex.groupCount {
                throw FamilyRulesError(line: 0, message: "$\(n) in \(name) but the expression has \(regex.groupCount) group(s)")
            }
        }
    }

    /// The family of `key` by this rule, or nil when the expression does not match.
    public func family(of key: [UInt8]) -> KeyFamily? {
        guard let groups = regex.match(key) else { return nil }
        return KeyFamily(name: expand(family, key, groups), source: .rule, owner: owner.map { expand($0, key, groups) }, client: client)
    }

    /// `$1`…`$9` replaced by the groups' text (a group that did not take part is empty).
    func expand(_ template: String, _ key: [UInt8], _ groups: [Range<Int>?]) -> String {
        guard template.contains("$") else { return template }
        var out: [UInt8] = []
        var bytes = Array(template.utf8)[...]
        while let b = bytes.popFirst() {
            if b == UInt8(ascii: "$"), let d = bytes.first, d >= UInt8(ascii: "1"), d <= UInt8(ascii: "9") {
                bytes.removeFirst()
                let n = Int(d - UInt8(ascii: "0"))
                if n < groups.count, let r = groups[n] { out.append(contentsOf: key[r]) }
            } else {
                out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func groupReferences(_ s: String) -> [Int] {
        let u = Array(s.utf8)
        var out: [Int] = []
        for k in 0..<max(0, u.count - 1) where u[k] == UInt8(ascii: "$") && u[k + 1] >= UInt8(ascii: "1") && u[k + 1] <= UInt8(ascii: "9") {
            out.append(Int(u[k + 1] - UInt8(ascii: "0")))
        }
        return out
    }
}

/// The rules of one file, in order: the first that matches names the family.
public struct FamilyRules: Sendable {
    public let rules: [FamilyRule]

    public init(rules: [FamilyRule] = []) { self.rules = rules }

    /// Parses a rules file: one `REGEX => FAMILY [OWNER] [client=NAME]` per line (split at the last
    /// ` => `); blank lines and lines starting with `#` are skipped. FAMILY and OWNER contain no spaces.
    public init(parsing text: String) throws(FamilyRulesError) {
        var rules: [FamilyRule] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let arrow = line.ranges(of: " => ").last else {
                throw FamilyRulesError(line: index + 1, message: "expected `REGEX => FAMILY [OWNER] [client=NAME]`")
            }
            let pattern = String(line[..<arrow.lowerBound])
            var words = line[arrow.upperBound...].split(whereSeparator: { $0 == " " || $0 == "\t" })
            var client: String?
            if let last = words.last, last.hasPrefix("client=") {
                client = String(last.dropFirst("client=".count))
                words.removeLast()
                if client?.isEmpty ?? true { throw FamilyRulesError(line: index + 1, message: "client= names no client") }
            }
            guard !pattern.isEmpty, (1...2).contains(words.count), !words.contains(where: { $0.hasPrefix("client=") }) else {
                throw FamilyRulesError(line: index + 1, message: "expected `REGEX => FAMILY [OWNER] [client=NAME]`")
            }
            do throws(FamilyRulesError) {
                rules.append(
                    try FamilyRule(
                        pattern: pattern, family: String(words[0]), owner: words.count == 2 ? String(words[1]) : nil, client: client,
                        line: index + 1))
            } catch {
                throw FamilyRulesError(line: index + 1, message: error.message)
            }
        }
        self.rules = rules
    }

    /// The first rule's family for `key`, or nil when no rule matches.
    public func family(of key: [UInt8]) -> KeyFamily? {
        for rule in rules {
            if let f = rule.family(of: key) { return f }
        }
        return nil
    }
}

/// Families of keys: the operator's rules first, then the application profiles, then the
/// automatic pattern (docs/families.md).
public struct FamilyClassifier: Sendable {
    public let rules: FamilyRules

    public init(rules: FamilyRules = FamilyRules()) { self.rules = rules }

    public func family(of key: [UInt8]) -> KeyFamily {
        if !rules.rules.isEmpty, let f = rules.family(of: key) { return f }
        if let f = FamilyProfiles.family(of: key) { return f }
        return KeyFamily(name: KeyPattern.pattern(key), source: .pattern)
    }
}
