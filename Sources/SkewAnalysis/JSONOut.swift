// SkewAnalysis/JSONOut: a minimal JSON emitter (objects in insertion order, RFC 8259 string
// escaping, shortest round-trip numbers) for the JSON report and the mergeable partial aggregates.
import PipelineRecords

/// A minimal JSON emitter (objects in insertion order, RFC 8259 string escaping).
public struct JSONOut {
    public var s = ""
    public init() {}
    private var needComma: [Bool] = [false]

    private mutating func sep() {
        if needComma[needComma.count - 1] { s += "," }
        needComma[needComma.count - 1] = true
    }
    public mutating func open(_ c: String) { sep(); s += c; needComma.append(false) }
    public mutating func close(_ c: String) { s += c; needComma.removeLast() }
    public mutating func key(_ k: String) { sep(); s += JSONOut.quote(k) + ":"; needComma[needComma.count - 1] = false }
    public mutating func str(_ v: String?) { sep(); s += v.map(JSONOut.quote) ?? "null" }
    public mutating func num(_ v: Double?) {
        sep()
        guard let v, v.isFinite else { s += "null"; return }
        if v == v.rounded(), abs(v) < 1e15 { s += String(Int64(v)) } else { s += String(v) }
    }
    public mutating func uint(_ v: UInt64) { sep(); s += String(v) }
    public mutating func int(_ v: Int?) { sep(); s += v.map { String($0) } ?? "null" }
    public mutating func bool(_ v: Bool?) { sep(); s += v.map { $0 ? "true" : "false" } ?? "null" }
    public mutating func field(_ k: String, _ v: String?) { key(k); str(v) }
    public mutating func field(_ k: String, _ v: Double?) { key(k); num(v) }
    public mutating func field(_ k: String, _ v: Int?) { key(k); int(v) }
    public mutating func field(_ k: String, _ v: Bool?) { key(k); bool(v) }

    /// `v` as a JSON string literal, escaped by PipelineRecords' writer (the one every stage uses).
    public static func quote(_ v: String) -> String {
        var text = v
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 2)
        text.withUTF8 { JSONEscaping.appendQuotedValid(UnsafeRawBufferPointer($0), to: &out) }
        return String(decoding: out, as: UTF8.self)
    }
}

