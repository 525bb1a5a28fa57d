// CacheValues/OtherEcosystems: the values of the other big memcached clients — Dalli and ActiveSupport
// (Ruby Marshal, zlib, Rails cache entries), php-memcached (PHP serialize, igbinary, FastLZ/zlib, JSON,
// msgpack), spymemcached's Java serialization (recognised, named, not decoded) — and how `--client
// auto` tells them from python-memcached's by the flags, the payload's own bytes and the key's family.
import ByteText
import Compression
import KeyFamilies
import PHPValues
import PipelineRecords
import RubyMarshal

/// The client ecosystem a key's family points to (`KeyFamilies` profiles), used only where the flags
/// and bytes fit two clients alike (php-memcached's double `76` and python-memcached's int `76`).
enum EcosystemHint {
    case python, ruby, php

    static func of(key: [UInt8]?) -> EcosystemHint? {
        guard let key, let family = FamilyProfiles.family(of: key)?.name else { return nil }
        let profile = family.prefix { $0 != ":" }
        switch profile {
        case "keystone", "keystonemiddleware", "django": return .python
        case "rails": return .ruby
        case "php", "wordpress", "laravel": return .php
        default: return nil
        }
    }
}

/// Class names met in Ruby and PHP values that are plain data (never flagged as suspicious).
enum ForeignClasses {
    static let plainRuby: Set<String> = [
        "ActiveSupport::Cache::Entry", "ActiveSupport::HashWithIndifferentAccess", "ActiveSupport::TimeWithZone",
        "ActiveSupport::TimeZone", "ActiveSupport::Duration", "ActiveSupport::SafeBuffer", "Time", "Date", "DateTime",
        "Rational", "Complex", "Set", "BigDecimal", "Range", "Hash", "Array", "String", "Symbol", "Struct", "OpenStruct",
    ]
    static let plainPHP: Set<String> = [
        "stdClass", "ArrayObject", "ArrayIterator", "SplObjectStorage", "DateTime", "DateTimeImmutable", "DateTimeZone",
        "DateInterval", "DatePeriod",
    ]

    static func suspicious(ruby names: [String]) -> [String] { Array(names.filter { !plainRuby.contains($0) }.prefix(16)) }
    static func suspicious(php names: [String]) -> [String] { Array(names.filter { !plainPHP.contains($0) }.prefix(16)) }
}

extension ValueDecoder {
    // MARK: Dalli (Ruby)

    /// Dalli's flags: 1 = Marshal, 2 = zlib; anything above is not Dalli's.
    static func isDalliFlags(_ flags: UInt32) -> Bool { flags & ~3 == 0 }

    func decodeDalli(flags: UInt32, value: [UInt8]) -> DecodedValue {
        var out = DecodedValue()
        let cap = limits.inflateCap(compressedCount: value.count)
        switch DalliValue.decode(value, flags: flags, maxInflated: cap) {
        case .success(let d):
            out.encoding = d.layers.isEmpty ? ["bytes"] : d.layers
            out.value = d.json
            if let rails = d.rails {
                out.envelope = rails.metadata
                if let what = rails.undecodedPayload {
                    out.note = "the Rails cache entry's payload is \(what) (recognised, not decoded)"
                }
            }
            out.suspicious = ForeignClasses.suspicious(ruby: d.classes)
        case .failure(let e):
            out.encoding = flags & 2 != 0 ? ["zlib", "marshal"] : ["marshal"]
            out.error = LayerError(layer: e.message.hasPrefix("Dalli zlib") ? "zlib" : "marshal", message: "\(e.kind.rawValue): \(e.message)", offset: e.offset)
        }
        return out
    }

    // MARK: php-memcached

    /// php-memcached's flags: a type 0…7 in the low nibble, compression bits 0x10–0x80, user flags above.
    static func isPHPFlags(_ flags: UInt32) -> Bool { flags & 0x0F <= 7 && flags & 0xFF00 == 0 }

    func decodePHP(flags: UInt32, value: [UInt8]) -> DecodedValue {
        var out = DecodedValue()
        let d = PHPMemcachedPayload.decode(flags: flags, value: value, maxInflated: limits.maxInflatedBytes)
        out.encoding = d.layers
        out.value = d.value
        out.note = d.note
        if let e = d.error {
            if e.kind == .unsupported {
                // Recognised but not decoded here (zstd): a note, not an error.
                out.note = [out.note, e.message].compactMap { $0 }.joined(separator: "; ")
                out.value = value.withUnsafeBytes { ValueDecoder.bytesMarker($0) }
            } else {
                out.error = LayerError(layer: d.layers.last ?? "php", message: "\(e.kind.rawValue): \(e.message)", offset: e.offset)
            }
        }
        if d.userFlags != 0 {
            let remark = "php-memcached user flags \(d.userFlags)"
            out.note = out.note.map { $0 + "; " + remark } ?? remark
        }
        out.suspicious = ForeignClasses.suspicious(php: d.classes)
        return out
    }

    // MARK: Java (spymemcached)

    /// spymemcached's flag 1 with a Java serialization stream (`AC ED 00 05`): named, not decoded.
    func describeJava(flags: UInt32, value: [UInt8]) -> DecodedValue {
        var out = DecodedValue()
        out.encoding = ["java-serialization"]
        let names = JavaSerialization.classNames(value)
        out.note =
            "Java serialization (recognised, not decoded)" + (names.isEmpty ? "" : "; classes: " + names.joined(separator: ", "))
        out.value = value.withUnsafeBytes { ValueDecoder.bytesMarker($0) }
        return out
    }

