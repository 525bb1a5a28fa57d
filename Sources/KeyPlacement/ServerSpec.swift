// ServerSpec: one memcached server as the clients are configured with it (host, port, weight),
// parsed from the forms python-memcached and pymemcache accept, and the node names each client hashes.

public struct ServerSpec: Sendable, Hashable, CustomStringConvertible {
    public enum Family: String, Sendable, Hashable { case inet, inet6, unix }

    /// Hostname or address as configured (IPv6 without brackets); for `unix` the socket path.
    public var host: String
    /// TCP port; 0 for a unix socket.
    public var port: Int
    /// Relative weight (python-memcached buckets, ketama share). 0 is allowed: such a server gets no
    /// python-memcached buckets.
    public var weight: Int
    public var family: Family

    public static let defaultPort = 11211
    /// Upper bound on a weight, so bucket lists stay small whatever the input says.
    public static let maxWeight = 10_000

    public init(host: String, port: Int = ServerSpec.defaultPort, weight: Int = 1, family: Family? = nil) {
        self.host = host
        self.port = port
        self.weight = weight
        self.family = family ?? (host.contains(":") ? .inet6 : .inet)
    }

    /// `host:port` (python-memcached/pymemcache style), `[v6]:port` for IPv6, `unix:/path` for sockets.
    public var description: String {
        switch family {
        case .unix: return "unix:\(host)"
        case .inet6: return "[\(host)]:\(port)"
        case .inet: return "\(host):\(port)"
        }
    }

    /// The same as `description`: how dumps, records and reports name the host.
    public var address: String { description }

    /// pymemcache `HashClient` node name: `"%s:%s" % (host, port)` after `normalize_server_spec`
    /// (IPv6 without brackets, so `::1:11211`), or the socket path.
    public var pymemcacheNodeName: String {
        family == .unix ? host : "\(host):\(port)"
    }

    /// The ketama server string of libmemcached and twemproxy: the host alone when the port is 11211,
    /// else `host:port` (the point strings then append `-<i>`).
    public var ketamaName: String {
        (family == .unix || port == ServerSpec.defaultPort) ? host : "\(host):\(port)"
    }

    /// The conventional `host:port` node name (uhashring, classic libketama).
    public var hostPortName: String {
        family == .unix ? host : "\(host):\(port)"
    }

    /// Parses one server: `host`, `host:port`, `host:port:weight`, `[v6]`, `[v6]:port[:weight]`,
    /// `inet:host:port`, `inet6:[v6]:port` (python-memcached), `unix:/path[:weight]`, `/path`.
    /// A missing port is 11211, a missing weight 1. `offset` is added to error offsets (for lists).
    public static func parse(_ text: String, offset: Int = 0) throws(PlacementError) -> ServerSpec {
        var s = Substring(text)
        if s.isEmpty { throw PlacementError(.badServerSpec, "empty server spec", offset: offset) }
        if s.hasPrefix("unix:") || s.hasPrefix("/") {
            if s.hasPrefix("unix:") { s = s.dropFirst(5) }
            var weight = 1
            // An optional trailing `:<digits>` is a weight; socket paths rarely end that way.
            if let colon = s.lastIndex(of: ":"), s[s.index(after: colon)...].allSatisfy(\.isASCIIDigit),
                s.index(after: colon) < s.endIndex
            {
                weight = try parseWeight(s[s.index(after: colon)...], text: text, offset: offset)
                s = s[..<colon]
            }
            if s.isEmpty { throw PlacementError(.badServerSpec, "empty socket path in \"\(text)\"", offset: offset) }
            return ServerSpec(host: String(s), port: 0, weight: weight, family: .unix)
        }
        if s.hasPrefix("inet6:") { s = s.dropFirst(6) } else if s.hasPrefix("inet:") { s = s.dropFirst(5) }
        var host: Substring
        var rest: Substring
        var family = Family.inet
        if s.hasPrefix("[") {
            guard let close = s.firstIndex(of: "]") else {
                throw PlacementError(.badServerSpec, "unclosed '[' in \"\(text)\"", offset: offset)
            }
            host = s[s.index(after: s.startIndex)..<close]
            rest = s[s.index(after: close)...]
            family = .inet6
            if !rest.isEmpty {
                guard rest.first == ":" else {
                    throw PlacementError(.badServerSpec, "expected ':' after ']' in \"\(text)\"", offset: offset)
                }
                rest = rest.dropFirst()
            }
        } else {
            let parts = s.split(separator: ":", omittingEmptySubsequences: false)
            if parts.count > 3 {
                throw PlacementError(
                    .badServerSpec, "too many ':' in \"\(text)\" (write IPv6 addresses as [addr]:port)", offset: offset)
            }
            host = parts[0]
            rest = parts.count > 1 ? s[parts[1].startIndex...] : ""
        }
        if host.isEmpty || host.contains(where: { $0 == " " || $0 == "," || $0 == "[" || $0 == "]" }) {
            throw PlacementError(.badServerSpec, "bad host in \"\(text)\"", offset: offset)
        }
        var port = defaultPort
        var weight = 1
        if rest.isEmpty, s.last == ":" {
            throw PlacementError(.badServerSpec, "empty port in \"\(text)\"", offset: offset)
        }
        if !rest.isEmpty {
            let fields = rest.split(separator: ":", omittingEmptySubsequences: false)
            if fields.count > 2 { throw PlacementError(.badServerSpec, "too many fields in \"\(text)\"", offset: offset) }
            guard let p = Int(fields[0]), (1...65535).contains(p), fields[0].allSatisfy(\.isASCIIDigit) else {
                throw PlacementError(.badServerSpec, "bad port \"\(fields[0])\" in \"\(text)\"", offset: offset)
            }
            port = p
            if fields.count == 2 { weight = try parseWeight(fields[1], text: text, offset: offset) }
        }
        return ServerSpec(host: String(host), port: port, weight: weight, family: family)
    }

