// attribute --facts-out / --facts (docs/attribute.md, "Facts of other streams") on real data: three memcached
// filled through dogpile.cache and python-memcached (Tests/python/e2e_keystone.py fill-split) so that owners are
// named only on other hosts than their token lists — users missing from the export whose token bodies are all on
// other hosts, token bodies without a user named by a list on another host. Each dump attributed alone with the
// facts of every dump writes, for its records, the bytes attribute writes over all the dumps at once; without them
// it does not. And the faults of a facts file: unreadable, not JSON, another version, cut.
import Foundation
import Testing
import TestSupport

@Suite(.serialized) struct StreamFactsTests {
    /// A capture of three real memcached hosts (one dump each), decoded one dump at a time and all at once.
    final class Capture: @unchecked Sendable {
        let dir: String
        let servers: String
        /// Dumps in the order analyse.sh reads them (sorted names).
        let dumps: [String]
        let users: String
        let split: [String: Any]

        init() throws {
            let dir = try Scratch.directory("facts")
            self.dir = dir
            let memcached = try (0..<3).map { _ in try MemcachedServer(memoryMB: 64) }
            defer { memcached.forEach { $0.stop() } }
            try Python.run(script: Repo.path("Tests/python/e2e_keystone.py"), ["fill-split", dir] + memcached.map { String($0.port) })
            servers = memcached.map(\.address).joined(separator: ",")
            let collect = try runProcess(Repo.executable("collect"), memcached.map(\.address) + ["--out", dir + "/dumps"])
            guard collect.status == 0 else { throw TestSupportError.failed("collect: \(collect.stderrText)") }
            dumps = memcached.map { dir + "/dumps/127.0.0.1_\($0.port).mcdump.gz" }.sorted()
            users = dir + "/users.json"
            try Data("facts test key".utf8).write(to: URL(fileURLWithPath: dir + "/redact.key"))
            let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/split.json"))
            guard let split = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw TestSupportError.failed("split.json is not an object")
            }
            self.split = split
        }

