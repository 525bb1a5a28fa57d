// Server spec parsing (python-memcached and pymemcache forms) and the node names each client hashes;
// pymemcache's own normalize_server_spec is the oracle for the names.
import Foundation
import Testing
import KeyPlacement
import TestSupport

@Suite struct ServerSpecTests {
    @Test func forms() throws {
        #expect(try ServerSpec.parse("10.0.0.1") == ServerSpec(host: "10.0.0.1", port: 11211, weight: 1))
        #expect(try ServerSpec.parse("10.0.0.1:11212") == ServerSpec(host: "10.0.0.1", port: 11212))
        #expect(try ServerSpec.parse("mc-a:11211:3") == ServerSpec(host: "mc-a", port: 11211, weight: 3))
        #expect(try ServerSpec.parse("inet:mc-a:11213") == ServerSpec(host: "mc-a", port: 11213))
        let v6 = try ServerSpec.parse("[::1]:11212:2")
        #expect(v6.host == "::1" && v6.port == 11212 && v6.weight == 2 && v6.family == .inet6)
        #expect(try ServerSpec.parse("inet6:[fe80::1]").port == 11211)
        let unix = try ServerSpec.parse("unix:/run/mc.sock")
        #expect(unix.family == .unix && unix.host == "/run/mc.sock" && unix.weight == 1)
        #expect(try ServerSpec.parse("/run/mc.sock:2").weight == 2)
        #expect(try ServerSpec.parse("mc-a:11211:0").weight == 0)
    }

    @Test func names() throws {
        #expect(try ServerSpec.parse("10.0.0.1").ketamaName == "10.0.0.1")
        #expect(try ServerSpec.parse("10.0.0.1:22122").ketamaName == "10.0.0.1:22122")
        #expect(try ServerSpec.parse("[::1]:11211").pymemcacheNodeName == "::1:11211")
        #expect(try ServerSpec.parse("unix:/tmp/m.sock").pymemcacheNodeName == "/tmp/m.sock")
        #expect(try ServerSpec.parse("[::1]:11211").description == "[::1]:11211")
    }

    @Test func pymemcacheNodeNamesMatchHashClient() throws {
        let specs = ["10.0.0.1:11211", "mc-b", "[::1]:11212", "[fe80::2]", "unix:/tmp/m.sock", "/tmp/n.sock"]
        let code = """
            import sys
            from pymemcache.client.hash import HashClient
            hc = HashClient(sys.argv[1:])
            print('\\n'.join(hc.hasher.nodes))
            """
        let expected = try Python.run(code: code, specs).stdoutText.split(separator: "\n").map(String.init)
        #expect(try specs.map { try ServerSpec.parse($0).pymemcacheNodeName } == expected)
    }

    @Test func lists() throws {
        let list = try ServerSpec.parseList("a:11211, b:11212:2,[::1]:11213")
        #expect(list.map(\.description) == ["a:11211", "b:11212", "[::1]:11213"])
        #expect(list.map(\.weight) == [1, 2, 1])
    }

    @Test(arguments: [
        ("", 0, PlacementError.Kind.badServerSpec), ("a:11211,,b", 8, .badServerSpec), ("a:notaport", 0, .badServerSpec),
        ("a:0", 0, .badServerSpec), ("a:70000", 0, .badServerSpec), ("a:1:2:3", 0, .badServerSpec),
        ("[::1", 0, .badServerSpec), ("[::1]x", 0, .badServerSpec), ("::1", 0, .badServerSpec),
        ("a:11211,b:11211:x", 8, .badWeight), ("a:11211:99999999", 0, .badWeight), ("unix:", 0, .badServerSpec),
        ("a:11211:-1", 0, .badWeight), (":11211", 0, .badServerSpec), ("a b:11211", 0, .badServerSpec),
        ("a:11211, ", 8, .badServerSpec), ("a:", 0, .badServerSpec), ("[::1]:", 0, .badServerSpec),
    ])
    func errors(text: String, offset: Int, kind: PlacementError.Kind) {
        do {
            _ = try ServerSpec.parseList(text)
            Issue.record("\"\(text)\" parsed")
        } catch {
            #expect(error.kind == kind, "\(text): \(error)")
            #expect(error.offset == offset, "\(text): \(error)")
            #expect(!error.description.isEmpty)
        }
    }
}
