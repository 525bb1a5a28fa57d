// PipelineRecords/RecordCheck: the checks every reader of records applies to the fields it relies on
// (docs/records.md), so that a hand-made or damaged record is refused with a reason instead of being
// read as a silent 0: integers where the schema has integers (not 1e400, not "12"), ports 1…65535, a
// key that is a string or valid base64, and a `source` of the schema this version reads — a record
// stream of another schema is not read at all.
import ByteText

public struct RecordProblem: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// True when nothing of the stream should be trusted (another schema version).
    public var fatal: Bool
    public var description: String { message }
}

public enum RecordCheck {
    /// The first problem of a record's known fields, nil when they are sound. Fields the check does not
    /// name (a decoded `value`, fields of later versions) are not looked at.
    public static func problem(in r: RecordView) -> RecordProblem? {
        guard let typeSlice = r[.type] else { return RecordProblem(message: "no `type` string", fatal: false) }
        guard let type = typeSlice.string else {
            return typeSlice.isBadString ? bad("`type` has invalid UTF-8") : RecordProblem(message: "no `type` string", fatal: false)
        }
        if let p = port(r) { return p }
        if let h = r[.host], !h.isNull {
            guard h.isString else { return bad("`host` is not a string") }
            if h.isBadString { return bad("`host` has invalid UTF-8") }
        }
        for field in RecordCheck.strings {
            if let v = r[field], v.isBadString { return bad("`\(field)` has invalid UTF-8") }
        }
        if let u = r[.user]?.members {
            for field in RecordCheck.userStrings {
                if let v = u[field], v.isBadString { return bad("`user.\(field)` has invalid UTF-8") }
            }
        }
        switch type {
        case RecordSchema.RecordType.source.rawValue:
            // A hand-made source may leave `schema` out (it then reads as this version's).
            guard let schema = r[.schema] else { break }
            guard let v = schema.int, schema.raw.allSatisfy({ $0 == UInt8(ascii: "-") || ($0 >= 0x30 && $0 <= 0x39) }) else {
                return bad("`schema` is not an integer")
            }
            if v != Int64(RecordSchema.version) {
                return RecordProblem(
                    message: "source record of schema \(v): this version reads schema \(RecordSchema.version) only", fatal: true)
            }
        case RecordSchema.RecordType.item.rawValue, RecordSchema.RecordType.miss.rawValue:
            if let k = key(r) { return k }
            if type == RecordSchema.RecordType.item.rawValue {
                for field in RecordCheck.counts {
                    if let p = count(r, field) { return p }
                }
                if let v = r[.valueCRC32], !v.isNull {
                    guard let c = v.int, c >= 0, c <= Int64(UInt32.max) else { return bad("`value_crc32` is not a CRC-32 (0…4294967295)") }
                }
                // A cas is unsigned 64-bit: above Int64's range it reaches the reader as a whole double.
                if let v = r[.cas], !v.isNull {
                    let ok: Bool
                    if let i = v.int {
                        ok = i >= 0
                    } else if let d = v.double {
                        ok = d >= 0 && d < 18_446_744_073_709_551_616 && d == d.rounded()
                    } else {
                        ok = false
                    }
                    guard ok else { return bad("`cas` is not a non-negative integer") }
                }
                for field in RecordCheck.times {
                    if let v = r[field], !v.isNull, v.int == nil { return bad("`\(field)` is not an integer") }
                }
            }
        default:
            break
        }
        return nil
    }

    /// Top-level string fields checked for valid UTF-8 (besides `type`, `host` and `key`).
    static let strings: [RecordField] = [.kind, .logicalKey, .via, .unverified, .note]
    static let userStrings: [RecordField] = [.userID, .userName, .userDomain]
    /// Item fields that are non-negative integers when present.
    static let counts: [RecordField] = [.size, .totalSize, .cls, .flags]
    /// Item fields that are integers (server times) when present.
    static let times: [RecordField] = [.la, .exp]

    static func bad(_ message: String) -> RecordProblem { RecordProblem(message: message, fatal: false) }

    static func port(_ r: RecordView) -> RecordProblem? {
        guard let v = r[.port], !v.isNull else { return nil }
        guard let p = v.int, (1...65535).contains(p) else { return bad("`port` is not a port number (1…65535)") }
        return nil
    }

    /// A non-negative integer, when present.
    static func count(_ r: RecordView, _ field: RecordField) -> RecordProblem? {
        guard let v = r[field], !v.isNull else { return nil }
        guard let n = v.int, n >= 0 else { return bad("`\(field)` is not a non-negative integer") }
        return nil
    }

    static func key(_ r: RecordView) -> RecordProblem? {
        if let k = r[.key] {
            guard k.isString else { return bad("`key` is not a string") }
            if k.isBadString { return bad("`key` has invalid UTF-8") }
            return nil
        }
        guard let b = r[.keyB64]?.string else { return bad("neither `key` nor `key_b64`") }
        guard let bytes = Base64.decode(b), !bytes.isEmpty else {
            return bad("`key_b64` is not base64")
        }
        return nil
    }
}
