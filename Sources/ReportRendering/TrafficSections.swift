// ReportRendering/TrafficSections: the measured-traffic sections (watch windows, docs/traffic.md) —
// per host, hottest keys, per key family and user, the stats timeline — and its chart in HTML. Every
// heading says "measured"; the token lists' model keeps its own "modelled" columns.
import SkewAnalysis

extension ReportRenderer {
    static func opsRate(_ v: Double) -> String { Units.fixed(v, v >= 100 ? 0 : 1) + "/s" }

    static func measuredHostTable(_ r: Report) -> Table {
        var t = Table([
            ("host", .left), ("window", .right), ("ops/s", .right), ("gets/s", .right), ("hit ratio", .right), ("sent/s", .right),
            ("received/s", .right), ("moved/s", .right), ("keys", .right),
        ])
        t.dimensions = [.host]
        t.drill = .host
        for h in r.traffic?.hosts ?? [] {
            let secs = max(h.seconds, 1e-9)
            let hitRatio = h.gets > 0 ? Double(h.hits) / Double(h.gets) : nil
            t.add(
                [
                    h.host, Units.fixed(h.seconds, 0) + " s", opsRate(h.opsPerSecond), opsRate(Double(h.gets) / secs),
                    hitRatio.map(Units.percent) ?? "-", Units.rate(Double(h.bytesRead) / secs),
                    Units.rate(Double(h.bytesWritten) / secs), Units.rate(h.bytesPerSecond), String(h.keys),
                ],
                Table.RowInfo(
                    values: [
                        nil, h.seconds, h.opsPerSecond, Double(h.gets) / secs, hitRatio, Double(h.bytesRead) / secs,
                        Double(h.bytesWritten) / secs, h.bytesPerSecond, Double(h.keys),
                    ],
                    tags: [.host: [h.host]]))
        }
        return t
    }

    static func measuredKeyTable(_ r: Report) -> Table {
        var t = Table([("key", .left), ("host", .left), ("family", .left), ("owner", .left), ("ops/s", .right), ("moved/s", .right)])
        t.dimensions = [.host, .family, .user]
        for k in r.traffic?.keys ?? [] {
            var tags: [Table.Dimension: [String]] = [.host: [k.host], .family: [k.family]]
            if let owner = k.owner { tags[.user] = [owner] }
            t.add(
                [k.key, k.host, k.family, k.owner ?? "-", opsRate(k.opsPerSecond), Units.rate(k.bytesPerSecond)],
                Table.RowInfo(values: [nil, nil, nil, nil, k.opsPerSecond, k.bytesPerSecond], tags: tags))
        }
        return t
    }

    /// `dimension`: what the rows are (key families or users), for the HTML page's drill-down.
    static func measuredShareTable(_ rows: [TrafficShare], name: String, dimension: Table.Dimension) -> Table {
        var t = Table([(name, .left), ("moved/s", .right), ("ops/s", .right), ("top host", .left)])
        t.dimensions = [dimension, .host]
        t.drill = dimension
        for s in rows.prefix(shownFamilies) {
            let top = s.byHost.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }
            let share = top.map { s.bytesPerSecond > 0 ? " (\(Units.percent($0.value / s.bytesPerSecond)))" : "" } ?? ""
            t.add(
                [s.name, Units.rate(s.bytesPerSecond), opsRate(s.opsPerSecond), (top?.key ?? "-") + share],
                Table.RowInfo(
                    values: [nil, s.bytesPerSecond, s.opsPerSecond, nil],
                    tags: [dimension: [s.name], .host: s.byHost.filter { $0.value > 0 }.keys.sorted()]))
        }
        if let count = rows.count > shownFamilies ? rows.count - shownFamilies : nil { t.addNote(["… \(count) more", "", "", ""]) }
        return t
    }

    /// Per host, the rates between consecutive stats samples: what the server moved second by second.
    static func timelineTable(_ r: Report) -> Table {
        var t = Table([("host", .left), ("at", .right), ("read/s", .right), ("written/s", .right), ("gets/s", .right), ("connections", .right)])
        t.dimensions = [.host]
        for (host, points) in (r.traffic?.timeline ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard let first = points.first else { continue }
            for (a, b) in zip(points, points.dropFirst()) where b.time > a.time {
                let dt = b.time - a.time
                func rate(_ x: Double?, _ y: Double?) -> Double? { x.flatMap { x in y.map { max(0, $0 - x) / dt } } }
                let read = rate(a.bytesRead, b.bytesRead), written = rate(a.bytesWritten, b.bytesWritten), gets = rate(a.cmdGet, b.cmdGet)
                t.add(
                    [
                        host, "+" + Units.fixed(b.time - first.time, 0) + " s", read.map(Units.rate) ?? "-", written.map(Units.rate) ?? "-",
                        gets.map(opsRate) ?? "-", b.connections.map(String.init) ?? "-",
                    ],
                    Table.RowInfo(values: [nil, b.time - first.time, read, written, gets, b.connections.map(Double.init)], tags: [.host: [host]]))
            }
        }
        return t
    }

    /// The sections in the order the text and Markdown forms print them (empty tables are left out).
    static func measuredSections(_ r: Report, upper: Bool) -> [(String, Table)] {
        guard let m = r.traffic else { return [] }
        func title(_ s: String) -> String { upper ? s.uppercased() : s }
        return [
            (title("Measured traffic per host (watch window)"), measuredHostTable(r)),
            (title("Hottest keys by measured bytes moved"), measuredKeyTable(r)),
            (title("Measured traffic by key family"), measuredShareTable(m.families, name: "family", dimension: .family)),
            (title("Measured traffic by user"), measuredShareTable(m.users, name: "user", dimension: .user)),
            (title("Stats timeline (rates between samples)"), timelineTable(r)),
        ]
    }
}

