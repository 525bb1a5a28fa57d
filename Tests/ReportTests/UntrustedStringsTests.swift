// Strings that come from a server, a key, a value or a user list are escaped for the format they go
// into (docs/report.md, "Untrusted strings"): hand-made records whose user names and ids, key, kind
// and host name carry Markdown structure, HTML and terminal control sequences, through the real
// `report`. Text: no raw control character, every table row one line with its columns; Markdown: no
// heading, table row, HTML or formatting of theirs once GitHub's own parser (cmark-gfm) renders it;
// HTML: the same, and controls shown; JSON: the exact strings.
import Foundation
import Testing
import TestSupport

@testable import ReportRendering

@Suite struct UntrustedStringsTests {
    /// User names, heaviest token list first (the explanation names the first two).
    static let names = [
        "mallory\n## heading\n| a | b |",
        "<svg onload=alert(1)>\u{07}\r",
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "*em* _u_ `code` [l](x) ~s~ $m$ &amp; \\",
    ]
    static let ids = ["u1", "u2\u{1b}[5m|x", "u3", "u4", "u5"]
    static let key = "\u{1b}]0;x\u{07}\u{1b}[2J"
    static let host = "evil\u{1b}[31m\u{202e}<svg onload=alert(1)>"
    static let kind = "<img src=x onerror=alert(1)>\n# kind"

