// `report --format html`: one self-contained file (one inline script, no external resource), inline
// SVG charts, the same content as the Markdown form, every text and attribute HTML-escaped — checked
// with Python's html.parser (balanced tags, the text a browser would show); the same input gives the
// same bytes; the data attributes the script reads. HTMLBrowserTests runs the page in Chromium.
import Foundation
import Testing
import TestSupport

@testable import ReportRendering

@Suite struct HTMLReportTests {
    /// Python's html.parser over the document: prints `ok`, or what is wrong; then the visible text.
    static let checker = """
        import sys
        from html.parser import HTMLParser
        VOID = {'meta', 'br', 'hr', 'img', 'input', 'link', 'rect', 'line'}
        class P(HTMLParser):
            def __init__(self):
                super().__init__(convert_charrefs=True)
                self.stack, self.errors, self.text, self.tags, self.code = [], [], [], {}, []
            def handle_starttag(self, tag, attrs):
                self.tags[tag] = self.tags.get(tag, 0) + 1
                if tag == 'script' and attrs:
                    self.errors.append('<script> with attributes %r' % attrs)
                for k, v in attrs:
                    if k in ('src', 'href') or k.startswith('on') or (v and ('url(' in v or 'javascript:' in v)):
                        self.errors.append('external or active attribute %s=%r' % (k, v))
                if tag not in VOID:
                    self.stack.append(tag)
            def handle_startendtag(self, tag, attrs):
                self.tags[tag] = self.tags.get(tag, 0) + 1
            def handle_endtag(self, tag):
                if tag in VOID:
                    return
                if not self.stack or self.stack[-1] != tag:
                    self.errors.append('unbalanced </%s> (open: %s)' % (tag, self.stack[-3:]))
                else:
                    self.stack.pop()
            def handle_data(self, data):
                self.text.append(data)
                if self.stack and self.stack[-1] in ('script', 'style'):
                    self.code.append(data)
        p = P()
        doc = sys.stdin.read()
        p.feed(doc)
        p.close()
        if p.stack:
            p.errors.append('unclosed %s' % p.stack)
        for bad in ('link', 'iframe', 'img', 'object', 'embed', 'base', 'form'):
            if p.tags.get(bad):
                p.errors.append('<%s> present' % bad)
        if p.tags.get('script') != 1:
            p.errors.append('%d <script> elements, not one' % p.tags.get('script', 0))
        code = ''.join(p.code)
        for bad in ('@import', 'url(', 'src', 'href', 'http:', 'https:', 'fetch(', 'XMLHttpRequest', 'WebSocket', 'innerHTML', 'eval(', '</'):
            if bad in code:
                p.errors.append('%s in the style or script' % bad)
        print('ok svg=%d' % p.tags.get('svg', 0) if not p.errors else '; '.join(p.errors))
        print(' '.join(' '.join(p.text).split()))
        """

    func check(_ html: String) throws -> (verdict: String, text: String) {
        let out = try Python.run(code: Self.checker, stdin: Data(html.utf8)).stdoutText
        let lines = out.split(separator: "\n", maxSplits: 1).map(String.init)
        return (lines.first ?? "", lines.count > 1 ? lines[1] : "")
    }

