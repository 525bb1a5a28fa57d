// DecodeTests/OtherEcosystemsTests: the other big clients end to end — real Dalli and ActiveSupport
// (Ruby) and real php-memcached (PHP, with igbinary, msgpack, FastLZ and zlib) write into a real
// memcached, `collect` captures it, `decode` (default `--client auto`) reads it, and every value equals
// what the language's own decoder loads back (Ruby's Marshal.load, php-memcached's get()), as canonical
// JSON; nothing is an error and the exit status is 0.
import Foundation
import Testing
import TestSupport

@Suite("other ecosystems end to end", .serialized)
struct OtherEcosystemsTests {
    /// Compares decode's item values with the expected canonical JSON lines (`{"key", <field>: JSON text}`):
    /// both parsed and re-written by Python's json (member order kept), so equal values compare equal.
    static let compare = """
        import json, sys
        records = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
        items = {r.get('key'): r for r in records if r.get('type') == 'item'}
        field = sys.argv[3]
        # With --client auto, php-memcached's double stored as an integer text (`76`) under a key no
        # family names reads as python-memcached's int 76 (docs/records.md): equal as a number.
        lenient = len(sys.argv) > 4 and sys.argv[4] == 'lenient-doubles'
        bad = []
        ambiguous = 0
        n = 0
        for line in open(sys.argv[2]):
            if not line.strip(): continue
            want = json.loads(line); n += 1
            r = items.get(want['key'])
            if r is None: bad.append('missing %s' % want['key']); continue
            if 'error' in r: bad.append('%s: error %s' % (want['key'], r['error'])); continue
            exp = json.dumps(json.loads(want[field]), ensure_ascii=False, sort_keys=False)
            got = json.dumps(r.get('value'), ensure_ascii=False, sort_keys=False)
            if exp != got and lenient and want.get('flags', 0) & 0xF == 2 and isinstance(r.get('value'), int) \
                    and float(r['value']) == json.loads(want[field]) and r.get('encoding') == ['int']:
                ambiguous += 1; continue
            if exp != got: bad.append('%s: %s != %s (encoding %s)' % (want['key'], got[:200], exp[:200], r.get('encoding')))
            if 'layers' in want and want.get('format') and r.get('encoding') != want['layers']:
                bad.append('%s: encoding %s != %s' % (want['key'], r.get('encoding'), want['layers']))
            if want.get('metadata') and json.loads(want['metadata']) != r.get('envelope'):
                bad.append('%s: envelope %s != %s' % (want['key'], r.get('envelope'), want['metadata']))
        print('checked %d' % n)
        if lenient: print('ambiguous %d' % ambiguous)
        for b in bad[:20]: print(b)
        """

    /// Fills a fresh memcached with `fill` (which prints the expected lines), captures and decodes it.
    func captureAndDecode(client: String = "auto", fill: (UInt16) throws -> Data) throws -> (
        records: String, expected: String, decodeStatus: Int32, stderr: String
    ) {
        let server = try MemcachedServer(memoryMB: 64)
        defer { server.stop() }
        let expected = try fill(server.port)
        let dir = NSTemporaryDirectory() + "ecosystems-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let c = try runProcess(Repo.executable("collect"), [server.address, "--out", dir])
        #expect(c.status == 0, "\(c.stderrText)")
        let dump = dir + "/127.0.0.1_\(server.port).mcdump.gz"
        let d = try runProcess(Repo.executable("decode"), ["--client", client, dump])
        let expectedPath = dir + "/expected.jsonl"
        try expected.write(to: URL(fileURLWithPath: expectedPath))
        let recordsPath = dir + "/records.ndjson"
        try d.stdout.write(to: URL(fileURLWithPath: recordsPath))
        // Keep the files for the comparison: copy them out of `dir` before it goes.
        let keep = NSTemporaryDirectory() + "ecosystems-keep-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: keep, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: recordsPath, toPath: keep + "/records.ndjson")
        try FileManager.default.copyItem(atPath: expectedPath, toPath: keep + "/expected.jsonl")
        return (keep + "/records.ndjson", keep + "/expected.jsonl", d.status, d.stderrText)
    }

