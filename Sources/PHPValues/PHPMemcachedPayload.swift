// PHPValues/PHPMemcachedPayload: php-memcached 3.x's value layers (ECOSYSTEMS §4): the flags' type
// nibble, compression (the native little-endian u32 length prefix, then zlib or FastLZ; zstd recognised
// only), user flags in bits 16–31, and the payload decoded by type into canonical JSON.
import ByteText
import Compression

/// What `PHPMemcachedPayload.decode` found in one item.
public struct PHPDecoded: Sendable, Equatable {
    /// The layers peeled, outermost first: `zlib`/`fastlz`/`zstd`, then `string`, `long`, `double`,
    /// `bool`, `php-serialize`, `igbinary`, `json` or `msgpack`. When a layer failed it is the last one.
    public var layers: [String] = []
    /// Canonical JSON of the value; nil when a layer failed or was not decoded.
    public var value: [UInt8]?
    /// Why the value is missing (offset inside the failing layer's input).
    public var error: PHPValueError?
    /// A remark: an unknown flag bit, zstd not decoded.
    public var note: String?
    /// `OPT_USER_FLAGS` (bits 16–31 of the flags); they do not change decoding.
    public var userFlags: UInt32 = 0
    /// Class names the value names (PHP serialize and igbinary), first seen first.
    public var classes: [String] = []

    public init() {}
}

/// php-memcached's stored value layout.
public enum PHPMemcachedPayload {
    /// Flag bits of php-memcached 3.x.
    public static let compressed: UInt32 = 0x10
    public static let compressionZlib: UInt32 = 0x20
    public static let compressionFastLZ: UInt32 = 0x40
    public static let compressionZstd: UInt32 = 0x80

    /// The type names of the flags' low four bits (index = type).
    public static let typeNames = ["string", "long", "double", "bool", "php-serialize", "igbinary", "json", "msgpack"]

    /// Decodes one item's bytes by its flags. A compressed payload's length prefix must be at most
    /// `maxInflated` and exactly the decompressed length.
    public static func decode(flags: UInt32, value: [UInt8], maxInflated: Int, limits: PHPLimits = .default) -> PHPDecoded {
        var notes: [String] = []
        var r = decode(flags: flags, value: value, maxInflated: maxInflated, limits: limits, notes: &notes)
        r.note = notes.isEmpty ? nil : notes.joined(separator: "; ")
        return r
    }

    static func decode(flags: UInt32, value: [UInt8], maxInflated: Int, limits: PHPLimits, notes: inout [String]) -> PHPDecoded {
        var r = PHPDecoded()
        r.userFlags = flags >> 16
        let type = Int(flags & 0x0F)
        let unknownBits = flags & 0xFF00
        if unknownBits != 0 { notes.append("unknown flag bits 0x\(String(unknownBits, radix: 16)) ignored") }
        var payload = value
        if flags & compressed != 0 {
            let method: String
            if flags & compressionZlib != 0 {
                method = "zlib"
            } else if flags & compressionFastLZ != 0 {
                method = "fastlz"
            } else if flags & compressionZstd != 0 {
                method = "zstd"
            } else {
                r.layers.append("compressed")
                r.error = PHPValueError(.unsupported, "compressed flag 0x10 without a method bit (0x20 zlib, 0x40 fastlz, 0x80 zstd)", offset: -1)
                return r
            }
            r.layers.append(method)
            guard value.count >= 4 else {
                r.error = PHPValueError(.truncated, "a compressed value needs a 4-byte length prefix", offset: value.count)
                return r
            }
            let expected = Int(UInt32(value[0]) | UInt32(value[1]) << 8 | UInt32(value[2]) << 16 | UInt32(value[3]) << 24)
            guard expected <= maxInflated else {
                r.error = PHPValueError(.limit, "length prefix \(expected) is above the \(maxInflated) bytes allowed", offset: 0)
                return r
            }
            if method == "zstd" {
                notes.append("zstd-compressed (\(expected) bytes when inflated): recognised, not decoded")
                return r
            }
            let body = Array(value[4...])
            do throws(PHPValueError) {
                if method == "fastlz" {
                    payload = try FastLZ.decompress(body, expectedCount: expected)
                } else {
                    payload = try inflateZlib(body, expected: expected)
                }
            } catch {
                r.error = PHPValueError(error.kind, error.message, offset: error.offset >= 0 ? error.offset + 4 : error.offset)
                return r
            }
        }
        guard type < typeNames.count else {
            r.layers.append("type-\(type)")
            r.error = PHPValueError(.unsupported, "php-memcached value type \(type) is not one of 0–7", offset: -1)
            return r
        }
        r.layers.append(typeNames[type])
        let result: Result<PHPDocument, PHPValueError> = payload.withUnsafeBytes { p in
            switch type {
            case 0: return .success(PHPDocument(json: stringJSON(p), classes: []))
            case 1: return longJSON(p, limits: limits)
            case 2: return doubleJSON(p, limits: limits)
            case 3: return boolJSON(p)
            case 4: return PHPSerialize.canonicalJSON(p, limits: limits)
            case 5: return Igbinary.canonicalJSON(p, limits: limits)
            case 6: return PHPJSON.canonicalJSON(p, limits: limits)
            default: return MsgPack.canonicalJSON(p, limits: limits)
            }
        }
        switch result {
        case .success(let doc):
            r.value = doc.json
            r.classes = doc.classes
        case .failure(let e):
            r.error = e
        }
        return r
    }

