// ReportRendering/HTMLInteractive: the page shell of the HTML report — its inline style (screen and
// print) and its inline script — and `Table.html()`, which writes the data attributes the script reads.
// The script sorts a table by a click on a column header (numbers by the cell's `data-v`, else by the
// number and unit it shows), filters every table's rows by a search box, drills down from a host, key
// family or user row to the rows of the other tables that belong to it (`data-host`, `data-family`,
// `data-user`, with a chip to take the filter off), and shows a chart's value under the pointer. The data
// stay in the DOM, escaped as every other text (Escaping.html): the script holds none, and loads nothing.
// Nothing here depends on the time or on chance: the same report gives the same bytes.
import SkewAnalysis

extension HTMLReport {
    /// A whole page: doctype, head (the title, the inline style), `<h1>title</h1>`, the controls (search
    /// box, filter chips; hidden until the script runs), `body` (HTML, already escaped), the inline script.
    /// The script works on every `Table.html()` and SVG chart in `body`, so another page of the project
    /// (a diff of two reports, say) gets the same sorting, search, drill-down and tooltips from it.
    static func page(title: String, body: String) -> String {
        let t = Escaping.html(title)
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(t)</title>
            <style>
            \(style)</style>
            </head>
            <body>
            <h1>\(t)</h1>
            \(controls)

            """ + body + "<script>\n" + script + "</script>\n</body>\n</html>\n"
    }

    /// The search box, the drill-down chips and the row count; the script shows them.
    static let controls = """
        <div class="controls" id="mcf-controls" hidden>
        <input type="search" id="mcf-q" placeholder="Filter rows" aria-label="Show only the rows that contain this text" autocomplete="off">
        <span id="mcf-chips" aria-live="polite"></span>
        <span id="mcf-status" aria-live="polite"></span>
        <span class="hint">Sort: click a column header. Drill down: click a host, key family or user row.</span>
        </div>
        """

    static let style = #"""
        body{font-family:system-ui,sans-serif;margin:2em auto;max-width:72em;padding:0 1em;color:#222;overflow-wrap:break-word}
        .tw{max-width:100%;overflow-x:auto;margin:.5em 0 1.5em}
        table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:.2em .5em;vertical-align:top}
        th{background:#f3f3f3}td.r,th.r{text-align:right}td.r{white-space:nowrap}td.k{overflow-wrap:anywhere}
        p.explanation{font-size:1.15em}
        svg{display:block;margin:.5em 0 1.5em;max-width:100%;height:auto}svg text{font-family:system-ui,sans-serif;font-size:12px}
        svg [data-tip]:hover{opacity:.75}
        .controls{position:sticky;top:0;z-index:2;background:#fff;padding:.4em 0;border-bottom:1px solid #ddd;display:flex;flex-wrap:wrap;
        gap:.3em .8em;align-items:center}
        .controls[hidden]{display:none}
        .controls input{font:inherit;padding:.2em .4em;min-width:16em}
        .hint,#mcf-status{color:#666;font-size:.9em}
        .chip{font:inherit;border:1px solid #4e79a7;background:#eef3f9;border-radius:1em;padding:.1em .6em;margin-left:.3em;cursor:pointer}
        th.s{cursor:pointer;user-select:none}th.s:hover{background:#e6e6e6}
        th[aria-sort=ascending]::after{content:" \25B2"}th[aria-sort=descending]::after{content:" \25BC"}
        tr.drill{cursor:pointer}tr.drill:hover td{background:#f5f8fc}tr.sel td{background:#fff3c4}
        .tw[data-empty]::after{content:"no row matches";display:block;color:#666;font-style:italic;padding:.2em .5em}
        #mcf-tip{position:fixed;z-index:3;max-width:30em;background:#222;color:#fff;padding:.2em .5em;border-radius:3px;font-size:12px;
        pointer-events:none}
        @media print{
        .controls,#mcf-tip{display:none!important}
        body{max-width:none;margin:0;padding:0;color:#000;background:#fff}
        tbody tr[hidden]{display:table-row!important}
        .tw{overflow:visible}.tw[data-empty]::after{content:none}
        thead{display:table-header-group}tr,svg{break-inside:avoid}h2{break-after:avoid}
        th,td{border-color:#000;color:#000}th{background:#fff}tr.sel td{background:none}th[aria-sort]::after{content:none}
        }

        """#

    /// The page's behaviour. No `</` in it (it would end the script element); no data of the report in it.
    static let script = #"""
        (function () {
          "use strict";
          var doc = document, dims = ["host", "family", "user"], filters = { host: null, family: null, user: null };
          var controls = doc.getElementById("mcf-controls"), q = doc.getElementById("mcf-q");
          var chips = doc.getElementById("mcf-chips"), status = doc.getElementById("mcf-status");
          var tables = Array.prototype.slice.call(doc.querySelectorAll("div.tw > table"));
          var units = { B: 1, kB: 1e3, MB: 1e6, GB: 1e9, "%": 0.01, s: 1, min: 60, h: 3600, d: 86400 };
          var collator = new Intl.Collator("en", { numeric: true, sensitivity: "base" });
          function each(list, f) { Array.prototype.forEach.call(list, f); }
          function values(tr, d) { var a = tr.getAttribute("data-" + d); return a === null ? [] : a.split("\n"); }
          function cellText(tr) { return Array.prototype.map.call(tr.cells, function (c) { return c.textContent; }).join("\t"); }
          // The number a cell stands for: its data-v, else what it shows ("1.2 MB", "3.4 kB/s", "12%", "45 s").
          function number(td) {
            if (!td) return NaN;
            var v = td.getAttribute("data-v");
            if (v !== null) return parseFloat(v);
            var m = /^\+?(-?\d+(?:\.\d+)?)\s*(GB|MB|kB|B|%|min|s|h|d)?/.exec(td.textContent.trim());
            return m ? parseFloat(m[1]) * (units[m[2]] || 1) : NaN;
          }
          // Numbers (right-aligned columns) first largest, text first A to Z; a second click reverses.
          // Cells without a number go last either way; notes ("... 12 more") stay at the end.
          function sort(th) {
            var table = th.closest("table"), col = th.cellIndex, numeric = th.classList.contains("r");
            var now = th.getAttribute("aria-sort");
            var dir = now === "descending" ? "ascending" : now === "ascending" ? "descending" : numeric ? "descending" : "ascending";
            each(table.tHead.rows[0].cells, function (c) { c.removeAttribute("aria-sort"); });
            th.setAttribute("aria-sort", dir);
            var sign = dir === "ascending" ? 1 : -1, body = table.tBodies[0], rows = [], notes = [];
            each(body.rows, function (tr) { (tr.classList.contains("note") ? notes : rows).push(tr); });
            var keyed = rows.map(function (tr, i) {
              var td = tr.cells[col];
              return { tr: tr, i: i, k: numeric ? number(td) : td ? td.textContent : "" };
            });
            keyed.sort(function (a, b) {
              if (numeric) {
                var an = isNaN(a.k), bn = isNaN(b.k);
                if (an || bn) return an === bn ? a.i - b.i : an ? 1 : -1;
                return a.k !== b.k ? (a.k - b.k) * sign : a.i - b.i;
              }
              var c = collator.compare(a.k, b.k);
              return c !== 0 ? c * sign : a.i - b.i;
            });
            keyed.forEach(function (k) { body.appendChild(k.tr); });
            notes.forEach(function (tr) { body.appendChild(tr); });
          }
          // Shows the rows that contain the search text and belong to every chosen host, family and user.
          // A table of hosts (families, users) keeps all its rows when a host (...) is chosen, and marks it.
          function apply() {
            var needle = q.value.trim().toLowerCase(), shown = 0, total = 0, chosen = false;
            tables.forEach(function (table) {
              var own = (table.getAttribute("data-dims") || "").split(" "), drill = table.getAttribute("data-drill"), visible = 0;
              var body = table.tBodies[0];
              each(body.rows, function (tr) {
                var ok = !needle || cellText(tr).toLowerCase().indexOf(needle) >= 0, sel = false;
                dims.forEach(function (d) {
                  var f = filters[d];
                  if (f === null || own.indexOf(d) < 0) return;
                  var has = values(tr, d).indexOf(f) >= 0;
                  if (d === drill) sel = sel || has;
                  else if (!has) ok = false;
                });
                tr.hidden = !ok;
                tr.classList.toggle("sel", sel);
                total++;
                if (ok) { shown++; visible++; }
              });
              table.parentNode.toggleAttribute("data-empty", visible === 0 && body.rows.length > 0);
            });
            chips.textContent = "";
            dims.forEach(function (d) {
              if (filters[d] === null) return;
              if (!chosen) chips.appendChild(doc.createTextNode("showing:"));
              chosen = true;
              var b = doc.createElement("button");
              b.type = "button";
              b.className = "chip";
              b.setAttribute("data-dim", d);
              b.title = "Show every " + d + " again";
              b.textContent = d + " " + filters[d] + " \u2715";
              b.addEventListener("click", function () { filters[d] = null; apply(); });
              chips.appendChild(b);
            });
            status.textContent = needle || chosen ? shown + " of " + total + " rows" : "";
          }
          function choose(tr) {
            var d = tr.closest("table").getAttribute("data-drill"), v = values(tr, d)[0];
            if (v === undefined) return;
            filters[d] = filters[d] === v ? null : v;
            apply();
          }
          function onKey(f) {
            return function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); f(e.currentTarget); } };
          }
          tables.forEach(function (table) {
            each(table.tHead ? table.tHead.rows[0].cells : [], function (th) {
              th.classList.add("s");
              th.tabIndex = 0;
              th.title = "Sort by " + th.textContent;
              th.addEventListener("click", function () { sort(th); });
              th.addEventListener("keydown", onKey(sort));
            });
            var d = table.getAttribute("data-drill");
            if (!d) return;
            each(table.tBodies[0].rows, function (tr) {
              if (!tr.hasAttribute("data-" + d)) return;
              tr.classList.add("drill");
              tr.tabIndex = 0;
              tr.title = "Show only what belongs to this " + d;
              tr.addEventListener("click", function () { choose(tr); });
              tr.addEventListener("keydown", onKey(choose));
            });
          });
          q.addEventListener("input", apply);
          // Chart values: the SVG titles become a tooltip that follows the pointer.
          var tip = doc.createElement("div");
          tip.id = "mcf-tip";
          tip.setAttribute("role", "tooltip");
          tip.hidden = true;
          doc.body.appendChild(tip);
          each(doc.querySelectorAll("svg title"), function (t) {
            var p = t.parentNode;
            if (!p || p.nodeName.toLowerCase() === "svg") return;
            p.setAttribute("data-tip", t.textContent);
            p.setAttribute("aria-label", t.textContent);
            p.removeChild(t);
          });
          doc.addEventListener("mousemove", function (e) {
            var el = e.target && e.target.closest ? e.target.closest("svg [data-tip]") : null;
            if (!el) { tip.hidden = true; return; }
            tip.textContent = el.getAttribute("data-tip");
            tip.hidden = false;
            var x = e.clientX + 12, y = e.clientY + 12;
            if (x + tip.offsetWidth > window.innerWidth - 4) x = Math.max(4, e.clientX - tip.offsetWidth - 12);
            if (y + tip.offsetHeight > window.innerHeight - 4) y = Math.max(4, e.clientY - tip.offsetHeight - 12);
            tip.style.left = x + "px";
            tip.style.top = y + "px";
          });
          window.addEventListener("scroll", function () { tip.hidden = true; }, { passive: true });
          controls.hidden = false;
        })();

        """#
}

extension Table {
    /// An HTML table in a `div.tw` (which scrolls sideways rather than the page when the table is too
    /// wide): right-aligned columns get `class="r"`, cells longer than `Table.breakAnywhere` characters
    /// `class="k"` (they may break anywhere, so a long key wraps), a cell with a raw number `data-v`, a row
    /// its hosts, families and users (`data-host`…, several separated by a newline) and `class="note"`;
    /// the table `data-dims` and `data-drill` (see `dimensions`, `drill`). Every cell and value is escaped.
    func html() -> String {
        var attributes = ""
        if !dimensions.isEmpty { attributes += " data-dims=\"" + dimensions.map(\.rawValue).joined(separator: " ") + "\"" }
        if let drill { attributes += " data-drill=\"" + drill.rawValue + "\"" }
        var s =
            "<div class=\"tw\"><table\(attributes)>\n<thead><tr>"
            + headers.indices.map { "<th\(align[$0] == .right ? " class=\"r\"" : "")>" + Escaping.html(headers[$0]) + "</th>" }.joined()
            + "</tr></thead>\n<tbody>\n"
        for (i, row) in rows.enumerated() {
            let info = info.indices.contains(i) ? info[i] : RowInfo()
            s += "<tr" + (info.note ? " class=\"note\"" : "")
            for d in Dimension.allCases {
                guard let names = info.tags[d], !names.isEmpty else { continue }
                s += " data-\(d.rawValue)=\"" + names.map(Escaping.html).joined(separator: "&#10;") + "\""
            }
            s += ">"
            for (c, cell) in row.enumerated() {
                var classes: [String] = []
                if align.indices.contains(c) && align[c] == .right { classes.append("r") }
                if cell.count > Table.breakAnywhere { classes.append("k") }
                s += "<td" + (classes.isEmpty ? "" : " class=\"" + classes.joined(separator: " ") + "\"")
                if info.values.indices.contains(c), let v = info.values[c], let text = Table.sortValue(v) { s += " data-v=\"" + text + "\"" }
                s += ">" + Escaping.html(cell) + "</td>"
            }
            s += "</tr>\n"
        }
        return s + "</tbody>\n</table></div>\n"
    }

    /// Cells longer than this may break anywhere in HTML (keys, lists of copies); shorter ones keep their words.
    static let breakAnywhere = 32

    /// A raw number as `data-v`: an integer as such, else six decimals; nil when not finite.
    static func sortValue(_ v: Double) -> String? {
        guard v.isFinite else { return nil }
        if v == v.rounded() && abs(v) < 1e15 { return String(Int64(v)) }
        return Units.fixed(v, 6)
    }
}
