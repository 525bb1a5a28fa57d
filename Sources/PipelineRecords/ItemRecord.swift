// PipelineRecords/ItemRecord: the `item`, `miss`, `note` and `error` records (schema 1) and how each
// is written as one NDJSON line, fields always in the documented order (docs/records.md).
import JSONText

/// Expiry of an item: never, an absolute unix time, or not known (a `get` capture carries none).
public enum Expiry: Sendable, Equatable {
    case never
    case at(Int64)
    case unknown
}

/// A layer of a value that failed: which one, why, and where in that layer's input.
public struct LayerError: Error, Sendable, Equatable {
    public var layer: String
    public var message: String
    public var offset: Int?
    public init(layer: String, message: String, offset: Int? = nil) {
        self.layer = layer
        self.message = message
        self.offset = offset
    }
}

/// One item: metadata from the server, and what decode made of its value.
public struct ItemRecord: Sendable {
    public var host: String?
    public var port: Int?
    public var key: [UInt8]
    /// Value length in bytes (nil when the listing does not say).
    public var size: Int?
    public var flags: UInt32?
    public var cas: UInt64?
    public var exp: Expiry = .unknown
    public var la: Int64?
    public var cls: Int?
    public var fetched: Bool?
    /// memcached's ITEM_ntotal (header + key + value), when known.
    public var totalSize: Int?
    /// False for metadata-only items (a listing, or a value the collector did not capture).
    public var captured: Bool = true
    /// The CRC-32 of the value's bytes as stored (before any layer is peeled), when captured: tells two
    /// copies of a key apart without keeping their values.
    public var valueCRC32: UInt32?
    /// The key's family (KeyFamilies) and the owner a family rule gives it.
    public var family: String?
    public var familyOwner: String?
    /// The client a family rule says places the key (`client=`).
    public var familyClient: String?
    /// Value layers peeled, outermost first (`zlib`, `pickle`, `dogpile`, `int`, `text`, `bytes`, …).
    public var encoding: [String] = []
    public var pickleProtocol: Int?
    /// Compact JSON of the dogpile metadata (`{"ct":…,"v":…}`) when an envelope was unwrapped.
    public var dogpile: [UInt8]?
    /// Compact JSON of another envelope's metadata (an ActiveSupport cache entry), when one was unwrapped.
    public var envelope: [UInt8]?
    /// Canonical JSON of the value (embedded as is).
    public var value: [UInt8]?
    /// A JSON object summarising the value (`--values summary`).
    public var summary: [UInt8]?
    public var error: LayerError?
    /// A remark, e.g. when the payload contradicts the flags.
    public var note: String?
    /// Why this record cannot be trusted as read (its gzip member failed its check); nil when verified.
    public var unverified: String?
    /// Callables the value's pickle names outside the plain data types (possible cache poisoning).
    public var suspicious: [String] = []

    public init(key: [UInt8]) { self.key = key }

    /// Appends the record as one line.
    public func write(to w: inout NDJSONWriter) {
        w.beginObject()
        w.key(.type); w.string("item")
        if let host { w.key(.host); w.string(host) }
        if let port { w.key(.port); w.int(port) }
        key.withUnsafeBytes { w.bytesField(RecordField.key.name, b64Name: RecordField.keyB64.name, $0) }
        if let size { w.key(.size); w.int(size) }
        if let flags { w.key(.flags); w.uint(UInt64(flags)) }
        if let cas { w.key(.cas); w.uint(cas) }
        switch exp {
        case .never: w.key(.exp); w.null()
        case .at(let t): w.key(.exp); w.int(t)
        case .unknown: break
        }
        if let la { w.key(.la); w.int(la) }
        if let cls { w.key(.cls); w.int(cls) }
        if let fetched { w.key(.fetched); w.bool(fetched) }
        if let totalSize { w.key(.totalSize); w.int(totalSize) }
        if !captured { w.key(.captured); w.bool(false) }
        if let valueCRC32 { w.key(.valueCRC32); w.uint(UInt64(valueCRC32)) }
        if let family { w.key(.family); w.string(family) }
        if let familyOwner { w.key(.familyOwner); w.string(familyOwner) }
        if let familyClient { w.key(.familyClient); w.string(familyClient) }
        if !encoding.isEmpty {
            w.key(.encoding)
            w.beginArray()
            for e in encoding { w.string(e) }
            w.endArray()
        }
        if let pickleProtocol { w.key(.pickleProtocol); w.int(pickleProtocol) }
        if let dogpile { w.key(.dogpile); w.raw(dogpile) }
        if let envelope { w.key(.envelope); w.raw(envelope) }
        if let value {
            w.key(.valueJSONBytes); w.int(value.count)
            w.key(.value); w.raw(value)
        }
        if let summary { w.key(.summary); w.raw(summary) }
        if let error { ItemRecord.writeError(error, key: RecordField.error.name, to: &w) }
        if let note { w.key(.note); w.string(note) }
        if !suspicious.isEmpty {
            w.key(.suspicious)
            w.beginArray()
            for s in suspicious { w.string(s) }
            w.endArray()
        }
        if let unverified { w.key(.unverified); w.string(unverified) }
        w.endObject()
        w.endLine()
    }

