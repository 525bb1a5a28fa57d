// ReportRendering/DiffRendering: a capture diff (`report --diff BEFORE AFTER`) in every format — text,
// Markdown, HTML (one self-contained page), JSON and CSV (one table, `--table`). The same tables in
// each: hosts, skew, key families, users, keys, slab classes, each row with both sides, the change in
// bytes and what happened (grew, shrank, appeared, gone, newly listed, no longer listed, moved host).
import JSONText
import SkewAnalysis

public enum DiffRenderer {
    /// Rows per table in text, Markdown and HTML (the largest changes; JSON and CSV have them all).
    static let shownRows = 25

    public static func render(_ d: DiffReport, format: ReportFormat, width: Int = 100, table: CSVTable? = nil) -> String {
        switch format {
        case .text: return text(d, width: width)
        case .markdown: return markdown(d)
        case .json: return json(d)
        case .html: return html(d)
        case .csv: return csv(d, table: table ?? .hosts)
        }
    }

    // MARK: tables

    /// Title, table and a note on the rows not shown (nil when every row is).
    static func sections(_ d: DiffReport) -> [(title: String, table: Table, note: String?)] {
        [
            ("Hosts", hostTable(d), nil), ("Skew", skewTable(d), nil),
            ("Key families", rowTable(d.families, what: "family", detail: "owner", drill: .family), notShown(d.families)),
            ("Users", rowTable(d.users, what: "user", detail: "domain", drill: .user), notShown(d.users)),
            (
                "Keys (the largest keys and token lists each side names)", rowTable(d.keys, what: "key", detail: "owner", size: "size"),
                notShown(d.keys)
            ),
            ("Slab classes", rowTable(d.slabs, what: "slab class", detail: nil, hosts: false), notShown(d.slabs)),
        ]
    }

    static func changed(_ rows: [DiffRow]) -> [DiffRow] { rows.filter { $0.change != .unchanged || $0.moved } }

    /// "Not shown: 3 more changed, 46 unchanged (JSON and CSV have every row)."
    static func notShown(_ rows: [DiffRow]) -> String? {
        let changed = changed(rows)
        var rest: [String] = []
        if changed.count > shownRows { rest.append("\(changed.count - shownRows) more changed") }
        if rows.count > changed.count { rest.append("\(rows.count - changed.count) unchanged") }
        return rest.isEmpty ? nil : "Not shown: " + rest.joined(separator: ", ") + " (JSON and CSV have every row)."
    }

    static func bytes(_ v: Int64?) -> String { v.map { Units.bytes(Double($0)) } ?? "-" }
    static func signedBytes(_ v: Int64) -> String { v > 0 ? "+" + Units.bytes(Double(v)) : v < 0 ? "−" + Units.bytes(Double(v.magnitude)) : "0 B" }
    /// "6.1 MB → 6.2 MB", with "-" for a side that does not have it.
    static func sides(_ a: String?, _ b: String?) -> String { (a ?? "-") + " → " + (b ?? "-") }
    /// "+69.3 kB (+1%)": the change in bytes, and in percent when both sides have it.
    static func change(_ r: DiffRow) -> String {
        guard let a = r.bytesBefore, let b = r.bytesAfter else { return signedBytes(r.delta) }
        return signedBytes(r.delta) + " (" + DiffReport.signedPercent(Double(a), Double(b)) + ")"
    }
    static func items(_ r: DiffRow) -> String { sides(r.itemsBefore.map { String($0) }, r.itemsAfter.map { String($0) }) }
    static func where_(_ r: DiffRow) -> String {
        r.moved ? sides(r.hostBefore, r.hostAfter) : (r.hostAfter ?? r.hostBefore ?? "-")
    }

    static func hostTable(_ d: DiffReport) -> Table {
        var cols: [(String, Table.Align)] = [
            ("host", .left), ("items", .right), ("value bytes", .right), ("change", .right), ("what happened", .left),
        ]
        if let basis = d.trafficBasis { cols += [("traffic/s (\(basis))", .right), ("traffic change", .right)] }
        var t = Table(cols)
        t.dimensions = [.host]
        t.drill = .host
        for r in d.hosts {
            var row = [r.name, items(r), sides(r.bytesBefore.map(bytes), r.bytesAfter.map(bytes)), change(r), r.changeText]
            var values = [nil, r.itemsAfter.map(Double.init), r.bytesAfter.map(Double.init), Double(r.delta), nil]
            if d.trafficBasis != nil {
                row += [
                    sides(r.rateBefore.map(Units.rate), r.rateAfter.map(Units.rate)),
                    r.rateBefore.flatMap { a in r.rateAfter.map { DiffReport.signedPercent(a, $0) } } ?? "-",
                ]
                values += [r.rateAfter, r.rateBefore.flatMap { a in r.rateAfter.map { a > 0 ? ($0 - a) / a : nil } ?? nil }]
            }
            t.add(row, Table.RowInfo(values: values, tags: [.host: [r.name]]))
        }
        return t
    }

