// ReportRendering/Renderers: the report as terminal text, as Markdown for a postmortem (the
// explanation first, then headings and tables) and as JSON with the same content.
import SkewAnalysis

public enum ReportFormat: String, Sendable, CaseIterable { case text, markdown, json, html, csv }

public enum ReportRenderer {
    /// `table`: the table `.csv` writes (the hosts when nil).
    public static func render(_ r: Report, format: ReportFormat, width: Int = 100, table: CSVTable? = nil) -> String {
        switch format {
        case .text: return text(r, width: width)
        case .markdown: return markdown(r)
        case .json: return JSONReport.render(r)
        case .html: return HTMLReport.render(r)
        case .csv: return CSVReport.render(r, table: table ?? .hosts)
        }
    }

    // MARK: sections shared by text and Markdown

    // Tables hold plain text: each Table renderer escapes every cell for its format. Running text
    // (explanation, what-if intro, input facts) is written by the project around strings from the
    // records: `escape` is applied to those strings only (Markdown, whose project text has code spans);
    // text and HTML leave it out and escape the whole string instead.

    /// The token-list sentence (Keystone, attributed records) and the key-family sentence, whichever exist.
    static func explanationText(_ r: Report, escape: (String) -> String = { $0 }) -> String {
        var parts: [String] = []
        let measured = r.traffic?.explanation
        if let e = r.explanation {
            // Beside a measured figure, the token lists' traffic figure says it is a model.
            let modelled = measured != nil && ExplanationBasis(rawValue: e.basis)?.isTraffic == true
            parts.append((modelled ? "Modelled from the token lists (size × issue rate × 2): " : "") + e.sentence(escapingNames: escape))
        }
        if let f = r.familyExplanation { parts.append(f.sentence(escape: escape)) }
        if let f = r.familyTrafficExplanation { parts.append(f.sentence(escape: escape)) }
        if let m = measured { parts.append(m.sentence(escape: escape)) }
        if !parts.isEmpty { return parts.joined(separator: " ") }
        if r.hosts.count < 2 { return "Only one host in the input: there is no skew to explain." }
        return "No host holds more value bytes than the mean: there is no excess to explain."
    }

    /// Rows shown in the text, Markdown and HTML family tables (JSON has up to `jsonFamilies`).
    static let shownFamilies = 25
    static let jsonFamilies = 200

    static func familyTable(_ r: Report) -> Table {
        var t = Table([
            ("family", .left), ("owner", .left), ("items", .right), ("bytes", .right), ("share", .right), ("top host", .left),
            ("no expiry", .right), ("never fetched", .right), ("mean idle", .right), ("largest key", .left),
        ])
        t.dimensions = [.family, .host]
        t.drill = .family
        let all = r.hosts.reduce(Int64(0)) { $0 &+ $1.valueBytes }
        for row in r.families.prefix(shownFamilies) {
            let f = row.total
            let top = row.perHost.max { $0.bytes != $1.bytes ? $0.bytes < $1.bytes : $0.host > $1.host }
            let topText = top.map { h in hostShare(h.host, h.bytes, f.bytes) } ?? "-"
            let noExpiry = f.items > 0 ? Double(f.noExpiry) / Double(f.items) : nil
            let neverFetched = f.fetchKnown > 0 ? Double(f.neverFetched) / Double(f.fetchKnown) : nil
            t.add(
                [
                    row.family, row.owner ?? "-", String(f.items), Units.bytes(Double(f.bytes)),
                    all > 0 ? Units.percent(Double(f.bytes) / Double(all)) : "-", topText, noExpiry.map(Units.percent) ?? "-",
                    neverFetched.map(Units.percent) ?? "-", row.meanIdleSeconds.map { Units.duration($0) } ?? "-",
                    f.largestKey.map { "\($0) (\(Units.bytes(Double(f.largestSize))))" } ?? "-",
                ],
                Table.RowInfo(
                    values: [
                        nil, nil, Double(f.items), Double(f.bytes), all > 0 ? Double(f.bytes) / Double(all) : nil, nil, noExpiry,
                        neverFetched, row.meanIdleSeconds, f.largestKey == nil ? nil : Double(f.largestSize),
                    ],
                    tags: [.family: [row.family], .host: row.perHost.map(\.host)]))
        }
        if r.families.count > shownFamilies {
            t.addNote(["… \(r.families.count - shownFamilies) more (JSON has up to \(jsonFamilies))", "", "", "", "", "", "", "", "", ""])
        }
        return t
    }

