// SkewAnalysis/Partial: the aggregator's state as a mergeable partial (`report --format json
// --partial`, one JSON object of type `report-partial`) and the merge of such partials
// (`report --merge`), so a fleet can be analysed one host per machine. Merging the partials of some
// inputs, in input order, gives exactly the report of those inputs read at once: counters add up,
// users and slab classes join by name, the largest keys and what-if sizes are re-kept.
import KeyPlacement
import PipelineRecords
import JSONText

extension Aggregator {
    public static let partialType = "report-partial"
    public static let partialSchema = 1

    /// The state as one JSON object (and a newline). Size: hosts, users with their lists, slab
    /// classes, `top` keys, and the what-if counters and kept sizes.
    public func partialJSON() throws(AggregationIssue) -> String {
        try finishCopies()
        var j = NDJSONWriter(capacity: 1 << 16)
        j.beginObject()
        j.field(PartialField.type, Aggregator.partialType)
        j.field(PartialField.schema, Aggregator.partialSchema)
        j.field(PartialField.top, top)
        j.field(PartialField.showSecrets, showSecrets)
        j.field(PartialField.records, records); j.field(PartialField.misplaced, misplaced); j.field(PartialField.attributed, attributed)
        j.field(PartialField.errorRecords, integrity.errorRecords); j.field(PartialField.unverifiedRecords, integrity.unverifiedRecords)
        j.field(PartialField.suspiciousCount, suspiciousCount)
        j.key(PartialField.suspicious); j.beginArray()
        for e in suspicious {
            j.beginObject(); j.field(PartialField.host, e.host); j.field(PartialField.key, e.key); j.key(PartialField.size); j.int(Int(e.size))
            j.key(PartialField.names); j.beginArray(); for n in e.names { j.string(n) }; j.endArray(); j.endObject()
        }
        j.endArray()
        j.key(PartialField.warnings); j.beginArray(); for w in warnings { j.string(w) }; j.endArray()
        j.key(PartialField.hosts); j.beginArray()
        for h in hosts.values.sorted(by: { $0.host < $1.host }) {
            j.beginObject()
            j.field(PartialField.host, h.host); j.field(PartialField.items, h.items); j.key(PartialField.valueBytes); j.int(Int(h.valueBytes))
            j.key(PartialField.bytesByKind)
            j.beginObject()
            for (k, v) in h.bytesByKind.sorted(by: { $0.key < $1.key }) { j.key(k); j.int(Int(v)) }
            j.endObject()
            j.field(PartialField.complete, h.complete); j.field(PartialField.evictions, h.evictions)
            j.key(PartialField.traffic)
            if let t = h.traffic {
                j.beginObject()
                j.field(PartialField.bytesRead, t.bytesRead); j.field(PartialField.bytesWritten, t.bytesWritten); j.field(PartialField.seconds, t.seconds)
                j.field(PartialField.evictions, t.evictions); j.field(PartialField.evictionsDelta, t.evictionsDelta)
                j.endObject()
            } else {
                j.string(nil)
            }
            j.field(PartialField.uptime, h.uptime)
            j.key(PartialField.slabStats); j.beginObject()
            for (cls, st) in h.slabStats.sorted(by: { $0.key < $1.key }) {
                j.key(String(cls)); j.beginObject()
                for (name, path) in SlabServerStats.itemFields.merging(SlabServerStats.slabFields, uniquingKeysWith: { a, _ in a }).sorted(by: {
                    $0.key < $1.key
                }) {
                    if let v = st[keyPath: path] { j.field(name, v) }
                }
                j.endObject()
            }
            j.endObject()
            j.key(PartialField.sinceStart)
            if let c = h.sinceStart {
                j.beginObject()
                j.field(PartialField.bytesRead, c.bytesRead)
                j.field(PartialField.bytesWritten, c.bytesWritten)
                j.field(PartialField.uptime, c.uptime); j.endObject()
            } else {
                j.string(nil)
            }
            j.endObject()
        }
        j.endArray()
        j.key(PartialField.users); j.beginArray()
        for u in users.values.sorted(by: { $0.id < $1.id }) {
            j.beginObject()
            j.field(PartialField.id, u.id)
            j.field(PartialField.name, u.name)
            j.field(PartialField.domain, u.domain)
            j.field(PartialField.inExport, u.inExport)
            j.field(PartialField.items, u.items); j.key(PartialField.bytes); j.int(Int(u.bytes)); j.field(PartialField.tokenKeys, u.tokenKeys)
            j.key(PartialField.bytesByHost)
            j.beginObject()
            for (k, v) in u.bytesByHost.sorted(by: { $0.key < $1.key }) { j.key(k); j.int(Int(v)) }
            j.endObject()
            // Only when some of its hosts had no figure of their own (Aggregator.maxUserHostCells).
            if u.otherHostsBytes > 0 { j.key(PartialField.bytesOtherHosts); j.int(Int(u.otherHostsBytes)) }
            j.key(PartialField.lists); j.beginArray()
            for l in u.lists {
                j.beginObject()
                j.field(PartialField.key, l.key)
                j.field(PartialField.host, l.host)
                j.key(PartialField.size)
                j.int(Int(l.size))
                j.field(PartialField.entries, l.entries)
                j.field(PartialField.expired, l.expired); j.field(PartialField.issueRate, l.issueRate); j.field(PartialField.ceilingShare, l.ceilingShare)
                j.endObject()
            }
            j.endArray()
            j.endObject()
        }
        j.endArray()
        j.key(PartialField.slabs); j.beginArray()
        for (k, s) in slabs.sorted(by: { $0.key.host != $1.key.host ? $0.key.host < $1.key.host : $0.key.cls < $1.key.cls }) {
            j.beginObject()
            j.field(PartialField.host, k.host)
            j.field(PartialField.cls, k.cls)
            j.field(PartialField.items, s.items)
            j.key(PartialField.bytes); j.int(Int(s.bytes)); j.endObject()
        }
        j.endArray()
        j.key(PartialField.families); j.beginArray()
        for t in families.values.sorted(by: { $0.host != $1.host ? $0.host < $1.host : $0.family < $1.family }) {
            j.beginObject()
            j.field(PartialField.host, t.host); j.field(PartialField.family, t.family); j.field(PartialField.owner, t.owner)
            j.field(PartialField.items, t.items); j.key(PartialField.bytes); j.int(Int(t.bytes))
            j.field(PartialField.noExpiry, t.noExpiry); j.field(PartialField.withExpiry, t.withExpiry)
            j.key(PartialField.expMin); j.int(t.expMin.map(Int.init)); j.key(PartialField.expMax); j.int(t.expMax.map(Int.init))
            j.field(PartialField.accessed, t.accessed); j.key(PartialField.laSum); j.int(Int(t.laSum))
            j.key(PartialField.laMin); j.int(t.laMin.map(Int.init)); j.key(PartialField.laMax); j.int(t.laMax.map(Int.init))
            j.field(PartialField.fetchKnown, t.fetchKnown); j.field(PartialField.neverFetched, t.neverFetched)
            j.field(PartialField.largestKey, t.largestKey); j.key(PartialField.largestSize); j.int(Int(t.largestSize))
            j.field(PartialField.checked, t.checked); j.field(PartialField.scheme, t.knownScheme)
            j.field(PartialField.misplaced, t.misplaced); j.key(PartialField.misplacedBytes); j.int(Int(t.misplacedBytes))
            j.field(PartialField.unplaced, t.unplaced); j.key(PartialField.unplacedBytes); j.int(Int(t.unplacedBytes))
            j.key(PartialField.fits); j.beginObject()
            for (k, v) in t.fits.sorted(by: { $0.key < $1.key }) { j.field(k, v) }
            j.endObject()
            j.key(PartialField.fitBytes); j.beginObject()
            for (k, v) in t.fitBytes.sorted(by: { $0.key < $1.key }) { j.key(k); j.int(Int(v)) }
            j.endObject()
            j.key(PartialField.bytesByClass); j.beginObject()
            for (k, v) in t.bytesByClass.sorted(by: { $0.key < $1.key }) { j.key(String(k)); j.int(Int(v)) }
            j.endObject()
            j.endObject()
        }
        j.endArray()
        j.key(PartialField.copies); j.beginObject()
        j.field(PartialField.keys, copies.keys); j.field(PartialField.extraCopies, copies.extraCopies)
        j.key(PartialField.extraBytes); j.int(Int(copies.extraBytes))
        j.field(PartialField.sameValueCopies, copies.sameValueCopies)
        j.field(PartialField.differingValueCopies, copies.differingValueCopies)
        j.key(PartialField.entries); j.beginArray()
        for e in copies.entries {
            j.beginObject(); j.field(PartialField.key, e.key)
            j.key(PartialField.hosts); j.beginArray(); for h in e.hosts { j.string(h) }; j.endArray()
            j.key(PartialField.sizes); j.beginArray(); for n in e.sizes { j.int(Int(n)) }; j.endArray()
            j.key(PartialField.sameValue); j.beginArray(); for b in e.sameValue { j.bool(b) }; j.endArray()
            j.key(PartialField.sameCAS); j.beginArray(); for b in e.sameCAS { j.bool(b) }; j.endArray()
            j.endObject()
        }
        j.endArray()
        j.endObject()
        if keepsKeyLog, let log = copyLog, let main = log.main {
            j.key(PartialField.copyLog); j.beginObject()
            j.field(PartialField.complete, log.complete)
            j.key(PartialField.hosts); j.beginArray(); for h in log.hosts { j.string(h) }; j.endArray()
            for (name, spool) in [(PartialField.main, main), (PartialField.held, log.held)] {
                j.key(name); j.beginArray()
                do throws(ByteReadError) { try spool.forEach { j.raw($0) } } catch {
                    throw AggregationIssue(message: "the key log: \(error)")
                }
                j.endArray()
            }
            j.endObject()
        }
        j.key(PartialField.kinds); j.beginObject(); for (k, v) in kinds.sorted(by: { $0.key < $1.key }) { j.field(k, v) }; j.endObject()
        j.key(PartialField.keys); j.beginArray()
        for k in topKeys {
            j.beginObject()
            j.field(PartialField.key, k.key)
            j.field(PartialField.logicalKey, k.logicalKey)
            j.field(PartialField.kind, k.kind)
            j.key(PartialField.size)
            j.int(Int(k.size))
            j.field(PartialField.host, k.host)
            j.field(PartialField.owner, k.owner)
            j.field(PartialField.ownerId, k.ownerID)
            j.field(PartialField.placementOk, k.placementOK)
            j.endObject()
        }
        j.endArray()
        j.key(PartialField.whatIf)
        if let w = whatIf { w.writePartial(&j) } else { j.string(nil) }
        if !traffic.isEmpty {
            j.key(PartialField.measuredTraffic)
            traffic.writePartial(&j)
        }
        j.endObject()
        return j.text + "\n"
    }

