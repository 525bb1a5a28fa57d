// `report --format html`: one self-contained file (no script, no external resource), inline SVG
// charts, the same content as the Markdown form, every text HTML-escaped — checked with Python's
// html.parser (balanced tags, the text a browser would show).
import Foundation
import Testing
import TestSupport

@Suite struct HTMLReportTests {
    /// Python's html.parser over the document: prints `ok`, or what is wrong; then the visible text.
    static let checker = """
        import sys
        from html.parser import HTMLParser
        VOID = {'meta', 'br', 'hr', 'img', 'input', 'link', 'rect', 'line'}
        class P(HTMLParser):
            def __init__(self):
                super().__init__(convert_charrefs=True)
                self.stack, self.errors, self.text, self.tags = [], [], [], {}
            def handle_starttag(self, tag, attrs):
                self.tags[tag] = self.tags.get(tag, 0) + 1
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
        p = P()
        doc = sys.stdin.read()
        p.feed(doc)
        p.close()
        if p.stack:
            p.errors.append('unclosed %s' % p.stack)
        for bad in ('script', 'link', 'iframe', 'img', 'object'):
            if p.tags.get(bad):
                p.errors.append('<%s> present' % bad)
        if '@import' in doc:
            p.errors.append('@import present')
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
        #expect(!html.contains("<script"))
        #expect(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;"))
        let (verdict, text) = try check(html)
        #expect(verdict.hasPrefix("ok"), "\(verdict)")
        #expect(text.contains("<script>alert(\"x\")</script> & 'q'"))
        #expect(text.contains("k1-0<>"))
    }
}
