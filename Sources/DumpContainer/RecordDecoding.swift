// DumpContainer/RecordDecoding: parses one record line of the decompressed stream into a record
// (or an ITEM header that still needs its payload). Positions are added by the reader.
import ByteText
import Foundation

/// What one line says.
enum ParsedLine {
    case record(DumpRecord)
    /// An ITEM with `captured=1`: `valueLength` payload bytes and a `\n` follow the line.
    case itemNeedingValue(DumpItem)
    /// Format 2: a line of a record type this reader does not know (stepped over).
    case skipped
}

/// A grammar violation in one line; the reader turns it into a positioned `DumpReadError`.
struct LineError: Error {
    var kind: DumpReadError.Kind
    var message: String
}

enum RecordDecoding {
    /// Parses `line` (without its `\n`). `maxValueBytes` caps the payload an ITEM may declare.
    /// `format`: the header's (nil before it); EVENT and WATCH exist in format 2, and a format-2 reader
    /// steps over a line of a type it does not know (`skipped`) when the type is upper-case letters.
    static func parse(_ line: ArraySlice<UInt8>, maxValueBytes: Int, format: Int? = nil) throws(LineError) -> ParsedLine {
        let space = line.firstIndex(of: 0x20) ?? line.endIndex
        let type = line[line.startIndex..<space]
        let rest = space < line.endIndex ? line[(space + 1)...] : line[line.endIndex...]
        switch String(decoding: type, as: UTF8.self) {
        case "MCDUMP": return .record(.header(try header(rest)))
        case "STATS": return .record(.stats(try stats(rest)))
        case "ITEM": return try item(rest, maxValueBytes: maxValueBytes)
        case "MISS": return .record(.miss(try miss(rest)))
        case "NOTE": return .record(.note(try json(DumpNote.self, rest, "NOTE")))
        case "END": return .record(.end(try json(DumpTrailer.self, rest, "END")))
        case "EVENT" where (format ?? 1) >= 2:
            guard !rest.isEmpty else { throw LineError(kind: .badRecord, message: "EVENT line is empty") }
            return .record(.event(Array(rest)))
        case "WATCH" where (format ?? 1) >= 2: return .record(.watch(try json(DumpWatch.self, rest, "WATCH")))
        default:
            if (format ?? 1) >= 2, !type.isEmpty, type.allSatisfy({ $0 >= 0x41 && $0 <= 0x5A }) { return .skipped }
            throw LineError(kind: .badRecord, message: "unknown record type '\(printable(type))'")
        }
    }

    /// `MCDUMP <version> <json>`: an unknown version is `unsupported_version`, anything else wrong `bad_header`.
    static func header(_ rest: ArraySlice<UInt8>) throws(LineError) -> DumpHeader {
        let fields = split(rest, maxFields: 2)
        guard fields.count == 2, let version = parseSigned(fields[0]) else {
            throw LineError(kind: .badHeader, message: "MCDUMP line needs '<version> <json>'")
        }
        guard DumpFormat.readable.contains(Int(clamping: version)) else {
            throw LineError(
                kind: .unsupportedVersion,
                message: "format version \(version) (this reader knows 1 and 2)")
        }
        let h: DumpHeader
        do throws(LineError) { h = try json(DumpHeader.self, fields[1], "MCDUMP") } catch {
            throw LineError(kind: .badHeader, message: error.message)
        }
        guard Int64(h.format) == version else {
            throw LineError(kind: .badHeader, message: "header JSON says format \(h.format), line says \(version)")
        }
        return h
    }

    static func stats(_ rest: ArraySlice<UInt8>) throws(LineError) -> DumpStats {
        let fields = split(rest, maxFields: 3)
        guard fields.count == 3, fields[0].allSatisfy(RecordEncoding.isTokenByte), !fields[0].isEmpty,
            fields[1].allSatisfy(RecordEncoding.isTokenByte), !fields[1].isEmpty
        else { throw LineError(kind: .badRecord, message: "STATS line needs '<section> <label> <json>'") }
        switch StatsJSON.parse(fields[2]) {
        case .success(let pairs):
            return DumpStats(
                section: String(decoding: fields[0], as: UTF8.self), label: String(decoding: fields[1], as: UTF8.self),
                values: pairs)
        case .failure(let e):
            throw LineError(kind: .badRecord, message: "STATS JSON: \(e.message) at column \(e.offset)")
        }
    }

