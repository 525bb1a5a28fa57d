// CacheValues/IntegerText: the decimal text of flag-2/flag-4 values (python-memcached writes "%d")
// as canonical JSON: a number within ±(2^53−1), `{"$int": "…"}` beyond, an error otherwise.
import PipelineRecords

public enum IntegerText {
    /// Longest accepted digit string (Python refuses int↔str conversions over 4300 digits).
    public static let maxDigits = 4300

    public static func canonicalJSON(_ p: UnsafeRawBufferPointer) -> Result<[UInt8], LayerError> {
        var i = 0
        var end = p.count
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0D) }
        while i < end && isSpace(p[i]) { i += 1 }
        while end > i && isSpace(p[end - 1]) { end -= 1 }
        var negative = false
        if i < end && (p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+")) {
            negative = p[i] == UInt8(ascii: "-")
            i += 1
        }
        guard i < end else { return .failure(LayerError(layer: "int", message: "no digits", offset: i)) }
        for k in i..<end where !(p[k] >= UInt8(ascii: "0") && p[k] <= UInt8(ascii: "9")) {
            return .failure(LayerError(layer: "int", message: "not a decimal integer", offset: k))
        }
        while i < end - 1 && p[i] == UInt8(ascii: "0") { i += 1 }
        let digits = end - i
        guard digits <= maxDigits else {
            return .failure(LayerError(layer: "int", message: "more than \(maxDigits) digits", offset: i))
        }
        let isZero = digits == 1 && p[i] == UInt8(ascii: "0")
        var out: [UInt8] = []
        var small = digits <= 16
        if small {
            var v: UInt64 = 0
            for k in i..<end { v = v * 10 + UInt64(p[k] - UInt8(ascii: "0")) }
            small = v <= (1 << 53) - 1
        }
        if small {
            if negative && !isZero { out.append(UInt8(ascii: "-")) }
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: p[i..<end]))
        } else {
            out.append(contentsOf: "{\"$int\":\"".utf8)
            if negative { out.append(UInt8(ascii: "-")) }
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: p[i..<end]))
            out.append(contentsOf: "\"}".utf8)
        }
        return .success(out)
    }
}
