// ReportRendering/HTMLReport: the report as one self-contained HTML file that works offline — no
// external resource, inline CSS (screen and print) and an inline script (HTMLInteractive: sortable
// tables, a search box, drill-down from a host to its families and users and from a family or user to
// its keys, chart values on hover), SVG charts (bytes and traffic per host, top users stacked by host,
// what-if max/mean per scheme), the same sections as the Markdown form. Every text goes through
// Escaping.html; the data are in the DOM only.
import SkewAnalysis

enum HTMLReport {
    static func render(_ r: Report) -> String {
        var s = "<h2>Explanation</h2>\n"
        s += "<p class=\"explanation\">" + Escaping.html(ReportRenderer.explanationText(r)) + "</p>\n"
        s += section("Suspicious values (possible cache poisoning)", ReportRenderer.suspiciousTable(r))
        s += section("Hosts", ReportRenderer.hostTable(r))
        s += hostChart(r)
        s += section("Traffic (bytes the server read and wrote)", ReportRenderer.trafficTable(r))
        // Measured traffic; the last section, the stats timeline, with its chart.
        let measured = ReportRenderer.measuredSections(r, upper: false)
        for (title, table) in measured.dropLast() { s += section(title, table) }
        if let (title, table) = measured.last, !table.rows.isEmpty {
            s += "<h2>" + Escaping.html(title) + "</h2>\n" + timelineChart(r) + table.html()
        }
        s += section("Skew", ReportRenderer.skewTable(r))
        if !r.users.isEmpty {
            s += "<h2>Top users</h2>\n" + userChart(r) + ReportRenderer.userTable(r).html()
        }
        s += section("Key families", ReportRenderer.familyTable(r))
        s += section("Client placement by key family", ReportRenderer.familyPlacementTable(r))
        s += section("Keys on more than one host", ReportRenderer.copiesTable(r))
        s += section("Token lists of the top users", ReportRenderer.listTable(r))
        s += section("Largest keys", ReportRenderer.keyTable(r))
        s += section("Slab classes", ReportRenderer.slabTable(r))
        if let intro = ReportRenderer.whatIfIntro(r) {
            s +=
                "<h2>What if (other placements and server counts)</h2>\n<p>" + Escaping.html(intro) + "</p>\n" + whatIfChart(r)
                + ReportRenderer.whatIfTable(r).html() + ReportRenderer.boundTable(r).html()
        }
        s += "<h2>Input</h2>\n<ul>\n" + ReportRenderer.facts(r).map { "<li>" + Escaping.html($0) + "</li>\n" }.joined() + "</ul>\n"
        return page(title: "memcached skew report", body: s)
    }

    static func section(_ title: String, _ t: Table) -> String {
        t.rows.isEmpty ? "" : "<h2>" + Escaping.html(title) + "</h2>\n" + t.html()
    }

    // MARK: charts

    static let palette = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"]

    static func hostChart(_ r: Report) -> String {
        guard !r.hosts.isEmpty else { return "" }
        var out = SVGBars(title: "Value bytes per host", legend: [], format: { Units.bytes($0) })
        for h in r.hosts { out.add(label: h.host, segments: [Double(h.valueBytes)]) }
        var s = out.svg()
        if r.hosts.allSatisfy({ $0.sinceStart != nil }) {
            var t = SVGBars(title: "Traffic per host since server start (read + written per second)", legend: [], format: { Units.rate($0) })
            for h in r.hosts { t.add(label: h.host, segments: [h.sinceStart?.rate ?? 0]) }
            s += t.svg()
        }
        if r.hosts.allSatisfy({ $0.traffic != nil }) {
            var t = SVGBars(title: "Traffic per host during the capture", legend: [], format: { Units.rate($0) })
            for h in r.hosts { t.add(label: h.host, segments: [h.traffic?.rate ?? 0]) }
            s += t.svg()
        }
        return s
    }

