// CacheValues/ValueDecoder: peels the layers of one memcached value — zlib (flag 8, bounded),
// then the client's flag convention, cross-checked by sniffing the payload (pickles, dogpile's
// serializer form) — into canonical JSON. A failing layer becomes `error` and never stops the caller.
import ByteText
import Compression
import PHPValues
import PipelineRecords

public struct ValueDecoder: Sendable {
    public var convention: ClientConvention
    public var limits: ValueLimits
    public var pickle: any PickleRendering

    public init(convention: ClientConvention = .pythonMemcached, limits: ValueLimits = ValueLimits(), pickle: any PickleRendering) {
        self.convention = convention
        self.limits = limits
        self.pickle = pickle
    }

    /// Decodes `value` stored with client `flags` under `key` (the key only helps `auto` where the flags
    /// and bytes fit two clients alike).
    public func decode(flags: UInt32, value: [UInt8], key: [UInt8]? = nil) -> DecodedValue {
        switch convention {
        case .auto: return decodeAuto(flags: flags, value: value, key: key)
        case .dalli: return decodeDalli(flags: flags, value: value)
        case .phpMemcached: return decodePHP(flags: flags, value: value)
        case .pythonMemcached, .pymemcache, .pylibmc, .bmemcached: return decodePython(flags: flags, value: value)
        }
    }

    /// The Python clients' conventions (`ClientConvention.kind(forFlags:)`).
    func decodePython(flags: UInt32, value: [UInt8]) -> DecodedValue {
        var out = DecodedValue()
        var payload = value
        if ClientConvention.isCompressed(flags) {
            out.encoding.append("zlib")
            let cap = limits.inflateCap(compressedCount: value.count)
            do throws(ZlibError) {
                payload = try GzipInflater.inflateZlib(value, maxOutput: cap)
            } catch {
                out.error = LayerError(layer: "zlib", message: ValueDecoder.describe(error, cap: cap), offset: nil)
                return out
            }
        }
        let kind = convention.kind(forFlags: flags)
        payload.withUnsafeBytes { decodePayload($0, kind: kind, flags: flags, into: &out) }
        if out.encoding.contains("pickle"), let json = out.value { out.suspicious = SuspiciousGlobals.find(in: json) }
        return out
    }

    static func describe(_ error: ZlibError, cap: Int) -> String {
        switch error.kind {
        case .outputLimit: return "decompressed size exceeds the limit of \(cap) bytes (size or ratio limit)"
        default: return error.description
        }
    }

    private func decodePayload(_ p: UnsafeRawBufferPointer, kind: ClientConvention.PayloadKind, flags: UInt32, into out: inout DecodedValue) {
        switch kind {
        case .pickle:
            if !PayloadSniff.looksLikePickle(p), let form = PayloadSniff.dogpileSerialized(p) {
                out.note = "flags say pickle; payload is dogpile's serializer form"
                decodeSerialized(p, form: form, into: &out)
            } else {
                decodePickle(p, into: &out)
            }
        case .int, .long:
            out.encoding.append(kind.rawValue)
            switch IntegerText.canonicalJSON(p) {
            case .success(let json): out.value = json
            case .failure(let e): out.error = e
            }
        case .text:
            if let form = PayloadSniff.dogpileSerialized(p) {
                decodeSerialized(p, form: form, into: &out)
                return
            }
            out.encoding.append("text")
            if let doc = ValueDecoder.jsonDocument(p) {
                out.encoding.append("json")
                out.value = doc
            } else if let s = ValueDecoder.jsonString(p) {
                out.value = s
            } else {
                let bad = JSONString.validPrefixLength(p)
                out.error = LayerError(layer: "text", message: "not valid UTF-8", offset: bad)
                out.value = ValueDecoder.bytesMarker(p)
            }
        case .bytes:
            if let form = PayloadSniff.dogpileSerialized(p) {
                decodeSerialized(p, form: form, into: &out)
            } else if PayloadSniff.looksLikeBinaryPickle(p), let outcome = ValueDecoder.successful(pickle.render(p)) {
                out.note = "flags say bytes; payload is a protocol-\(p[1]) pickle"
                out.encoding.append("pickle")
                out.pickleProtocol = PayloadSniff.pickleProtocol(p)
                take(outcome, into: &out)
            } else if let doc = ValueDecoder.jsonDocument(p) {
                out.encoding += ["bytes", "json"]
                out.value = doc
            } else {
                out.encoding.append("bytes")
                out.value = ValueDecoder.py2String(p)
            }
        case .unknown:
            out.encoding.append("bytes")
            let clients = convention == .auto ? "any client this decoder knows" : convention.rawValue
            out.error = LayerError(layer: "flags", message: "flags \(flags) have no meaning for \(clients)", offset: nil)
            out.value = ValueDecoder.py2String(p)
        }
    }

