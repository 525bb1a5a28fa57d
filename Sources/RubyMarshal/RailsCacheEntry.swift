// RubyMarshal/RailsCacheEntry: ActiveSupport cache entries as MemCacheStore leaves them in memcached
// (ECOSYSTEMS §2) — the 6.1 `ActiveSupport::Cache::Entry` object, the 7.0 packed String and the 7.1
// `Cache::Coder` String — unwrapped to the cached value's canonical JSON and the entry's metadata;
// and `DalliValue`, one Dalli item (bytes + flags) through zlib, Marshal and the Rails formats.
import ByteText
import Compression

/// A Rails cache entry, unwrapped.
public struct RailsEntryDecoded: Sendable, Equatable {
    /// `activesupport-6.1`, `activesupport-7.0` or `activesupport-7.1`.
    public var format: String
    /// The decodings from the bytes given to the value, outermost first:
    /// e.g. `["marshal", "rails-entry", "zlib", "marshal"]`.
    public var layers: [String]
    /// Compact JSON object of what the format holds: 6.1 `version`, `created_at`, `expires_in`;
    /// 7.0 and 7.1 `expires_at`, `version` (`null` when absent).
    public var metadata: [UInt8]
    /// Canonical JSON of the cached value; for an undecoded payload, `{"$bytes": …}` of it.
    public var value: [UInt8]
    /// Class and module names met inside the value (not the entry's own class).
    public var classes: [String]
    /// `"msgpack"` when the payload is recognised (Rails 7.1 `:message_pack`) but not decoded.
    public var undecodedPayload: String?
}

public enum RailsCacheEntry {
    public static let entryClass = "ActiveSupport::Cache::Entry"

    /// Unwraps a Rails entry from what Dalli stored with flags 1 (Marshal data, `04 08`…) or from the
    /// String inside it (a 7.0 `00 04 08`/`01 78`… or 7.1 `00 11`… string). nil when the bytes are
    /// not a Rails entry (plain Marshal data is then just `RubyMarshal.canonicalJSON`); a failure when
    /// they are, or claim to be, and something inside is broken. `maxInflated` bounds each zlib layer.
    public static func decode(
        _ bytes: UnsafeRawBufferPointer, maxInflated: Int = 64 << 20, limits: MarshalLimits = .default
    ) -> Result<RailsEntryDecoded, MarshalError>? {
        let d = Decoder(maxInflated: maxInflated, limits: limits)
        do throws(MarshalError) {
            if RubyMarshal.looksLikeMarshal(bytes) {
                let graph = try MarshalReader.read(bytes, limits: limits).get()
                let root = graph.resolved(graph.root)
                switch graph.nodes[Int(root)] {
                case .object(let cls, let ivars) where graph.symbolBytes(cls).elementsEqual(entryClass.utf8):
                    return .success(try d.entry61(graph, ivars))
                case .string(let r):
                    guard let e = try d.packed(graph.bytes(r), base: r.start, layers: ["marshal"]) else { return nil }
                    return .success(e)
                default: return nil
                }
            }
            guard let e = try d.packed(bytes, base: 0, layers: []) else { return nil }
            return .success(e)
        } catch {
            return .failure(error)
        }
    }

    public static func decode(_ bytes: [UInt8], maxInflated: Int = 64 << 20, limits: MarshalLimits = .default) -> Result<RailsEntryDecoded, MarshalError>? {
        bytes.withUnsafeBytes { decode($0, maxInflated: maxInflated, limits: limits) }
    }

    struct Decoder {
        let maxInflated: Int
        let limits: MarshalLimits

        func render(_ graph: MarshalGraph, _ id: Int32) throws(MarshalError) -> (json: [UInt8], classes: [String]) {
            try MarshalRenderer.render(graph, id, limits: limits).get()
        }

        /// Renders an optional node (`null` when absent).
        func json(_ graph: MarshalGraph, _ id: Int32?) throws(MarshalError) -> [UInt8] {
            guard let id else { return Array("null".utf8) }
            return try render(graph, id).json
        }

        func metadata(_ fields: [(String, [UInt8])]) -> [UInt8] {
            var out: [UInt8] = [UInt8(ascii: "{")]
            for (i, (k, v)) in fields.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                out += Array("\"\(k)\":".utf8) + v
            }
            out.append(UInt8(ascii: "}"))
            return out
        }

