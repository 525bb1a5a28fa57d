// KeyPlacementTests/TwemproxyNutcrackerTests: TwemproxyPool against the real twemproxy (Debian nutcracker
// 0.5.0): keys set through nutcracker pools over three real memcached processes, then found on the backends
// (Tests/oracles/nutcracker_oracle.py), and compared with the pool's predicted server.
import Foundation
import KeyPlacement
import Testing
import TestSupport

/// A nutcracker process on 127.0.0.1 with a generated configuration, stopped by pid.
private final class Nutcracker: @unchecked Sendable {
    let process: Process
    let directory: URL

    static var binary: String? {
        ["/usr/sbin/nutcracker", "/usr/bin/nutcracker", "/usr/local/sbin/nutcracker", "/usr/local/bin/nutcracker"]
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Starts nutcracker on `yaml` and waits until every port in `listenPorts` accepts connections.
    init(yaml: String, listenPorts: [UInt16]) throws {
        ignoreBrokenPipes()
        guard let bin = Nutcracker.binary else {
            throw TestSupportError.notFound("nutcracker (Debian package nutcracker: apt-get install nutcracker)")
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("nutcracker-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let conf = directory.appendingPathComponent("nutcracker.yml")
        try Data(yaml.utf8).write(to: conf)
        let statsPort = try freeLoopbackPort()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: bin)
        p.arguments = [
            "-c", conf.path, "-s", String(statsPort), "-a", "127.0.0.1",
            "-o", directory.appendingPathComponent("nutcracker.log").path,
            "-p", directory.appendingPathComponent("nutcracker.pid").path,
        ]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        process = p
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline, p.isRunning, !listenPorts.allSatisfy({ MemcachedServer.canConnect(port: $0) }) { usleep(20_000) }
        guard p.isRunning, listenPorts.allSatisfy({ MemcachedServer.canConnect(port: $0) }) else {
            let log = (try? String(contentsOf: directory.appendingPathComponent("nutcracker.log"), encoding: .utf8)) ?? ""
            stop()
            throw TestSupportError.failed("nutcracker did not listen on \(listenPorts): \(log)")
        }
    }

    /// SIGTERM by pid, SIGKILL after a grace period; removes the configuration directory.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            let deadline = Date().addingTimeInterval(3)
            while process.isRunning && Date() < deadline { usleep(10_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }
}

/// One twemproxy pool under test: its YAML settings and the scheme that should agree with it.
private struct PoolCase {
    var label: String
    var distribution: TwemproxyPool.Distribution
    var hash: HashKitFunction
    var weights: [Int]
    var names: [String?]?
    /// List the backends in descending port order, so the file order is not twemproxy's name order.
    var descendingPorts = false
}

private let poolCases: [PoolCase] = [
    PoolCase(label: "ketama_fnv", distribution: .ketama, hash: .fnv1a_64, weights: [1, 2, 1], names: nil),
    PoolCase(label: "modula_fnv", distribution: .modula, hash: .fnv1a_64, weights: [1, 2, 1], names: nil, descendingPorts: true),
    PoolCase(label: "ketama_equal", distribution: .ketama, hash: .fnv1a_64, weights: [1, 1, 1], names: nil, descendingPorts: true),
    PoolCase(label: "ketama_md5_named", distribution: .ketama, hash: .md5, weights: [1, 1, 3], names: ["alpha", "beta", "gamma"]),
    PoolCase(label: "modula_crc32", distribution: .modula, hash: .crc, weights: [2, 1, 1], names: nil, descendingPorts: true),
    // Sorted by length first: "mu", "zeta", "a-very-long-name" (bytewise alone would put "a-very-long-name" first).
    PoolCase(label: "modula_named", distribution: .modula, hash: .fnv1a_64, weights: [1, 2, 1], names: ["zeta", "a-very-long-name", "mu"]),
]

@Suite struct TwemproxyNutcrackerTests {
    /// Keys twemproxy's memcache parser accepts: sha1 hex, printable ASCII up to 250 bytes, high bytes.
    static let keys = KeySets.keystone(count: 900) + KeySets.ascii(count: 250) + KeySets.highBytes(count: 250)

    @Test(arguments: poolCases.indices)
    func poolPlacesKeysLikeNutcracker(index: Int) throws {
        let pool = poolCases[index]
        #expect(Self.keys.allSatisfy { $0.count <= 250 })
        let started = try (0..<3).map { _ in try MemcachedServer(memoryMB: 64) }
        defer { for b in started { b.stop() } }
        let backends = pool.descendingPorts ? started.sorted { $0.port > $1.port } : started
        let proxyPort = try freeLoopbackPort()
        var yaml = "\(pool.label):\n  listen: 127.0.0.1:\(proxyPort)\n  hash: \(pool.hash.rawValue)\n"
        yaml += "  distribution: \(pool.distribution.rawValue)\n  auto_eject_hosts: false\n  servers:\n"
        for (i, b) in backends.enumerated() {
            let name = pool.names?[i].map { " \($0)" } ?? ""
            yaml += "   - 127.0.0.1:\(b.port):\(pool.weights[i])\(name)\n"
        }
        let proxy = try Nutcracker(yaml: yaml, listenPorts: [proxyPort])
        defer { proxy.stop() }
        let specs = zip(backends, pool.weights).map { ServerSpec(host: "127.0.0.1", port: Int($0.port), weight: $1) }
        let scheme = try TwemproxyPool(servers: specs, distribution: pool.distribution, hash: pool.hash, names: pool.names)
        let config = "{\"proxy\": \(proxyPort), \"backends\": [\(backends.map { String($0.port) }.joined(separator: ","))]}"
        let input = Self.keys.map { KeystoneKeys.hex($0) + "\n" }.joined()
        let r = try Python.run(script: Repo.path("Tests/oracles/nutcracker_oracle.py"), [config], stdin: Data(input.utf8))
        let held = r.stdoutText.split(separator: "\n").map(String.init)
        let predicted = Self.keys.map { String(scheme.serverIndex(for: $0)) }
        #expect(mismatches(predicted, held, keys: Self.keys).isEmpty, "\(pool.label): \(mismatches(predicted, held, keys: Self.keys))")
        #expect(Set(held) == ["0", "1", "2"], "\(pool.label)")
    }

    /// Offline: a modula pool is python-memcached's bucket scheme over the servers in twemproxy's name order
    /// (shorter names first, then bytewise), reported as indices into the list as given.
    @Test func modulaBucketsFollowNameOrder() throws {
        let servers = [
            ServerSpec(host: "mc-c", port: 11311, weight: 1), ServerSpec(host: "mc-b", weight: 3),
            ServerSpec(host: "127.0.2.3", weight: 2), ServerSpec(host: "mc-a", weight: 1),
        ]
        // Names "mc-c:11311", "mc-b", "127.0.2.3", "mc-a" → order mc-a, mc-b, 127.0.2.3, mc-c:11311.
        let order = [3, 1, 2, 0]
        let pool = try TwemproxyPool(servers: servers, distribution: .modula, hash: .crc)
        let python = try PythonMemcachedModulo(servers: order.map { servers[$0] }, variant: .modern)
        let keys = KeySets.keystone(count: 1000)
        #expect(keys.allSatisfy { pool.serverIndex(for: $0) == order[python.serverIndex(for: $0)] })
        // Already in name order, the pool and python-memcached agree index for index.
        let sorted = order.map { servers[$0] }
        let sortedPool = try TwemproxyPool(servers: sorted, distribution: .modula, hash: .crc)
        #expect(keys.allSatisfy { sortedPool.serverIndex(for: $0) == python.serverIndex(for: $0) })
        // Ketama placement does not depend on the order of the list.
        let ketama = try TwemproxyPool(servers: servers)
        let reordered = try TwemproxyPool(servers: sorted)
        #expect(keys.allSatisfy { ketama.serverIndex(for: $0) == order[reordered.serverIndex(for: $0)] })
    }
}
