// WatchEvents/WatchLine: one line of memcached's `watch` stream, read in place. memcached writes
// `ts=<s>.<us> gid=<n> type=<t> name=value …` (values never contain a space: keys are %-escaped like
// metadump's), or a bare `skipped=<n>` when its buffer for the watcher overflowed (docs/traffic.md).
import ByteText

/// The event types the toolkit reads; any other `type=` is `.other` (kept, not counted).
public enum WatchEventType: Sendable, Equatable {
    case itemGet, itemStore, eviction, deleted, connNew, connClose, other

    init(_ name: ArraySlice<UInt8>) {
        switch String(decoding: name, as: UTF8.self) {
        case "item_get": self = .itemGet
        case "item_store": self = .itemStore
        case "eviction": self = .eviction
        case "deleted": self = .deleted
        case "conn_new": self = .connNew
        case "conn_close": self = .connClose
        default: self = .other
        }
    }
}

/// The fields of one event line, as slices of the line (nil when the line does not carry them).
public struct WatchLine: Sendable {
    public var type: WatchEventType
    /// `ts` as whole seconds and microseconds (memcached does not zero-pad the microseconds).
    public var seconds: Int64?
    public var micros: Int64?
    public var gid: UInt64?
    /// The key as memcached escaped it (decode with `PercentEncoding.decodeStrict`).
    public var key: ArraySlice<UInt8>?
    public var status: ArraySlice<UInt8>?
    public var cmd: ArraySlice<UInt8>?
    public var size: Int64?
    public var cfd: Int?
    public var clsid: Int?
    /// Connection events: the peer's address and port.
    public var rip: ArraySlice<UInt8>?
    public var rport: Int?
    /// A `skipped=<n>` line: how many lines memcached could not hand to this watcher.
    public var skipped: UInt64?

    /// The server clock of the event, in seconds.
    public var time: Double? {
        guard let s = seconds else { return nil }
        return Double(s) + Double(micros ?? 0) / 1e6
    }

    /// `status=found` (an `item_get` that hit) or `status=stored`.
    public var statusIs: (found: Bool, stored: Bool) {
        guard let s = status else { return (false, false) }
        return (s.elementsEqual("found".utf8), s.elementsEqual("stored".utf8))
    }

    /// Reads one line (without its line end); nil when it is not a `name=value` line memcached writes
    /// (the `OK` that starts a watch, an `ERROR`, or damage).
    public static func parse(_ line: ArraySlice<UInt8>) -> WatchLine? {
        var out = WatchLine(type: .other)
        var sawType = false
        var i = line.startIndex
        while i < line.endIndex {
            let end = line[i...].firstIndex(of: 0x20) ?? line.endIndex
            let token = line[i..<end]
            i = end < line.endIndex ? end + 1 : end
            guard !token.isEmpty else { continue }
            guard let eq = token.firstIndex(of: 0x3D) else { return nil }
            let name = token[token.startIndex..<eq], value = token[(eq + 1)...]
            switch name.count {
            case 2 where name.elementsEqual("ts".utf8):
                if let dot = value.firstIndex(of: 0x2E) {
                    out.seconds = DecimalText.parseSigned(value[value.startIndex..<dot])
                    out.micros = DecimalText.parseSigned(value[(dot + 1)...])
                } else {
                    out.seconds = DecimalText.parseSigned(value)
                }
            case 3 where name.elementsEqual("gid".utf8): out.gid = DecimalText.parseUnsigned(value)
            case 4 where name.elementsEqual("type".utf8):
                out.type = WatchEventType(value)
                sawType = true
            case 3 where name.elementsEqual("key".utf8): out.key = value
            case 6 where name.elementsEqual("status".utf8): out.status = value
            case 3 where name.elementsEqual("cmd".utf8): out.cmd = value
            case 4 where name.elementsEqual("size".utf8): out.size = DecimalText.parseSigned(value)
            case 3 where name.elementsEqual("cfd".utf8): out.cfd = DecimalText.parseSigned(value).map { Int($0) }
            case 5 where name.elementsEqual("clsid".utf8): out.clsid = DecimalText.parseSigned(value).map { Int($0) }
            case 3 where name.elementsEqual("rip".utf8): out.rip = value
            case 5 where name.elementsEqual("rport".utf8): out.rport = DecimalText.parseSigned(value).map { Int($0) }
            case 7 where name.elementsEqual("skipped".utf8): out.skipped = DecimalText.parseUnsigned(value)
            default: break
            }
        }
        guard sawType || out.skipped != nil else { return nil }
        return out
    }
}