        func inflate(_ compressed: UnsafeRawBufferPointer, at offset: Int) throws(MarshalError) -> [UInt8] {
            do throws(ZlibError) {
                return try GzipInflater.inflateZlib([UInt8](compressed), maxOutput: maxInflated)
            } catch {
                let kind: MarshalError.Kind = error.kind == .outputLimit ? .limit : error.kind == .truncated ? .truncated : .badArgument
                throw MarshalError(kind, "zlib layer: \(error.message)", offset: offset)
            }
        }

        /// Decodes Marshal bytes that are a slice of the outer input at `base` (offsets shifted to the
        /// outer input) or, with `base` nil, an inflated buffer (offsets are into the inflated bytes).
        func marshal<R>(_ bytes: UnsafeRawBufferPointer, base: Int?, _ body: (MarshalGraph) throws(MarshalError) -> R) throws(MarshalError) -> R {
            switch MarshalReader.read(bytes, limits: limits) {
            case .success(let graph): return try body(graph)
            case .failure(var e):
                if let base { e.offset += base } else { e.message = "in the inflated payload: " + e.message }
                throw e
            }
        }

        /// 6.1: `o:ActiveSupport::Cache::Entry` with `@value`, `@version`, `@created_at`, `@expires_in`
        /// and, when compressed, `@compressed` (then `@value` is zlib of a Marshal dump).
        func entry61(_ graph: MarshalGraph, _ ivars: [Int32]) throws(MarshalError) -> RailsEntryDecoded {
            var fields: [String: Int32] = [:]
            var i = 0
            while i + 1 < ivars.count {
                fields[String(decoding: graph.symbolBytes(ivars[i]), as: UTF8.self)] = ivars[i + 1]
                i += 2
            }
            let meta = metadata([
                ("version", try json(graph, fields["@version"])),
                ("created_at", try json(graph, fields["@created_at"])),
                ("expires_in", try json(graph, fields["@expires_in"])),
            ])
            var compressed = false
            if let c = fields["@compressed"], case .trueValue = graph.nodes[Int(graph.resolved(c))] { compressed = true }
            guard let valueID = fields["@value"] else {
                throw MarshalError(.badArgument, "\(entryClass) without @value", offset: 2)
            }
            if !compressed {
                let (value, classes) = try render(graph, valueID)
                return RailsEntryDecoded(
                    format: "activesupport-6.1", layers: ["marshal", "rails-entry"], metadata: meta, value: value, classes: classes)
            }
            guard case .string(let r) = graph.nodes[Int(graph.resolved(valueID))] else {
                throw MarshalError(.badArgument, "compressed \(entryClass) whose @value is not a String", offset: 2)
            }
            let inflated = try inflate(graph.bytes(r), at: r.start)
            let (value, classes) = try withBytes(inflated) { (b) throws(MarshalError) in
                try marshal(b, base: nil) { (g) throws(MarshalError) in try render(g, g.root) }
            }
            return RailsEntryDecoded(
                format: "activesupport-6.1", layers: ["marshal", "rails-entry", "zlib", "marshal"], metadata: meta, value: value, classes: classes)
        }

        /// The 7.0 (`00`/`01` mark) and 7.1 (`00 11` signature) Strings; nil for anything else.
        func packed(_ b: UnsafeRawBufferPointer, base: Int, layers: [String]) throws(MarshalError) -> RailsEntryDecoded? {
            guard b.count >= 2 else { return nil }
            if b[0] == 0 && b[1] == 0x11 { return try coder71(b, base: base, layers: layers) }
            if b[0] == 0 && b.count >= 3 && b[1] == 4 && b[2] <= 8 {
                return try marshal(UnsafeRawBufferPointer(rebasing: b[1...]), base: base + 1) { (g) throws(MarshalError) in
                    try packed70(g, layers: layers + ["rails-entry", "marshal"])
                }
            }
            if b[0] == 1 && b.count >= 3 && b[1] & 0x0F == 8 && (UInt(b[1]) << 8 | UInt(b[2])) % 31 == 0 {
                let inflated = try inflate(UnsafeRawBufferPointer(rebasing: b[1...]), at: base + 1)
                return try withBytes(inflated) { (ib) throws(MarshalError) in
                    try marshal(ib, base: nil) { (g) throws(MarshalError) in try packed70(g, layers: layers + ["rails-entry", "zlib", "marshal"]) }
                }
            }
            return nil
        }