    /// Returns the count of ambiguous doubles accepted (`lenient`), else 0.
    @discardableResult
    func check(_ r: (records: String, expected: String, decodeStatus: Int32, stderr: String), field: String, atLeast: Int, lenient: Bool = false) throws -> Int
    {
        defer { try? FileManager.default.removeItem(atPath: (r.records as NSString).deletingLastPathComponent) }
        #expect(r.decodeStatus == 0, "\(r.stderr)")
        let out = try Python.run(code: Self.compare, [r.records, r.expected, field] + (lenient ? ["lenient-doubles"] : [])).stdoutText
        let lines = out.split(separator: "\n")
        let checked = Int(lines.first?.split(separator: " ").last ?? "") ?? 0
        #expect(checked >= atLeast, "\(out)")
        #expect(lines.count == (lenient ? 2 : 1), "\(out)")
        return lenient ? Int(lines.last?.split(separator: " ").last ?? "") ?? -1 : 0
    }

    /// Django 5.2's PyMemcacheCache writes (pymemcache's pickle serde: str as text, int as digits, the
    /// rest pickled at protocol 5, sessions too); the reference is the project's pickle canonicalizer
    /// (Tests/Fixtures/pickle/canon.py) applied to the values Django reads back.
    static let djangoFill = """
        import sys, datetime, decimal
        sys.path.insert(0, sys.argv[2])
        import canon
        import django
        from django.conf import settings
        settings.configure(CACHES={"default": {"BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache",
                                               "LOCATION": ["127.0.0.1:" + sys.argv[1]]}},
                           SESSION_ENGINE="django.contrib.sessions.backends.cache", SECRET_KEY="t",
                           INSTALLED_APPS=["django.contrib.sessions"], USE_TZ=True)
        django.setup()
        from django.core.cache import cache
        from django.contrib.sessions.backends.cache import SessionStore
        values = {"str": "héllo", "int": 42, "big": 2 ** 70, "float": 0.1, "bool": True, "none": None,
                  "list": [1, "a", [2.5]], "dict": {"a": 1, "b": [None, False]}, "bytes": b"\\x00\\xff",
                  "when": datetime.datetime(2026, 12, 6, 12, 0, tzinfo=datetime.timezone.utc),
                  "money": decimal.Decimal("9.99"), "set": {1, 2, 3}, "long-text": "x" * 5000}
        keys = []
        for k, v in values.items():
            cache.set(k, v)
            keys.append(k)
        s = SessionStore(); s["_auth_user_id"] = "7"; s["cart"] = [1, 2]; s.save()
        session_key = "django.contrib.sessions.cache" + s.session_key
        keys.append(session_key)
        import json
        for k in keys:
            print(json.dumps({"key": cache.make_key(k), "json": canon.dumps(canon.Canon()(cache.get(k)))}))
        """

    @Test("Django's PyMemcacheCache (text, integers, pickles, sessions) decodes as Python loads it")
    func django() throws {
        let r = try captureAndDecode { port in
            try Python.run(code: Self.djangoFill, [String(port), Repo.path("Tests/Fixtures/pickle")]).stdout
        }
        try check(r, field: "json", atLeast: 14)
    }

    @Test("Dalli and ActiveSupport (Marshal, zlib, Rails 6.1/7.0/7.1 entries) decode as Ruby loads them")
    func dalliAndActiveSupport() throws {
        let r = try captureAndDecode { port in
            let fill = try runProcess("/usr/bin/ruby", [Repo.path("Tests/Fixtures/ruby/dalli_fill.rb"), String(port)])
            guard fill.status == 0 else { throw TestSupportError.failed("dalli_fill.rb: \(fill.stderrText)") }
            return fill.stdout
        }
        try check(r, field: "json", atLeast: 25)
    }

    static func phpFill(_ port: UInt16) throws -> Data {
        let fill = try runProcess("/usr/bin/php", [Repo.path("Tests/Fixtures/php/memcached_items.php"), String(port)])
        guard fill.status == 0 else { throw TestSupportError.failed("memcached_items.php: \(fill.stderrText)") }
        return fill.stdout
    }

