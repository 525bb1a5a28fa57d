// PipelineRecords/RecordField: the names of the record fields that flow between the stages
// (docs/records.md, docs/attribute.md), defined once. The writers (ItemRecord, SourceRecord,
// attribute's additions) and the readers (RecordView, RecordCheck, attribute, report) use these
// constants; no stage spells a field name of its own.
import JSONText

/// A field name of the NDJSON records.
public struct RecordField: Sendable, CustomStringConvertible {
    public let name: StaticString
    public init(_ name: StaticString) { self.name = name }
    public var description: String { name.description }

    // Every record
    public static let type = RecordField("type")
    public static let host = RecordField("host")
    public static let port = RecordField("port")

    // item and miss (decode)
    public static let key = RecordField("key")
    public static let keyB64 = RecordField("key_b64")
    public static let size = RecordField("size")
    public static let flags = RecordField("flags")
    public static let cas = RecordField("cas")
    public static let exp = RecordField("exp")
    public static let la = RecordField("la")
    public static let cls = RecordField("cls")
    public static let fetched = RecordField("fetched")
    public static let totalSize = RecordField("total_size")
    public static let captured = RecordField("captured")
    // traffic and stats_sample records
    public static let otherKeys = RecordField("other_keys")
    public static let startedLocal = RecordField("started_local")
    public static let seconds = RecordField("seconds")
    public static let gets = RecordField("gets")
    public static let hits = RecordField("hits")
    public static let misses = RecordField("misses")
    public static let sets = RecordField("sets")
    public static let stored = RecordField("stored")
    public static let bytesRead = RecordField("bytes_read")
    public static let bytesWritten = RecordField("bytes_written")
    public static let evictions = RecordField("evictions")
    public static let label = RecordField("label")
    public static let connections = RecordField("connections")
    public static let cmdGet = RecordField("cmd_get")
    // source.watch
    public static let watch = RecordField("watch")
    public static let events = RecordField("events")
    public static let ownEvents = RecordField("own_events")
    public static let skipped = RecordField("skipped")
    public static let workerDropped = RecordField("worker_dropped")
    public static let watcherSkipped = RecordField("watcher_skipped")
    public static let ended = RecordField("ended")
    public static let sample = RecordField("sample")
    public static let cmdSet = RecordField("cmd_set")
    public static let valueCRC32 = RecordField("value_crc32")
    /// The key's family (docs/families.md) and the owner a family rule names.
    public static let family = RecordField("family")
    public static let familyOwner = RecordField("family_owner")
    public static let familyClient = RecordField("family_client")
    public static let encoding = RecordField("encoding")
    public static let pickleProtocol = RecordField("pickle_protocol")
    public static let dogpile = RecordField("dogpile")
    public static let envelope = RecordField("envelope")
    /// The length in bytes of the `value` member's JSON text, written just before it, so that readers
    /// step over a value without scanning it.
    public static let valueJSONBytes = RecordField("value_json_bytes")
    public static let value = RecordField("value")
    public static let summary = RecordField("summary")
    public static let error = RecordField("error")
    public static let note = RecordField("note")
    public static let suspicious = RecordField("suspicious")
    public static let unverified = RecordField("unverified")
    public static let reason = RecordField("reason")

    // dogpile envelope metadata
    public static let dogpileCreated = RecordField("ct")
    public static let dogpileVersion = RecordField("v")

    // source (decode)
    public static let schema = RecordField("schema")
    public static let complete = RecordField("complete")
    public static let window = RecordField("window")
    public static let windowStart = RecordField("start")
    public static let windowEnd = RecordField("end")
    public static let stats = RecordField("stats")
    /// A stats sample's section of `stats` counters.
    public static let statsGeneral = RecordField("general")
    /// memcached's counters (in `general`) that the stages read.
    public static let statsTime = RecordField("time")
    public static let statsBytesRead = RecordField("bytes_read")
    public static let statsBytesWritten = RecordField("bytes_written")
    public static let statsEvictions = RecordField("evictions")
    public static let statsUptime = RecordField("uptime")
    /// A stats sample's `stats items` and `stats slabs` sections.
    public static let statsItems = RecordField("items")
    public static let statsSlabs = RecordField("slabs")

    // Added to items by attribute (docs/attribute.md), in this order.
    public static let kind = RecordField("kind")
    public static let logicalKey = RecordField("logical_key")
    public static let user = RecordField("user")
    public static let via = RecordField("via")
    public static let tokens = RecordField("tokens")
    public static let placement = RecordField("placement")
    /// `true` on the items attribute held back to the end of the stream (absent on the others).
    public static let held = RecordField("held")

    // `user`
    public static let userID = RecordField("id")
    public static let userName = RecordField("name")
    public static let userDomain = RecordField("domain")
    public static let userInExport = RecordField("in_export")

    // `tokens`
    public static let tokensEntries = RecordField("entries")
    public static let tokensExpired = RecordField("expired")
    public static let tokensClock = RecordField("clock")
    public static let tokensClockSource = RecordField("clock_source")
    public static let tokensFirstExpiry = RecordField("first_expiry")
    public static let tokensLastExpiry = RecordField("last_expiry")
    public static let tokensTTL = RecordField("ttl")
    public static let tokensIssueRate = RecordField("issue_rate")
    public static let tokensCeilingShare = RecordField("ceiling_share")

    // `placement`
    public static let placementExpected = RecordField("expected")
    public static let placementHash = RecordField("hash")
    public static let placementScheme = RecordField("scheme")
    public static let placementOK = RecordField("ok")
    public static let placementFailoverStep = RecordField("failover_step")
    public static let placementFits = RecordField("fits")
}

/// Keystone's key families (`kind`, docs/attribute.md).
public enum KeyKind: String, Sendable, CaseIterable {
    case usertokens, token, revocationList = "revocation-list", lock, cache, unknown
    /// The `kind` figure of item records that attribute has not seen.
    public static let unattributed = "unattributed"
}

/// Limits of the memcached clients that the records' figures refer to.
public enum ClientLimits {
    /// python-memcached's default item size limit: a token list above it is silently not stored.
    public static let valueCeiling = 1_048_576.0
}

extension NDJSONWriter {
    /// Writes a member name (the comma before it when due).
    public mutating func key(_ field: RecordField) { key(field.name) }
}