    @Test func selfContainedWithChartsAndTheMarkdownContent() throws {
        let records = try SampleRecords.attributed()
        let servers = SampleRecords.servers
        let html = try runReport(["--format", "html", "--servers", servers, records])
        #expect(html.status == 0)
        #expect(html.stdoutText.hasPrefix("<!DOCTYPE html>"))
        let (verdict, text) = try check(html.stdoutText)
        #expect(verdict == "ok svg=5", "\(verdict)")  // bytes, traffic since start, users, what-if bytes and list traffic
        // Every cell of every Markdown table, and the explanation, is in the visible text.
        let md = try runReport(["--format", "markdown", "--servers", servers, records]).stdoutText
        let mdLines = md.split(separator: "\n")
        let explanation = try #require(mdLines.first { $0.contains("users' token lists") })
        #expect(text.contains(String(explanation)))
        var cells = 0
        for line in mdLines where line.hasPrefix("| ") && !line.contains("---") {
            for cell in line.dropFirst(2).dropLast(2).components(separatedBy: " | ") {
                #expect(text.contains(cell), "\(cell)")
                cells += 1
            }
        }
        #expect(cells > 100)
        // The bytes-per-host bars are proportional to the hosts' value bytes (longest = 520 px).
        let json = try runReport(["--format", "json", records]).stdout
        let hosts = try #require((try JSONSerialization.jsonObject(with: json) as? [String: Any])?["hosts"] as? [[String: Any]])
        let bytes = hosts.compactMap { $0["value_bytes"] as? Double }
        let chart = try #require(html.stdoutText.components(separatedBy: "</svg>").first)
        let widths = chart.components(separatedBy: "<rect ").dropFirst().compactMap { rect -> Double? in
            guard let w = rect.components(separatedBy: "width=\"").dropFirst().first?.split(separator: "\"").first else { return nil }
            return Double(w)
        }
        #expect(widths.count == bytes.count)
        let largest = bytes.max() ?? 1
        for (w, b) in zip(widths, bytes) { #expect(abs(w - 520 * b / largest) <= 0.05, "\(w) for \(b)") }
    }

    @Test func namesAreEscaped() throws {
        let dir = try Scratch.directory("html-escape")
        let evil = "<script>alert(\\\"x\\\")</script> & 'q'"
        var lines: [String] = []
        for (i, host) in ["a", "b"].enumerated() {
            lines.append(#"{"type":"source","host":"\#(host)","port":1,"complete":true}"#)
            for k in 0..<(i + 1) * 3 {
                lines.append(
                    #"{"type":"item","host":"\#(host)","port":1,"key":"k\#(i)-\#(k)<>","size":\#(1000 * (i + 1)),"cls":5,"kind":"usertokens","user":{"id":"u\#(k)","name":"\#(evil)"},"tokens":{"entries":3,"expired":0,"issue_rate":0.5}}"#
                )
            }
        }
        let path = dir + "/records.ndjson"
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let html = try runReport(["--format", "html", path]).stdoutText
        #expect(html.components(separatedBy: "<script").count == 2, "only the page's own script")
        #expect(!html.contains("<script>alert"))
        #expect(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;"))
        // In the drill-down attributes too (the users' names, the keys' owners).
        #expect(html.contains(#"data-user="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;""#))
        let (verdict, text) = try check(html)
        #expect(verdict.hasPrefix("ok"), "\(verdict)")
        #expect(text.contains("<script>alert(\"x\")</script> & 'q'"))
        #expect(text.contains("k1-0<>"))
    }

    @Test func oneInlineScriptNoExternalResourceAndTheSameBytesEveryTime() throws {
        let records = try SampleRecords.attributed()
        let args = ["--format", "html", "--servers", SampleRecords.servers, records]
        let first = try runReport(args), second = try runReport(args)
        #expect(first.status == 0)
        #expect(first.stdout == second.stdout, "the same input gives the same bytes")
        let html = first.stdoutText
        let script = try #require(html.components(separatedBy: "<script>\n").dropFirst().first?.components(separatedBy: "</script>").first)
        #expect(!script.contains("</"), "nothing in the script can end it early")
        #expect(!script.contains("127.0.0.1"), "no data in the script")
        #expect(!html.contains("src=") && !html.contains("href=\"http") && !html.contains("@import"))
        #expect(html.contains("<style>") && html.contains("@media print{"))
        #expect(html.contains("<input type=\"search\" id=\"mcf-q\""))
        // The Hosts table: one row per host that the drill-down selects, raw numbers to sort by.
        #expect(html.contains(#"<div class="tw"><table data-dims="host" data-drill="host">"#))
        #expect(html.contains(#"<tr data-host="127.0.0.1:21211"><td>127.0.0.1:21211</td><td class="r" data-v=""#))
        #expect(html.contains(#"<table data-dims="host user family">"#), "the largest keys by host, owner and family")
        let (verdict, _) = try check(html)
        #expect(verdict.hasPrefix("ok"), "\(verdict)")
    }

    @Test func tableAttributes() {
        var t = Table([("name", .left), ("bytes", .right)])
        t.dimensions = [.host, .user]
        t.drill = .user
        t.add(["<u>", "1.5 kB"], Table.RowInfo(values: [nil, 1536], tags: [.user: ["<u>"], .host: ["a", "b\"c"]]))
        t.add([String(repeating: "k", count: 40), "-"], Table.RowInfo(values: [nil, .nan]))
        t.add(["x", "2 B"])
        t.addNote(["… 3 more", ""])
        #expect(
            t.html() == """
                <div class="tw"><table data-dims="host user" data-drill="user">
                <thead><tr><th>name</th><th class="r">bytes</th></tr></thead>
                <tbody>
                <tr data-host="a&#10;b&quot;c" data-user="&lt;u&gt;"><td>&lt;u&gt;</td><td class="r" data-v="1536">1.5 kB</td></tr>
                <tr><td class="k">kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk</td><td class="r">-</td></tr>
                <tr><td>x</td><td class="r">2 B</td></tr>
                <tr class="note"><td>… 3 more</td><td class="r"></td></tr>
                </tbody>
                </table></div>

                """)
        #expect(Table.sortValue(0.25) == "0.250000")
        #expect(Table.sortValue(-3) == "-3")
        #expect(Table.sortValue(.infinity) == nil)
        // The other forms ignore what the HTML adds.
        #expect(
            t.markdown()
                == "| name | bytes |\n| --- | ---: |\n| &lt;u&gt; | 1.5 kB |\n| \(String(repeating: "k", count: 40)) | - |\n| x | 2 B |\n| … 3 more |  |\n")
    }
}
