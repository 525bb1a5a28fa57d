// PipelineCLI/ServerList: memcached server lists as operators write them — `HOST:PORT[:WEIGHT]`
// arguments, a servers file, or a Keystone / oslo.cache config (`[memcache] servers`,
// `[cache] memcache_servers`). Order is kept: it decides key placement.

/// One server of the cluster, in the client's order.
public struct ServerSpec: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var weight: Int

    public init(host: String, port: Int, weight: Int = 1) {
        self.host = host
        self.port = port
        self.weight = weight
    }

    /// `host:port`, with brackets for IPv6.
    public var address: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    public var description: String { weight == 1 ? address : "\(address):\(weight)" }

    /// Parses `HOST:PORT[:WEIGHT]`, `[V6]:PORT[:WEIGHT]`, with an optional `inet:` prefix
    /// (python-memcached accepts it). Throws `CLIError.usage` with the reason.
    public static func parse(_ text: String) throws -> ServerSpec {
        var s = Substring(text.trimmingSpaces())
        if s.hasPrefix("inet:") { s = s.dropFirst(5) }
        guard !s.isEmpty else { throw CLIError.usage("empty server address") }
        var host: Substring
        var rest: [Substring]
        if s.hasPrefix("[") {
            guard let close = s.firstIndex(of: "]") else { throw CLIError.usage("\(text): missing ] in IPv6 address") }
            host = s[s.index(after: s.startIndex)..<close]
            let tail = s[s.index(after: close)...]
            guard tail.hasPrefix(":") else { throw CLIError.usage("\(text): expected :PORT after ]") }
            rest = tail.dropFirst().split(separator: ":", omittingEmptySubsequences: false)
        } else {
            let parts = s.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2 || parts.count == 3 else {
                throw CLIError.usage("\(text): expected HOST:PORT[:WEIGHT]")
            }
            host = parts[0]
            rest = Array(parts.dropFirst())
        }
        guard !host.isEmpty, host.allSatisfy({ !$0.isWhitespace && $0 != "/" }) else {
            throw CLIError.usage("\(text): bad host")
        }
        guard rest.count == 1 || rest.count == 2 else { throw CLIError.usage("\(text): expected HOST:PORT[:WEIGHT]") }
        guard let port = Int(rest[0]), (1...65535).contains(port) else {
            throw CLIError.usage("\(text): port must be 1…65535")
        }
        var weight = 1
        if rest.count == 2 {
            guard let w = Int(rest[1]), (1...1000).contains(w) else { throw CLIError.usage("\(text): weight must be 1…1000") }
            weight = w
        }
        return ServerSpec(host: String(host), port: port, weight: weight)
    }

    /// A comma- or whitespace-separated list.
    public static func parseList(_ text: String) throws -> [ServerSpec] {
        try text.split(whereSeparator: { $0 == "," || $0.isWhitespace }).map { try parse(String($0)) }
    }

    /// A servers file: one or more specs per line, `#` comments, blank lines ignored.
    public static func parseServersFile(_ text: String, name: String) throws -> [ServerSpec] {
        var out: [ServerSpec] = []
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            do {
                out += try parseList(String(line))
            } catch let e as CLIError {
                throw CLIError.usage("\(name):\(n + 1): \(e)")
            }
        }
        return out
    }
}

/// The memcached server lists of a Keystone (or any oslo.cache) config file.
public struct KeystoneMemcacheConfig: Sendable, Equatable {
    /// `[memcache] servers` (the token persistence backends).
    public var memcacheServers: [ServerSpec]?
    /// `[cache] memcache_servers` (the caching region).
    public var cacheServers: [ServerSpec]?

    /// Both lists, `[memcache]` first, duplicates dropped (order kept).
    public var allServers: [ServerSpec] {
        var seen = Set<String>()
        var out: [ServerSpec] = []
        for s in (memcacheServers ?? []) + (cacheServers ?? []) where seen.insert(s.address).inserted { out.append(s) }
        return out
    }

    /// Parses INI text: `[section]` headers, `key = value` (or `key: value`), `#`/`;` comment lines,
    /// indented continuation lines appended to the previous value.
    public static func parse(_ text: String, name: String) throws -> KeystoneMemcacheConfig {
        var section = ""
        var values: [String: (line: Int, value: String)] = [:]
        var lastKey: String?
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            let trimmed = line.trimmingSpaces()
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
            if let first = line.first, first == " " || first == "\t", let k = lastKey, var v = values[k] {
                v.value += "," + trimmed
                values[k] = v
                continue
            }
            if trimmed.hasPrefix("[") {
                guard trimmed.hasSuffix("]") else { throw CLIError.usage("\(name):\(n + 1): bad section header") }
                section = String(trimmed.dropFirst().dropLast()).trimmingSpaces().lowercased()
                lastKey = nil
                continue
            }
            guard let sep = trimmed.firstIndex(where: { $0 == "=" || $0 == ":" }) else {
                throw CLIError.usage("\(name):\(n + 1): expected key = value")
            }
            let key = section + "." + String(trimmed[..<sep]).trimmingSpaces().lowercased()
            values[key] = (n + 1, String(trimmed[trimmed.index(after: sep)...]).trimmingSpaces())
            lastKey = key
        }
        func list(_ key: String, _ display: String) throws -> [ServerSpec]? {
            guard let v = values[key] else { return nil }
            do {
                return try ServerSpec.parseList(v.value)
            } catch let e as CLIError {
                throw CLIError.usage("\(name):\(v.line): \(display): \(e)")
            }
        }
        return KeystoneMemcacheConfig(memcacheServers: try list("memcache.servers", "[memcache] servers"),
            cacheServers: try list("cache.memcache_servers", "[cache] memcache_servers"))
    }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s = s.dropFirst() }
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}

