// ReportRendering/Escaping: how each format shows a string that came from a server, a key, a value or
// a user list (host names, user names and ids, keys, kinds, warnings) — as text, never as markup or
// terminal control. Table cells are always escaped; in running text only those strings are, the
// project's own words around them stay as written. JSON needs none of this: it keeps the exact string
// (RFC 8259 escaping, PipelineRecords' NDJSONWriter). docs/report.md, "Untrusted strings".
import ByteText
import JSONText

enum Escaping {
    /// Terminal text: control characters shown visibly (`ControlCharacters.shownVisibly`), so no
    /// escape sequence reaches the terminal and no newline breaks a table row.
    static func text(_ s: String) -> String { ControlCharacters.shownVisibly(s) }

    /// Markdown (CommonMark and GitHub's extensions): control characters shown visibly (so the string
    /// stays on its line), `&`, `<` and `>` as entities (no HTML), and a backslash before every character
    /// that could start Markdown structure or formatting inside a line — `\` `` ` `` `*` `_` `[` `]` `#`
    /// `|` `~` `$` (code, emphasis, links and images, headings, table cells, strikethrough, math).
    static func markdown(_ s: String) -> String {
        replacing(ControlCharacters.shownVisibly(s)) { c in
            switch c {
            case "&", "<", ">": htmlEntity(c)
            case "\\", "`", "*", "_", "[", "]", "#", "|", "~", "$": "\\" + String(c)
            default: nil
            }
        }
    }

    /// HTML text and quoted attribute values: control characters shown visibly, then `&`, `<`, `>`,
    /// `"` and `'` as entities.
    static func html(_ s: String) -> String { replacing(ControlCharacters.shownVisibly(s), htmlEntity) }

    static func htmlEntity(_ c: Unicode.Scalar) -> String? {
        switch c {
        case "&": "&amp;"
        case "<": "&lt;"
        case ">": "&gt;"
        case "\"": "&quot;"
        case "'": "&#39;"
        default: nil
        }
    }

    /// `s` with each character for which `replacement` gives a text replaced by that text.
    static func replacing(_ s: String, _ replacement: (Unicode.Scalar) -> String?) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count + 16)
        for c in s.unicodeScalars {
            if let r = replacement(c) { out += r } else { out.unicodeScalars.append(c) }
        }
        return out
    }
}
