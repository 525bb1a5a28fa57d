// PipelineCLITests: server lists as operators write them — HOST:PORT[:WEIGHT], servers files,
// Keystone / oslo.cache config files — and the errors for bad ones (with file and line).
import KeyPlacement
import Testing

@testable import PipelineCLI

@Suite struct ServerListTests {
    @Test func specs() throws {
        #expect(try ServerSpec.parseArgument("10.0.0.1:11211") == ServerSpec(host: "10.0.0.1", port: 11211))
        #expect(try ServerSpec.parseArgument(" mc-2.example:11212:3 ") == ServerSpec(host: "mc-2.example", port: 11212, weight: 3))
        #expect(try ServerSpec.parseArgument("inet:10.0.0.3:11211") == ServerSpec(host: "10.0.0.3", port: 11211))
        // python-memcached's default port.
        #expect(try ServerSpec.parseArgument("cache-1") == ServerSpec(host: "cache-1", port: 11211))
        let v6 = try ServerSpec.parseArgument("[::1]:11211:2")
        #expect(v6 == ServerSpec(host: "::1", port: 11211, weight: 2) && v6.address == "[::1]:11211")
        #expect(try ServerSpec.parseArgument("unix:/run/mc.sock").family == .unix)
    }

    @Test(arguments: ["", "host:", ":11211", "host:0", "host:65536", "host:x", "host:1:x", "host:1:2:3", "[::1", "[::1]11211"])
    func badSpecs(_ text: String) {
        let e = #expect(throws: CLIError.self) { try ServerSpec.parseArgument(text) }
        #expect(e?.description.isEmpty == false)
    }

    /// The same host:port twice is ambiguous (two buckets, or a slip?): refused, with the weight that says it.
    @Test(arguments: ["a:11211,a:11211", "a:11211 b:11212 a:11211:3", "a,a:11211"])
    func repeatedServersAreRefused(_ text: String) {
        let e = #expect(throws: CLIError.self) { try ServerSpec.parseArgumentList(text) }
        #expect(e?.description.contains("a:11211 is listed twice") == true && e?.description.contains("a:11211:2") == true)
        #expect(throws: PlacementError.self) { try ServerSpec.parseList(text.replacingOccurrences(of: " ", with: ",")) }
    }

    @Test func serversFile() throws {
        let text = "# cluster A\n10.0.0.1:11211\n10.0.0.2:11211:2, 10.0.0.3:11211  # third\n\n"
        let specs = try ServerSpec.parseServersFile(text, name: "f")
        #expect(specs.map(\.address) == ["10.0.0.1:11211", "10.0.0.2:11211", "10.0.0.3:11211"])
        #expect(specs.map(\.weight) == [1, 2, 1])
        let e = #expect(throws: CLIError.self) { try ServerSpec.parseServersFile("10.0.0.1:11211\nbogus:x\n", name: "servers.txt") }
        #expect(e?.description.hasPrefix("servers.txt:2:") == true)
    }

    @Test func keystoneConfig() throws {
        let text = """
            [DEFAULT]
            verbose = True
            ; comment
            [memcache]
            servers = 10.0.0.1:11211,10.0.0.2:11211
            dead_retry = 300

            [cache]
            backend = keystone.cache.memcache_pool
            memcache_servers = 10.0.0.2:11211,
               10.0.0.9:11211
            """
        let conf = try KeystoneMemcacheConfig.parse(text, name: "keystone.conf")
        #expect(conf.memcacheServers?.map(\.address) == ["10.0.0.1:11211", "10.0.0.2:11211"])
        #expect(conf.cacheServers?.map(\.address) == ["10.0.0.2:11211", "10.0.0.9:11211"])
        #expect(conf.allServers.map(\.address) == ["10.0.0.1:11211", "10.0.0.2:11211", "10.0.0.9:11211"])
        #expect(conf.tokenServers?.map(\.address) == ["10.0.0.1:11211", "10.0.0.2:11211"])
        let cacheOnly = try KeystoneMemcacheConfig.parse("[cache]\nmemcache_servers = c1:11211\n", name: "k")
        #expect(cacheOnly.tokenServers?.map(\.address) == ["c1:11211"])
        #expect(try KeystoneMemcacheConfig.parse("[token]\nprovider = uuid\n", name: "k").allServers.isEmpty)
        let e = #expect(throws: CLIError.self) { try KeystoneMemcacheConfig.parse("[memcache]\nservers = nohost:x\n", name: "k.conf") }
        #expect(e?.description.hasPrefix("k.conf:2: [memcache] servers:") == true)
    }
}