    static func skewTable(_ d: DiffReport) -> Table {
        var t = Table([("metric", .left), ("max/mean", .right), ("hottest host", .left)])
        for s in d.skew {
            t.add([
                s.metric, sides(s.before.map { Units.fixed($0.maxOverMean, 2) }, s.after.map { Units.fixed($0.maxOverMean, 2) }),
                s.before?.topHost == s.after?.topHost ? (s.after?.topHost ?? "-") : sides(s.before?.topHost, s.after?.topHost),
            ])
        }
        return t
    }

    /// The rows that changed (or moved), largest change first; unchanged rows are counted in a last row.
    /// `drill`: the relation the rows are (families, users), for the HTML page's drill-down.
    static func rowTable(
        _ rows: [DiffRow], what: String, detail: String?, hosts: Bool = true, size: String = "bytes", drill: Table.Dimension? = nil
    ) -> Table {
        var cols: [(String, Table.Align)] = [(what, .left)]
        if let detail { cols.append((detail, .left)) }
        if what != "key" { cols.append(("items", .right)) }
        cols += [(size, .right), ("change", .right), ("what happened", .left)]
        if hosts { cols.append((what == "key" ? "host" : "main host", .left)) }
        var t = Table(cols)
        t.dimensions = hosts ? [.host] + (drill.map { [$0] } ?? []) : []
        t.drill = drill
        for r in changed(rows).prefix(shownRows) {
            var row = [r.name]
            var values: [Double?] = [nil]
            if detail != nil {
                row.append(r.detail ?? "-")
                values.append(nil)
            }
            if what != "key" {
                row.append(items(r))
                values.append(r.itemsAfter.map(Double.init))
            }
            row += [sides(r.bytesBefore.map(bytes), r.bytesAfter.map(bytes)), change(r), r.changeText]
            values += [r.bytesAfter.map(Double.init), Double(r.delta), nil]
            var tags: [Table.Dimension: [String]] = [:]
            if hosts {
                row.append(where_(r))
                tags[.host] = [r.hostBefore, r.hostAfter].compactMap { $0 }.reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
            }
            if let drill { tags[drill] = [r.name] }
            t.add(row, Table.RowInfo(values: values, tags: tags))
        }
        return t
    }

    /// One line per table: how many rows grew, shrank, appeared, went away, moved host.
    static func tally(_ d: DiffReport) -> [String] {
        var out: [String] = []
        for (name, rows) in [("hosts", d.hosts), ("key families", d.families), ("users", d.users), ("listed keys", d.keys)] where !rows.isEmpty {
            let c = DiffCounts(rows)
            var parts = DiffChange.allCases.compactMap { k in c[k] > 0 ? "\(c[k]) \(k.rawValue)" : nil }
            if c.moved > 0 { parts.append("\(c.moved) moved host") }
            out.append("\(name): " + parts.joined(separator: ", "))
        }
        return out
    }

    static func facts(_ d: DiffReport) -> [String] {
        ["before: \(d.before) (\(d.recordsBefore) records)", "after: \(d.after) (\(d.recordsAfter) records)"] + tally(d)
            + d.warnings.map {
                "warning: " + $0
            }
    }

    // MARK: formats

    static func text(_ d: DiffReport, width: Int) -> String {
        var s = "WHAT CHANGED BETWEEN THE CAPTURES\n" + ReportRenderer.wrap(Escaping.text(d.summary), width: width) + "\n"
        for (title, t, note) in sections(d) where !t.rows.isEmpty || note != nil {
            s += "\n" + Escaping.text(title.uppercased()) + "\n" + (t.rows.isEmpty ? "" : t.text(width: width)) + (note.map { $0 + "\n" } ?? "")
        }
        s += "\n" + facts(d).map { ReportRenderer.wrap(Escaping.text($0), width: width) }.joined(separator: "\n") + "\n"
        return s
    }

