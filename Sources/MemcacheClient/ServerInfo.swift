// MemcacheClient/ServerInfo: identifying a server — `version` and the `stats` family — and the
// server clock: absolute server times are derived from the server's own `STAT time`, never ours.
import MemcacheProtocol

/// One `stats` answer, verbatim and in the server's order.
public struct StatsSample: Sendable {
    public var section: StatsSection
    public var values: [(name: String, value: String)]

    public init(section: StatsSection, values: [(name: String, value: String)]) {
        self.section = section
        self.values = values
    }

    public subscript(name: String) -> String? { values.first { $0.name == name }?.value }
}

/// What the opening requests told us about a server.
public struct ServerInfo: Sendable {
    public var version: String
    /// `stats`, `stats settings`, `stats items`, `stats slabs`, in that order.
    public var stats: [StatsSample]
    /// Server `STAT time` and `STAT uptime` at the start.
    public var serverTime: Int64?
    public var serverUptime: Int64?
    /// Our monotonic clock when `stats` answered (to extrapolate the server clock).
    public var monotonicAtStats: Double

    public func sample(_ s: StatsSection) -> StatsSample? { stats.first { $0.section == s } }

    /// The server's clock now, extrapolated from its `STAT time` with our monotonic clock.
    public func serverNow(monotonic: Double = MonotonicClock.seconds()) -> Int64? {
        guard let t = serverTime else { return nil }
        return t + Int64((monotonic - monotonicAtStats).rounded(.down))
    }

    /// Dotted version as numbers, e.g. [1, 6, 18]; empty when unparsable.
    public var versionNumbers: [Int] {
        let core = version.split(separator: "-").first ?? ""
        return core.split(separator: ".").compactMap { Int($0) }
    }

    /// `lru_crawler` from `stats settings` ("yes"/"no"), nil when absent.
    public var lruCrawlerSetting: String? { sample(.settings)?["lru_crawler"] }
}

/// Requests that identify a server on one short-lived connection.
public enum ServerIdentity {
    public static func fetchVersion(_ c: MemcacheConnection) async throws -> String {
        try await c.send([.version])
        switch try await c.read({ try VersionParser.next(from: &$0) }) {
        case .success(let v): return v
        case .failure(let a): throw MemcacheClientError.serverRefused(server: c.server, request: "version", a)
        }
    }

    public static func fetchStats(_ c: MemcacheConnection, _ section: StatsSection) async throws -> StatsSample {
        let request = ReadOnlyRequest.stats(section)
        try await c.send([request])
        var parser = StatsParser()
        var values: [(name: String, value: String)] = []
        while true {
            switch try await c.read({ try parser.next(from: &$0) }) {
            case .stat(let n, let v):
                values.append((n, v))
                if values.count > 1_000_000 {
                    throw MemcacheClientError.protocolError(
                        server: c.server, ProtocolError(.unexpected, "stats answer too long", offset: c.buffer.offset))
                }
            case .end: return StatsSample(section: section, values: values)
            case .failed(let a):
                throw MemcacheClientError.serverRefused(
                    server: c.server, request: String(decoding: request.bytes.dropLast(2), as: UTF8.self), a)
            }
        }
    }

    /// `version`, then the four stats sections.
    public static func identify(host: String, port: Int, options: ConnectionOptions) async throws -> ServerInfo {
        try await MemcacheConnection.with(host: host, port: port, options: options) { c in
            let version = try await fetchVersion(c)
            var samples: [StatsSample] = []
            let general = try await fetchStats(c, .general)
            let mono = MonotonicClock.seconds()
            samples.append(general)
            for s in [StatsSection.settings, .items, .slabs] { samples.append(try await fetchStats(c, s)) }
            return ServerInfo(
                version: version, stats: samples, serverTime: general["time"].flatMap { Int64($0) },
                serverUptime: general["uptime"].flatMap { Int64($0) }, monotonicAtStats: mono)
        }
    }

    /// One `stats` sample on its own connection (end-of-capture and `--stats-every` samples).
    public static func sampleGeneral(host: String, port: Int, options: ConnectionOptions) async throws -> StatsSample {
        try await MemcacheConnection.with(host: host, port: port, options: options) { c in
            try await fetchStats(c, .general)
        }
    }
}

/// Monotonic seconds (for rates, timeouts and clock extrapolation).
public enum MonotonicClock {
    public static func seconds() -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
    /// Nanoseconds since the first use (read once per received chunk).
    public static func nanoseconds() -> UInt64 {
        let origin = start  // read before `now`: the first read initialises it
        let d = ContinuousClock.now - origin
        return UInt64(max(0, d.components.seconds)) &* 1_000_000_000 &+ UInt64(max(0, d.components.attoseconds / 1_000_000_000))
    }
    private static let start = ContinuousClock.now
}