    /// Per key family (with a server list): which client places its keys — known (given, or Keystone's),
    /// inferred (the schemes that put ≥95% of its items where they were found), or unknown — and the
    /// items and bytes not where that client puts them.
    static func familyPlacementTable(_ r: Report) -> Table {
        var t = Table([
            ("family", .left), ("client", .left), ("how", .left), ("items", .right), ("misplaced", .right), ("unreachable bytes", .right),
        ])
        t.dimensions = [.family, .host]
        t.drill = .family
        for row in r.families.prefix(shownFamilies) {
            guard let p = row.placement else { continue }
            let counted = !(p.basis == .unknown || p.basis == .few)
            t.add(
                [
                    row.family, p.schemes.isEmpty ? "-" : p.schemes.joined(separator: " | "), p.basis.rawValue, String(p.items),
                    counted ? String(p.misplaced) : "-", counted ? Units.bytes(Double(p.misplacedBytes)) : "-",
                ],
                Table.RowInfo(
                    values: [nil, nil, nil, Double(p.items), counted ? Double(p.misplaced) : nil, counted ? Double(p.misplacedBytes) : nil],
                    tags: [.family: [row.family], .host: row.perHost.map(\.host)]))
        }
        return t
    }

    /// Keys found on more than one host: the host first met, then each other copy's host, size, and
    /// whether its value and CAS are the first copy's.
    static func copiesTable(_ r: Report) -> Table {
        var t = Table([("key", .left), ("first on", .left), ("copies on (size; value, CAS against the first copy)", .left)])
        t.dimensions = [.host]
        for e in r.copies.entries {
            let copies = e.hosts.dropFirst().enumerated().map { i, host in
                let value = copyWord(e.sameValue[i], same: "same value", other: "other value")
                let cas = copyWord(e.sameCAS[i], same: "same CAS", other: "other CAS")
                return "\(host) (\(Units.bytes(Double(e.sizes[i]))); \(value), \(cas))"
            }
            t.add([e.key, e.hosts.first ?? "-", copies.joined(separator: ", ")], Table.RowInfo(tags: [.host: e.hosts]))
        }
        if r.copies.keys > r.copies.entries.count { t.addNote(["… \(r.copies.keys - r.copies.entries.count) more", "", ""]) }
        return t
    }

    static func copyWord(_ same: Bool?, same yes: String, other: String) -> String {
        switch same {
        case true?: return yes
        case false?: return other
        case nil: return yes.replacingOccurrences(of: "same ", with: "") + " unknown"
        }
    }

    /// `host (83%)`: the host's share of the family's bytes.
    static func hostShare(_ host: String, _ bytes: Int64, _ total: Int64) -> String {
        total > 0 ? "\(host) (\(Units.percent(Double(bytes) / Double(total))))" : host
    }

    static func hostTable(_ r: Report) -> Table {
        var t = Table([("host", .left), ("items", .right), ("value bytes", .right), ("token lists", .right), ("evictions", .right)])
        t.dimensions = [.host]
        t.drill = .host
        for h in r.hosts {
            let lists = Double(h.bytesByKind["usertokens"] ?? 0)
            t.add(
                [
                    h.host + (h.complete == false ? " (partial)" : ""), String(h.items), Units.bytes(Double(h.valueBytes)),
                    Units.bytes(lists), h.evictions.map { Units.fixed($0, 0) } ?? "-",
                ],
                Table.RowInfo(values: [nil, Double(h.items), Double(h.valueBytes), lists, h.evictions], tags: [.host: [h.host]]))
        }
        return t
    }

    /// Server traffic per host: "since start" (cumulative counters of the capture's first sample over
    /// the uptime: the capture's own reads are not in it) and "capture window" when it lasted a second or more.
    static func trafficTable(_ r: Report) -> Table {
        var t = Table([
            ("host", .left), ("period", .left), ("seconds", .right), ("read", .right), ("written", .right),
            ("read/s", .right), ("written/s", .right), ("traffic/s", .right),
        ])
        t.dimensions = [.host]
        for h in r.hosts {
            if let c = h.sinceStart {
                t.add(
                    [
                        h.host, "since start", Units.fixed(c.uptime, 0), Units.bytes(c.bytesRead), Units.bytes(c.bytesWritten),
                        Units.rate(c.readRate), Units.rate(c.writeRate), Units.rate(c.rate),
                    ],
                    Table.RowInfo(
                        values: [nil, nil, c.uptime, c.bytesRead, c.bytesWritten, c.readRate, c.writeRate, c.rate], tags: [.host: [h.host]]))
            }
            if let w = h.traffic {
                t.add(
                    [
                        h.host, "capture window", Units.fixed(w.seconds, 0), Units.bytes(w.bytesRead), Units.bytes(w.bytesWritten),
                        Units.rate(w.readRate), Units.rate(w.writeRate), Units.rate(w.rate),
                    ],
                    Table.RowInfo(
                        values: [nil, nil, w.seconds, w.bytesRead, w.bytesWritten, w.readRate, w.writeRate, w.rate], tags: [.host: [h.host]]))
            }
        }
        return t
    }

