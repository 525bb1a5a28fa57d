// SkewAnalysis/ItemFacts: what the report reads from one record line — the fields it aggregates,
// taken through RecordView without building the record (the decoded `value` is stepped over).
// Reading is pure and can run on any thread; aggregating (Aggregator.add) is in input order.
import ByteText
import PipelineRecords

/// An item record's fields that the report aggregates.
public struct ItemFacts: Sendable {
    public var host: String
    public var key: String?
    public var keyB64: String?
    /// The key's bytes for the what-if placements (nil without a usable key).
    public var keyBytes: [UInt8]?
    public var size: Int64
    public var cls: Int
    public var kind: String?
    public var logicalKey: String?
    public var unverified: Bool
    public var suspicious: [String]?
    public var placementOK: Bool?
    public var user: (id: String, name: String?, domain: String?, inExport: Bool)?
    public var tokens: (entries: Int, expired: Int?, issueRate: Double, ceilingShare: Double?)?

    /// The key as reports show it: `key`, or `base64:` + `key_b64`.
    var displayKey: String { key ?? keyB64.map { "base64:" + $0 } ?? "" }
}

/// One record as the report reads it.
public enum ReadRecord: Sendable {
    case item(ItemFacts)
    /// A `source` record, whole (its stats samples are read by name).
    case source(JSONValue)
    case miss(unverified: Bool)
    case error
    /// A record type the report does not read.
    case other
}

extension Aggregator {
    /// Reads one record line (no state touched: callable from any thread).
    public static func read(_ line: UnsafeRawBufferPointer, whatIf: Bool) throws(AggregationIssue) -> ReadRecord {
        let r: RecordView
        do throws(RecordSyntaxError) { r = try RecordView(line) } catch {
            throw AggregationIssue(message: "not a JSON record: \(error)")
        }
        if let problem = RecordCheck.problem(in: r) {
            throw AggregationIssue(message: "bad record: \(problem.message)", fatal: problem.fatal)
        }
        switch r.type {
        case .source?:
            do throws(JSONParseError) { return .source(try JSONParser.parse(line)) } catch {
                throw AggregationIssue(message: "not a JSON record: \(error)")
            }
        case .item?: return .item(itemFacts(r, whatIf: whatIf))
        case .miss?: return .miss(unverified: r[.unverified] != nil)
        case .error?: return .error
        default: return .other
        }
    }

    public static func read(_ line: ArraySlice<UInt8>, whatIf: Bool) throws(AggregationIssue) -> ReadRecord {
        var result: Result<ReadRecord, AggregationIssue> = .success(.other)
        line.withUnsafeBytes { p in
            do throws(AggregationIssue) { result = .success(try read(p, whatIf: whatIf)) } catch { result = .failure(error) }
        }
        return try result.get()
    }

    static func itemFacts(_ r: RecordView, whatIf: Bool) -> ItemFacts {
        var f = ItemFacts(
            host: r.hostKey ?? "?", key: r[.key]?.string, keyB64: r[.keyB64]?.string, keyBytes: nil,
            size: r[.size]?.int ?? 0, cls: Int(r[.cls]?.int ?? 0), kind: r[.kind]?.string, logicalKey: r[.logicalKey]?.string,
            unverified: r[.unverified] != nil, suspicious: nil, placementOK: r[.placement]?[.placementOK]?.bool)
        if whatIf { f.keyBytes = f.key.map { Array($0.utf8) } ?? f.keyB64.flatMap { Base64.decode($0) } }
        if let names = r[.suspicious]?.elements, !names.isEmpty { f.suspicious = names.compactMap(\.string) }
        if let u = r[.user], let id = u[.userID]?.string {
            f.user = (id, u[.userName]?.string, u[.userDomain]?.string, u[.userInExport]?.bool ?? true)
        }
        if f.kind == KeyKind.usertokens.rawValue, let t = r[.tokens], t.isObject {
            f.tokens = (
                Int(t[.tokensEntries]?.int ?? 0), t[.tokensExpired]?.int.map(Int.init), t[.tokensIssueRate]?.double ?? 0,
                t[.tokensCeilingShare]?.double
            )
        }
        return f
    }
}
