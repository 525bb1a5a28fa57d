// DumpContainer/StatsJSON: a flat JSON object of string values that keeps its order — how a STATS
// record carries the server's `name value` pairs (JSONSerialization would reorder them).
import ByteText
import JSONText

enum StatsJSON {
    /// Appends `{"name":"value",…}` (in the pairs' order, escaped by the project's one JSON writer).
    static func append(_ pairs: [(name: String, value: String)], to out: inout [UInt8]) {
        var w = NDJSONWriter(capacity: 64 * pairs.count + 2)
        w.beginObject()
        for pair in pairs {
            w.key(pair.name)
            w.string(pair.value)
        }
        w.endObject()
        out.append(contentsOf: w.buffer)
    }

    /// Parses a flat object whose values are all strings; nil with a reason when it is not one.
    static func parse(_ bytes: ArraySlice<UInt8>) -> Result<[(name: String, value: String)], StatsJSONError> {
        var p = Parser(bytes: bytes)
        return Result { try p.object() }.mapError { $0 as? StatsJSONError ?? StatsJSONError(message: "\($0)", offset: 0) }
    }

    struct StatsJSONError: Error {
        var message: String
        var offset: Int
    }

    private struct Parser {
        let bytes: ArraySlice<UInt8>
        var i: Int

        init(bytes: ArraySlice<UInt8>) {
            self.bytes = bytes
            self.i = bytes.startIndex
        }

        func fail(_ m: String) -> StatsJSONError { StatsJSONError(message: m, offset: i - bytes.startIndex) }

        mutating func skipSpace() {
            while i < bytes.endIndex, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
        }

        mutating func expect(_ b: UInt8) throws(StatsJSONError) {
            skipSpace()
            guard i < bytes.endIndex, bytes[i] == b else {
                throw fail("expected '\(Character(Unicode.Scalar(b)))'")
            }
            i += 1
        }

        mutating func object() throws(StatsJSONError) -> [(name: String, value: String)] {
            var pairs: [(name: String, value: String)] = []
            try expect(0x7B)
            skipSpace()
            if i < bytes.endIndex, bytes[i] == 0x7D {
                i += 1
            } else {
                while true {
                    let name = try string()
                    try expect(0x3A)
                    let value = try string()
                    pairs.append((name, value))
                    skipSpace()
                    guard i < bytes.endIndex else { throw fail("unterminated object") }
                    if bytes[i] == 0x2C {
                        i += 1
                        continue
                    }
                    if bytes[i] == 0x7D {
                        i += 1
                        break
                    }
                    throw fail("expected ',' or '}'")
                }
            }
            skipSpace()
            guard i == bytes.endIndex else { throw fail("unexpected data after the object") }
            return pairs
        }

        mutating func string() throws(StatsJSONError) -> String {
            try expect(0x22)
            var out: [UInt8] = []
            while true {
                guard i < bytes.endIndex else { throw fail("unterminated string") }
                let b = bytes[i]
                i += 1
                switch b {
                case 0x22:
                    return String(decoding: out, as: UTF8.self)
                case 0x5C:
                    guard i < bytes.endIndex else { throw fail("unterminated escape") }
                    let e = bytes[i]
                    i += 1
                    switch e {
                    case 0x22, 0x5C, 0x2F: out.append(e)
                    case 0x62: out.append(0x08)
                    case 0x66: out.append(0x0C)
                    case 0x6E: out.append(0x0A)
                    case 0x72: out.append(0x0D)
                    case 0x74: out.append(0x09)
                    case 0x75: try unicodeEscape(into: &out)
                    default: throw fail("bad escape")
                    }
                case 0x00..<0x20:
                    throw fail("control byte in string")
                default:
                    out.append(b)
                }
            }
        }

        mutating func hex4() throws(StatsJSONError) -> UInt32 {
            guard bytes.endIndex - i >= 4 else { throw fail("short \\u escape") }
            var v: UInt32 = 0
            for _ in 0..<4 {
                guard let d = Hex.value(bytes[i]) else { throw fail("bad \\u escape") }
                v = v << 4 | UInt32(d)
                i += 1
            }
            return v
        }

        mutating func unicodeEscape(into out: inout [UInt8]) throws(StatsJSONError) {
            var scalar = try hex4()
            if (0xD800..<0xDC00).contains(scalar) {
                guard bytes.endIndex - i >= 6, bytes[i] == 0x5C, bytes[i + 1] == 0x75 else {
                    throw fail("unpaired surrogate")
                }
                i += 2
                let low = try hex4()
                guard (0xDC00..<0xE000).contains(low) else { throw fail("unpaired surrogate") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let u = Unicode.Scalar(scalar) else { throw fail("invalid code point") }
            out.append(contentsOf: Array(String(Character(u)).utf8))
        }
    }
}