    /// `{"ct":…,"v":…}|<payload>`: the payload is a pickle (dogpile's default serializer) or raw bytes.
    private func decodeSerialized(_ p: UnsafeRawBufferPointer, form: (metadata: [UInt8], payloadStart: Int), into out: inout DecodedValue) {
        out.encoding.append("dogpile")
        out.dogpile = form.metadata
        let rest = UnsafeRawBufferPointer(rebasing: p[form.payloadStart...])
        if PayloadSniff.looksLikePickle(rest) {
            decodePickle(rest, into: &out, offsetBase: form.payloadStart)
        } else {
            out.encoding.append("bytes")
            out.value = ValueDecoder.py2String(rest)
        }
    }

    private func decodePickle(_ p: UnsafeRawBufferPointer, into out: inout DecodedValue, offsetBase: Int = 0) {
        out.encoding.append("pickle")
        out.pickleProtocol = PayloadSniff.pickleProtocol(p)
        switch pickle.render(p) {
        case .failure(let kind, let message, let offset):
            out.error = LayerError(layer: "pickle", message: "\(kind): \(message)", offset: offset.map { $0 + offsetBase })
        case .json(let json):
            if let e = ValueDecoder.errorFromJSON(json) {
                out.error = LayerError(layer: "pickle", message: e.message, offset: e.offset.map { $0 + offsetBase })
            } else {
                unwrapCachedValue(json, into: &out)
            }
        case .cachedValue(let payload, let metadata):
            take(.cachedValue(payload: payload, metadata: metadata), into: &out)
        }
    }

    /// The outcome if it is a value (not a failure, not an `$error` object).
    static func successful(_ o: PickleOutcome) -> PickleOutcome? {
        switch o {
        case .failure: return nil
        case .json(let json): return isErrorJSON(json) ? nil : o
        case .cachedValue: return o
        }
    }

    private func take(_ o: PickleOutcome, into out: inout DecodedValue) {
        switch o {
        case .json(let json): unwrapCachedValue(json, into: &out)
        case .cachedValue(let payload, let metadata):
            out.encoding.append("dogpile")
            out.dogpile = metadata.withUnsafeBytes { JSONSkim.compact($0) }
            out.value = payload
        case .failure: break
        }
    }

    /// `{"$cachedvalue":{"payload":P,"metadata":M}}` → dogpile = M, value = P; anything else is the value.
    private func unwrapCachedValue(_ json: [UInt8], into out: inout DecodedValue) {
        let unwrapped: (payload: [UInt8], metadata: [UInt8])? = json.withUnsafeBytes { p in
            guard p.count > 16, p[0] == UInt8(ascii: "{"), p[2] == UInt8(ascii: "$"),
                let top = JSONSkim.objectMembers(p), top.count == 1, JSONSkim.keyEquals(p, top[0].key, "$cachedvalue"),
                let inner = JSONSkim.objectMembers(p, from: top[0].value.lowerBound)
            else { return nil }
            guard let payload = inner.first(where: { JSONSkim.keyEquals(p, $0.key, "payload") }),
                let metadata = inner.first(where: { JSONSkim.keyEquals(p, $0.key, "metadata") })
            else { return nil }
            return (Array(p[payload.value]), JSONSkim.compact(UnsafeRawBufferPointer(rebasing: p[metadata.value])))
        }
        if let unwrapped {
            out.encoding.append("dogpile")
            out.dogpile = unwrapped.metadata
            out.value = unwrapped.payload
        } else {
            out.value = json
        }
    }