    @Test("php-memcached (serialize, igbinary, JSON, msgpack; FastLZ and zlib; user flags) decodes as PHP loads it")
    func phpMemcached() throws {
        // Told the client, every value is exactly PHP's.
        try check(try captureAndDecode(client: "php-memcached", fill: Self.phpFill), field: "expect", atLeast: 300)
        // Left to auto, too — but for the doubles stored as integer text under keys no family names,
        // which read as python-memcached's ints of the same value.
        let ambiguous = try check(try captureAndDecode(fill: Self.phpFill), field: "expect", atLeast: 300, lenient: true)
        #expect(ambiguous > 0 && ambiguous <= 12, "\(ambiguous)")
    }
}

/// Copies left by a changed server list, made by the real python-memcached: the same keys set through a
/// client of two servers, then through a client that lost the first (even keys with new values, odd
/// keys with the same); collect, decode and report list every key the first client had put on the
/// first server as found on both, and tell the stale copies (other bytes) from the same ones.
@Suite("copies on more than one host")
struct CopiesEndToEndTests {
    @Test func aChangedServerListLeavesCopiesTheReportNames() throws {
        let a = try MemcachedServer(memoryMB: 16)
        defer { a.stop() }
        let b = try MemcachedServer(memoryMB: 16)
        defer { b.stop() }
        let fill = """
            import sys, memcache
            both = memcache.Client(sys.argv[1:3])
            keys = ['item:%d' % i for i in range(60)]
            for k in keys: both.set(k, 'v' * 100)
            onA = [k for k in keys if both._get_server(k.encode())[0].port == int(sys.argv[1].split(':')[1])]
            only = memcache.Client([sys.argv[2]])
            for i, k in enumerate(keys): only.set(k, ('w' if i % 2 == 0 else 'v') * 100)
            print(len(onA), len([k for k in onA if int(k.split(':')[1]) % 2 == 0]))
            """
        let counts = try Python.run(code: fill, [a.address, b.address]).stdoutText.split(separator: " ").compactMap {
            Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        try #require(counts.count == 2)
        let moved = counts[0], stale = counts[1]
        #expect(moved > 0 && stale > 0 && stale < moved)
        let dir = NSTemporaryDirectory() + "copies-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let c = try runProcess(Repo.executable("collect"), [a.address, b.address, "--out", dir])
        #expect(c.status == 0, "\(c.stderrText)")
        let dumps = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".mcdump.gz") }.map { dir + "/" + $0 }
        let d = try runProcess(Repo.executable("decode"), dumps)
        let r = try runProcess(Repo.executable("report"), ["--format", "json", "-"], stdin: d.stdout)
        let doc = try #require(try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any])
        let copies = try #require(doc["copies"] as? [String: Any])
        #expect(copies["keys"] as? Int == moved)
        #expect(copies["extra_copies"] as? Int == moved)
        #expect(copies["differing_value_copies"] as? Int == stale)
        #expect(copies["same_value_copies"] as? Int == moved - stale)
        let entries = try #require(copies["entries"] as? [[String: Any]])
        #expect(entries.allSatisfy { Set($0["hosts"] as? [String] ?? []) == [a.address, b.address] })
        for e in entries {
            let key = e["key"] as? String ?? "", n = Int(key.split(separator: ":").last ?? "") ?? -1
            #expect(e["same_value"] as? [Bool] == [n % 2 == 1], "\(key)")
            #expect((e["same_cas"] as? [Bool])?.count == 1, "\(key): every copy has a CAS")
        }
        // One partial per dump, merged in the same order: the same report, copies and all (key logs).
        var partials: [String] = []
        for (i, dump) in dumps.enumerated() {
            let records = try runProcess(Repo.executable("decode"), [dump])
            let p = try runProcess(Repo.executable("report"), ["--format", "json", "--partial", "-"], stdin: records.stdout)
            #expect(p.status == 0, "\(p.stderrText)")
            let path = "\(dir)/\(i).partial"
            try p.stdout.write(to: URL(fileURLWithPath: path))
            partials.append(path)
        }
        let merged = try runProcess(Repo.executable("report"), ["--merge", "--format", "json"] + partials)
        #expect(merged.status == 0, "\(merged.stderrText)")
        #expect(merged.stdoutText == r.stdoutText)
        let text = try runProcess(Repo.executable("report"), ["-"], stdin: d.stdout).stdoutText
        #expect(text.contains("\(stale) hold other bytes than the first copy (stale data a failover would serve again), \(moved - stale) the same bytes"))
        #expect(text.contains("(100 B; other value, "))
        #expect(text.contains("(100 B; same value, "))
    }
}
