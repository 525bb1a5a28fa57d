// MemcacheClient/Enumeration: chooses and runs the key enumeration for one server — metadump when
// the server has it, `stats cachedump` as a marked-incomplete fallback (with the reason), or the
// operator's key list — and says why in notes that end up in the dump.
import MemcacheProtocol

public enum EnumerationMethod: String, Sendable {
    case metadump
    case cachedump
    case keys
}

/// The chosen listing, ready to be fetched (a second metadump crawl may still be running meanwhile).
public struct Enumeration {
    public var method: EnumerationMethod
    public var source: KeySource
    /// False when the listing is known to miss items (cachedump).
    public var listingComplete: Bool
    public var notes: [(level: String, message: String)]
    /// The running crawls of a metadump listing: `finish()` tells their lines, notes and failure.
    public var crawls: MetadumpCrawls?

    public init(
        method: EnumerationMethod, source: KeySource, listingComplete: Bool, notes: [(level: String, message: String)],
        crawls: MetadumpCrawls? = nil
    ) {
        self.method = method
        self.source = source
        self.listingComplete = listingComplete
        self.notes = notes
        self.crawls = crawls
    }
}

/// Enumeration failed; `notes` says what was tried before (e.g. why metadump was not used).
public struct EnumerationFailure: Error, CustomStringConvertible {
    public var underlying: Error
    public var notes: [(level: String, message: String)]
    public var description: String { "\(underlying)" }
}

public enum Enumerator {
    /// Lists the server's keys. `keysFile` wins; `forceCachedump` skips metadump. A metadump crawl
    /// goes on in the background after this returns; `onExpectedKeys` learns its size when known.
    public static func enumerate(
        host: String, port: Int, options: ConnectionOptions, server: ServerInfo, keysFile: String?,
        forceCachedump: Bool, spoolDirectory: String, onExpectedKeys: @escaping @Sendable (Int) -> Void = { _ in }
    ) async throws -> Enumeration {
        if let keysFile {
            return Enumeration(
                method: .keys, source: try KeyListSource(path: keysFile), listingComplete: true,
                notes: [
                    (
                        "info",
                        "keys from the operator's list \(keysFile == "-" ? "(stdin)" : keysFile); last access (-1), slab class (0) and fetched state (false) are unknown"
                    )
                ])
        }
        var notes: [(level: String, message: String)] = []
        var why: String?
        if forceCachedump {
            why = "--force-cachedump was given"
        } else if case let v = server.versionNumbers, v.count >= 3, (v[0], v[1], v[2]) < (1, 4, 31) {
            why = "server \(server.version) predates lru_crawler metadump (1.4.31)"
        } else if server.lruCrawlerSetting == "no" {
            why = "the server's LRU crawler is disabled (stats settings: lru_crawler no)"
        } else {
            var attempt = 0
            while true {
                attempt += 1
                let start = try await MetadumpCrawls.start(
                    host: host, port: port, options: options, server: server, spoolDirectory: spoolDirectory,
                    onExpectedKeys: onExpectedKeys)
                switch start {
                case .crawling(let crawls):
                    return Enumeration(method: .metadump, source: crawls, listingComplete: true, notes: notes, crawls: crawls)
                case .refused(let answer):
                    if case .busy = answer, attempt < 3 {
                        notes.append(("warning", "lru_crawler metadump all answered \(answer); retrying in 2 s"))
                        try await Task.sleep(nanoseconds: 2_000_000_000)
                        continue
                    }
                    why = "lru_crawler metadump all answered `\(answer)`"
                }
                break
            }
        }
        let reason = why ?? "metadump unavailable"
        notes.append(
            (
                "warning",
                "\(reason); fell back to stats cachedump, which lists only the COLD LRU and at most 2 MB of keys per slab class: hot keys are missing and the listing is INCOMPLETE"
            ))
        let listing = CachedumpListing()
        do {
            try await MemcacheConnection.with(host: host, port: port, options: options) { c in
                try await listing.capture(c, itemsStats: server.sample(.items))
            }
        } catch {
            throw EnumerationFailure(underlying: error, notes: notes)
        }
        for n in listing.notes { notes.append(("warning", n)) }
        onExpectedKeys(listing.entries.count)
        return Enumeration(method: .cachedump, source: listing, listingComplete: false, notes: notes)
    }
}
