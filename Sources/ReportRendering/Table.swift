// ReportRendering/Table: a table of strings rendered as aligned plain text (fitted to a width by
// shortening the widest text columns with "…") or as a Markdown table. Cells are plain text: every
// renderer escapes each of them for its format (Escaping). A row may also carry what only the HTML form
// uses (`Table.RowInfo`: raw numbers to sort by, the hosts, key families and users it belongs to); the
// text, Markdown and CSV forms ignore it.

public struct Table: Sendable {
    public enum Align: Sendable { case left, right }
    public var headers: [String]
    public var align: [Align]
    public var rows: [[String]] = []
    /// Per row (same index as `rows`; missing entries mean none): see `RowInfo`. HTML only.
    public var info: [RowInfo] = []
    /// The relations the rows carry (`RowInfo.tags`): the HTML page's drill-down filters this table by
    /// them. A row without a value for one of them is hidden while that filter is on.
    public var dimensions: [Dimension] = []
    /// The table lists one row per host, family or user: clicking a row filters the page by it (its
    /// value of this dimension), and the table highlights the chosen row instead of hiding the others.
    public var drill: Dimension?

    /// What a row belongs to, for the HTML page's drill-down: `data-host`, `data-family`, `data-user`.
    public enum Dimension: String, Sendable, CaseIterable { case host, family, user }

    /// What the HTML form adds to a row: the raw number behind each cell (`data-v`, what a click on
    /// the column's header sorts by; nil where the cell has none), the hosts, key families and users
    /// the row belongs to, and whether it is a note ("… 12 more") that stays last and is never sorted.
    public struct RowInfo: Sendable {
        public var values: [Double?]
        public var tags: [Dimension: [String]]
        public var note: Bool
        public init(values: [Double?] = [], tags: [Dimension: [String]] = [:], note: Bool = false) {
            self.values = values
            self.tags = tags
            self.note = note
        }
    }

    public init(_ columns: [(String, Align)]) {
        headers = columns.map(\.0)
        align = columns.map(\.1)
    }

    public mutating func add(_ row: [String]) { add(row, RowInfo()) }

    /// A row with what the HTML form adds to it (`RowInfo`).
    public mutating func add(_ row: [String], _ rowInfo: RowInfo) {
        var r = Array(row.prefix(headers.count))
        while r.count < headers.count { r.append("") }
        while info.count < rows.count { info.append(RowInfo()) }
        rows.append(r)
        info.append(rowInfo)
    }

    /// A note row ("… 12 more"): kept last when the HTML table is sorted, hidden by its filters.
    public mutating func addNote(_ row: [String]) { add(row, RowInfo(note: true)) }

    /// Plain text, two spaces between columns, no line longer than `width` characters when the
    /// left-aligned columns can be shortened enough (numbers are never cut). Cells go through
    /// `Escaping.text`, so a row is one line.
    public func text(width: Int) -> String {
        let headers = headers.map(Escaping.text)
        let rows = rows.map { $0.map(Escaping.text) }
        var widths = headers.indices.map { c in ([headers[c]] + rows.map { $0[c] }).map(\.count).max() ?? 0 }
        let gap = 2 * max(0, headers.count - 1)
        while widths.reduce(0, +) + gap > width {
            guard let c = widths.indices.filter({ align[$0] == .left && widths[$0] > 8 }).max(by: { widths[$0] < widths[$1] }) else { break }
            widths[c] -= 1
        }
        func cell(_ s: String, _ c: Int) -> String {
            var s = s
            if s.count > widths[c] { s = String(s.prefix(max(0, widths[c] - 1))) + "…" }
            let pad = String(repeating: " ", count: max(0, widths[c] - s.count))
            return align[c] == .right ? pad + s : s + pad
        }
        func line(_ r: [String]) -> String {
            var s = r.indices.map { cell(r[$0], $0) }.joined(separator: "  ")
            while s.hasSuffix(" ") { s.removeLast() }
            return s
        }
        var out = [line(headers), line(widths.map { String(repeating: "-", count: $0) })]
        out += rows.map(line)
        return out.joined(separator: "\n") + "\n"
    }

    /// A GitHub-flavoured Markdown table; cells go through `Escaping.markdown` (no markup, no `|`, one line).
    public func markdown() -> String {
        let esc = Escaping.markdown
        var out = "| " + headers.map(esc).joined(separator: " | ") + " |\n"
        out += "|" + align.map { $0 == .right ? " ---: |" : " --- |" }.joined() + "\n"
        for r in rows { out += "| " + r.map(esc).joined(separator: " | ") + " |\n" }
        return out
    }
}
