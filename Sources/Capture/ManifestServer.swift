// Capture/ManifestServer: what MANIFEST.json says of one server (docs/collect.md lists every field):
// filled by the host capture, written by collect.
import DumpContainer

/// One server, in the order given (the order the clients use for placement).
public struct ManifestServer: Codable, Sendable {
    public var address: String
    public var host: String
    public var port: Int
    public var weight: Int
    /// complete | partial | interrupted | failed
    public var status: String
    public var file: String?
    public var sha256: String?
    public var compressedBytes: Int64?
    public var uncompressedBytes: Int64?
    public var method: String?
    public var serverVersion: String?
    public var serverTimeStart: Int64?
    public var serverTimeEnd: Int64?
    public var serverUptimeStart: Int64?
    public var startedLocal: Double
    public var finishedLocal: Double
    public var listingComplete: Bool?
    public var metadumpLines: Int?
    public var listed: Int
    public var captured: Int
    public var missed: Int
    public var valueBytes: Int64
    public var reason: String?
    public var notes: [String]
    public var errors: [String]
    /// The watch window (`--watch`), as its dump's WATCH record says.
    public var watch: DumpWatch?

    public init(
        address: String, host: String, port: Int, weight: Int, status: String, file: String? = nil, sha256: String? = nil, compressedBytes: Int64? = nil,
        uncompressedBytes: Int64? = nil, method: String? = nil, serverVersion: String? = nil, serverTimeStart: Int64? = nil, serverTimeEnd: Int64? = nil,
        serverUptimeStart: Int64? = nil, startedLocal: Double, finishedLocal: Double, listingComplete: Bool? = nil, metadumpLines: Int? = nil, listed: Int,
        captured: Int, missed: Int, valueBytes: Int64, reason: String? = nil, notes: [String], errors: [String]
    ) {
        self.address = address
        self.host = host
        self.port = port
        self.weight = weight
        self.status = status
        self.file = file
        self.sha256 = sha256
        self.compressedBytes = compressedBytes
        self.uncompressedBytes = uncompressedBytes
        self.method = method
        self.serverVersion = serverVersion
        self.serverTimeStart = serverTimeStart
        self.serverTimeEnd = serverTimeEnd
        self.serverUptimeStart = serverUptimeStart
        self.startedLocal = startedLocal
        self.finishedLocal = finishedLocal
        self.listingComplete = listingComplete
        self.metadumpLines = metadumpLines
        self.listed = listed
        self.captured = captured
        self.missed = missed
        self.valueBytes = valueBytes
        self.reason = reason
        self.notes = notes
        self.errors = errors
    }
}
