// AttributionTests/FamilyPlacementTests: placement when the client is not known — each non-Keystone
// item gets the client schemes that put its key where it was found (`placement.fits`), `--client`
// still decides every item, and on Samples/apps-3host (written by the real Django, Dalli,
// php-memcached and pymemcache clients) and on the sample of each ecosystem report infers each key
// family's real client.
import Foundation
import KeyPlacement
import Testing
import TestSupport

@Suite struct FamilyPlacementTests {
    static let servers = "127.0.0.1:21311,127.0.0.1:21312,127.0.0.1:21313"

    func run(_ name: String, _ args: [String], stdin: Data? = nil) throws -> ProcessResult {
        try runProcess(Repo.executable(name), args, stdin: stdin)
    }

    static func record(_ key: String, port: Int, family: String) -> String {
        #"{"type":"item","host":"127.0.0.1","port":\#(port),"key":"\#(key)","size":3,"flags":0,"family":"\#(family)","value":"abc"}"#
    }

    @Test func itemsOfAnUnknownClientGetTheSchemesThatFitThem() throws {
        let list = try ServerSpec.parseList(Self.servers)
        let key = "shop:views/products/1/summary"
        let found = 1
        let input = Data((Self.record(key, port: 21312, family: "rails:views/products/{n}/summary") + "\n").utf8)
        let r = try run("attribute", ["--servers", Self.servers, "-"], stdin: input)
        #expect(r.status == 0, "\(r.stderrText)")
        let obj = try #require(try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any])
        let placement = try #require(obj["placement"] as? [String: Any])
        #expect(placement["ok"] == nil)
        let fits = try #require(placement["fits"] as? [String])
        var expected: [String] = []
        for c in ClientPlacement.allCases where c != .jump {
            if try c.scheme(servers: list).serverIndex(for: Array(key.utf8)) == found { expected.append(c.rawValue) }
        }
        #expect(fits == expected)

        // Told the client, every item is checked against it.
        let told = try run("attribute", ["--servers", Self.servers, "--client", "dalli", "-"], stdin: input)
        let o2 = try #require(try JSONSerialization.jsonObject(with: told.stdout) as? [String: Any])
        let p2 = try #require(o2["placement"] as? [String: Any])
        #expect(p2["scheme"] as? String == "dalli")
        #expect(p2["ok"] as? Bool == (try DalliRing(servers: list).serverIndex(for: Array(key.utf8)) == found))
    }

    @Test func aRuleNamingTheClientMakesItKnown() throws {
        let list = try ServerSpec.parseList(Self.servers)
        let key = "shop:views/products/1/summary"
        var record = Self.record(key, port: 21312, family: "shop")
        record.removeLast()
        record += #","family_client":"dalli"}"#
        let r = try run("attribute", ["--servers", Self.servers, "-"], stdin: Data((record + "\n").utf8))
        let obj = try #require(try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any])
        let p = try #require(obj["placement"] as? [String: Any])
        #expect(p["scheme"] as? String == "dalli")
        #expect(p["fits"] == nil)
        #expect(p["ok"] as? Bool == (try DalliRing(servers: list).serverIndex(for: Array(key.utf8)) == 1))
    }

    @Test func aHostOutsideTheServerListFitsNoScheme() throws {
        let input = Data((Self.record("k", port: 29999, family: "k") + "\n").utf8)
        let r = try run("attribute", ["--servers", Self.servers, "-"], stdin: input)
        let obj = try #require(try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any])
        #expect((obj["placement"] as? [String: Any])?["fits"] as? [String] == [])
    }