extension HTMLReport {
    /// A line chart per host of the bytes the server sent per second, sample to sample; a dot per sample
    /// whose title (the page's tooltip) says its host, time and rate.
    static func timelineChart(_ r: Report) -> String {
        let series: [(host: String, points: [(Double, Double)])] = (r.traffic?.timeline ?? [:]).sorted(by: { $0.key < $1.key }).compactMap { host, pts in
            guard let t0 = pts.first?.time else { return nil }
            var out: [(Double, Double)] = []
            for (a, b) in zip(pts, pts.dropFirst()) where b.time > a.time {
                guard let x = a.bytesWritten, let y = b.bytesWritten else { continue }
                out.append((b.time - t0, max(0, y - x) / (b.time - a.time)))
            }
            return out.isEmpty ? nil : (host, out)
        }
        guard !series.isEmpty else { return "" }
        let width = 820.0, height = 240.0, left = 90.0, top = 30.0, bottom = 30.0
        let maxX = max(1, series.flatMap { $0.points.map(\.0) }.max() ?? 1)
        let maxY = max(1, series.flatMap { $0.points.map(\.1) }.max() ?? 1)
        let plotW = width - left - 20, plotH = height - top - bottom
        let e = Escaping.html
        let fullHeight = Int(height + 20.0 * Double(series.count))
        var s =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(fullHeight)\" viewBox=\"0 0 \(Int(width)) \(fullHeight)\" "
            + "role=\"img\" aria-label=\"bytes sent per second per host\">\n"
        s += "<text x=\"0\" y=\"16\" font-weight=\"bold\">Bytes the server sent per second (stats samples, measured)</text>\n"
        s += "<text x=\"0\" y=\"\(Int(top + 10))\">\(e(Units.rate(maxY)))</text><text x=\"0\" y=\"\(Int(top + plotH))\">0</text>\n"
        s += "<text x=\"\(Int(left + plotW - 40))\" y=\"\(Int(height - 8))\">+\(e(Units.fixed(maxX, 0))) s</text>\n"
        s += "<rect x=\"\(Int(left))\" y=\"\(Int(top))\" width=\"\(Int(plotW))\" height=\"\(Int(plotH))\" fill=\"none\" stroke=\"#ccc\"/>\n"
        for (i, line) in series.enumerated() {
            func x(_ p: (Double, Double)) -> String { Units.fixed(left + p.0 / maxX * plotW, 1) }
            func y(_ p: (Double, Double)) -> String { Units.fixed(top + plotH - p.1 / maxY * plotH, 1) }
            let pts = line.points.map { x($0) + "," + y($0) }.joined(separator: " ")
            s +=
                "<polyline fill=\"none\" stroke=\"\(palette[i % palette.count])\" stroke-width=\"2\" points=\"\(pts)\"><title>\(e(line.host))</title></polyline>\n"
            for p in line.points {
                let tip = line.host + " at +" + Units.fixed(p.0, 0) + " s: " + Units.rate(p.1)
                s += "<circle cx=\"\(x(p))\" cy=\"\(y(p))\" r=\"3\" fill=\"\(palette[i % palette.count])\"><title>\(e(tip))</title></circle>\n"
            }
            let y = Int(height + 20.0 * Double(i))
            s +=
                "<rect x=\"\(Int(left))\" y=\"\(y - 10)\" width=\"10\" height=\"10\" fill=\"\(palette[i % palette.count])\"/><text x=\"\(Int(left + 14))\" y=\"\(y)\">\(e(line.host))</text>\n"
        }
        return s + "</svg>\n"
    }
}