    static func skewTable(_ r: Report) -> Table {
        var t = Table([("figure", .left), ("max/mean", .right), ("top host share", .right), ("Gini", .right), ("top host", .left)])
        for s in r.skew {
            t.add(
                [s.metric, Units.fixed(s.maxOverMean, 2), Units.percent(s.topShare), Units.fixed(s.gini, 3), s.topHost],
                Table.RowInfo(values: [nil, s.maxOverMean, s.topShare, s.gini, nil]))
        }
        return t
    }

    /// `compact` heads the per-host share columns `% h1`, `% h2`… (see `hostLegend`) so the table fits a terminal.
    /// When a user's bytes on some hosts have no figure of their own (`Aggregator.maxUserHostCells`), a last
    /// column gives their share, `% on (other hosts)`, and that user's hosts without a figure show `-`.
    static func userTable(_ r: Report, compact: Bool = false) -> Table {
        let hosts = r.hosts.map(\.host)
        let others = r.users.contains { $0.otherHostsBytes > 0 }
        var cols: [(String, Table.Align)] = [
            ("user", .left), ("id", .left), ("items", .right), ("bytes", .right),
            ("list entries", .right), ("issues/s", .right), ("modelled traffic/s", .right),
        ]
        cols += hosts.enumerated().map { compact ? ("% h\($0.offset + 1)", .right) : ("% on \($0.element)", .right) }
        if others { cols.append(("% on \(UserTotals.otherHosts)", .right)) }
        var t = Table(cols)
        t.dimensions = [.user, .host]
        t.drill = .user
        for u in r.users {
            let entries = u.lists.isEmpty ? nil : u.lists.reduce(0) { $0 + $1.entries }
            let issues = u.lists.isEmpty ? nil : u.lists.reduce(0) { $0 + $1.issueRate }
            var row = [
                u.label + (u.inExport ? "" : " (not in export)"), u.id, String(u.items), Units.bytes(Double(u.bytes)),
                entries.map { String($0) } ?? "-", issues.map { Units.fixed($0, 3) } ?? "-",
                u.lists.isEmpty ? "-" : Units.rate(u.estimatedTraffic),
            ]
            var shares = hosts.map { u.share(on: $0) }
            if others { shares.append(u.bytes > 0 ? Double(u.otherHostsBytes) / Double(u.bytes) : nil) }
            row += shares.map { $0.map(Units.percent) ?? "-" }
            let values = [nil, nil, Double(u.items), Double(u.bytes), entries.map(Double.init), issues, u.lists.isEmpty ? nil : u.estimatedTraffic] + shares
            t.add(row, Table.RowInfo(values: values, tags: [.user: [u.label], .host: hosts.filter { (u.bytesByHost[$0] ?? 0) > 0 }]))
        }
        return t
    }

    static func hostLegend(_ r: Report) -> String {
        r.hosts.enumerated().map { "h\($0.offset + 1) = \($0.element.host)" }.joined(separator: ", ")
    }

    static func keyTable(_ r: Report) -> Table {
        var t = Table([
            ("key", .left), ("logical key", .left), ("kind", .left), ("size", .right), ("owner", .left), ("host", .left),
            ("placement", .left),
        ])
        t.dimensions = [.host, .user, .family]
        // A key's family is known here only when it is a family's largest key on its host.
        var largest: [String: [String: [String]]] = [:]
        for row in r.families {
            for f in row.perHost { if let key = f.largestKey { largest[f.host, default: [:]][key, default: []].append(row.family) } }
        }
        for k in r.keys {
            var tags: [Table.Dimension: [String]] = [.host: [k.host], .family: largest[k.host]?[k.key] ?? []]
            if let owner = k.owner { tags[.user] = [owner] }
            t.add(
                [
                    k.key, k.logicalKey ?? (k.kind == "token" ? "token-…" : "-"), k.kind ?? "-", Units.bytes(Double(k.size)), k.owner ?? "-",
                    k.host, k.placementOK.map { $0 ? "ok" : "MISPLACED" } ?? "-",
                ],
                Table.RowInfo(values: [nil, nil, nil, Double(k.size), nil, nil, nil], tags: tags))
        }
        return t
    }