    /// Adds one partial (one line of `partialJSON`). Throws, naming the field, when it is not JSON or
    /// not a partial, a field has the wrong type or range, a host is in an earlier partial too, or its
    /// what-if differs. Nothing of a partial that throws is merged.
    public func merge<C: Collection>(partialLine bytes: C) throws(AggregationIssue) where C.Element == UInt8 {
        var result: Result<Void, AggregationIssue> = .success(())
        let run = { (line: UnsafeRawBufferPointer) in
            do throws(AggregationIssue) {
                // The key log (every item) is read in place, not built as a tree.
                let parsed: (value: JSONValue, skipped: [String: Range<Int>])
                do throws(JSONParseError) { parsed = try JSONParser.parse(line, skipping: [PartialField.copyLog]) } catch {
                    throw AggregationIssue(message: "not JSON: \(error)")
                }
                let keyLog = try parsed.skipped[PartialField.copyLog].map { r throws(AggregationIssue) in
                    try Aggregator.readKeyLog(JSONSlice(bytes: line, range: r))
                }
                try self.merge(partial: parsed.value, keyLog: keyLog)
            } catch {
                result = .failure(error)
            }
        }
        if bytes.withContiguousStorageIfAvailable({ run(UnsafeRawBufferPointer($0)) }) == nil {
            Array(bytes).withUnsafeBytes(run)
        }
        try result.get()
    }