    @Test("on the apps sample, each key family's inferred client is the client that wrote it")
    func theSampleFamiliesGetTheirRealClients() throws {
        let dir = Repo.path("Samples/apps-3host")
        let dumps = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".mcdump.gz") }.sorted().map { dir + "/" + $0 }
        let decoded = try run("decode", dumps)
        #expect(decoded.status == 0, "\(decoded.stderrText)")
        let attributed = try run("attribute", ["--servers", Self.servers, "-"], stdin: decoded.stdout)
        #expect(attributed.status == 0, "\(attributed.stderrText)")
        let report = try run("report", ["--format", "json", "--servers", Self.servers, "-"], stdin: attributed.stdout)
        let doc = try #require(try JSONSerialization.jsonObject(with: report.stdout) as? [String: Any])
        let families = try #require(doc["families"] as? [[String: Any]])
        var inferred: [String: [String]] = [:]
        for f in families {
            guard let name = f["family"] as? String, let p = f["placement"] as? [String: Any], p["basis"] as? String == "inferred" else { continue }
            inferred[name] = p["schemes"] as? [String]
            #expect(p["misplaced"] as? Int == 0, "\(name)")
        }
        let expected: [String: [String]] = [
            "django:session": ["pymemcache"], "django:product:{n}": ["pymemcache"], "api:user:{n}": ["pymemcache"],
            "rails:session": ["dalli"], "rails:views/products/{n}-{n}/summary": ["dalli"], "rails:rack-attack:req/ip": ["dalli"],
            "wordpress:posts": ["libmemcached"], "wordpress:post_meta": ["libmemcached"], "php:session": ["libmemcached"],
            "laravel:user.{n}.profile": ["libmemcached-ketama"], "laravel:report-{date}": ["libmemcached-ketama"],
        ]
        for (family, schemes) in expected { #expect(inferred[family] == schemes, "\(family): \(inferred[family] ?? [])") }
        // The hot host and the family behind it, by bytes and by the traffic its slab classes imply.
        let byBytes = try #require(doc["family_explanation"] as? [String: Any])
        #expect(byBytes["host"] as? String == "127.0.0.1:21313")
        #expect((byBytes["families"] as? [[String: Any]])?.first?["family"] as? String == "wordpress:options")
        let byTraffic = try #require(doc["family_traffic_explanation"] as? [String: Any])
        #expect(byTraffic["basis"] as? String == "estimated-traffic")
        #expect((byTraffic["families"] as? [[String: Any]])?.first?["family"] as? String == "wordpress:options")
        let warnings = doc["warnings"] as? [String] ?? []
        #expect(warnings.contains { $0.contains("no what-if \"now\" row reproduces the current placement") }, "\(warnings)")
    }

    /// One sample per ecosystem (Samples/make-apps.sh): its families and the client that wrote each, and
    /// the family the report names as making the hot host hot.
    static let ecosystemSamples: [(dir: String, families: [String: [String]], hot: String)] = [
        (
            "Samples/django-2host",
            [
                "django:session": ["pymemcache"], "django:product:{n}": ["pymemcache"], "api:user:{n}": ["pymemcache"],
                "django:template.cache.product_grid": ["pymemcache"],
            ],
            "django:template.cache.product_grid"
        ),
        (
            "Samples/rails-2host",
            ["rails:session": ["dalli"], "rails:views/products/{n}-{n}/summary": ["dalli"], "rails:rack-attack:req/ip": ["dalli"]],
            "rails:views/catalog/page-{n}"
        ),
        (
            "Samples/php-2host",
            [
                "wordpress:posts": ["libmemcached"], "wordpress:post_meta": ["libmemcached"], "php:session": ["libmemcached"],
                "laravel:user.{n}.profile": ["libmemcached-ketama"],
            ],
            "wordpress:options"
        ),
    ]

    @Test("each ecosystem's sample decodes whole, and each family's inferred client is the client that wrote it", arguments: 0..<3)
    func eachEcosystemSample(index: Int) throws {
        let sample = Self.ecosystemSamples[index]
        let dir = Repo.path(sample.dir)
        let servers = try String(contentsOfFile: dir + "/servers.txt", encoding: .utf8).split(separator: "\n").joined(separator: ",")
        let dumps = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".mcdump.gz") }.sorted().map { dir + "/" + $0 }
        #expect(dumps.count == 2)
        let decoded = try run("decode", dumps)
        #expect(decoded.status == 0, "\(decoded.stderrText)")
        let records = decoded.stdoutText.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let items = records.filter { $0["type"] as? String == "item" }
        #expect(items.count > 100)
        #expect(items.allSatisfy { $0["error"] == nil && $0["value"] != nil }, "every value decodes")
        let attributed = try run("attribute", ["--servers", servers, "-"], stdin: decoded.stdout)
        #expect(attributed.status == 0, "\(attributed.stderrText)")
        let report = try run("report", ["--format", "json", "--servers", servers, "-"], stdin: attributed.stdout)
        let doc = try #require(try JSONSerialization.jsonObject(with: report.stdout) as? [String: Any])
        var inferred: [String: [String]] = [:]
        for f in try #require(doc["families"] as? [[String: Any]]) {
            guard let name = f["family"] as? String, let p = f["placement"] as? [String: Any], p["basis"] as? String == "inferred" else { continue }
            inferred[name] = p["schemes"] as? [String]
        }
        for (family, schemes) in sample.families { #expect(inferred[family] == schemes, "\(sample.dir) \(family): \(inferred[family] ?? [])") }
        let byBytes = try #require(doc["family_explanation"] as? [String: Any])
        #expect((byBytes["families"] as? [[String: Any]])?.first?["family"] as? String == sample.hot)
        // Dalli is not among the what-if's default clients: the warning names it and the option that adds it.
        let warnings = doc["warnings"] as? [String] ?? []
        if sample.dir.contains("rails") {
            #expect(
                warnings.contains {
                    $0.hasSuffix(
                        "the key families follow dalli, which the what-if does not compare: add --what-if-clients python-memcached,python-memcached-1.59,libmemcached-ketama,twemproxy,pymemcache,jump,dalli"
                    )
                }, "\(warnings)")
            let withDalli = try run(
                "report",
                [
                    "--format", "json", "--servers", servers, "--what-if-clients",
                    "python-memcached,python-memcached-1.59,libmemcached-ketama,twemproxy,pymemcache,jump,dalli", "-",
                ],
                stdin: attributed.stdout)
            let again = try #require(try JSONSerialization.jsonObject(with: withDalli.stdout) as? [String: Any])
            #expect(!((again["warnings"] as? [String]) ?? []).contains { $0.contains("reproduces the current placement") })
        }
    }
}