    static func suspiciousTable(_ r: Report) -> Table {
        var t = Table([("host", .left), ("key", .left), ("size", .right), ("names (never executed)", .left)])
        t.dimensions = [.host]
        for e in r.suspicious {
            t.add(
                [e.host, e.key, Units.bytes(Double(e.size)), e.names.joined(separator: ", ")],
                Table.RowInfo(values: [nil, nil, Double(e.size), nil], tags: [.host: [e.host]]))
        }
        if r.suspiciousCount > r.suspicious.count {
            t.addNote(["…", "\(r.suspiciousCount - r.suspicious.count) more", "", ""])
        }
        return t
    }

    static func listTable(_ r: Report) -> Table {
        var t = Table([
            ("user", .left), ("host", .left), ("size", .right), ("entries", .right), ("expired", .right),
            ("issues/s", .right), ("of 1 MiB", .right), ("modelled traffic/s", .right),
        ])
        t.dimensions = [.user, .host]
        for u in r.users {
            for l in u.lists {
                t.add(
                    [
                        u.label, l.host, Units.bytes(Double(l.size)), String(l.entries), l.expired.map(String.init) ?? "-",
                        Units.fixed(l.issueRate, 3), Units.percent(l.ceilingShare), Units.rate(l.estimatedTraffic),
                    ],
                    Table.RowInfo(
                        values: [
                            nil, nil, Double(l.size), Double(l.entries), l.expired.map(Double.init), l.issueRate, l.ceilingShare,
                            l.estimatedTraffic,
                        ],
                        tags: [.user: [u.label], .host: [l.host]]))
            }
        }
        return t
    }

    /// Per host and slab class: the records' items and bytes, and where the capture holds the server's
    /// own figures, the chunk size, the bytes lost to chunk rounding ("lost"), evictions (and those of
    /// items never fetched, "unfetched"), the age of the oldest item, and the read traffic its get_hits
    /// imply (estimated).
    static func slabTable(_ r: Report) -> Table {
        let server = r.slabs.contains { $0.server != nil }
        var cols: [(String, Table.Align)] = [("host", .left), ("class", .right), ("items", .right), ("bytes", .right)]
        if server {
            cols += [
                ("chunk", .right), ("lost", .right), ("evicted", .right), ("unfetched", .right), ("oldest", .right),
                ("est. read/s", .right),
            ]
        }
        var t = Table(cols)
        t.dimensions = [.host]
        let uptime = Dictionary(r.hosts.map { ($0.host, $0.uptime) }, uniquingKeysWith: { a, _ in a })
        for s in r.slabs {
            var row = [s.host, String(s.cls), String(s.items), Units.bytes(Double(s.bytes))]
            var values: [Double?] = [nil, Double(s.cls), Double(s.items), Double(s.bytes)]
            if server {
                let st = s.server
                let rate = st?.hitsPerItemPerSecond(uptime: uptime[s.host] ?? nil).map { $0 * Double(s.bytes) }
                row += [
                    st?.chunkSize.map { Units.bytes($0) } ?? "-", st?.roundingLoss.map { Units.bytes($0) } ?? "-",
                    st?.evicted.map { Units.fixed($0, 0) } ?? "-", st?.evictedUnfetched.map { Units.fixed($0, 0) } ?? "-",
                    st?.age.map { Units.duration($0) } ?? "-", rate.map { Units.rate($0) } ?? "-",
                ]
                values += [st?.chunkSize, st?.roundingLoss, st?.evicted, st?.evictedUnfetched, st?.age, rate]
            }
            t.add(row, Table.RowInfo(values: values, tags: [.host: [s.host]]))
        }
        return t
    }