        /// decode's records of these dumps (`decodeArguments` added), written once to a file.
        func decoded(_ dumps: [String], _ decodeArguments: [String], name: String) throws -> String {
            let path = "\(dir)/\(name).ndjson"
            if FileManager.default.fileExists(atPath: path) { return path }
            let r = try runProcess(Repo.executable("decode"), decodeArguments + dumps + ["--output", path])
            guard r.status == 0 else { throw TestSupportError.failed("decode: \(r.stderrText)") }
            return path
        }
    }

    static let capture = Result { try Capture() }

    func attribute(_ args: [String]) throws -> ProcessResult {
        try runProcess(Repo.executable("attribute"), args)
    }

    /// Output lines by the host:port of their record (every record decode writes names its host).
    static func linesByHost(_ out: Data) throws -> [String: [Substring]] {
        var by: [String: [Substring]] = [:]
        for line in String(decoding: out, as: UTF8.self).split(separator: "\n") {
            let obj = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
            let host = try #require(obj["host"] as? String), port = try #require(obj["port"] as? Int)
            by["\(host):\(port)", default: []].append(line)
        }
        return by
    }

    static func header(_ facts: String) throws -> [String: Any] {
        let first = try #require(try String(contentsOfFile: facts, encoding: .utf8).split(separator: "\n").first)
        return try #require(try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any])
    }

    /// The whole check for one way of running the stages: attribute over all dumps at once against each dump
    /// alone, first without facts (its own facts out), then with the facts of every dump. Returns the records
    /// of the second pass, by host.
    @discardableResult
    func allAtOnceEqualsEachAloneWithFacts(users: Bool, decodeArguments: [String] = [], label: String) throws -> [String: [Substring]] {
        let c = try Self.capture.get()
        var base = ["--servers", c.servers, "--redact", "--redact-key-file", c.dir + "/redact.key", "--jobs", "2", "--block-bytes", "4096"]
        if users { base = ["--users", c.users] + base }
        let allRecords = try c.decoded(c.dumps, decodeArguments, name: "all-\(label)")
        let once = try attribute(base + [allRecords])
        #expect(once.status == 0, "\(once.stderrText)")
        let wanted = try Self.linesByHost(once.stdout)
        #expect(wanted.count == c.dumps.count)

        var alone: [String: [Substring]] = [:]
        var factsFiles: [String] = []
        var sensitive = 0
        var each: [String] = []
        for (n, dump) in c.dumps.enumerated() {
            let records = try c.decoded([dump], decodeArguments, name: "dump\(n)-\(label)")
            each.append(records)
            let facts = "\(c.dir)/\(label)-\(n).facts"
            let r = try attribute(base + ["--facts-out", facts, records])
            #expect(r.status == 0, "\(r.stderrText)")
            alone.merge(try Self.linesByHost(r.stdout)) { a, _ in a }
            factsFiles.append(facts)
            let h = try Self.header(facts)
            #expect(h["type"] as? String == "attribute-facts" && h["version"] as? Int == 1, "\(h)")
            sensitive += h["sensitive"] as? Int ?? 0
        }
        // Alone, some dump's records are not what all the dumps at once give them: the case the facts are for.
        let aloneDiffers = alone != wanted
        #expect(aloneDiffers, "\(label): each dump alone already gives the records of all at once")
        #expect(sensitive > 0)

        let all = "\(c.dir)/\(label)-all.facts"
        try factsFiles.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }.reduce(Data(), +).write(to: URL(fileURLWithPath: all))
        var again: [String: [Substring]] = [:]
        for (n, records) in each.enumerated() {
            let r = try attribute(base + ["--facts", all, records])
            #expect(r.status == 0, "\(r.stderrText)")
            let got = try Self.linesByHost(r.stdout)
            #expect(got.count == 1)
            for (host, lines) in got {
                // The same bytes, record for record and in the same order (held records last in both).
                let want = wanted[host] ?? []
                let same = lines == want
                let differing = zip(lines, want).filter { $0 != $1 }.count + abs(lines.count - want.count)
                #expect(same, "\(label): dump \(n) (\(host)) with every dump's facts: \(differing) of \(want.count) records differ")
                again[host] = lines
            }
            // The same facts twice (its own among them), or one file per dump in another order: the same bytes.
            let twice = try attribute(base + ["--facts", all, "--facts", all, records])
            let sameTwice = twice.stdout == r.stdout
            #expect(sameTwice, "\(label): dump \(n), the facts given twice")
            let reversed = try attribute(base + factsFiles.reversed().flatMap { ["--facts", $0] } + [records])
            let sameReversed = reversed.stdout == r.stdout
            #expect(sameReversed, "\(label): dump \(n), one facts file per dump in reverse order")
        }
        return again
    }

    @Test func ownersNamedOnlyOnOtherHostsWithAnIncompleteExport() throws {
        let c = try Self.capture.get()
        let records = try allAtOnceEqualsEachAloneWithFacts(users: true, label: "users")
        let ghosts = try #require(c.split["ghosts"] as? [String: String])
        let lists = try #require(c.split["lists"] as? [String: String])
        let anonymous = Set(try #require(c.split["anonymous_tokens"] as? [String]))
        #expect(ghosts.count == 5 && anonymous.count == 4)
        var ghostLists = 0, anonymousJoined = 0
        for line in records.values.joined() {
            let r = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            guard let key = r["key"] as? String else { continue }
            let user = r["user"] as? [String: Any]
            if let owner = lists[key] {
                // Every token list has its owner, the ghosts' too (named only by token bodies on other hosts).
                #expect(r["kind"] as? String == "usertokens" && user?["id"] as? String == owner, "\(key)")
                if let name = ghosts[owner] {
                    ghostLists += 1
                    #expect(user?["in_export"] as? Bool == false && user?["name"] as? String == name)
                    // ghost0's domain is only in a v3 body on one host: his list gets the fullest description.
                    if name == "ghost0" { #expect(user?["domain"] as? String == "Default", "\(r)") }
                }
            } else if anonymous.contains(key) {
                // A token body without a user: its owner comes from a list on another host.
                #expect(r["via"] as? String == "token-list" && user?["id"] != nil, "\(r)")
                anonymousJoined += 1
            }
        }
        #expect(ghostLists == ghosts.count && anonymousJoined == anonymous.count)
    }

    @Test func ownersNamedOnlyOnOtherHostsWithoutAnExport() throws {
        try allAtOnceEqualsEachAloneWithFacts(users: false, label: "nousers")
    }

    @Test func tokensWhoseValueWasCutJoinThroughListsOnOtherHosts() throws {
        // Token bodies cut by --max-value-json: sha1 keys nothing in their own record identifies, named only by the
        // lists (on whichever host those are).
        let records = try allAtOnceEqualsEachAloneWithFacts(users: true, decodeArguments: ["--max-value-json", "300"], label: "cut")
        let viaLists = records.values.joined().filter { $0.contains("\"via\":\"token-list\"") }
        #expect(viaLists.count > 10)
    }

    @Test func theUsualKeystoneCaseNeedsNoFacts() throws {
        // The complete export, token bodies with their users (Tests/python/e2e_keystone.py fill-many): nothing held
        // depends on another dump.
        let dir = try Scratch.directory("facts-usual")
        let memcached = try (0..<2).map { _ in try MemcachedServer(memoryMB: 64) }
        defer { memcached.forEach { $0.stop() } }
        try Python.run(script: Repo.path("Tests/python/e2e_keystone.py"), ["fill-many", dir] + memcached.map { String($0.port) })
        let collect = try runProcess(Repo.executable("collect"), memcached.map(\.address) + ["--out", dir + "/dumps"])
        #expect(collect.status == 0, "\(collect.stderrText)")
        for m in memcached {
            let records = dir + "/\(m.port).ndjson"
            let d = try runProcess(Repo.executable("decode"), [dir + "/dumps/127.0.0.1_\(m.port).mcdump.gz", "--output", records])
            #expect(d.status == 0, "\(d.stderrText)")
            let r = try attribute(["--users", dir + "/users.json", "--facts-out", dir + "/\(m.port).facts", records])
            #expect(r.status == 0, "\(r.stderrText)")
            let h = try Self.header(dir + "/\(m.port).facts")
            #expect(h["sensitive"] as? Int == 0 && h["users"] as? Int == 0, "\(h)")
            #expect((h["token_lists"] as? Int ?? 0) > 0, "\(h)")
        }
    }

    @Test func oneUserDescribedDifferentlyByTwoStreamsGetsOneDescriptionInAnyOrder() throws {
        // A token list on this host, whose owner only other streams' facts name, each in another description.
        let dir = try Scratch.directory("facts-order")
        let key = try Python.run(code: "import hashlib; print(hashlib.sha1(b'usertokens-u1').hexdigest())").stdoutText
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let records = dir + "/records.ndjson"
        try Data(
            "{\"type\":\"item\",\"host\":\"127.0.0.1\",\"port\":1,\"key\":\"\(key)\",\"value\":[[\"t1\",\"2026-11-26T12:00:00.000000Z\"]]}\n".utf8
        ).write(to: URL(fileURLWithPath: records))
        func facts(_ name: String, _ user: String) throws -> String {
            let path = dir + "/" + name
            let text = "{\"type\":\"attribute-facts\",\"version\":1,\"sensitive\":0,\"users\":1,\"token_lists\":0}\n" + user + "\n"
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            return path
        }
        let pairs = [
            // More fields win.
            (
                "{\"type\":\"user\",\"id\":\"u1\",\"name\":\"a\",\"domain\":null}", "{\"type\":\"user\",\"id\":\"u1\",\"name\":\"a\",\"domain\":\"D\"}",
                "{\"id\":\"u1\",\"name\":\"a\",\"domain\":\"D\",\"in_export\":false}"
            ),
            // One field each, both empty: the name.
            (
                "{\"type\":\"user\",\"id\":\"u1\",\"name\":\"\",\"domain\":null}", "{\"type\":\"user\",\"id\":\"u1\",\"name\":null,\"domain\":\"\"}",
                "{\"id\":\"u1\",\"name\":\"\",\"domain\":null,\"in_export\":false}"
            ),
        ]
        for (n, (a, b, owner)) in pairs.enumerated() {
            let fa = try facts("a\(n).facts", a), fb = try facts("b\(n).facts", b)
            let ab = try attribute(["--facts", fa, "--facts", fb, records])
            let ba = try attribute(["--facts", fb, "--facts", fa, records])
            #expect(ab.status == 0 && ba.status == 0, "\(ab.stderrText)\(ba.stderrText)")
            #expect(ab.stdout == ba.stdout)
            #expect(ab.stdoutText.contains("\"user\":\(owner),\"via\":\"usertokens-sha1\""), "\(ab.stdoutText)")
        }
        // The list's owner came from outside: it counts as sensitive in this stream's facts.
        let out = dir + "/out.facts"
        #expect(try attribute(["--facts", try facts("c.facts", pairs[0].0), "--facts-out", out, records]).status == 0)
        #expect(try Self.header(out)["sensitive"] as? Int == 1)
        #expect(try attribute(["--facts-out", out, records]).status == 0)
        #expect(try Self.header(out)["sensitive"] as? Int == 1, "no owner without them: sensitive too")
        // A user of the export, resolved by his list key: not sensitive.
        try Data("{\"id\":\"u1\",\"name\":\"a\"}\n".utf8).write(to: URL(fileURLWithPath: dir + "/users.ndjson"))
        #expect(try attribute(["--users", dir + "/users.ndjson", "--facts-out", out, records]).status == 0)
        #expect(try Self.header(out)["sensitive"] as? Int == 0)
    }

    @Test func aFactsFileThatCannotBeUsedIsAOneLineErrorNamingItsLine() throws {
        let dir = try Scratch.directory("facts-bad")
        let records = dir + "/records.ndjson"
        try Data("{\"type\":\"item\",\"host\":\"127.0.0.1\",\"port\":1,\"key\":\"k\"}\n".utf8).write(to: URL(fileURLWithPath: records))
        let good = dir + "/good.facts"
        let made = try attribute(["--facts-out", good, records])
        #expect(made.status == 0, "\(made.stderrText)")
        #expect(
            try String(contentsOfFile: good, encoding: .utf8)
                == "{\"type\":\"attribute-facts\",\"version\":1,\"sensitive\":0,\"users\":0,\"token_lists\":0}\n")
        let header = "{\"type\":\"attribute-facts\",\"version\":1,\"sensitive\":1,\"users\":1,\"token_lists\":1}\n"
        let user = "{\"type\":\"user\",\"id\":\"u1\",\"name\":\"a\",\"domain\":null}\n"
        let list = "{\"type\":\"token-list\",\"key\":\"\(String(repeating: "ab", count: 20))\",\"tokens\":[\"\(String(repeating: "cd", count: 20))\"]}\n"
        let cases: [(name: String, text: String?, message: String)] = [
            ("missing.facts", nil, "cannot read facts \(dir)/missing.facts: "),
            ("notjson.facts", header + user + "{\"type\":\n", "facts \(dir)/notjson.facts: line 3: not JSON"),
            (
                "v2.facts", header.replacingOccurrences(of: "\"version\":1", with: "\"version\":2") + user + list,
                "facts \(dir)/v2.facts: line 1: facts of version 2; this attribute reads version 1"
            ),
            ("cut.facts", header + user, "facts \(dir)/cut.facts: line 1: the header announces 1 users and 1 token lists"),
            ("records.facts", "{\"type\":\"source\",\"host\":\"h\"}\n", "facts \(dir)/records.facts: line 1: unknown facts line type"),
            ("empty.facts", "", "facts \(dir)/empty.facts: line 1: no attribute-facts header"),
            (
                "badkey.facts", header + user + list.replacingOccurrences(of: "\"key\":\"ab", with: "\"key\":\"zz"),
                "facts \(dir)/badkey.facts: line 3: a token list whose key is not 40 hex digits"
            ),
        ]
        for c in cases {
            let path = dir + "/" + c.name
            if let text = c.text { try Data(text.utf8).write(to: URL(fileURLWithPath: path)) }
            let r = try attribute(["--facts", good, "--facts", path, "--output", dir + "/out.ndjson", records])
            #expect(r.status == 2, "\(c.name): \(r.status) \(r.stderrText)")
            let lines = r.stderrText.split(separator: "\n").filter { $0.hasPrefix("attribute: error: ") }
            #expect(lines.count == 1 && lines[0].hasPrefix("attribute: error: " + c.message), "\(c.name): \(r.stderrText)")
            #expect(!FileManager.default.fileExists(atPath: dir + "/out.ndjson"), "\(c.name): no output on a fatal error")
        }
        // The good one with the well-formed lines is read.
        try Data((header + user + list).utf8).write(to: URL(fileURLWithPath: dir + "/fine.facts"))
        let fine = try attribute(["--facts", dir + "/fine.facts", records])
        #expect(fine.status == 0, "\(fine.stderrText)")
        #expect(fine.stderrText.contains("facts \(dir)/fine.facts: 1 users outside the export, 1 token lists"))
    }
}