    private func merge(partial value: JSONValue, keyLog: KeyLogRead?) throws(AggregationIssue) {
        guard value[PartialField.type]?.string == Aggregator.partialType, value[PartialField.schema]?.int == Int64(Aggregator.partialSchema) else {
            throw AggregationIssue(message: "not a report partial (type \"\(Aggregator.partialType)\", schema \(Aggregator.partialSchema))")
        }
        let p = try PartialFields(value, "")
        // Read and check everything first; merge only once the whole partial is sound.
        let top = try p.optionalCount(PartialField.top)
        let records = try p.count(PartialField.records), misplaced = try p.count(PartialField.misplaced)
        let errorRecords = try p.optionalCount(PartialField.errorRecords) ?? 0
        let unverifiedRecords = try p.optionalCount(PartialField.unverifiedRecords) ?? 0
        let attributed = try p.optionalBool(PartialField.attributed) ?? false
        let suspiciousCount = try p.optionalCount(PartialField.suspiciousCount) ?? 0
        var newSuspicious: [SuspiciousEntry] = []
        for (i, sv) in try p.optionalArray(PartialField.suspicious).enumerated() {
            let f = try PartialFields(sv, "suspicious[\(i)]")
            var names: [String] = []
            for (j, n) in try f.array(PartialField.names).enumerated() {
                guard let s = n.string else { throw PartialFields.wrong("suspicious[\(i)].names[\(j)]", "a string", n) }
                names.append(s)
            }
            newSuspicious.append(
                SuspiciousEntry(host: try f.string(PartialField.host), key: try f.string(PartialField.key), names: names, size: try f.count(PartialField.size)))
        }
        guard newSuspicious.count <= Int(suspiciousCount) else {
            throw AggregationIssue(message: "suspicious: \(newSuspicious.count) entries but suspicious_count \(suspiciousCount)")
        }
        var newWarnings: [String] = []
        if value[PartialField.warnings] != nil {
            for (i, w) in try p.array(PartialField.warnings).enumerated() {
                guard let s = w.string else { throw PartialFields.wrong("warnings[\(i)]", "a string", w) }
                newWarnings.append(s)
            }
        }
        var newHosts: [HostTotals] = []
        var seen = Set<String>()
        for (i, hv) in try p.array(PartialField.hosts).enumerated() {
            let f = try PartialFields(hv, "hosts[\(i)]")
            let name = try f.string(PartialField.host)
            guard seen.insert(name).inserted else { throw AggregationIssue(message: "hosts[\(i)]: host \(name) is listed twice") }
            var h = HostTotals(host: name)
            h.items = Int(try f.count(PartialField.items))
            h.valueBytes = try f.count(PartialField.valueBytes)
            for (k, v) in try f.counts(PartialField.bytesByKind) { h.bytesByKind[k, default: 0] &+= v }
            h.complete = try f.optionalBool(PartialField.complete)
            // A host's capture facts come from its one `source` record: in two partials, the same dump
            // was analysed twice (chunks of one stream share hosts, but only one holds the source).
            if h.complete != nil && sourcedHosts.contains(name) {
                throw AggregationIssue(message: "hosts[\(i)]: the capture of host \(name) is in an earlier partial too (the same dump analysed twice?)")
            }
            h.evictions = try f.amount(PartialField.evictions)
            if let t = try f.optionalObject(PartialField.traffic) {
                h.traffic = HostTraffic(
                    bytesRead: try t.requiredAmount(PartialField.bytesRead), bytesWritten: try t.requiredAmount(PartialField.bytesWritten),
                    seconds: try t.requiredAmount(PartialField.seconds), evictions: try t.amount(PartialField.evictions),
                    evictionsDelta: try t.amount(PartialField.evictionsDelta))
            }
            if let c = try f.optionalObject(PartialField.sinceStart) {
                h.sinceStart = CumulativeTraffic(
                    bytesRead: try c.requiredAmount(PartialField.bytesRead), bytesWritten: try c.requiredAmount(PartialField.bytesWritten),
                    uptime: try c.requiredAmount(PartialField.uptime))
            }
            h.uptime = try f.amount(PartialField.uptime)
            if let stats = try f.optionalObject(PartialField.slabStats) {
                let fields = SlabServerStats.itemFields.merging(SlabServerStats.slabFields, uniquingKeysWith: { a, _ in a })
                for (name, v) in stats.value.members ?? [] {
                    guard let cls = Int(name), cls >= 0, cls < 256, let members = v.members else {
                        throw AggregationIssue(message: "hosts[\(i)].slab_stats: \"\(name)\" is not a slab class with its figures")
                    }
                    var st = SlabServerStats()
                    for (field, value) in members {
                        guard let path = fields[field] else { continue }
                        guard let number = value.double, number.isFinite, number >= 0 else {
                            throw PartialFields.wrong("hosts[\(i)].slab_stats.\(name).\(field)", "a non-negative number", value)
                        }
                        st[keyPath: path] = number
                    }
                    h.slabStats[cls] = st
                }
            }
            newHosts.append(h)
        }
        // Each user with its per-host bytes in the partial's order (by host name), so that which of them
        // get a figure of their own under the cap does not depend on a dictionary's order.
        var newUsers: [(totals: UserTotals, byHost: [(String, Int64)])] = []
        for (i, uv) in try p.array(PartialField.users).enumerated() {
            let f = try PartialFields(uv, "users[\(i)]")
            var u = UserTotals(
                id: try f.string(PartialField.id), name: try f.optionalString(PartialField.name), domain: try f.optionalString(PartialField.domain),
                inExport: try f.optionalBool(PartialField.inExport) ?? true)
            u.items = Int(try f.count(PartialField.items))
            u.bytes = try f.count(PartialField.bytes)
            u.tokenKeys = Int(try f.count(PartialField.tokenKeys))
            let byHost = try f.counts(PartialField.bytesByHost)
            u.otherHostsBytes = try f.optionalCount(PartialField.bytesOtherHosts) ?? 0
            for (j, lv) in try f.optionalArray(PartialField.lists).enumerated() {
                let l = try PartialFields(lv, "users[\(i)].lists[\(j)]")
                u.lists.append(
                    TokenListSummary(
                        key: try l.string(PartialField.key), host: try l.string(PartialField.host), size: try l.count(PartialField.size),
                        entries: Int(try l.count(PartialField.entries)), expired: try l.optionalCount(PartialField.expired).map(Int.init),
                        issueRate: try l.amount(PartialField.issueRate) ?? 0, ceilingShare: try l.amount(PartialField.ceilingShare) ?? 0))
            }
            newUsers.append((u, byHost))
        }
        var newSlabs: [SlabTotals] = []
        for (i, sv) in try p.array(PartialField.slabs).enumerated() {
            let f = try PartialFields(sv, "slabs[\(i)]")
            var s = SlabTotals(host: try f.string(PartialField.host), cls: Int(try f.count(PartialField.cls)))
            s.items = Int(try f.count(PartialField.items))
            s.bytes = try f.count(PartialField.bytes)
            newSlabs.append(s)
        }
        var newFamilies: [FamilyTotals] = []
        for (i, fv) in try p.optionalArray(PartialField.families).enumerated() {
            let f = try PartialFields(fv, "families[\(i)]")
            var t = FamilyTotals(host: try f.string(PartialField.host), family: try f.string(PartialField.family))
            t.owner = try f.optionalString(PartialField.owner)
            t.items = Int(try f.count(PartialField.items))
            t.bytes = try f.count(PartialField.bytes)
            t.noExpiry = Int(try f.count(PartialField.noExpiry))
            t.withExpiry = Int(try f.count(PartialField.withExpiry))
            t.expMin = try f.optionalCount(PartialField.expMin)
            t.expMax = try f.optionalCount(PartialField.expMax)
            t.accessed = Int(try f.count(PartialField.accessed))
            t.laSum = try f.count(PartialField.laSum)
            t.laMin = try f.optionalCount(PartialField.laMin)
            t.laMax = try f.optionalCount(PartialField.laMax)
            t.fetchKnown = Int(try f.count(PartialField.fetchKnown))
            t.neverFetched = Int(try f.count(PartialField.neverFetched))
            t.largestKey = try f.optionalString(PartialField.largestKey)
            t.largestSize = try f.count(PartialField.largestSize)
            t.checked = Int(try f.optionalCount(PartialField.checked) ?? 0)
            t.knownScheme = try f.optionalString(PartialField.scheme)
            t.misplaced = Int(try f.optionalCount(PartialField.misplaced) ?? 0)
            t.misplacedBytes = try f.optionalCount(PartialField.misplacedBytes) ?? 0
            t.unplaced = Int(try f.optionalCount(PartialField.unplaced) ?? 0)
            t.unplacedBytes = try f.optionalCount(PartialField.unplacedBytes) ?? 0
            if fv[PartialField.fits] != nil { for (k, v) in try f.counts(PartialField.fits) { t.fits[k, default: 0] += Int(v) } }
            if fv[PartialField.fitBytes] != nil { for (k, v) in try f.counts(PartialField.fitBytes) { t.fitBytes[k, default: 0] &+= v } }
            if fv[PartialField.bytesByClass] != nil {
                for (k, v) in try f.counts(PartialField.bytesByClass) {
                    guard let cls = Int(k), cls >= 0 else { throw AggregationIssue(message: "families[\(i)].bytes_by_class: \"\(k)\" is not a slab class") }
                    t.bytesByClass[cls, default: 0] &+= v
                }
            }
            newFamilies.append(t)
        }
        var newCopies = CopySummary()
        if let c = try p.optionalObject(PartialField.copies) {
            newCopies.keys = Int(try c.count(PartialField.keys))
            newCopies.extraCopies = Int(try c.count(PartialField.extraCopies))
            newCopies.extraBytes = try c.count(PartialField.extraBytes)
            newCopies.sameValueCopies = Int(try c.optionalCount(PartialField.sameValueCopies) ?? 0)
            newCopies.differingValueCopies = Int(try c.optionalCount(PartialField.differingValueCopies) ?? 0)
            for (i, ev) in try c.optionalArray(PartialField.entries).enumerated() {
                let f = try PartialFields(ev, "copies.entries[\(i)]")
                var hosts: [String] = []
                for (j, h) in try f.array(PartialField.hosts).enumerated() {
                    guard let s = h.string else { throw PartialFields.wrong("copies.entries[\(i)].hosts[\(j)]", "a string", h) }
                    hosts.append(s)
                }
                var sizes: [Int64] = []
                for (j, n) in try f.array(PartialField.sizes).enumerated() {
                    sizes.append(try PartialFields.count(n, "copies.entries[\(i)].sizes[\(j)]"))
                }
                guard hosts.count >= 2, sizes.count == hosts.count - 1 else {
                    throw AggregationIssue(message: "copies.entries[\(i)]: two or more hosts, and a size for each after the first")
                }
                // Optional (partials before value_crc32 lack them): true, false or null per copy after the first.
                func flags(_ name: String) throws(AggregationIssue) -> [Bool?]? {
                    let a = try f.optionalArray(name)
                    if a.isEmpty { return nil }
                    guard a.count == sizes.count else {
                        throw AggregationIssue(message: "copies.entries[\(i)].\(name): one entry for each copy after the first")
                    }
                    var out: [Bool?] = []
                    for (j, v) in a.enumerated() {
                        if v.isNull {
                            out.append(nil)
                        } else if let b = v.bool {
                            out.append(b)
                        } else {
                            throw PartialFields.wrong("copies.entries[\(i)].\(name)[\(j)]", "true, false or null", v)
                        }
                    }
                    return out
                }
                newCopies.entries.append(
                    CopyEntry(
                        key: try f.string(PartialField.key), hosts: hosts, sizes: sizes, sameValue: try flags(PartialField.sameValue),
                        sameCAS: try flags(PartialField.sameCAS)))
            }
        }
        let newKinds = try p.counts(PartialField.kinds)
        var newKeys: [KeyEntry] = []
        for (i, kv) in try p.array(PartialField.keys).enumerated() {
            let f = try PartialFields(kv, "keys[\(i)]")
            let kind = try f.optionalString(PartialField.kind)
            let logical = try f.optionalString(PartialField.logicalKey)
            newKeys.append(
                KeyEntry(
                    key: try f.string(PartialField.key), logicalKey: kind == KeyKind.token.rawValue && !showSecrets ? nil : logical, kind: kind,
                    size: try f.count(PartialField.size), host: try f.string(PartialField.host), owner: try f.optionalString(PartialField.owner),
                    ownerID: try f.optionalString(PartialField.ownerId), placementOK: try f.optionalBool(PartialField.placementOk)))
        }
        let newTraffic = try value[PartialField.measuredTraffic].map { v throws(AggregationIssue) in try TrafficAggregator.read(v, top: self.top) }
        try mergeWhatIf(value[PartialField.whatIf])

        // Sound: merge.
        if let t = top, Int(t) < self.top {
            warnings.append("a partial kept only its \(t) largest keys; the largest keys table may miss some")
        }
        self.records &+= Int(records)
        self.misplaced &+= Int(misplaced)
        integrity.errorRecords &+= Int(errorRecords)
        integrity.unverifiedRecords &+= Int(unverifiedRecords)
        if attributed { self.attributed = true }
        for e in newSuspicious where suspicious.count < Aggregator.suspiciousKept { suspicious.append(e) }
        self.suspiciousCount &+= Int(suspiciousCount)
        warnings += newWarnings
        for h in newHosts {
            if h.complete != nil { sourcedHosts.insert(h.host) }
            inPlace(&hosts[h.host, default: HostTotals(host: h.host)]) { t in
                t.items &+= h.items
                t.valueBytes &+= h.valueBytes
                for (k, v) in h.bytesByKind { t.bytesByKind[k, default: 0] &+= v }
                if let c = h.complete { t.complete = c }
                if let e = h.evictions { t.evictions = e }
                if let x = h.traffic { t.traffic = x }
                if let x = h.sinceStart { t.sinceStart = x }
                if let x = h.uptime { t.uptime = x }
                if !h.slabStats.isEmpty { t.slabStats = h.slabStats }
            }
        }
        for (n, byHost) in newUsers {
            // In place: the user's per-host bytes grow with the fleet, and a copy per partial made the
            // merge quadratic in hosts. Per host under the same cap as the records' (`addUserBytes`).
            inPlace(&users[n.id, default: UserTotals(id: n.id, name: n.name, domain: n.domain, inExport: n.inExport)]) { u in
                u.describe(name: n.name, domain: n.domain)
                u.items &+= n.items
                u.bytes &+= n.bytes
                u.tokenKeys &+= n.tokenKeys
                for (k, v) in byHost { addUserBytes(&u, host: k, bytes: v) }
                u.otherHostsBytes &+= n.otherHostsBytes
                u.lists += n.lists
            }
        }
        for n in newSlabs {
            inPlace(&slabs[SlabKey(host: n.host, cls: n.cls), default: SlabCount()]) { s in
                s.items &+= n.items
                s.bytes &+= n.bytes
            }
        }
        for t in newFamilies { mergeFamily(t) }
        // With its key log, the partial's copies are found again by the replay, with those across partials.
        if let k = keyLog {
            mergeKeyLog(k)
        } else {
            partialsWithoutKeyLog += 1
            copies.merge(newCopies)
        }
        if let t = newTraffic { traffic.merge(t) }
        for (k, v) in newKinds { kinds[k, default: 0] &+= Int(v) }
        for k in newKeys { offerKey(k) }
        mergedPartials &+= 1
    }