    static func markdown(_ d: DiffReport) -> String {
        var s = "# memcached capture diff\n\n## What changed\n\n" + Escaping.markdown(d.summary) + "\n"
        for (title, t, note) in sections(d) where !t.rows.isEmpty || note != nil {
            s += "\n## " + title + "\n\n" + (t.rows.isEmpty ? "" : t.markdown()) + (note.map { "\n" + $0 + "\n" } ?? "")
        }
        s += "\n## Input\n\n" + facts(d).map { "- " + Escaping.markdown($0) }.joined(separator: "\n") + "\n"
        return s
    }

    static func html(_ d: DiffReport) -> String {
        var body = "<h2>What changed</h2>\n<p class=\"explanation\">" + Escaping.html(d.summary) + "</p>\n"
        for (title, t, note) in sections(d) where !t.rows.isEmpty || note != nil {
            body += "<h2>" + Escaping.html(title) + "</h2>\n" + (t.rows.isEmpty ? "" : t.html()) + (note.map { "<p>" + Escaping.html($0) + "</p>\n" } ?? "")
        }
        body += "<h2>Input</h2>\n<ul>\n" + facts(d).map { "<li>" + Escaping.html($0) + "</li>\n" }.joined() + "</ul>\n"
        return HTMLReport.page(title: "memcached capture diff", body: body)
    }

    static func json(_ d: DiffReport) -> String {
        var j = NDJSONWriter(capacity: 1 << 16)
        j.beginObject()
        j.field("type", "report-diff")
        j.field("schema", 1)
        j.field("before", d.before)
        j.field("after", d.after)
        j.field("records_before", d.recordsBefore)
        j.field("records_after", d.recordsAfter)
        j.field("summary", d.summary)
        j.field("traffic_basis", d.trafficBasis)
        j.key("skew"); j.beginArray()
        for s in d.skew {
            j.beginObject()
            j.field("metric", s.metric)
            for (side, f) in [("before", s.before), ("after", s.after)] {
                j.key(side)
                if let f {
                    j.beginObject(); j.field("max_over_mean", f.maxOverMean); j.field("top_host", f.topHost); j.field("top_share", f.topShare)
                    j.field("gini", f.gini); j.endObject()
                } else {
                    j.string(nil)
                }
            }
            j.endObject()
        }
        j.endArray()
        for (name, rows) in [("hosts", d.hosts), ("families", d.families), ("users", d.users), ("keys", d.keys), ("slabs", d.slabs)] {
            j.key(name); j.beginArray()
            for r in rows {
                j.beginObject()
                j.field("name", r.name); j.field("detail", r.detail)
                j.key("bytes_before"); j.int(r.bytesBefore.map(Int.init)); j.key("bytes_after"); j.int(r.bytesAfter.map(Int.init))
                j.key("delta"); j.int(Int(r.delta))
                j.field("items_before", r.itemsBefore); j.field("items_after", r.itemsAfter)
                j.field("host_before", r.hostBefore); j.field("host_after", r.hostAfter)
                if name == "hosts" { j.field("rate_before", r.rateBefore); j.field("rate_after", r.rateAfter) }
                j.field("change", r.change.rawValue); j.field("moved", r.moved)
                j.endObject()
            }
            j.endArray()
        }
        j.key("warnings"); j.beginArray(); for w in d.warnings { j.string(w) }; j.endArray()
        j.endObject()
        return j.text + "\n"
    }

    /// One table as CSV (docs/report.md "Capture diff" lists the columns): plain numbers, empty when absent.
    static func csv(_ d: DiffReport, table: CSVTable) -> String {
        let rows: [DiffRow]
        switch table {
        case .hosts: rows = d.hosts
        case .users: rows = d.users
        case .keys: rows = d.keys
        case .slabs: rows = d.slabs
        case .families: rows = d.families
        }
        var out = [
            [
                "name", "detail", "items_before", "items_after", "bytes_before", "bytes_after", "delta_bytes", "change", "moved", "host_before",
                "host_after", "rate_before_bytes_per_s", "rate_after_bytes_per_s",
            ]
        ]
        for r in rows {
            out.append([
                r.name, r.detail ?? "", r.itemsBefore.map(CSVReport.num) ?? "", r.itemsAfter.map(CSVReport.num) ?? "",
                r.bytesBefore.map(CSVReport.num) ?? "", r.bytesAfter.map(CSVReport.num) ?? "", CSVReport.num(r.delta), r.change.rawValue,
                CSVReport.bool(r.moved), r.hostBefore ?? "", r.hostAfter ?? "", CSVReport.num(r.rateBefore), CSVReport.num(r.rateAfter),
            ])
        }
        return out.map { $0.map(CSVReport.field).joined(separator: ",") + "\r\n" }.joined()
    }
}