        /// 7.0: Marshal of `[value, expires_at, version]` with trailing nils dropped.
        func packed70(_ graph: MarshalGraph, layers: [String]) throws(MarshalError) -> RailsEntryDecoded {
            guard case .array(let members) = graph.nodes[Int(graph.resolved(graph.root))], members.count <= 3 else {
                throw MarshalError(.badArgument, "a 7.0 cache entry holds an Array of at most 3 members", offset: 0)
            }
            let meta = metadata([
                ("expires_at", try json(graph, members.count > 1 ? members[1] : nil)),
                ("version", try json(graph, members.count > 2 ? members[2] : nil)),
            ])
            var value: [UInt8] = Array("null".utf8)
            var classes: [String] = []
            if let first = members.first { (value, classes) = try render(graph, first) }
            return RailsEntryDecoded(format: "activesupport-7.0", layers: layers, metadata: meta, value: value, classes: classes)
        }

        /// 7.1 `Cache::Coder`: `00 11`, type, expires_at f64 LE, version length i32 LE, version, payload.
        func coder71(_ b: UnsafeRawBufferPointer, base: Int, layers: [String]) throws(MarshalError) -> RailsEntryDecoded {
            guard b.count >= 15 else { throw MarshalError(.truncated, "7.1 cache entry header needs 15 bytes, has \(b.count)", offset: base + b.count) }
            let type = b[2]
            let expiresAt = Double(bitPattern: b.loadUnaligned(fromByteOffset: 3, as: UInt64.self).littleEndian)
            let versionLength = Int(Int32(bitPattern: b.loadUnaligned(fromByteOffset: 11, as: UInt32.self).littleEndian))
            guard versionLength <= b.count - 15 else {
                throw MarshalError(.truncated, "7.1 version of \(versionLength) bytes runs past the end", offset: base + 11)
            }
            var version: [UInt8] = Array("null".utf8)
            if versionLength >= 0 {
                let v = UnsafeRawBufferPointer(rebasing: b[15..<(15 + versionLength)])
                if v.count >= 2 && v[0] == 4 && v[1] == 8 {
                    version = try marshal(v, base: base + 15) { (g) throws(MarshalError) in try render(g, g.root).json }
                } else if !JSONString.appendQuoted(v, to: &version.self) {
                    version = Array("{\"$bytes\":\"".utf8)
                    Base64.append(v, to: &version)
                    version += Array("\"}".utf8)
                } else {
                    version.removeFirst(4)  // the "null" placeholder
                }
            }
            var expires: [UInt8] = []
            if expiresAt < 0 {
                expires = Array("null".utf8)
            } else if expiresAt.isFinite {
                JSONString.appendDouble(expiresAt, to: &expires)
            } else {
                expires = Array("{\"$float\":\"\(expiresAt.isNaN ? "nan" : "inf")\"}".utf8)
            }
            let meta = metadata([("expires_at", expires), ("version", version)])
            let payloadStart = 15 + max(versionLength, 0)
            var payload = [UInt8](UnsafeRawBufferPointer(rebasing: b[payloadStart...]))
            var layers = layers + ["rails-entry"]
            if type & 0x80 != 0 {
                payload = try inflate(UnsafeRawBufferPointer(rebasing: b[payloadStart...]), at: base + payloadStart)
                layers.append("zlib")
            }
            let compressed = type & 0x80 != 0
            func done(_ value: [UInt8], _ classes: [String], _ undecoded: String? = nil) -> RailsEntryDecoded {
                RailsEntryDecoded(
                    format: "activesupport-7.1", layers: layers, metadata: meta, value: value, classes: classes, undecodedPayload: undecoded)
            }
            switch type & 0x7F {
            case 1:
                if payload.count >= 2 && payload[0] == 0xCC && payload[1] == 0x80 {
                    layers.append("msgpack")
                    var value: [UInt8] = Array("{\"$bytes\":\"".utf8)
                    payload.withUnsafeBytes { Base64.append($0, to: &value) }
                    value += Array("\"}".utf8)
                    return done(value, [], "msgpack")
                }
                layers.append("marshal")
                let (value, classes) = try withBytes(payload) { (p) throws(MarshalError) in
                    try marshal(p, base: compressed ? nil : base + payloadStart) { (g) throws(MarshalError) in try render(g, g.root) }
                }
                return done(value, classes)
            case 2, 3, 4:
                var value: [UInt8] = []
                payload.withUnsafeBytes { p in
                    if !JSONString.appendQuoted(p, to: &value) {
                        value = Array("{\"$bytes\":\"".utf8)
                        Base64.append(p, to: &value)
                        value += Array("\"}".utf8)
                    }
                }
                return done(value, [])
            default:
                throw MarshalError(.unsupported, "7.1 cache entry of unknown payload type 0x\(hex(type))", offset: base + 2)
            }
        }
    }
}