    private func mergeWhatIf(_ w: JSONValue?) throws(AggregationIssue) {
        let has = w.map { !$0.isNull } ?? false
        if mergedPartials > 0 && has != (whatIf != nil) {
            throw AggregationIssue(message: "some partials have a what-if section and some do not (make them all with the same --servers)")
        }
        guard has, let w else { return }
        let c = w[PartialField.config]
        // Every partial of a fleet carries the same configuration: parsed once.
        if let analysis = whatIf, let c, c == lastWhatIfConfig {
            var analysis = analysis
            try analysis.merge(w)
            whatIf = analysis
            return
        }
        let servers = (c?[PartialField.servers]?.array ?? []).compactMap(\.string).joined(separator: ",")
        let counts = (c?[PartialField.counts]?.array ?? []).compactMap { $0.int.map { String($0) } }.joined(separator: ",")
        let clients = (c?[PartialField.clients]?.array ?? []).compactMap(\.string).joined(separator: ",")
        let config: WhatIfConfig
        do throws(PlacementError) { config = try WhatIfConfig.parse(servers: servers, counts: counts, clients: clients) } catch {
            throw AggregationIssue(message: "partial what-if: \(error.message)")
        }
        if whatIf == nil {
            do throws(PlacementError) { whatIf = try WhatIfAnalysis(config: config) } catch {
                throw AggregationIssue(message: "partial what-if: \(error.message)")
            }
        }
        guard var analysis = whatIf, analysis.config == config else {
            throw AggregationIssue(message: "the partials' what-if configurations differ (servers, counts or clients)")
        }
        try analysis.merge(w)
        whatIf = analysis
        lastWhatIfConfig = c
    }
}