    private static func parseWeight(_ field: Substring, text: String, offset: Int) throws(PlacementError) -> Int {
        guard field.allSatisfy(\.isASCIIDigit), let w = Int(field), w <= maxWeight else {
            throw PlacementError(.badWeight, "bad weight \"\(field)\" in \"\(text)\" (0…\(maxWeight))", offset: offset)
        }
        return w
    }

    /// Parses a comma-separated list (`--servers a:11211,b:11211:2`); error offsets are character
    /// offsets into `text`. Blank entries are errors; the list must not be empty.
    public static func parseList(_ text: String) throws(PlacementError) -> [ServerSpec] {
        var specs: [ServerSpec] = []
        var position = 0
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = part.trimmingSpaces
            specs.append(try parse(String(trimmed), offset: position))
            position += part.count + 1
        }
        if specs.isEmpty { throw PlacementError(.noServers, "no servers given", offset: 0) }
        if let message = repeatedServer(in: specs) { throw PlacementError(.badServerSpec, message, offset: 0) }
        return specs
    }

    /// Why the list is ambiguous, when one host:port is in it twice (nil otherwise). A client that
    /// lists a server twice gives it two buckets; the way to say that without ambiguity is a weight.
    public static func repeatedServer(in specs: [ServerSpec]) -> String? {
        var seen = Set<String>()
        for s in specs where !seen.insert("\(s.host):\(s.port)").inserted {
            return
                "\(s.host):\(s.port) is listed twice (if the clients' configuration really lists it twice, give it once with a weight: \(s.host):\(s.port):2)"
        }
        return nil
    }

    /// A made-up server for what-if runs that add servers: `whatif-<n>:11211`.
    public static func hypothetical(_ n: Int) -> ServerSpec { ServerSpec(host: "whatif-\(n)") }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

extension Substring {
    var trimmingSpaces: Substring {
        var s = self
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return s
    }
}

extension ServerSpec {
    /// Throws `.badWeight` (offset = list index) unless every weight is within 0…maxWeight.
    static func checkWeights(_ servers: [ServerSpec]) throws(PlacementError) {
        for (i, s) in servers.enumerated() where !(0...maxWeight).contains(s.weight) {
            throw PlacementError(.badWeight, "weight \(s.weight) of \(s) is outside 0…\(maxWeight)", offset: i)
        }
    }
}