    /// One row per (server count, client): how balanced the same items would be.
    static func whatIfTable(_ r: Report) -> Table {
        var t = Table([
            ("servers", .left), ("client", .left), ("max/mean", .right), ("top share", .right), ("fullest", .right),
            ("list traffic max/mean", .right),
        ])
        guard let w = r.whatIf else { return t }
        for row in w.rows {
            let delta = row.serverCount - w.configured.count
            let label = String(row.serverCount) + (delta == 0 ? " (now)" : " (\(delta > 0 ? "+" : "")\(delta))")
            t.add(
                [
                    label, row.client, Units.fixed(row.maxOverMean, 2), Units.percent(row.topShare),
                    Units.bytes(Double(row.bytes.max() ?? 0)), w.listTraffic > 0 ? Units.fixed(row.trafficMaxOverMean, 2) : "-",
                ],
                Table.RowInfo(values: [
                    nil, nil, row.maxOverMean, row.topShare, Double(row.bytes.max() ?? 0),
                    w.listTraffic > 0 ? row.trafficMaxOverMean : nil,
                ]))
        }
        return t
    }

    /// The best max/mean any placement could reach on each server count.
    static func boundTable(_ r: Report) -> Table {
        var t = Table([
            ("servers", .left), ("best possible max/mean", .right), ("largest-first packing", .right),
            ("list traffic: best possible", .right), ("largest-first", .right),
        ])
        guard let w = r.whatIf else { return t }
        for (b, l) in zip(w.bounds, w.trafficBounds) {
            t.add(
                [
                    String(b.serverCount), Units.fixed(b.lowerBound, 2), Units.fixed(b.greedy, 2) + (b.exact ? "" : " (approx.)"),
                    w.listTraffic > 0 ? Units.fixed(l.lowerBound, 2) : "-",
                    w.listTraffic > 0 ? Units.fixed(l.greedy, 2) + (l.exact ? "" : " (approx.)") : "-",
                ],
                Table.RowInfo(values: [
                    nil, b.lowerBound, b.greedy, w.listTraffic > 0 ? l.lowerBound : nil,
                    w.listTraffic > 0 ? l.greedy : nil,
                ]))
        }
        return t
    }

    /// The sentence above the what-if tables.
    static func whatIfIntro(_ r: Report, escape: (String) -> String = { $0 }) -> String? {
        guard let w = r.whatIf else { return nil }
        var s =
            "The value bytes of \(w.items) items (\(Units.bytes(Double(w.bytes)))) placed by each client's hash on the configured "
            + "servers (\(w.configured.map(escape).joined(separator: ", "))), trimmed from the end or extended with whatif-<n>:11211. "
            + "The largest item is \(Units.bytes(Double(w.largestItem))): no placement can do better than the best possible max/mean. "
            + (w.lists > 0
                ? "List traffic: the \(w.lists) token lists weighed by their estimated traffic (size × issue rate × 2, "
                    + "\(Units.rate(Double(w.listTraffic))) in all), placed the same way."
                : "No token lists with an issue rate: no list traffic figures.")
        if w.skipped > 0 { s += " \(w.skipped) items without a key were not placed." }
        return s
    }

    static func facts(_ r: Report, escape: (String) -> String = { $0 }) -> [String] {
        var out = ["\(r.records) records, \(r.hosts.count) hosts, \(r.userCount) users with items"]
        let kinds = r.kinds.sorted { $0.key < $1.key }.map { "\(escape($0.key)) \($0.value)" }.joined(separator: ", ")
        if !kinds.isEmpty { out.append("items by kind: \(kinds)") }
        if r.misplaced > 0 { out.append("\(r.misplaced) items are not on the host their key maps to (failover copies or config drift)") }
        let stray = r.families.compactMap(\.placement).filter { $0.basis == .inferred }
        let strayItems = stray.reduce(0) { $0 + $1.misplaced }
        if strayItems > 0 {
            let bytes = stray.reduce(Int64(0)) { $0 &+ $1.misplacedBytes }
            out.append(
                "\(strayItems) items (\(Units.bytes(Double(bytes)))) of key families whose client was inferred are not where that client puts them: copies no client reads"
            )
        }
        if r.copies.keys > 0 {
            var line =
                "\(r.copies.keys) keys are on more than one host: \(r.copies.extraCopies) extra copies, \(Units.bytes(Double(r.copies.extraBytes))) (left by failover or a changed server list; a client reads one copy at most)"
            let c = r.copies
            if c.sameValueCopies + c.differingValueCopies > 0 {
                line +=
                    "; \(c.differingValueCopies) hold other bytes than the first copy (stale data a failover would serve again), \(c.sameValueCopies) the same bytes"
            }
            out.append(line)
        }
        for h in r.traffic?.hosts ?? [] {
            guard let a = h.account else { continue }
            var line =
                "watch window on \(escape(h.host)) (measured): \(a.events) events kept, \(a.ownEvents) of the collector's own reads left out"
            line +=
                a.dropped > 0
                ? "; memcached dropped \(a.dropped) (\(max(a.skipped, a.watcherSkipped)) skipped for the watcher, \(a.workerDropped) in its worker buffers): the measured traffic is a lower bound"
                : "; memcached dropped none"
            if a.sample > 1 { line += "; sampled, one client event in \(a.sample) kept: its counts are estimates (kept × \(a.sample))" }
            if a.ended != "elapsed" && !a.ended.isEmpty { line += "; the window ended: \(escape(a.ended))" }
            out.append(line)
        }
        let unknown = r.families.filter { $0.placement?.basis == .unknown }.map(\.family)
        if !unknown.isEmpty {
            out.append(
                "no known client places every key of \(unknown.count) key famil\(unknown.count == 1 ? "y" : "ies") (\(unknown.prefix(5).map(escape).joined(separator: ", "))\(unknown.count > 5 ? ", …" : "")): none of their items is called misplaced"
            )
        }
        return out + r.warnings.map { "warning: \(escape($0))" }
    }