extension WhatIfAnalysis {
    func writePartial(_ j: inout NDJSONWriter) {
        j.beginObject()
        j.key(PartialField.config); j.beginObject()
        j.key(PartialField.servers); j.beginArray(); for s in config.servers { j.string("\(s):\(s.weight)") }; j.endArray()
        j.key(PartialField.counts); j.beginArray(); for n in config.counts { j.int(n) }; j.endArray()
        j.key(PartialField.clients); j.beginArray(); for c in config.clients { j.string(c.rawValue) }; j.endArray()
        j.endObject()
        j.field(PartialField.skipped, skipped)
        j.key(PartialField.bytes); WhatIfAnalysis.write(accumulator, &j)
        j.key(PartialField.traffic); WhatIfAnalysis.write(traffic, &j)
        j.endObject()
    }

    static func write(_ a: WhatIfAccumulator, _ j: inout NDJSONWriter) {
        j.beginObject()
        j.key(PartialField.totalBytes); j.uint(a.totalBytes); j.field(PartialField.itemCount, a.itemCount)
        j.key(PartialField.otherBytes); j.uint(a.otherBytes)
        j.key(PartialField.keptSizes); j.beginArray(); for s in a.keptSizes { j.uint(s) }; j.endArray()
        j.key(PartialField.summaries); j.beginArray()
        for s in a.summaries {
            j.beginObject()
            j.field(PartialField.scheme, s.scheme)
            j.key(PartialField.bytes); j.beginArray(); for b in s.bytes { j.uint(b) }; j.endArray()
            j.key(PartialField.items); j.beginArray(); for n in s.items { j.int(n) }; j.endArray()
            j.endObject()
        }
        j.endArray()
        j.endObject()
    }