    static func item(_ rest: ArraySlice<UInt8>, maxValueBytes: Int) throws(LineError) -> ParsedLine {
        let f = split(rest, maxFields: 11)
        guard f.count == 10 else {
            throw LineError(kind: .badRecord, message: "ITEM line has \(f.count) fields, expected 10")
        }
        guard let key = PercentEncoding.decodeStrict(f[0]), !key.isEmpty else {
            throw LineError(kind: .badRecord, message: "ITEM key '\(printable(f[0]))' is not a valid URI-encoded key")
        }
        guard let flags = parseUnsigned(f[1]).flatMap({ UInt32(exactly: $0) }) else { throw field("flags", f[1]) }
        guard let vlen = parseUnsigned(f[2]).flatMap({ Int(exactly: $0) }) else { throw field("value-length", f[2]) }
        guard let cas = parseUnsigned(f[3]) else { throw field("cas", f[3]) }
        guard let exp = parseSigned(f[4]) else { throw field("exp", f[4]) }
        guard let la = parseSigned(f[5]) else { throw field("la", f[5]) }
        guard let cls = parseUnsigned(f[6]).flatMap({ Int(exactly: $0) }) else { throw field("cls", f[6]) }
        guard let fetched = parseBit(f[7]) else { throw field("fetched", f[7]) }
        guard let total = parseSigned(f[8]).flatMap({ Int(exactly: $0) }), total >= -1 else {
            throw field("total-size", f[8])
        }
        guard let captured = parseBit(f[9]) else { throw field("captured", f[9]) }
        let item = DumpItem(
            key: key, flags: flags, valueLength: vlen, cas: cas, exp: exp, lastAccess: la, slabClass: cls,
            fetched: fetched, totalSize: total, value: nil)
        guard captured else { return .record(.item(item)) }
        guard vlen <= maxValueBytes else {
            throw LineError(
                kind: .badRecord, message: "ITEM declares a value of \(vlen) bytes, over the limit of \(maxValueBytes)")
        }
        return .itemNeedingValue(item)
    }

    static func miss(_ rest: ArraySlice<UInt8>) throws(LineError) -> DumpMiss {
        let f = split(rest, maxFields: 3)
        guard f.count == 1 || f.count == 2 else {
            throw LineError(kind: .badRecord, message: "MISS line needs '<key> [reason]'")
        }
        guard let key = PercentEncoding.decodeStrict(f[0]), !key.isEmpty else {
            throw LineError(kind: .badRecord, message: "MISS key '\(printable(f[0]))' is not a valid URI-encoded key")
        }
        var reason: String?
        if f.count == 2 {
            guard let r = PercentEncoding.decodeStrict(f[1]), !r.isEmpty else {
                throw LineError(kind: .badRecord, message: "MISS reason is not URI-encoded text")
            }
            reason = String(decoding: r, as: UTF8.self)
        }
        return DumpMiss(key: key, reason: reason)
    }

    static func json<T: Decodable>(_ type: T.Type, _ bytes: ArraySlice<UInt8>, _ what: String) throws(LineError) -> T {
        guard bytes.first == 0x7B else { throw LineError(kind: .badRecord, message: "\(what) needs a JSON object") }
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch {
            throw LineError(kind: .badRecord, message: "\(what) JSON: \(jsonReason(error))")
        }
    }

    static func jsonReason(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): return "missing field '\(key.stringValue)'"
        case DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c):
            return "wrong type at '\(c.codingPath.map(\.stringValue).joined(separator: "."))'"
        case DecodingError.dataCorrupted(let c): return "invalid JSON (\(c.debugDescription))"
        default: return "invalid JSON"
        }
    }

    static func field(_ name: String, _ value: ArraySlice<UInt8>) -> LineError {
        LineError(kind: .badRecord, message: "ITEM \(name) '\(printable(value))' is not valid")
    }

    /// Splits on single spaces into at most `maxFields` fields (the last takes the rest of the line).
    static func split(_ s: ArraySlice<UInt8>, maxFields: Int) -> [ArraySlice<UInt8>] {
        guard !s.isEmpty else { return [] }
        var fields: [ArraySlice<UInt8>] = []
        var start = s.startIndex
        var i = s.startIndex
        while i < s.endIndex {
            if s[i] == 0x20 && fields.count < maxFields - 1 {
                fields.append(s[start..<i])
                start = i + 1
            }
            i += 1
        }
        fields.append(s[start..<s.endIndex])
        return fields
    }

    /// 1–20 ASCII digits that fit in UInt64 (ByteText's one parser).
    static func parseUnsigned(_ s: ArraySlice<UInt8>) -> UInt64? { DecimalText.parseUnsigned(s) }

    /// An optional '-' then digits, fitting in Int64 (ByteText's one parser).
    static func parseSigned(_ s: ArraySlice<UInt8>) -> Int64? { DecimalText.parseSigned(s) }

    static func parseBit(_ s: ArraySlice<UInt8>) -> Bool? {
        guard s.count == 1 else { return nil }
        switch s.first {
        case 0x30: return false
        case 0x31: return true
        default: return nil
        }
    }

    /// At most 40 bytes of `s` for a message, non-printable bytes as \xNN.
    static func printable(_ s: ArraySlice<UInt8>) -> String {
        var out = ""
        for b in s.prefix(40) {
            if b >= 0x20 && b < 0x7F {
                out.unicodeScalars.append(Unicode.Scalar(b))
            } else {
                out += "\\x" + String(b, radix: 16, uppercase: true).leftPadded(2)
            }
        }
        return s.count > 40 ? out + "…" : out
    }
}

extension String {
    fileprivate func leftPadded(_ n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}
