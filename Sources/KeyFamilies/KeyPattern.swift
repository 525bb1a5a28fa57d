// KeyFamilies/KeyPattern: the automatic family of a key — its parts split on `:` `/` `.` `_` `-` `|`,
// with the parts that vary from key to key (numbers, hex digests, UUIDs, base64 ids, dates) replaced
// by placeholders, so that `cart:1234:items` and `cart:98:items` share the family `cart:{n}:items`.
import ByteText

public enum KeyPattern {
    /// Longest family name written; a longer pattern is cut at a part boundary and ends in `…`.
    public static let maxNameBytes = 120

    /// The separators a key is split on.
    @inline(__always) static func isSeparator(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: ":"), UInt8(ascii: "/"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "|"): return true
        default: return false
        }
    }

    /// The pattern of `key` (see the type's description; docs/families.md has the rules).
    public static func pattern<C: RandomAccessCollection>(_ key: C) -> String where C.Element == UInt8, C.Index == Int {
        var out: [UInt8] = []
        out.reserveCapacity(min(key.count, maxNameBytes) + 8)
        var i = key.startIndex
        var lastPartStart = 0
        while i < key.endIndex {
            let b = key[i]
            if isSeparator(b) {
                out.append(b)
                i += 1
                continue
            }
            lastPartStart = out.count
            // Multi-part shapes that contain separators: a UUID, a date.
            if let end = uuidEnd(key, from: i) {
                out.append(contentsOf: "{uuid}".utf8)
                i = end
            } else if let end = dateEnd(key, from: i) {
                out.append(contentsOf: "{date}".utf8)
                i = end
            } else {
                var j = i
                while j < key.endIndex, !isSeparator(key[j]) { j += 1 }
                appendPart(key[i..<j], to: &out)
                i = j
            }
            if out.count > maxNameBytes {
                out.removeSubrange(lastPartStart...)
                out.append(contentsOf: "…".utf8)
                break
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// One part between separators: a placeholder when it varies, else the part itself (letters
    /// followed by digits keep the letters: `user42` → `user{n}`).
    static func appendPart<S: RandomAccessCollection>(_ part: S, to out: inout [UInt8]) where S.Element == UInt8 {
        var digits = 0, hexLetters = 0, letters = 0, upper = 0, other = 0, nonASCII = 0
        for b in part {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits += 1
            case UInt8(ascii: "a")...UInt8(ascii: "f"): hexLetters += 1; letters += 1
            case UInt8(ascii: "A")...UInt8(ascii: "F"): hexLetters += 1; letters += 1; upper += 1
            case UInt8(ascii: "g")...UInt8(ascii: "z"): letters += 1
            case UInt8(ascii: "G")...UInt8(ascii: "Z"): letters += 1; upper += 1
            case 0x80...0xFF: nonASCII += 1
            default: other += 1
            }
        }
        let n = part.count
        if n > 0, digits == n {
            out.append(contentsOf: "{n}".utf8)
        } else if digits + hexLetters == n, n >= 8, digits > 0, upper == 0 || upper == hexLetters {
            switch n {
            case 32: out.append(contentsOf: "{md5}".utf8)
            case 40: out.append(contentsOf: "{sha1}".utf8)
            case 64: out.append(contentsOf: "{sha256}".utf8)
            default: out.append(contentsOf: "{hex}".utf8)
            }
        } else if n >= 16, digits > 0, letters > 0, nonASCII == 0, other == part.count(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "=") }) {
            out.append(contentsOf: "{b64}".utf8)
        } else if nonASCII > 0 || other > 0 {
            // Bytes that are not plain name characters: kept when they are valid UTF-8 text, else a placeholder.
            let text = Array(part)
            if text.withUnsafeBytes({ JSONString.isValidUTF8($0) }), !text.contains(where: { $0 < 0x20 || $0 == 0x7F }) {
                appendLettersThenDigits(text, to: &out)
            } else {
                out.append(contentsOf: "{bin}".utf8)
            }
        } else {
            appendLettersThenDigits(Array(part), to: &out)
        }
    }

    /// `user42` → `user{n}`; anything else as it is.
    static func appendLettersThenDigits(_ part: [UInt8], to out: inout [UInt8]) {
        var cut = part.count
        while cut > 0, part[cut - 1] >= UInt8(ascii: "0"), part[cut - 1] <= UInt8(ascii: "9") { cut -= 1 }
        if cut < part.count, cut > 0 {
            out.append(contentsOf: part[0..<cut])
            out.append(contentsOf: "{n}".utf8)
        } else {
            out.append(contentsOf: part)
        }
    }

    /// The end of a UUID (8-4-4-4-12 hex digits) starting at `i` and ending at a separator or the
    /// key's end; nil when there is none.
    static func uuidEnd<C: RandomAccessCollection>(_ key: C, from i: Int) -> Int? where C.Element == UInt8, C.Index == Int {
        let groups = [8, 4, 4, 4, 12]
        var j = i
        for (g, len) in groups.enumerated() {
            for _ in 0..<len {
                guard j < key.endIndex, Hex.value(key[j]) != nil else { return nil }
                j += 1
            }
            if g < 4 {
                guard j < key.endIndex, key[j] == UInt8(ascii: "-") else { return nil }
                j += 1
            }
        }
        return j == key.endIndex || isSeparator(key[j]) ? j : nil
    }

    /// The end of a `YYYY-MM-DD` date starting at `i` and ending at a separator, `T` or the key's end.
    static func dateEnd<C: RandomAccessCollection>(_ key: C, from i: Int) -> Int? where C.Element == UInt8, C.Index == Int {
        guard i + 10 <= key.endIndex else { return nil }
        for (k, shape) in "dddd-dd-dd".utf8.enumerated() {
            let b = key[i + k]
            if shape == UInt8(ascii: "d") {
                guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") else { return nil }
            } else if b != shape {
                return nil
            }
        }
        let j = i + 10
        return j == key.endIndex || isSeparator(key[j]) ? j : nil
    }
}
