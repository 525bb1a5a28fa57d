// ReportRendering/CSVReport: one table of the report as CSV for spreadsheets (`report --format csv
// --table T`): a header row, then one row per host, user, key, slab class or key family. RFC 4180: CRLF
// line ends, a field quoted when it holds a comma, a quote, CR or LF, quotes inside doubled. Numbers are
// plain (bytes as integers, rates in bytes per second, shares from 0 to 1), never the text report's units;
// an unknown figure is an empty field. docs/report.md lists the columns.
import SkewAnalysis

/// The tables `--format csv` can write.
public enum CSVTable: String, Sendable, CaseIterable {
    case hosts, users, keys, slabs, families
}

enum CSVReport {
    static func render(_ r: Report, table: CSVTable) -> String {
        var rows: [[String]]
        switch table {
        case .hosts: rows = hosts(r)
        case .users: rows = users(r)
        case .keys: rows = keys(r)
        case .slabs: rows = slabs(r)
        case .families: rows = families(r)
        }
        var out = ""
        for row in rows { out += row.map(field).joined(separator: ",") + "\r\n" }
        return out
    }

    /// RFC 4180 §2.6–2.7: quoted when it holds `,` `"` CR or LF; a quote inside becomes two.
    static func field(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func num(_ v: Double?) -> String {
        guard let v, v.isFinite else { return "" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return String(v)
    }
    static func num(_ v: Int64) -> String { String(v) }
    static func num(_ v: Int) -> String { String(v) }
    static func bool(_ v: Bool?) -> String { v.map { $0 ? "true" : "false" } ?? "" }

    static func hosts(_ r: Report) -> [[String]] {
        var rows = [
            [
                "host", "items", "value_bytes", "token_list_bytes", "evictions", "traffic_since_start_bytes_per_s",
                "traffic_window_bytes_per_s", "measured_bytes_per_s", "measured_ops_per_s", "complete",
            ]
        ]
        let measured = Dictionary((r.traffic?.hosts ?? []).map { ($0.host, $0) }, uniquingKeysWith: { a, _ in a })
        for h in r.hosts {
            let m = measured[h.host].flatMap { $0.seconds > 0 ? $0 : nil }
            rows.append([
                h.host, num(h.items), num(h.valueBytes), num(h.bytesByKind["usertokens"] ?? 0), num(h.evictions),
                num(h.sinceStart?.rate), num(h.traffic?.rate), num(m?.bytesPerSecond), num(m?.opsPerSecond), bool(h.complete),
            ])
        }
        return rows
    }

    static func users(_ r: Report) -> [[String]] {
        let hosts = r.hosts.map(\.host)
        // A last column for the bytes on hosts without a figure of their own (Aggregator.maxUserHostCells),
        // when a user has some; that user's hosts without a figure are then unknown (empty).
        let others = r.users.contains { $0.otherHostsBytes > 0 }
        var rows = [
            ["id", "name", "domain", "in_export", "items", "bytes", "token_keys", "list_entries", "issue_rate", "modelled_traffic_bytes_per_s"]
                + hosts.map { "bytes_on " + $0 } + (others ? ["bytes_on " + UserTotals.otherHosts] : [])
        ]
        for u in r.users {
            rows.append(
                [
                    u.id, u.name ?? "", u.domain ?? "", bool(u.inExport), num(u.items), num(u.bytes), num(u.tokenKeys),
                    num(u.lists.reduce(0) { $0 + $1.entries }), num(u.lists.reduce(0.0) { $0 + $1.issueRate }), num(u.estimatedTraffic),
                ] + hosts.map { h in u.bytesByHost[h].map { num($0) } ?? (u.otherHostsBytes > 0 ? "" : num(0)) }
                    + (others ? [num(u.otherHostsBytes)] : []))
        }
        return rows
    }

    static func keys(_ r: Report) -> [[String]] {
        var rows = [["key", "logical_key", "kind", "size", "host", "owner", "owner_id", "placement_ok"]]
        for k in r.keys {
            rows.append([k.key, k.logicalKey ?? "", k.kind ?? "", num(k.size), k.host, k.owner ?? "", k.ownerID ?? "", bool(k.placementOK)])
        }
        return rows
    }

    static func slabs(_ r: Report) -> [[String]] {
        var rows = [
            [
                "host", "cls", "items", "bytes", "chunk_size", "rounding_loss_bytes", "evicted", "evicted_unfetched", "oldest_item_age_s",
                "estimated_read_bytes_per_s",
            ]
        ]
        let uptime = Dictionary(r.hosts.map { ($0.host, $0.uptime) }, uniquingKeysWith: { a, _ in a })
        for s in r.slabs {
            let st = s.server
            let read = st.flatMap { $0.hitsPerItemPerSecond(uptime: uptime[s.host] ?? nil) }.map { $0 * Double(s.bytes) }
            rows.append([
                s.host, num(s.cls), num(s.items), num(s.bytes), num(st?.chunkSize), num(st?.roundingLoss), num(st?.evicted),
                num(st?.evictedUnfetched), num(st?.age), num(read),
            ])
        }
        return rows
    }

    static func families(_ r: Report) -> [[String]] {
        var rows = [
            [
                "family", "owner", "items", "bytes", "share_of_bytes", "top_host", "top_host_bytes", "no_expiry_share", "never_fetched_share",
                "mean_idle_s", "largest_key", "largest_size", "client_basis", "client_schemes", "misplaced_items", "misplaced_bytes",
            ]
        ]
        let total = Double(r.hosts.reduce(Int64(0)) { $0 &+ $1.valueBytes })
        for f in r.families {
            let t = f.total
            let top = f.perHost.max { $0.bytes != $1.bytes ? $0.bytes < $1.bytes : $0.host > $1.host }
            let expiries = t.noExpiry + t.withExpiry
            rows.append([
                f.family, f.owner ?? "", num(t.items), num(t.bytes), num(total > 0 ? Double(t.bytes) / total : nil), top?.host ?? "",
                num(top?.bytes ?? 0), num(expiries > 0 ? Double(t.noExpiry) / Double(expiries) : nil),
                num(t.fetchKnown > 0 ? Double(t.neverFetched) / Double(t.fetchKnown) : nil), num(f.meanIdleSeconds), t.largestKey ?? "",
                num(t.largestSize), f.placement?.basis.rawValue ?? "", f.placement?.schemes.joined(separator: " ") ?? "",
                num(f.placement?.misplaced ?? 0), num(f.placement?.misplacedBytes ?? 0),
            ])
        }
        return rows
    }
}
