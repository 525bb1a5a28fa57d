// PipelineCLI/ServerList: memcached server lists as operators write them — `HOST:PORT[:WEIGHT]`
// arguments, a servers file, or a Keystone / oslo.cache config (`[memcache] servers`,
// `[cache] memcache_servers`). Order is kept: it decides key placement. One server is a
// KeyPlacement `ServerSpec` (the forms python-memcached accepts); this file adds the files and the
// command-line errors (file:line: reason).
import KeyPlacement

extension ServerSpec {
    /// Parses one command-line server (`host[:port[:weight]]`, `[v6]:port`, `inet:`/`inet6:` prefixes,
    /// `unix:/path`); surrounding spaces are ignored. Throws `CLIError.usage` with the reason.
    public static func parseArgument(_ text: String) throws(CLIError) -> ServerSpec {
        do {
            return try ServerSpec.parse(text.trimmingSpaces())
        } catch {
            throw CLIError.usage("\(text.trimmingSpaces().isEmpty ? "empty server" : text): \(error.message)")
        }
    }

    /// A comma- or whitespace-separated list (empty entries are skipped).
    public static func parseArgumentList(_ text: String) throws(CLIError) -> [ServerSpec] {
        var out: [ServerSpec] = []
        for part in text.split(whereSeparator: { $0 == "," || $0.isWhitespace }) {
            out.append(try parseArgument(String(part)))
        }
        if let message = repeatedServer(in: out) { throw CLIError.usage(message) }
        return out
    }

    /// A servers file: one or more specs per line, `#` comments, blank lines ignored.
    public static func parseServersFile(_ text: String, name: String) throws(CLIError) -> [ServerSpec] {
        var out: [ServerSpec] = []
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            do {
                out += try parseArgumentList(String(line))
            } catch {
                throw CLIError.usage("\(name):\(n + 1): \(error)")
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

    /// The list whose keys `attribute` places: the token persistence list, else the cache region's.
    public var tokenServers: [ServerSpec]? { memcacheServers ?? cacheServers }

    /// Parses INI text: `[section]` headers, `key = value` (or `key: value`), `#`/`;` comment lines,
    /// indented continuation lines appended to the previous value.
    public static func parse(_ text: String, name: String) throws(CLIError) -> KeystoneMemcacheConfig {
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
        func list(_ key: String, _ display: String) throws(CLIError) -> [ServerSpec]? {
            guard let v = values[key] else { return nil }
            do {
                let specs = try ServerSpec.parseArgumentList(v.value)
                return specs.isEmpty ? nil : specs
            } catch {
                throw CLIError.usage("\(name):\(v.line): \(display): \(error)")
            }
        }
        return KeystoneMemcacheConfig(
            memcacheServers: try list("memcache.servers", "[memcache] servers"),
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
