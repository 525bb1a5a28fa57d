// KeyFamiliesTests: the automatic pattern (placeholders, separators, cuts), the application
// profiles on keys as the clients write them (docs/families.md), and the rules file with its errors.
import KeyFamilies
import Testing

private func family(_ key: String, rules: FamilyRules = FamilyRules()) -> KeyFamily {
    FamilyClassifier(rules: rules).family(of: Array(key.utf8))
}

@Suite struct KeyPatternTests {
    @Test(arguments: [
        ("cart:1234:items", "cart:{n}:items"),
        ("cart:98:items", "cart:{n}:items"),
        ("user42/profile", "user{n}/profile"),
        ("obj-0b7e3c52-9f0c-4a4e-9d7e-7f1f8f2e0a11-v", "obj-{uuid}-v"),
        ("report.2024-01-31.csv", "report.{date}.csv"),
        ("img|5d41402abc4b2a76b9719d911017c592", "img|{md5}"),
        ("sess_aGVsbG8gd29ybGQgMTIzNDU2", "sess_{b64}"),
        ("x:da39a3ee5e6b4b0d3255bfef95601890afd80709", "x:{sha1}"),
        ("x:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "x:{sha256}"),
        ("deadbeef00:a", "{hex}:a"),
        ("plain", "plain"),
        ("a::b", "a::b"),
        ("", ""),
        ("città:7", "città:{n}"),
    ])
    func placeholders(key: String, expected: String) {
        #expect(KeyPattern.pattern(Array(key.utf8)) == expected)
    }

    @Test func invalidUTF8AndControlBytesBecomePlaceholders() {
        #expect(KeyPattern.pattern([0x61, 0x3A, 0xFF, 0xFE, 0x3A, 0x31]) == "a:{bin}:{n}")
        #expect(KeyPattern.pattern([0x61, 0x3A, 0x01, 0x3A, 0x31]) == "a:{bin}:{n}")
    }

    @Test func longPatternsAreCutAtAPartBoundary() {
        let key = (0..<60).map { "part\($0 % 2 == 0 ? "x" : "y")" }.joined(separator: ":")
        let p = KeyPattern.pattern(Array(key.utf8))
        #expect(p.hasSuffix("…"))
        #expect(p.utf8.count <= KeyPattern.maxNameBytes + "…".utf8.count)
        #expect(!p.dropLast().hasSuffix("par"))
    }

    @Test func aUUIDMustEndAtASeparator() {
        #expect(KeyPattern.pattern(Array("0b7e3c52-9f0c-4a4e-9d7e-7f1f8f2e0a11x".utf8)) != "{uuid}")
    }
}

@Suite struct FamilyProfileTests {
    @Test(arguments: [
        // Keystone (dogpile sha1 mangler, keystonemiddleware, token-list locks)
        ("2d8a77f1a5ae1e0e3e0f6d9a8e8f95a1f1b7c9d0", "keystone:sha1-key"),
        ("tokens/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "keystonemiddleware:tokens"),
        ("_lockusertokens-9ba9e23b6d0a4b6c8b7f", "keystone:lock"),
        // Django: KEY_PREFIX:VERSION:key
        (":1:django.contrib.sessions.cacheq2x7k0v3n8m1p5r9t4w6y0z2a4c6e8g1", "django:session"),
        (":1:django.contrib.sessions.cached_dbq2x7k0v3n8m1p5r9t4w6y0z2a4c6e8g1", "django:session(cached_db)"),
        (
            ":1:views.decorators.cache.cache_page..GET.0f6b6b3a8e1f1d2e3c4b5a69788796a5.d41d8cd98f00b204e9800998ecf8427e.en-us.UTC",
            "django:cache_page"
        ),
        (":1:views.decorators.cache.cache_header..0f6b6b3a8e1f1d2e3c4b5a69788796a5.en-us.UTC", "django:cache_header"),
        (":1:template.cache.sidebar.d41d8cd98f00b204e9800998ecf8427e", "django:template.cache.sidebar"),
        ("site1:1:django.contrib.sessions.cacheq2x7k0v3n8m1p5r9t4w6y0z2a4c6e8g1", "django:site1:session"),
        (":3:cart:9", "django:cart:{n}"),
        // Rails
        ("views/products/42-20240131120000/summary", "rails:views/products/{n}-{n}/summary"),
        ("shop:views/products/7/summary", "rails:views/products/{n}/summary"),
        ("_session_id:2::5f4dcc3b5aa765d61d8327deb882cf995f4dcc3b5aa765d61d8327deb882cf99", "rails:session"),
        ("rack::attack:28591230:req/ip:10.0.0.1", "rails:rack-attack:req/ip"),
        // WordPress object cache
        ("wp_:posts:123", "wordpress:posts"),
        ("salt1:options:alloptions", "wordpress:options"),
        // Laravel
        ("laravel_cache:users.42", "laravel:users.{n}"),
        ("myapp_cache_:report-2024-01-31", "laravel:report-{date}"),
        // php-memcached sessions
        ("memc.sess.key.lock.k3j4h5g6f7d8s9a0", "php:session-lock"),
        ("memc.sess.key.k3j4h5g6f7d8s9a0", "php:session"),
    ])
    func profile(key: String, expected: String) {
        let f = family(key)
        #expect(f.name == expected)
        #expect(f.source == .profile)
    }

    @Test func keysNoProfileKnowsFallToThePattern() {
        let f = family("cart:77:items")
        #expect(f == KeyFamily(name: "cart:{n}:items", source: .pattern))
        #expect(family("2D8A77F1A5AE1E0E3E0F6D9A8E8F95A1F1B7C9D0").source == .pattern)
        // A prefixed versioned key is Django's only for Django's own families.
        #expect(family("site1:1:product:42") == KeyFamily(name: "site{n}:{n}:product:{n}", source: .pattern))
    }
}

@Suite struct FamilyRulesTests {
    let rules = """
        # shop rules
        ^cart:[0-9]+:items$ => cart shop-team

        ^tenant-([a-z]+): => tenant-$1 $1-ops
        ^views/ => rails-fragments
        """