    // MARK: formats

    static func text(_ r: Report, width: Int) -> String {
        var s = "WHY IS ONE HOST HOTTER\n" + wrap(Escaping.text(explanationText(r)), width: width) + "\n"
        let sections: [(String, Table)] =
            [
                ("SUSPICIOUS VALUES (possible cache poisoning)", suspiciousTable(r)), ("HOSTS", hostTable(r)),
                ("TRAFFIC (bytes the server read and wrote)", trafficTable(r)),
            ] + measuredSections(r, upper: true) + [
                ("SKEW", skewTable(r)),
                ("TOP USERS (\(hostLegend(r)))", userTable(r, compact: true)),
                ("KEY FAMILIES", familyTable(r)), ("CLIENT PLACEMENT BY KEY FAMILY", familyPlacementTable(r)),
                ("KEYS ON MORE THAN ONE HOST", copiesTable(r)), ("TOKEN LISTS (top users)", listTable(r)), ("LARGEST KEYS", keyTable(r)),
                ("SLAB CLASSES", slabTable(r)),
            ]
        for (title, t) in sections where !t.rows.isEmpty { s += "\n" + Escaping.text(title) + "\n" + t.text(width: width) }
        if let intro = whatIfIntro(r) {
            s +=
                "\nWHAT IF (other placements and server counts)\n" + wrap(Escaping.text(intro), width: width) + "\n\n" + whatIfTable(r).text(width: width)
                + "\n" + boundTable(r).text(width: width)
        }
        s += "\n" + facts(r).map { wrap(Escaping.text($0), width: width) }.joined(separator: "\n") + "\n"
        return s
    }

    static func markdown(_ r: Report) -> String {
        var s = "# memcached skew report\n\n## Explanation\n\n" + explanationText(r, escape: Escaping.markdown) + "\n"
        let sections: [(String, Table)] =
            [
                ("Suspicious values (possible cache poisoning)", suspiciousTable(r)), ("Hosts", hostTable(r)),
                ("Traffic (bytes the server read and wrote)", trafficTable(r)),
            ] + measuredSections(r, upper: false) + [
                ("Skew", skewTable(r)), ("Top users", userTable(r)),
                ("Key families", familyTable(r)), ("Client placement by key family", familyPlacementTable(r)),
                ("Keys on more than one host", copiesTable(r)), ("Token lists of the top users", listTable(r)), ("Largest keys", keyTable(r)),
                ("Slab classes", slabTable(r)),
            ]
        for (title, t) in sections where !t.rows.isEmpty { s += "\n## " + title + "\n\n" + t.markdown() }
        if let intro = whatIfIntro(r, escape: Escaping.markdown) {
            s +=
                "\n## What if (other placements and server counts)\n\n" + intro + "\n\n" + whatIfTable(r).markdown() + "\n"
                + boundTable(r).markdown()
        }
        s += "\n## Input\n\n" + facts(r, escape: Escaping.markdown).map { "- " + $0 }.joined(separator: "\n") + "\n"
        return s
    }

    static func wrap(_ text: String, width: Int) -> String {
        var lines: [String] = []
        var cur = ""
        for word in text.split(separator: " ") {
            if !cur.isEmpty && cur.count + 1 + word.count > width { lines.append(cur); cur = "" }
            cur += (cur.isEmpty ? "" : " ") + word
        }
        if !cur.isEmpty { lines.append(cur) }
        return lines.joined(separator: "\n")
    }
}