    static func userChart(_ r: Report) -> String {
        let hosts = r.hosts.map(\.host)
        // The bytes on hosts without a figure of their own (Aggregator.maxUserHostCells) stack last, when some are.
        let others = r.users.contains { $0.otherHostsBytes > 0 }
        var chart = SVGBars(
            title: "Top users' bytes, stacked by host", legend: hosts + (others ? [UserTotals.otherHosts] : []), format: { Units.bytes($0) })
        for u in r.users {
            chart.add(
                label: u.label, segments: hosts.map { Double(u.bytesByHost[$0] ?? 0) } + (others ? [Double(u.otherHostsBytes)] : []))
        }
        return chart.svg()
    }

    static func whatIfChart(_ r: Report) -> String {
        guard let w = r.whatIf, !w.rows.isEmpty else { return "" }
        var chart = SVGBars(
            title: "max/mean of value bytes per scheme and server count (1.00 = perfectly even)", legend: [],
            format: { Units.fixed($0, 2) })
        for row in w.rows { chart.add(label: "\(row.client) on \(row.serverCount)", segments: [row.maxOverMean]) }
        var s = chart.svg()
        if w.listTraffic > 0 {
            var lists = SVGBars(
                title: "max/mean of the token lists' estimated traffic per scheme and server count", legend: [],
                format: { Units.fixed($0, 2) })
            for row in w.rows { lists.add(label: "\(row.client) on \(row.serverCount)", segments: [row.trafficMaxOverMean]) }
            s += lists.svg()
        }
        return s
    }
}

/// A horizontal bar chart (stacked when a row has several segments) as inline SVG.
struct SVGBars {
    var title: String
    var legend: [String]
    var format: (Double) -> String
    var rows: [(label: String, segments: [Double])] = []

    init(title: String, legend: [String], format: @escaping (Double) -> String) {
        self.title = title
        self.legend = legend
        self.format = format
    }

    mutating func add(label: String, segments: [Double]) { rows.append((label, segments.map { $0.isFinite && $0 > 0 ? $0 : 0 })) }

    func svg() -> String {
        let labelWidth = 190.0, barWidth = 520.0, valueWidth = 110.0, rowHeight = 22.0
        let top = 26.0 + (legend.isEmpty ? 0 : 20)
        let height = top + Double(rows.count) * rowHeight + 8
        let width = labelWidth + barWidth + valueWidth
        let maxTotal = rows.map { $0.segments.reduce(0, +) }.max() ?? 0
        let e = Escaping.html
        var s =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" "
            + "role=\"img\" aria-label=\"\(e(title))\">\n"
        s += "<text x=\"0\" y=\"16\" font-weight=\"bold\">\(e(title))</text>\n"
        var x = 0.0
        for (i, name) in legend.enumerated() {
            s += "<rect x=\"\(n(x))\" y=\"28\" width=\"10\" height=\"10\" fill=\"\(color(i))\"/>"
            s += "<text x=\"\(n(x + 14))\" y=\"37\">\(e(name))</text>\n"
            x += 24 + Double(name.count) * 7
        }
        for (i, row) in rows.enumerated() {
            let y = top + Double(i) * rowHeight
            let shown = row.label.count > 28 ? String(row.label.prefix(27)) + "…" : row.label
            s += "<text x=\"\(n(labelWidth - 6))\" y=\"\(n(y + 15))\" text-anchor=\"end\">\(e(shown))</text>\n"
            var at = labelWidth
            for (k, v) in row.segments.enumerated() where v > 0 && maxTotal > 0 {
                let w = v / maxTotal * barWidth
                s += "<rect x=\"\(n(at))\" y=\"\(n(y + 3))\" width=\"\(n(w))\" height=\"\(n(rowHeight - 6))\" fill=\"\(color(k))\">"
                s += "<title>\(e(row.label + (legend.indices.contains(k) ? " on " + legend[k] : "") + ": " + format(v)))</title></rect>\n"
                at += w
            }
            s += "<text x=\"\(n(at + 6))\" y=\"\(n(y + 15))\">\(e(format(row.segments.reduce(0, +))))</text>\n"
        }
        return s + "</svg>\n"
    }

    func color(_ i: Int) -> String { HTMLReport.palette[i % HTMLReport.palette.count] }
    /// A coordinate with one decimal (no locale, no exponent).
    func n(_ v: Double) -> String { Units.fixed(v, 1) }
}