    mutating func merge(_ w: JSONValue) throws(AggregationIssue) {
        try WhatIfAnalysis.merge(w[PartialField.bytes], into: &accumulator)
        try WhatIfAnalysis.merge(w[PartialField.traffic], into: &traffic)
        skipped &+= Int(w[PartialField.skipped]?.int ?? 0)
    }

    static func merge(_ w: JSONValue?, into a: inout WhatIfAccumulator) throws(AggregationIssue) {
        func u64(_ v: JSONValue?, _ path: @autoclosure () -> String) throws(AggregationIssue) -> UInt64 {
            UInt64(try PartialFields.count(v, "what_if.\(path())"))
        }
        guard let w, !w.isNull else { throw AggregationIssue(message: "partial what-if: missing accumulator") }
        var summaries: [LoadSummary] = []
        for (i, s) in (w[PartialField.summaries]?.array ?? []).enumerated() {
            var bytes: [UInt64] = []
            for (j, b) in (s[PartialField.bytes]?.array ?? []).enumerated() { bytes.append(try u64(b, "summaries[\(i)].bytes[\(j)]")) }
            var items: [Int] = []
            for (j, n) in (s[PartialField.items]?.array ?? []).enumerated() { items.append(Int(try u64(n, "summaries[\(i)].items[\(j)]"))) }
            summaries.append(LoadSummary(scheme: s[PartialField.scheme]?.string ?? "", serverCount: bytes.count, bytes: bytes, items: items))
        }
        var kept: [UInt64] = []
        for (j, k) in (w[PartialField.keptSizes]?.array ?? []).enumerated() { kept.append(try u64(k, "kept_sizes[\(j)]")) }
        let total = try u64(w[PartialField.totalBytes], PartialField.totalBytes), count = try u64(w[PartialField.itemCount], PartialField.itemCount)
        let other = try u64(w[PartialField.otherBytes], PartialField.otherBytes)
        do throws(PlacementError) {
            try a.merge(summaries: summaries, totalBytes: total, itemCount: Int(count), keptSizes: kept, otherBytes: other)
        } catch {
            throw AggregationIssue(message: "partial what-if: \(error.message)")
        }
    }
}

extension JSONValue {
    /// The members of an object, in order; nil for other values.
    var members: [(String, JSONValue)]? { if case .object(let m) = self { return m } else { return nil } }
}