    @Test func firstMatchingRuleWinsOverProfilesAndPatterns() throws {
        let r = try FamilyRules(parsing: rules)
        #expect(r.rules.count == 3)
        #expect(family("cart:77:items", rules: r) == KeyFamily(name: "cart", source: .rule, owner: "shop-team"))
        #expect(family("tenant-acme:x:1", rules: r) == KeyFamily(name: "tenant-acme", source: .rule, owner: "acme-ops"))
        #expect(family("views/a/1", rules: r) == KeyFamily(name: "rails-fragments", source: .rule))
        #expect(family("cart:77:other", rules: r).source == .pattern)
    }

    @Test func aRuleMayNameTheFamilysClient() throws {
        let r = try FamilyRules(parsing: "^cart: => cart shop-team client=dalli\n^x: => x client=pymemcache\n")
        #expect(family("cart:1", rules: r) == KeyFamily(name: "cart", source: .rule, owner: "shop-team", client: "dalli"))
        #expect(family("x:1", rules: r) == KeyFamily(name: "x", source: .rule, client: "pymemcache"))
        #expect(r.rules.map(\.line) == [1, 2])
    }

    @Test func arrowInsideTheExpressionSplitsAtTheLastArrow() throws {
        let r = try FamilyRules(parsing: "^a => b$ => ab")
        #expect(r.rules[0].pattern == "^a => b$")
        #expect(family("a => b", rules: r).name == "ab")
    }

    @Test(arguments: [
        ("^a( => f", 1, "bad regular expression"),
        ("no arrow here", 1, "expected `REGEX => FAMILY [OWNER] [client=NAME]`"),
        ("# c\n^a => ", 2, "expected"),
        ("^a => f o extra", 1, "expected"),
        ("^a => f client=", 1, "client= names no client"),
        ("^a => f client=dalli o", 1, "expected"),
        ("^a([0-9]) => f-$2", 1, "$2 in f-$2 but the expression has 1 group(s)"),
    ])
    func badRulesNameTheirLine(text: String, line: Int, message: String) {
        #expect {
            _ = try FamilyRules(parsing: text)
        } throws: { error in
            guard let e = error as? FamilyRulesError else { return false }
            return e.line == line && e.message.contains(message)
        }
    }

    @Test func keysWithInvalidUTF8MatchAsBytes() throws {
        let r = try FamilyRules(parsing: "^bin: => binary")
        #expect(FamilyClassifier(rules: r).family(of: Array("bin:".utf8) + [0xFF]).name == "binary")
    }
}