    // MARK: auto

    /// `--client auto`: one item's client, from its flags and bytes (and, where they fit two clients
    /// alike, its key's family). Order: Dalli's Marshal, php-memcached's own types and compression,
    /// Java serialization, then python-memcached's conventions (which also cover pymemcache's).
    func decodeAuto(flags: UInt32, value: [UInt8], key: [UInt8]?) -> DecodedValue {
        let hint = EcosystemHint.of(key: key)
        let looksMarshal = value.count >= 2 && value[0] == 0x04 && value[1] == 0x08
        let looksZlib = value.withUnsafeBytes { PayloadSniff.looksLikeZlib($0) }
        if ValueDecoder.isDalliFlags(flags) {
            if flags & 1 != 0 && (looksMarshal || (flags & 2 != 0 && looksZlib)) { return decodeDalli(flags: flags, value: value) }
            if flags == 2 && looksZlib && hint != .python { return decodeDalli(flags: flags, value: value) }
            if flags == 0 && hint == .ruby { return decodeDalli(flags: flags, value: value) }
        }
        if flags == 1, value.count >= 4, value[0] == 0xAC, value[1] == 0xED, value[2] == 0, value[3] == 5 {
            return describeJava(flags: flags, value: value)
        }
        if ValueDecoder.isPHPFlags(flags) && (hint == .php || phpOnly(flags: flags, value: value)) {
            return decodePHP(flags: flags, value: value)
        }
        return decodePython(flags: flags, value: value)
    }

    /// Flags and bytes that only php-memcached writes.
    func phpOnly(flags: UInt32, value: [UInt8]) -> Bool {
        if flags >> 16 != 0 { return true }  // OPT_USER_FLAGS
        if flags & 0xF0 == 0x30 || flags & 0xF0 == 0x50 || flags & 0xF0 == 0x90 { return true }  // compressed
        switch flags & 0xF {
        case 3, 5, 6, 7: return true  // bool, igbinary, json, msgpack: no python-memcached meaning
        case 4:  // python-memcached's long is digits; a serialized value starts with its type letter
            return ValueDecoder.looksLikePHPSerialized(value)
        case 1:  // python-memcached's pickle; php-memcached's long is decimal text
            return !value.isEmpty && DecimalText.parseSigned(value) != nil
        case 2:  // python-memcached's int; php-memcached's double is `g_fmt` text that is not an integer
            // (or is `-0`, which Python never writes for an int)
            if value == Array("-0".utf8) { return true }
            return DecimalText.parseSigned(value) == nil && ValueDecoder.looksLikePHPDouble(value)
        default: return false
        }
    }

    /// `N;`, or a type letter of PHP's `serialize()` and `:` (`i:`, `s:`, `a:`, `O:`, …).
    static func looksLikePHPSerialized(_ v: [UInt8]) -> Bool {
        guard v.count >= 2 else { return false }
        if v[0] == UInt8(ascii: "N") { return v[1] == UInt8(ascii: ";") }
        return v[1] == UInt8(ascii: ":") && "bidsSaOCEr".utf8.contains(v[0])
    }

    /// php-memcached's double text (`g_fmt`): `.1`, `-1.5`, `1e+06`, `Infinity`, `-Infinity`, `NaN`.
    static func looksLikePHPDouble(_ v: [UInt8]) -> Bool {
        let text = String(decoding: v, as: UTF8.self)
        if ["Infinity", "-Infinity", "NaN"].contains(text) { return true }
        // Digits alone are an integer whatever its size (python-memcached writes any int so): a double
        // needs its `.` or exponent.
        var sawDigit = false, sawPointOrExponent = false
        for (i, b) in v.enumerated() {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): sawDigit = true
            case UInt8(ascii: "-") where i == 0: break
            case UInt8(ascii: "."), UInt8(ascii: "e"): sawPointOrExponent = true
            case UInt8(ascii: "+"), UInt8(ascii: "-"): break
            default: return false
            }
        }
        return sawDigit && sawPointOrExponent
    }
}

/// Class names in a Java serialization stream, for naming what it holds without decoding it.
enum JavaSerialization {
    /// Each `TC_CLASSDESC` (0x72) followed by a u16 big-endian length and a plausible class name, in
    /// order, once each (at most 16).
    static func classNames(_ bytes: [UInt8]) -> [String] {
        var names: [String] = []
        var i = 4
        while i + 3 < bytes.count, names.count < 16 {
            if bytes[i] == 0x72 {
                let len = Int(bytes[i + 1]) << 8 | Int(bytes[i + 2])
                let start = i + 3
                if len > 0, len <= 512, start + len <= bytes.count {
                    let nameBytes = bytes[start..<start + len]
                    if nameBytes.allSatisfy({ $0 >= 0x21 && $0 < 0x7F }), let first = nameBytes.first,
                        first == UInt8(ascii: "[") || (first >= UInt8(ascii: "A") && first <= UInt8(ascii: "z"))
                    {
                        let name = String(decoding: nameBytes, as: UTF8.self)
                        if !names.contains(name) { names.append(name) }
                        i = start + len
                        continue
                    }
                }
            }
            i += 1
        }
        return names
    }
}