    // MARK: helpers

    static func isErrorJSON(_ json: [UInt8]) -> Bool { errorFromJSON(json) != nil }

    /// `{"$error": KIND, "$detail": …, "$offset": N}` at the top level → message and offset.
    static func errorFromJSON(_ json: [UInt8]) -> (message: String, offset: Int?)? {
        json.withUnsafeBytes { p in
            guard p.count >= 10, p[0] == UInt8(ascii: "{"), p[2] == UInt8(ascii: "$"), p[3] == UInt8(ascii: "e"),
                let members = JSONSkim.objectMembers(p), let kind = members.first(where: { JSONSkim.keyEquals(p, $0.key, "$error") })
            else { return nil }
            func text(_ r: Range<Int>) -> String {
                var s = String(decoding: UnsafeRawBufferPointer(rebasing: p[r]), as: UTF8.self)
                if s.hasPrefix("\""), s.hasSuffix("\""), s.count >= 2 { s = String(s.dropFirst().dropLast()) }
                return s
            }
            var message = text(kind.value)
            if let detail = members.first(where: { JSONSkim.keyEquals(p, $0.key, "$detail") }) { message += ": " + text(detail.value) }
            let offset = members.first(where: { JSONSkim.keyEquals(p, $0.key, "$offset") }).flatMap { Int(text($0.value)) }
            return (message, offset)
        }
    }

    /// A JSON string of the bytes if they are valid UTF-8.
    static func jsonString(_ p: UnsafeRawBufferPointer) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(p.count + 2)
        return JSONString.appendQuoted(p, to: &out) ? out : nil
    }

    /// The canonical JSON of a payload that is a JSON object or array (what applications store as
    /// "JSON strings"); nil for anything else, so `42` or `"x"` stay text.
    static func jsonDocument(_ p: UnsafeRawBufferPointer) -> [UInt8]? {
        var i = 0
        while i < p.count, p[i] == 0x20 || p[i] == 0x0A || p[i] == 0x0D || p[i] == 0x09 { i += 1 }
        guard i < p.count, p[i] == UInt8(ascii: "{") || p[i] == UInt8(ascii: "["),
            p[p.count - 1] == UInt8(ascii: "}") || p[p.count - 1] == UInt8(ascii: "]") || p[p.count - 1] <= 0x20
        else { return nil }
        if case .success(let doc) = PHPJSON.canonicalJSON(p) { return doc.json }
        return nil
    }

    /// `{"$bytes":"<base64>"}`.
    static func bytesMarker(_ p: UnsafeRawBufferPointer) -> [UInt8] {
        var out: [UInt8] = Array("{\"$bytes\":\"".utf8)
        Base64.append(p, to: &out)
        out.append(contentsOf: "\"}".utf8)
        return out
    }

    /// Python 2 `str` rule of the canonical JSON: a string when valid UTF-8, else `$bytes`.
    static func py2String(_ p: UnsafeRawBufferPointer) -> [UInt8] { jsonString(p) ?? bytesMarker(p) }
}

extension ValueDecoder {
    /// The pickle inside `value` (after zlib and a dogpile serializer header), or why there is none.
    public func picklePayload(flags: UInt32, value: [UInt8]) -> Result<[UInt8], LayerError> {
        var payload = value
        if ClientConvention.isCompressed(flags) {
            let cap = limits.inflateCap(compressedCount: value.count)
            do throws(ZlibError) {
                payload = try GzipInflater.inflateZlib(value, maxOutput: cap)
            } catch {
                return .failure(LayerError(layer: "zlib", message: ValueDecoder.describe(error, cap: cap)))
            }
        }
        return payload.withUnsafeBytes { p -> Result<[UInt8], LayerError> in
            if let form = PayloadSniff.dogpileSerialized(p) { return .success(Array(p[form.payloadStart...])) }
            if convention.kind(forFlags: flags) == .pickle || PayloadSniff.looksLikePickle(p) { return .success(Array(p)) }
            return .failure(LayerError(layer: "pickle", message: "the value is not a pickle (flags \(flags))"))
        }
    }
}
