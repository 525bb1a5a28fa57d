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
    /// The first problem of a parsed record, nil when its known fields are sound.
    public static func problem(in r: JSONValue) -> RecordProblem? {
        guard case .object = r else { return RecordProblem(message: "not a JSON object", fatal: false) }
        guard let type = r["type"]?.string else { return RecordProblem(message: "no `type` string", fatal: false) }
        if let p = port(r) { return p }
        if let h = r["host"], h.string == nil, !h.isNull { return bad("`host` is not a string") }
        switch type {
        case "source":
            // A hand-made source may leave `schema` out (it then reads as this version's).
            guard let schema = r["schema"] else { break }
            guard case .number(_, let v) = schema, let v else { return bad("`schema` is not an integer") }
            if v != Int64(RecordSchema.version) {
                return RecordProblem(
                    message: "source record of schema \(v): this version reads schema \(RecordSchema.version) only", fatal: true)
            }
        case "item", "miss":
            if let k = key(r) { return k }
            if type == "item" {
                for name in ["size", "total_size", "cls", "flags"] {
                    if let p = count(r, name) { return p }
                }
                // A cas is unsigned 64-bit: above Int64's range it reaches the reader as a whole double.
                if let v = r["cas"], !v.isNull {
                    guard case .number(let d, let i) = v, (i ?? 0) >= 0, d >= 0, d < 18_446_744_073_709_551_616, d == d.rounded()
                    else { return bad("`cas` is not a non-negative integer") }
                }
                for name in ["la", "exp"] {
                    if let v = r[name], !v.isNull, v.int == nil { return bad("`\(name)` is not an integer") }
                }
            }
        default:
            break
        }
        return nil
    }

    static func bad(_ message: String) -> RecordProblem { RecordProblem(message: message, fatal: false) }

    static func port(_ r: JSONValue) -> RecordProblem? {
        guard let v = r["port"], !v.isNull else { return nil }
        guard let p = v.int, (1...65535).contains(p) else { return bad("`port` is not a port number (1…65535)") }
        return nil
    }

    /// A non-negative integer, when present.
    static func count(_ r: JSONValue, _ name: String) -> RecordProblem? {
        guard let v = r[name], !v.isNull else { return nil }
        guard let n = v.int, n >= 0 else { return bad("`\(name)` is not a non-negative integer") }
        return nil
    }

    static func key(_ r: JSONValue) -> RecordProblem? {
        if let k = r["key"] {
            guard k.string != nil else { return bad("`key` is not a string") }
            return nil
        }
        guard let b = r["key_b64"]?.string else { return bad("neither `key` nor `key_b64`") }
        guard let bytes = Base64.decode(b), !bytes.isEmpty else {
            return bad("`key_b64` is not base64")
        }
        return nil
    }
}