    /// zlib inflation capped at `expected` bytes and required to give exactly that many.
    static func inflateZlib(_ body: [UInt8], expected: Int) throws(PHPValueError) -> [UInt8] {
        let out: [UInt8]
        do throws(ZlibError) {
            out = try GzipInflater.inflateZlib(body, maxOutput: expected)
        } catch {
            let kind: PHPValueError.Kind
            switch error.kind {
            case .truncated: kind = .truncated
            case .outputLimit: kind = .badArgument  // more bytes than the prefix says
            default: kind = .badArgument
            }
            throw PHPValueError(kind, "zlib \(error.kind.rawValue): \(error.message)", offset: 0)
        }
        guard out.count == expected else {
            throw PHPValueError(.badArgument, "zlib output is \(out.count) bytes, the prefix says \(expected)", offset: 0)
        }
        return out
    }

    /// Type 0: a JSON string when UTF-8, else `{"$bytes"}`.
    static func stringJSON(_ p: UnsafeRawBufferPointer) -> [UInt8] {
        var out: [UInt8] = []
        if !JSONString.appendQuoted(p, to: &out) {
            out.append(contentsOf: Array("{\"$bytes\":\"".utf8))
            Base64.append(p, to: &out)
            out.append(contentsOf: Array("\"}".utf8))
        }
        return out
    }

    /// Type 1: decimal text (`-?[0-9]+`, within Int64).
    static func longJSON(_ p: UnsafeRawBufferPointer, limits: PHPLimits) -> Result<PHPDocument, PHPValueError> {
        guard p.count <= limits.maxNumberText else { return .failure(PHPValueError(.limit, "long text longer than \(limits.maxNumberText) bytes", offset: 0)) }
        guard !p.isEmpty else { return .failure(PHPValueError(.truncated, "empty long text", offset: 0)) }
        guard let v = DecimalText.parseSigned(p) else { return .failure(PHPValueError(.badArgument, "not a 64-bit decimal integer", offset: 0)) }
        var g = Graph()
        let id = g.scalar(.int, v)
        return Renderer.render(g, root: id, limits: limits).map { PHPDocument(json: $0, classes: []) }
    }

    /// Type 2: `g_fmt` text (`.1`, `1e+06`, `-0`, `Infinity`, `-Infinity`, `NaN`) as a float.
    static func doubleJSON(_ p: UnsafeRawBufferPointer, limits: PHPLimits) -> Result<PHPDocument, PHPValueError> {
        let d: Double
        switch Array(p) {
        case Array("Infinity".utf8): d = .infinity
        case Array("-Infinity".utf8): d = -.infinity
        case Array("NaN".utf8): d = .nan
        default:
            var pos = 0
            do throws(PHPValueError) {
                d = try scanDecimalFloat(p, &pos, limits: limits, what: "double text")
            } catch {
                return .failure(error)
            }
            guard pos == p.count else { return .failure(PHPValueError(.badArgument, "bytes after the double text", offset: pos)) }
        }
        var g = Graph()
        let id = g.scalar(.double, Int64(bitPattern: d.bitPattern))
        return Renderer.render(g, root: id, limits: limits).map { PHPDocument(json: $0, classes: []) }
    }

    /// Type 3: `"1"` true, `""` false.
    static func boolJSON(_ p: UnsafeRawBufferPointer) -> Result<PHPDocument, PHPValueError> {
        if p.isEmpty { return .success(PHPDocument(json: Array("false".utf8), classes: [])) }
        if p.count == 1 && p[0] == UInt8(ascii: "1") { return .success(PHPDocument(json: Array("true".utf8), classes: [])) }
        return .failure(PHPValueError(.badArgument, "a bool is stored as \"1\" or \"\"", offset: 0))
    }
}
