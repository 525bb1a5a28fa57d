// collect: complete, read-only capture of memcached servers into `.mcdump.gz` dumps plus a
// MANIFEST.json. A thin command: options, validation, one task per host, progress, exit status.
import ArgumentParser
import Capture
import DumpContainer
import Foundation
import KeyPlacement
import MemcacheClient
import MemcacheProtocol
import PipelineCLI

enum CollectVersion {
    static let string = "0.1.0"
}

@main
struct Collect: AsyncParsableCommand {
    static func main() async { await mainWithOneLineErrors() }

    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Capture every item of memcached servers, read-only, into compressed dumps.",
        discussion: """
            Each server is captured concurrently into DIR/<host>_<port>.mcdump.gz (mode 0600) and \
            DIR/MANIFEST.json describes the run. Keys are listed with `lru_crawler metadump all` (read to its \
            end at full speed), values fetched with `mg … u` (no LRU bump, no fetched mark). Only the \
            allowlisted read-only commands are ever sent; see docs/collect.md.

            EXAMPLES:
              collect 10.0.0.1:11211 10.0.0.2:11211 10.0.0.3:11211 --out incident-42
              collect --keystone-conf keystone.conf --out incident-42 --rate 20000
              collect 10.0.0.2:11211 --keys-only --out keys-only
              collect 10.0.0.2:11211 --keys - --out suspects < suspect-keys.txt
              collect 10.0.0.1:11211 10.0.0.2:11211 --watch 30 --out incident-42
              collect 10.0.0.2:11211 --watch 60 --watch-only --out traffic-only

            \(ExitStatus.helpTable([.success: "every server captured completely", .fatal: "nothing captured (or an output file exists; see --force)", .partial: "some server partial or failed (see stderr, MANIFEST.json), or interrupted by a signal or --time-limit"]))
            """,
        version: CollectVersion.string)

    @Argument(help: ArgumentHelp("Servers in the clients' order.", valueName: "HOST:PORT[:WEIGHT]"))
    var servers: [String] = []

    @Option(name: .long, help: ArgumentHelp("Output directory (created if missing).", valueName: "DIR"))
    var out: String

    @Option(name: .customLong("servers-file"), help: ArgumentHelp("File with HOST:PORT[:WEIGHT] entries (# comments).", valueName: "FILE"))
    var serversFile: String?

    @Option(
        name: .customLong("keystone-conf"), help: ArgumentHelp("Keystone/oslo.cache config: [memcache] servers, [cache] memcache_servers.", valueName: "FILE"))
    var keystoneConf: String?

    @Flag(help: "Overwrite existing dumps and MANIFEST.json.")
    var force = false

    @Option(name: .long, help: ArgumentHelp("Fetch only these keys (one raw key per line; - for stdin) instead of listing.", valueName: "FILE"))
    var keys: String?

    @Flag(name: .customLong("keys-only"), help: "Record metadata only, no values.")
    var keysOnly = false

    @Flag(name: .customLong("allow-lru-bump"), help: "Allow `gets` on servers without meta commands (bumps the LRU, marks items fetched).")
    var allowLRUBump = false

    @Flag(name: .customLong("force-cachedump"), help: "List keys with stats cachedump even if metadump works (incomplete; for comparison).")
    var forceCachedump = false

    @Option(help: ArgumentHelp("At most N items per second per server.", valueName: "N"))
    var rate: Double?

    @Option(help: ArgumentHelp("At most MB megabytes (10^6 B) per second per server.", valueName: "MB"))
    var bandwidth: Double?

    @Option(help: ArgumentHelp("Value connections per server.", valueName: "N"))
    var connections = 2

    @Option(name: .customLong("connect-timeout"), help: ArgumentHelp("Seconds to wait for a connection.", valueName: "S"))
    var connectTimeout = 5.0

    @Option(
        name: .customLong("read-timeout"),
        help: ArgumentHelp(
            "Seconds a reply (a line, a value) may take to arrive whole; a server that is silent or trickles longer counts as stalled.", valueName: "S"))
    var readTimeout = 30.0

    @Option(
        name: .customLong("time-limit"),
        help: ArgumentHelp("Stop the whole capture after S seconds; the dumps end as incomplete (0: no limit).", valueName: "S"))
    var timeLimit = 14400.0

    @Option(name: .customLong("max-value-bytes"), help: ArgumentHelp("Larger values are recorded with metadata only.", valueName: "N"))
    var maxValueBytes = 64 << 20

    @Option(
        name: .customLong("stats-every"),
        help: ArgumentHelp("Also sample `stats` every S seconds (with --watch: `stats` and `stats conns`, default 1).", valueName: "S"))
    var statsEvery: Double?

    @Option(
        name: .customLong("watch"),
        help: ArgumentHelp(
            "Also record the clients' traffic for S seconds beside the capture (memcached's read-only `watch`; the collector's own reads are left out).",
            valueName: "S"))
    var watch: Double?

    @Flag(name: .customLong("watch-only"), help: "Record the traffic window only (needs --watch): list and fetch no items.")
    var watchOnly = false

    @Option(
        name: .customLong("watch-sample"),
        help: ArgumentHelp(
            "Keep one client event in N (a store with its lookup as one), to spare the collector; the server sends every event all the same.",
            valueName: "N"))
    var watchSample = 1

    func validate() throws {
        func positive(_ v: Double?, _ name: String) throws {
            if let v, !(v.isFinite && v > 0) { throw ValidationError("\(name) must be a positive number") }
        }
        try positive(rate, "--rate")
        try positive(bandwidth, "--bandwidth")
        try positive(connectTimeout, "--connect-timeout")
        try positive(readTimeout, "--read-timeout")
        try positive(statsEvery, "--stats-every")
        try positive(watch, "--watch")
        if watchOnly && watch == nil { throw ValidationError("--watch-only needs --watch SECONDS") }
        guard (1...1_000_000).contains(watchSample) else { throw ValidationError("--watch-sample must be 1…1000000") }
        if watchSample > 1 && watch == nil { throw ValidationError("--watch-sample needs --watch SECONDS") }
        if let w = watch, w > 86_400 { throw ValidationError("--watch is at most 86400 seconds") }
        guard timeLimit.isFinite && timeLimit >= 0 else { throw ValidationError("--time-limit must be ≥ 0 seconds") }
        guard (1...64).contains(connections) else { throw ValidationError("--connections must be 1…64") }
        guard maxValueBytes >= 0 else { throw ValidationError("--max-value-bytes must be ≥ 0") }
        if keys != nil && forceCachedump { throw ValidationError("--keys and --force-cachedump exclude each other") }
        _ = try serverList()
    }

    /// Servers from arguments, --servers-file and --keystone-conf, in that order, without duplicates.
    func serverList() throws -> [ServerSpec] {
        var list: [ServerSpec] = []
        do {
            for s in servers { list.append(try ServerSpec.parseArgument(s)) }
            if let f = serversFile { list += try ServerSpec.parseServersFile(try readText(f), name: f) }
            if let f = keystoneConf {
                let conf = try KeystoneMemcacheConfig.parse(try readText(f), name: f)
                guard !conf.allServers.isEmpty else {
                    throw CLIError.usage("\(f): neither [memcache] servers nor [cache] memcache_servers is set")
                }
                list += conf.allServers
            }
        } catch let e as CLIError {
            throw ValidationError(e.description)
        }
        guard !list.isEmpty else { throw ValidationError("no servers given (HOST:PORT, --servers-file or --keystone-conf)") }
        if let unix = list.first(where: { $0.family == .unix }) {
            throw ValidationError("server \(unix.address): collect connects over TCP only (no unix sockets)")
        }
        var seen = Set<String>()
        for s in list where !seen.insert(s.address).inserted {
            throw ValidationError("server \(s.address) is given twice")
        }
        if keys == "-" && list.count > 1 { throw ValidationError("--keys - (stdin) works with one server only") }
        return list
    }

    func readText(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else { throw CLIError.usage("cannot read \(path)") }
        return String(decoding: data, as: UTF8.self)
    }

    func run() async throws {
        let diagnostics = Diagnostics(tool: "collect")
        let specs = try serverList()
        let started = Date().timeIntervalSince1970

        // Output directory (created, and proven writable) and overwrite protection, before anything is sent.
        do {
            try OutputDirectory.prepare(out)
        } catch {
            diagnostics.error("\(error)")
            throw ExitCode(ExitStatus.fatal.rawValue)
        }
        let manifestPath = out + "/MANIFEST.json"
        if !force {
            let existing = ([manifestPath] + specs.map { out + "/" + HostRun.fileName($0) })
                .filter { FileManager.default.fileExists(atPath: $0) }
            if !existing.isEmpty {
                diagnostics.error("refusing to overwrite \(existing.joined(separator: ", ")) (use --force)")
                throw ExitCode(ExitStatus.fatal.rawValue)
            }
        }

        let stop = StopFlag()
        let openConnections = ConnectionGroup()
        var fetch = FetchOptions()
        fetch.connections = connections
        fetch.keysOnly = keysOnly
        fetch.maxValueBytes = maxValueBytes
        fetch.itemsPerSecond = rate
        fetch.bytesPerSecond = bandwidth.map { $0 * 1_000_000 }
        fetch.lruBump = allowLRUBump ? LRUBumpPermission.grantedByOperator() : nil
        if allowLRUBump {
            diagnostics.warning("--allow-lru-bump: servers without meta commands will be read with gets, which changes their LRU state")
        }
        var setup = CaptureConfig(
            outDir: out, force: force, keysFile: keys, forceCachedump: forceCachedump,
            connection: ConnectionOptions(
                connectTimeout: connectTimeout, readTimeout: readTimeout, group: openConnections, ownSockets: watch != nil ? OwnSockets() : nil),
            fetch: fetch, statsEvery: statsEvery, commandLine: CommandLine.arguments, collector: CollectVersion.string)
        if let watch { setup.watch = WatchConfig(seconds: watch, only: watchOnly, statsEvery: statsEvery ?? 1, sample: watchSample) }
        let config = setup

        let stopper = CaptureStopper(
            stop: stop, connections: openConnections, timeLimit: timeLimit > 0 ? timeLimit : nil, diagnostics: diagnostics)
        let states = specs.map { HostState(spec: $0) }
        let progressTask = Task { await ProgressReporter.run(states) }
        var results = await withTaskGroup(of: (Int, ManifestServer).self) { group in
            for (i, state) in states.enumerated() {
                group.addTask { (i, await HostRun.capture(state, config: config, stop: stop, diagnostics: diagnostics)) }
            }
            var out = [ManifestServer?](repeating: nil, count: states.count)
            for await (i, r) in group { out[i] = r }
            return out.compactMap { $0 }
        }
        progressTask.cancel()
        _ = await progressTask.value
        withExtendedLifetime(stopper) {}

        // A dump whose writer could not finish is still on disk: fingerprint it as it is.
        for i in results.indices where results[i].sha256 == nil {
            guard let file = results[i].file, let digest = FileDigest.sha256(path: out + "/" + file) else { continue }
            results[i].sha256 = digest.hex
            results[i].compressedBytes = digest.bytes
        }
        let anyDump = results.contains { $0.file != nil }
        let allComplete = results.allSatisfy { $0.status == "complete" }
        let status: ExitStatus = allComplete ? .success : (anyDump || stop.isSet ? .partial : .fatal)
        let runStatus = allComplete ? "complete" : stop.isSet ? "interrupted" : anyDump ? "partial" : "failed"
        for r in results where r.status != "complete" {
            diagnostics.error("\(r.address): \(r.status): \(r.reason ?? "unknown reason")")
        }
        let manifest = Manifest(
            toolVersion: CollectVersion.string, commandLine: CommandLine.arguments, outputDirectory: out,
            startedLocal: started, finishedLocal: Date().timeIntervalSince1970,
            options: ManifestOptions(
                keysOnly: keysOnly, keysFile: keys, forceCachedump: forceCachedump, allowLruBump: allowLRUBump,
                connections: connections, rate: rate, bandwidthMbPerS: bandwidth, maxValueBytes: maxValueBytes,
                connectTimeout: connectTimeout, readTimeout: readTimeout, timeLimit: timeLimit, statsEvery: statsEvery,
                watch: watch, watchOnly: watchOnly, watchSample: watch != nil ? watchSample : nil),
            status: runStatus, stopReason: stop.reason, complete: allComplete, exitStatus: status.rawValue,
            servers: results)
        do {
            try ManifestFile.write(manifest, to: manifestPath)
        } catch {
            diagnostics.error("cannot write \(manifestPath): \(error)")
            throw ExitCode(anyDump ? ExitStatus.partial.rawValue : ExitStatus.fatal.rawValue)
        }
        for r in results where r.status == "complete" {
            diagnostics.note("\(r.address): \(r.captured) items, \(formatBytes(r.valueBytes)) of values, \(r.missed) missed → \(r.file ?? "")")
        }
        if status != .success { throw ExitCode(status.rawValue) }
    }
}
