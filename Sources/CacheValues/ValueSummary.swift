// CacheValues/ValueSummary: `--values summary` (type, JSON length, element count) and the
// `{"$truncated": …}` marker that replaces value JSON over `--max-value-json`.
import PipelineRecords
import ByteText
import JSONText

public enum ValueSummary {
    /// `{"type":T,"json_bytes":N[,"count":K]}` for one canonical JSON value.
    public static func summarize(_ json: [UInt8]) -> [UInt8] {
        json.withUnsafeBytes { p in
            var w = NDJSONWriter(capacity: 96)
            let (type, count) = describe(p)
            w.beginObject()
            w.key("type"); w.string(type)
            w.key("json_bytes"); w.int(p.count)
            if let count { w.key("count"); w.int(count) }
            w.endObject()
            return w.buffer
        }
    }

    /// A Python-flavoured type name and an element count, from the JSON's shape and markers.
    static func describe(_ p: UnsafeRawBufferPointer) -> (String, Int?) {
        let i = JSONSkim.skipSpace(p, 0)
        guard i < p.count else { return ("empty", nil) }
        switch p[i] {
        case UInt8(ascii: "["): return ("list", JSONSkim.arrayCount(p, from: i))
        case UInt8(ascii: "\""):
            return ("str", nil)
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return ("bool", nil)
        case UInt8(ascii: "n"): return ("none", nil)
        case UInt8(ascii: "{"):
            guard let members = JSONSkim.objectMembers(p, from: i) else { return ("invalid", nil) }
            guard let first = members.first, p[first.key.lowerBound + 1] == UInt8(ascii: "$") else {
                return ("dict", members.count)
            }
            let name = String(decoding: UnsafeRawBufferPointer(rebasing: p[(first.key.lowerBound + 2)..<(first.key.upperBound - 1)]), as: UTF8.self)
            switch name {
            case "set", "frozenset", "dict":
                return (name, JSONSkim.arrayCount(p, from: first.value.lowerBound))
            case "bytes":
                // base64 text length → byte count (exact for padded base64)
                let inner = first.value
                let textLen = inner.count - 2
                var pad = 0
                if textLen >= 1 && p[inner.upperBound - 2] == UInt8(ascii: "=") { pad += 1 }
                if textLen >= 2 && p[inner.upperBound - 3] == UInt8(ascii: "=") { pad += 1 }
                return ("bytes", max(0, textLen / 4 * 3 - pad))
            case "class":
                return ("object", nil)
            default:
                return (name, nil)
            }
        default:
            let text = UnsafeRawBufferPointer(rebasing: p[i...])
            return (text.contains(UInt8(ascii: ".")) || text.contains(UInt8(ascii: "e")) || text.contains(UInt8(ascii: "E")) ? "float" : "int", nil)
        }
    }

    /// `{"$truncated":{"json_bytes":N,"prefix":"<first ≤max bytes of the JSON text>"}}`.
    public static func truncated(_ json: [UInt8], to max: Int) -> [UInt8] {
        json.withUnsafeBytes { p in
            let cut = UnsafeRawBufferPointer(rebasing: p[0..<Swift.max(0, Swift.min(max, p.count))])
            let valid = JSONString.validPrefixLength(cut)
            var w = NDJSONWriter(capacity: valid + 64)
            w.beginObject()
            w.key("$truncated")
            w.beginObject()
            w.key("json_bytes"); w.int(p.count)
            w.key("prefix")
            _ = w.string(utf8: UnsafeRawBufferPointer(rebasing: cut[0..<valid]))
            w.endObject()
            w.endObject()
            return w.buffer
        }
    }
}
