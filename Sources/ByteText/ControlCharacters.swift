// ByteText/ControlCharacters: a string's control characters written out visibly, for text that people
// read (the report's text, Markdown and HTML, and every stage's stderr) — so that an ESC, BEL, CR or
// newline in a key, a user name or a server's reply is shown instead of acting on the terminal or
// breaking a line of a table.

public enum ControlCharacters {
    /// `s` with every character `isShownVisibly` selects written in Python's `repr` notation: `\n`,
    /// `\r`, `\t`; `\xNN` for the other C0 controls, DEL and the C1 controls; `\uNNNN` for the line and
    /// paragraph separators and the bidi controls (lower-case hex, as Python writes them). Everything
    /// else is kept as is, backslashes too, so a string without such characters comes back unchanged
    /// (the JSON report keeps the exact string).
    public static func shownVisibly(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: isShownVisibly) else { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count + 16)
        for c in s.unicodeScalars {
            guard isShownVisibly(c) else {
                out.unicodeScalars.append(c)
                continue
            }
            switch c {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                let hex = String(c.value, radix: 16)
                let digits = c.value < 0x100 ? 2 : 4
                out += (c.value < 0x100 ? "\\x" : "\\u") + String(repeating: "0", count: max(0, digits - hex.count)) + hex
            }
        }
        return out
    }

    /// C0 controls (U+0000–U+001F), DEL, C1 controls (U+0080–U+009F), the line and paragraph
    /// separators (U+2028, U+2029) and the bidi embeddings, overrides and isolates (U+202A–U+202E,
    /// U+2066–U+2069): the characters that move the cursor, ring, start escape sequences, end a line or
    /// reorder what follows them.
    public static func isShownVisibly(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x2028...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }
}