    static func writeError(_ e: LayerError, key: StaticString, to w: inout NDJSONWriter) {
        w.key(key)
        w.beginObject()
        w.key("layer"); w.string(e.layer)
        w.key("message"); w.string(e.message)
        if let o = e.offset { w.key("offset"); w.int(o) } else { w.key("offset"); w.null() }
        w.endObject()
    }
}

/// A listed key whose value the collector could not fetch.
public struct MissRecord: Sendable {
    public var host: String?
    public var port: Int?
    public var key: [UInt8]
    public var reason: String?
    /// As for items: why the record cannot be trusted as read.
    public var unverified: String?
    public init(host: String?, port: Int?, key: [UInt8], reason: String?) {
        self.host = host
        self.port = port
        self.key = key
        self.reason = reason
    }

    public func write(to w: inout NDJSONWriter) {
        w.beginObject()
        w.key(.type); w.string("miss")
        if let host { w.key(.host); w.string(host) }
        if let port { w.key(.port); w.int(port) }
        key.withUnsafeBytes { w.bytesField(RecordField.key.name, b64Name: RecordField.keyB64.name, $0) }
        if let reason { w.key(.reason); w.string(reason) }
        if let unverified { w.key(.unverified); w.string(unverified) }
        w.endObject()
        w.endLine()
    }
}

/// A remark carried over from the input.
public struct NoteRecord: Sendable {
    public var host: String?
    public var port: Int?
    public var level: String
    public var message: String
    public init(host: String?, port: Int?, level: String, message: String) {
        self.host = host
        self.port = port
        self.level = level
        self.message = message
    }

    public func write(to w: inout NDJSONWriter) {
        w.beginObject()
        w.key(.type); w.string("note")
        if let host { w.key(.host); w.string(host) }
        if let port { w.key(.port); w.int(port) }
        w.key("level"); w.string(level)
        w.key("message"); w.string(message)
        w.endObject()
        w.endLine()
    }
}

/// Input that could not be read (corrupt framing, truncation, unreadable file).
public struct ErrorRecord: Sendable {
    public var file: String
    public var kind: String
    public var message: String
    /// Byte offset in the file (compressed offset for gzip input), when known.
    public var offset: Int64?
    /// Offset in the decompressed stream, when known.
    public var recordOffset: Int64?
    public init(file: String, kind: String, message: String, offset: Int64?, recordOffset: Int64? = nil) {
        self.file = file
        self.kind = kind
        self.message = message
        self.offset = offset
        self.recordOffset = recordOffset
    }

    public func write(to w: inout NDJSONWriter) {
        w.beginObject()
        w.key(.type); w.string("error")
        w.key("file"); w.string(file)
        w.key("kind"); w.string(kind)
        w.key("message"); w.string(message)
        w.key("offset"); if let offset { w.int(offset) } else { w.null() }
        if let recordOffset { w.key("record_offset"); w.int(recordOffset) }
        w.endObject()
        w.endLine()
    }
}
