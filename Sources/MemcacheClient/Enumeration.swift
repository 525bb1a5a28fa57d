// MemcacheClient/Enumeration: chooses and runs the key enumeration for one server — metadump when
// the server has it, `stats cachedump` as a marked-incomplete fallback (with the reason), or the
// operator's key list — and says why in notes that end up in the dump.
import MemcacheProtocol

public enum EnumerationMethod: String, Sendable {
    case metadump
    case cachedump
    case keys
}

/// The chosen listing, ready to be fetched.
public struct Enumeration {
    public var method: EnumerationMethod
    public var source: KeySource
    /// False when the listing is known to miss items (cachedump).
    public var listingComplete: Bool
    public var notes: [(level: String, message: String)]
    /// Lines in the metadump listing(s) (before dedupe), when a metadump was taken.
    public var metadumpLines: Int?
    /// The second crawl's spool, when one was taken (its `yielded` counts the keys only it listed).
    public var secondCrawl: MetadumpSpool?
    /// How many keys the listing should yield, for progress: the first crawl's lines, or `curr_items`
    /// when a second crawl was taken.
    public var expectedKeys: Int?

    public init(
        method: EnumerationMethod, source: KeySource, listingComplete: Bool, notes: [(level: String, message: String)],
        metadumpLines: Int?, secondCrawl: MetadumpSpool? = nil
    ) {
        self.method = method
        self.source = source
        self.listingComplete = listingComplete
        self.notes = notes
        self.metadumpLines = metadumpLines
        self.secondCrawl = secondCrawl
        expectedKeys = metadumpLines
    }
}

/// Enumeration failed; `notes` says what was tried before (e.g. why metadump was not used).
public struct EnumerationFailure: Error, CustomStringConvertible {
    public var underlying: Error
    public var notes: [(level: String, message: String)]
    public var description: String { "\(underlying)" }
}

public enum Enumerator {
    /// Lists the server's keys. `keysFile` wins; `forceCachedump` skips metadump.
    public static func enumerate(
        host: String, port: Int, options: ConnectionOptions, server: ServerInfo, keysFile: String?,
        forceCachedump: Bool, spoolDirectory: String
    ) async throws -> Enumeration {
        if let keysFile {
            return Enumeration(
                method: .keys, source: try KeyListSource(path: keysFile), listingComplete: true,
                notes: [("info", "keys from the operator's list \(keysFile == "-" ? "(stdin)" : keysFile); last access (-1), slab class (0) and fetched state (false) are unknown")],
                metadumpLines: nil)
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
                let outcome = try await MemcacheConnection.with(host: host, port: port, options: options) { c in
                    try await MetadumpSpool.capture(c, directory: spoolDirectory)
                }
                switch outcome {
                case .spooled(let spool):
                    return try await secondCrawlIfShort(
                        spool, host: host, port: port, options: options, server: server, spoolDirectory: spoolDirectory,
                        notes: notes)
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
        notes.append((
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
        return Enumeration(method: .cachedump, source: listing, listingComplete: false, notes: notes, metadumpLines: nil)
    }

    /// A crawl can miss items that the LRU maintainer moves between segments while it runs (right
    /// after a burst of writes, say). When the first listing has fewer lines than `curr_items`, a
    /// second crawl is taken (after the first has ended: never two crawler commands at once) and its
    /// keys that the first did not list are fetched too. Expired items not yet reclaimed are also in
    /// `curr_items`, so a short first listing is not by itself a fault.
    static func secondCrawlIfShort(
        _ first: MetadumpSpool, host: String, port: Int, options: ConnectionOptions, server: ServerInfo,
        spoolDirectory: String, notes: [(level: String, message: String)]
    ) async throws -> Enumeration {
        var notes = notes
        guard let text = server.sample(.general)?["curr_items"], let currItems = Int(text), first.lines < currItems else {
            return Enumeration(method: .metadump, source: first, listingComplete: true, notes: notes, metadumpLines: first.lines)
        }
        let outcome = try await MemcacheConnection.with(host: host, port: port, options: options) { c in
            try await MetadumpSpool.capture(c, directory: spoolDirectory)
        }
        guard case .spooled(let second) = outcome else {
            notes.append(("warning", "the first crawl listed \(first.lines) of \(currItems) items (curr_items); a second crawl was refused"))
            return Enumeration(method: .metadump, source: first, listingComplete: true, notes: notes, metadumpLines: first.lines)
        }
        second.seen = first.seen
        notes.append((
            "info",
            "the first crawl listed \(first.lines) of \(currItems) items (curr_items also counts expired items not yet reclaimed, and a crawl can miss items moving between LRU segments); a second crawl listed \(second.lines), and its keys the first did not list are captured too"
        ))
        var enumeration = Enumeration(
            method: .metadump, source: ChainedKeySource([first, second]), listingComplete: true, notes: notes,
            metadumpLines: first.lines + second.lines, secondCrawl: second)
        enumeration.expectedKeys = currItems
        return enumeration
    }
}
