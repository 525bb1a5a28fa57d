// CacheValues/Sniffing: looks at the payload itself, to cross-check the flags — a pickle's first
// bytes, dogpile's `{"ct": …, "v": …}|<payload>` serializer form, a zlib header.

import PipelineRecords
public enum PayloadSniff {
    /// True when the payload starts like a pickle of protocol ≥ 2 (`\x80` + protocol) and ends with STOP.
    public static func looksLikeBinaryPickle(_ p: UnsafeRawBufferPointer) -> Bool {
        p.count >= 3 && p[0] == 0x80 && p[1] >= 2 && p[1] <= 5 && p[p.count - 1] == UInt8(ascii: ".")
    }

    /// True when the first byte is a plausible first opcode of a protocol 0/1 pickle and it ends with STOP.
    public static func looksLikeTextPickle(_ p: UnsafeRawBufferPointer) -> Bool {
        guard p.count >= 2, p[p.count - 1] == UInt8(ascii: ".") else { return false }
        switch p[0] {
        case UInt8(ascii: "c"), UInt8(ascii: "("), UInt8(ascii: "]"), UInt8(ascii: "}"), UInt8(ascii: "N"),
            UInt8(ascii: "S"), UInt8(ascii: "V"), UInt8(ascii: "I"), UInt8(ascii: "L"), UInt8(ascii: "F"),
            UInt8(ascii: "K"), UInt8(ascii: "J"), UInt8(ascii: "U"), UInt8(ascii: "X"), UInt8(ascii: "T"),
            UInt8(ascii: ")"), UInt8(ascii: "G"), UInt8(ascii: "M"):
            return true
        default: return false
        }
    }

    /// True for any pickle-looking payload.
    public static func looksLikePickle(_ p: UnsafeRawBufferPointer) -> Bool {
        looksLikeBinaryPickle(p) || looksLikeTextPickle(p)
    }

    /// The protocol named by a leading PROTO opcode; 0 for a pickle without one (protocols 0 and 1
    /// carry no header).
    public static func pickleProtocol(_ p: UnsafeRawBufferPointer) -> Int {
        p.count >= 2 && p[0] == 0x80 ? Int(p[1]) : 0
    }

    /// True when the payload starts with a zlib header (CMF/FLG check).
    public static func looksLikeZlib(_ p: UnsafeRawBufferPointer) -> Bool {
        p.count >= 2 && p[0] & 0x0F == 8 && p[0] >> 4 <= 7 && (UInt16(p[0]) << 8 | UInt16(p[1])) % 31 == 0
    }

    /// The dogpile serializer form: JSON metadata object starting `{"ct"`, then `|`, then the payload.
    /// Returns the compact metadata JSON and the payload's start, or nil when the form does not fit.
    public static func dogpileSerialized(_ p: UnsafeRawBufferPointer) -> (metadata: [UInt8], payloadStart: Int)? {
        let prefix: [UInt8] = Array("{\"ct\"".utf8)
        guard p.count > prefix.count + 2 else { return nil }
        for k in 0..<prefix.count where p[k] != prefix[k] { return nil }
        // Metadata is a short flat object; look for the `}|` within the first 256 bytes.
        let window = UnsafeRawBufferPointer(rebasing: p[0..<min(p.count, 256)])
        guard let end = JSONSkim.valueEnd(window, from: 0), end < p.count, p[end] == UInt8(ascii: "|"),
            let members = JSONSkim.objectMembers(UnsafeRawBufferPointer(rebasing: window[0..<end])),
            members.contains(where: { JSONSkim.keyEquals(window, $0.key, "ct") })
        else { return nil }
        return (JSONSkim.compact(UnsafeRawBufferPointer(rebasing: window[0..<end])), end + 1)
    }
}