/// `body` over the bytes of `array`, with its typed error kept.
func withBytes<R>(_ array: [UInt8], _ body: (UnsafeRawBufferPointer) throws(MarshalError) -> R) throws(MarshalError) -> R {
    let result: Result<R, MarshalError> = array.withUnsafeBytes { b in
        do throws(MarshalError) {
            return .success(try body(b))
        } catch {
            return .failure(error)
        }
    }
    return try result.get()
}

/// One Dalli item, decoded as Dalli 2.x–4.x would read it.
public struct DalliDecoded: Sendable, Equatable {
    /// e.g. `["zlib", "marshal"]`, `["marshal", "rails-entry", "zlib", "marshal"]`; `[]` for a raw value.
    public var layers: [String]
    /// Canonical JSON of the value (of the cached value, for a Rails entry).
    public var json: [UInt8]
    /// Class and module names met inside the value.
    public var classes: [String]
    /// The Rails entry, when the value is one.
    public var rails: RailsEntryDecoded?
}

public enum DalliValue {
    /// Flag bits Dalli sets: 1 = Marshal (its default serializer), 2 = zlib (`Zlib::Deflate`).
    public static let serialized: UInt32 = 0x1
    public static let compressed: UInt32 = 0x2

    /// Inflates (flag 2), then decodes Marshal (flag 1) and a Rails entry inside; without flag 1 the
    /// value is raw bytes (a JSON string when valid UTF-8, else `{"$bytes": …}`).
    public static func decode(
        _ bytes: [UInt8], flags: UInt32, maxInflated: Int = 64 << 20, limits: MarshalLimits = .default
    ) -> Result<DalliDecoded, MarshalError> {
        var data = bytes
        var layers: [String] = []
        if flags & compressed != 0 {
            do throws(ZlibError) {
                data = try GzipInflater.inflateZlib(bytes, maxOutput: maxInflated)
            } catch {
                let kind: MarshalError.Kind = error.kind == .outputLimit ? .limit : error.kind == .truncated ? .truncated : .badArgument
                return .failure(MarshalError(kind, "Dalli zlib layer: \(error.message)", offset: 0))
            }
            layers.append("zlib")
        }
        let inner = layers
        return data.withUnsafeBytes { b -> Result<DalliDecoded, MarshalError> in
            guard flags & serialized != 0 else {
                var json: [UInt8] = []
                if !JSONString.appendQuoted(b, to: &json) {
                    json = Array("{\"$bytes\":\"".utf8)
                    Base64.append(b, to: &json)
                    json += Array("\"}".utf8)
                }
                return .success(DalliDecoded(layers: inner, json: json, classes: [], rails: nil))
            }
            if RubyMarshal.looksLikeMarshal(b), let rails = RailsCacheEntry.decode(b, maxInflated: maxInflated, limits: limits) {
                return rails.map { DalliDecoded(layers: inner + $0.layers, json: $0.value, classes: $0.classes, rails: $0) }
            }
            return RubyMarshal.canonicalJSON(b, limits: limits).map {
                DalliDecoded(layers: inner + ["marshal"], json: $0.json, classes: $0.classes, rails: nil)
            }
        }
    }
}