    /// Two hosts: the hostile one holds every user's token list (so it is the hottest and the
    /// explanation names its users), `plain` one item; `stats: {}` on the hostile one makes a warning
    /// that carries its name.
    static func records() throws -> String {
        var lines: [[String: Any]] = [
            ["type": "source", "host": host, "port": 1, "complete": true, "stats": [String: Any]()],
            ["type": "source", "host": "plain", "port": 1, "complete": true],
            ["type": "item", "host": "plain", "port": 1, "key": "k-plain", "size": 100, "cls": 5, "kind": kind],
        ]
        for (i, (name, id)) in zip(names, ids).enumerated() {
            lines.append([
                "type": "item", "host": host, "port": 1, "key": i == 0 ? key : "k\(i)", "size": 3000 - 500 * i, "cls": 5,
                "kind": "usertokens", "user": ["id": id, "name": name],
                "tokens": ["entries": 3, "expired": 0, "issue_rate": 0.5],
            ])
        }
        let text =
            try lines.map { String(decoding: try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]), as: UTF8.self) }
            .joined(separator: "\n") + "\n"
        let path = try Scratch.directory("untrusted") + "/records.ndjson"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The control characters no report but JSON may hold raw (a newline only as a line's end).
    static func rawControls(_ s: String) -> [String] {
        s.unicodeScalars.filter { c in
            c != "\n"
                && (c.value < 0x20 || (0x7F...0x9F).contains(c.value) || (0x2028...0x202E).contains(c.value)
                    || (0x2066...0x2069).contains(c.value))
        }.map { String(format: "U+%04X", $0.value) }
    }

    func render(_ format: String, _ extra: [String] = []) throws -> String {
        let r = try runReport(["--format", format, "--width", "1000"] + extra + [try Self.records()])
        #expect(r.status == 0, "\(format): \(r.stderrText)")
        return r.stdoutText
    }

    @Test func textShowsControlCharactersAndKeepsEveryRowOnOneLine() throws {
        let text = try render("text")
        #expect(Self.rawControls(text).isEmpty, "\(Self.rawControls(text))")
        #expect(text.contains(#"\x1b]0;x\x07\x1b[2J"#))
        #expect(text.contains(#"mallory\n## heading\n| a | b |"#))
        #expect(text.contains(#"evil\x1b[31m\u202e<svg onload=alert(1)>:1"#))
        #expect(!text.split(separator: "\n").contains { $0.hasPrefix("## heading") || $0.hasPrefix("| a | b |") || $0.hasPrefix("# kind") })
        // Each table: its header, the dashes, one line per row, and each line splits into the header's columns.
        let blocks = text.components(separatedBy: "\n\n")
        func table(_ title: String) throws -> [[String]] {
            let block = try #require(blocks.first { $0.hasPrefix(title) }, "no \(title)")
            return block.split(separator: "\n").dropFirst().map { line in
                line.split(separator: "  ", omittingEmptySubsequences: true).map { $0.trimmingCharacters(in: .whitespaces) }
                    .filter { !$0.isEmpty }
            }
        }
        for (title, rows) in [("TOP USERS", 5), ("TOKEN LISTS", 5), ("LARGEST KEYS", 6), ("HOSTS", 2)] {
            let t = try table(title)
            #expect(t.count == 2 + rows, "\(title): \(t)")
            #expect(t.allSatisfy { $0.count == t[0].count }, "\(title): \(t)")
        }
    }

    /// GitHub's parser (cmark-gfm, raw HTML let through so that any would show) renders the Markdown;
    /// html.parser reads the result. Prints `ok`, or what is wrong; then the cells of every table row
    /// joined by tabs, one row a line.
    static let gfm = """
        import sys, cmarkgfm
        from cmarkgfm.cmark import Options
        from html.parser import HTMLParser
        HEADINGS = {'memcached skew report', 'Explanation', 'Hosts', 'Skew', 'Top users', 'Token lists of the top users',
                    'Largest keys', 'Slab classes', 'Input', 'Key families'}
        class P(HTMLParser):
            def __init__(self):
                super().__init__(convert_charrefs=True)
                self.errors, self.rows, self.row, self.cell, self.heading = [], [], None, None, None
            def handle_starttag(self, tag, attrs):
                if tag in ('h1', 'h2', 'h3', 'h4', 'h5', 'h6'): self.heading = ''
                elif tag == 'tr': self.row = []
                elif tag in ('td', 'th'): self.cell = ''
                elif tag not in ('p', 'table', 'thead', 'tbody', 'ul', 'li'): self.errors.append('<%s %s>' % (tag, attrs))
            def handle_endtag(self, tag):
                if tag.startswith('h') and tag[1:].isdigit():
                    if self.heading not in HEADINGS: self.errors.append('heading %r' % self.heading)
                    self.heading = None
                elif tag in ('td', 'th'): self.row.append(self.cell); self.cell = None
                elif tag == 'tr': self.rows.append(self.row)
            def handle_data(self, data):
                if self.heading is not None: self.heading += data
                if self.cell is not None: self.cell += data
        html = cmarkgfm.github_flavored_markdown_to_html(sys.stdin.read(), options=Options.CMARK_OPT_UNSAFE)
        p = P()
        p.feed(html)
        p.close()
        print('; '.join(p.errors) if p.errors else 'ok')
        for row in p.rows: print('\\t'.join(row))
        """

    @Test func markdownRendersTheStringsAsTextOnly() throws {
        let md = try render("markdown")
        #expect(Self.rawControls(md).isEmpty, "\(Self.rawControls(md))")
        for raw in ["<script", "<img", "<svg"] { #expect(!md.lowercased().contains(raw), "\(raw)") }
        let lines = md.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(!lines.contains { $0.hasPrefix("## heading") || $0.hasPrefix("| a | b |") || $0.hasPrefix("# kind") })
        // Every row of a table has as many unescaped `|` as its header.
        var header: Int?
        for line in lines {
            guard line.hasPrefix("|") else { header = nil; continue }
            let pipes = line.filter { $0 == "|" }.count - line.components(separatedBy: "\\|").count + 1
            if header == nil { header = pipes }
            #expect(pipes == header, "\(line)")
        }
        // The explanation names the first two users and the host, escaped.
        let explanation = try #require(lines.first { $0.contains("users' token lists") })
        #expect(explanation.contains(##"(mallory\\n\#\# heading\\n\| a \| b \|, &lt;svg onload=alert(1)&gt;\\x07\\r)"##), "\(explanation)")
        #expect(explanation.contains(#"all on evil\\x1b\[31m\\u202e&lt;svg onload=alert(1)&gt;:1,"#), "\(explanation)")

        let out = try Python.run(code: Self.gfm, stdin: Data(md.utf8)).stdoutText.split(separator: "\n").map(String.init)
        #expect(out.first == "ok", "\(out.first ?? "")")
        let rows = out.dropFirst().map { $0.components(separatedBy: "\t") }
        // The rendered cells show the strings as the text report does.
        let users = rows.filter { $0.count == 9 && $0[2] == "1" }
        #expect(users.map { $0[0] } == Self.names.map(Escaping.text), "\(users)")
        #expect(users.map { $0[1] } == Self.ids.map(Escaping.text))
        #expect(rows.contains { $0.first == #"\x1b]0;x\x07\x1b[2J"# })
        #expect(rows.contains { $0.first == #"evil\x1b[31m\u202e<svg onload=alert(1)>:1"# })
    }

    @Test func htmlShowsControlCharactersAndEscapesMarkup() throws {
        let html = try render("html")
        #expect(Self.rawControls(html).isEmpty, "\(Self.rawControls(html))")
        for raw in ["<script>alert", "<img", "<svg onload"] { #expect(!html.lowercased().contains(raw), "\(raw)") }
        #expect(html.components(separatedBy: "<script").count == 2, "only the page's own script")
        let (verdict, text) = try HTMLReportTests().check(html)
        #expect(verdict.hasPrefix("ok"), "\(verdict)")
        #expect(text.contains(#"\x1b]0;x\x07\x1b[2J"#))
        #expect(text.contains("<script>alert(1)</script>"))
        #expect(text.contains(#"<svg onload=alert(1)>\x07\r"#))
    }

    @Test func jsonKeepsTheExactStrings() throws {
        let json = try render("json")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let top = try #require((doc["users"] as? [String: Any])?["top"] as? [[String: Any]])
        #expect(top.compactMap { $0["name"] as? String } == Self.names)
        #expect(top.compactMap { $0["id"] as? String } == Self.ids)
        let keys = try #require(doc["keys"] as? [[String: Any]])
        #expect(keys.first?["key"] as? String == Self.key)
        #expect(keys.contains { $0["kind"] as? String == Self.kind })
        let e = try #require(doc["explanation"] as? [String: Any])
        #expect(e["host"] as? String == Self.host + ":1")
        #expect(e["users"] as? [String] == Array(Self.names.prefix(2)))
        #expect((e["sentence"] as? String)?.contains(Self.names[0]) == true)
    }

    @Test func whatIfServerNamesAreEscapedInTheIntro() throws {
        let servers = "<b>*x*</b>:11211,plain:11211"
        let md = try render("markdown", ["--servers", servers])
        let intro = try #require(md.split(separator: "\n").first { $0.hasPrefix("The value bytes of") })
        #expect(intro.contains(#"servers (&lt;b&gt;\*x\*&lt;/b&gt;:11211, plain:11211)"#), "\(intro)")
        #expect(intro.contains("extended with whatif-<n>:11211"), "the project's own words are unchanged")
    }

    // MARK: the escaping functions

    @Test func textNotation() {
        #expect(Escaping.text("a\nb\rc\td") == #"a\nb\rc\td"#)
        #expect(Escaping.text("\u{0}\u{1b}\u{7f}\u{80}\u{85}\u{9f}") == #"\x00\x1b\x7f\x80\x85\x9f"#)
        #expect(Escaping.text("\u{2028}\u{2029}\u{202a}\u{202e}\u{2066}\u{2069}") == #"\u2028\u2029\u202a\u202e\u2066\u2069"#)
        #expect(Escaping.text("\r\n") == #"\r\n"#, "a CR LF pair is one Character but two controls")
        for plain in ["ceilometer", "127.0.0.1:21212", "héllo ✓ 漢字", #"back\slash"#, "token-…", ""] {
            #expect(Escaping.text(plain) == plain)
        }
    }

    @Test func markdownNotation() {
        #expect(Escaping.markdown("\n## h\n| a |") == ##"\\n\#\# h\\n\| a \|"##)
        #expect(Escaping.markdown("<script>&amp;") == "&lt;script&gt;&amp;amp;")
        #expect(Escaping.markdown(#"*a* _b_ `c` [d](e) ~f~ $g$ \"#) == #"\*a\* \_b\_ \`c\` \[d\](e) \~f\~ \$g\$ \\"#)
        #expect(Escaping.markdown("\u{1b}[2J") == #"\\x1b\[2J"#)
        for plain in ["ceilometer", "127.0.0.1:21212", "usertokens-eef939600bc111e69aeb57d4fa849231", "token-…", "% on a:1", "(now)"] {
            #expect(Escaping.markdown(plain) == plain)
        }
    }

    @Test func htmlNotation() {
        #expect(Escaping.html("<a href='x'>\"&\"</a>") == "&lt;a href=&#39;x&#39;&gt;&quot;&amp;&quot;&lt;/a&gt;")
        #expect(Escaping.html("\u{1b}]0;x\u{07}") == #"\x1b]0;x\x07"#)
    }
}
