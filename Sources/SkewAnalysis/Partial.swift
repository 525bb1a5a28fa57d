// SkewAnalysis/Partial: the aggregator's state as a mergeable partial (`report --format json
// --partial`, one JSON object of type `report-partial`) and the merge of such partials
// (`report --merge`), so a fleet can be analysed one host per machine. Merging the partials of some
// inputs, in input order, gives exactly the report of those inputs read at once: counters add up,
// users and slab classes join by name, the largest keys and what-if sizes are re-kept.
import KeyPlacement
import PipelineRecords

extension Aggregator {
    public static let partialType = "report-partial"

    /// The state as one JSON object (and a newline). Size: hosts, users with their lists, slab
    /// classes, `top` keys, and the what-if counters and kept sizes.
    public func partialJSON() -> String {
        var j = NDJSONWriter(capacity: 1 << 16)
        j.beginObject()
        j.field("type", Aggregator.partialType); j.field("schema", 1); j.field("top", top); j.field("show_secrets", showSecrets)
        j.field("records", records); j.field("misplaced", misplaced); j.field("attributed", attributed)
        j.field("error_records", integrity.errorRecords); j.field("unverified_records", integrity.unverifiedRecords)
        j.field("suspicious_count", suspiciousCount)
        j.key("suspicious"); j.beginArray()
        for e in suspicious {
            j.beginObject(); j.field("host", e.host); j.field("key", e.key); j.key("size"); j.int(Int(e.size))
            j.key("names"); j.beginArray(); for n in e.names { j.string(n) }; j.endArray(); j.endObject()
        }
        j.endArray()
        j.key("warnings"); j.beginArray(); for w in warnings { j.string(w) }; j.endArray()
        j.key("hosts"); j.beginArray()
        for h in hosts.values.sorted(by: { $0.host < $1.host }) {
            j.beginObject()
            j.field("host", h.host); j.field("items", h.items); j.key("value_bytes"); j.int(Int(h.valueBytes))
            j.key("bytes_by_kind"); j.beginObject(); for (k, v) in h.bytesByKind.sorted(by: { $0.key < $1.key }) { j.key(k); j.int(Int(v)) }; j.endObject()
            j.field("complete", h.complete); j.field("evictions", h.evictions)
            j.key("traffic")
            if let t = h.traffic {
                j.beginObject()
                j.field("bytes_read", t.bytesRead); j.field("bytes_written", t.bytesWritten); j.field("seconds", t.seconds)
                j.field("evictions", t.evictions); j.field("evictions_delta", t.evictionsDelta)
                j.endObject()
            } else { j.string(nil) }
            j.key("since_start")
            if let c = h.sinceStart {
                j.beginObject(); j.field("bytes_read", c.bytesRead); j.field("bytes_written", c.bytesWritten); j.field("uptime", c.uptime); j.endObject()
            } else { j.string(nil) }
            j.endObject()
        }
        j.endArray()
        j.key("users"); j.beginArray()
        for u in users.values.sorted(by: { $0.id < $1.id }) {
            j.beginObject()
            j.field("id", u.id); j.field("name", u.name); j.field("domain", u.domain); j.field("in_export", u.inExport)
            j.field("items", u.items); j.key("bytes"); j.int(Int(u.bytes)); j.field("token_keys", u.tokenKeys)
            j.key("bytes_by_host"); j.beginObject(); for (k, v) in u.bytesByHost.sorted(by: { $0.key < $1.key }) { j.key(k); j.int(Int(v)) }; j.endObject()
            j.key("lists"); j.beginArray()
            for l in u.lists {
                j.beginObject()
                j.field("key", l.key); j.field("host", l.host); j.key("size"); j.int(Int(l.size)); j.field("entries", l.entries)
                j.field("expired", l.expired); j.field("issue_rate", l.issueRate); j.field("ceiling_share", l.ceilingShare)
                j.endObject()
            }
            j.endArray()
            j.endObject()
        }
        j.endArray()
        j.key("slabs"); j.beginArray()
        for s in slabs.values.sorted(by: { $0.host != $1.host ? $0.host < $1.host : $0.cls < $1.cls }) {
            j.beginObject(); j.field("host", s.host); j.field("cls", s.cls); j.field("items", s.items); j.key("bytes"); j.int(Int(s.bytes)); j.endObject()
        }
        j.endArray()
        j.key("kinds"); j.beginObject(); for (k, v) in kinds.sorted(by: { $0.key < $1.key }) { j.field(k, v) }; j.endObject()
        j.key("keys"); j.beginArray()
        for k in topKeys {
            j.beginObject()
            j.field("key", k.key); j.field("logical_key", k.logicalKey); j.field("kind", k.kind); j.key("size"); j.int(Int(k.size))
            j.field("host", k.host); j.field("owner", k.owner); j.field("owner_id", k.ownerID); j.field("placement_ok", k.placementOK)
            j.endObject()
        }
        j.endArray()
        j.key("what_if")
        if let w = whatIf { w.writePartial(&j) } else { j.string(nil) }
        j.endObject()
        return j.text + "\n"
    }

    /// Adds one partial (parsed JSON). Throws, naming the field, when it is not a partial, a field has
    /// the wrong type or range, a host is in an earlier partial too, or its what-if differs. Nothing of
    /// a partial that throws is merged.
    public func merge(partial value: JSONValue) throws(AggregationIssue) {
        guard value["type"]?.string == Aggregator.partialType, value["schema"]?.int == 1 else {
            throw AggregationIssue(message: "not a report partial (type \"\(Aggregator.partialType)\", schema 1)")
        }
        let p = try PartialFields(value, "")
        // Read and check everything first; merge only once the whole partial is sound.
        let top = try p.optionalCount("top")
        let records = try p.count("records"), misplaced = try p.count("misplaced")
        let errorRecords = try p.optionalCount("error_records") ?? 0
        let unverifiedRecords = try p.optionalCount("unverified_records") ?? 0
        let attributed = try p.optionalBool("attributed") ?? false
        let suspiciousCount = try p.optionalCount("suspicious_count") ?? 0
        var newSuspicious: [SuspiciousEntry] = []
        for (i, sv) in try p.optionalArray("suspicious").enumerated() {
            let f = try PartialFields(sv, "suspicious[\(i)]")
            var names: [String] = []
            for (j, n) in try f.array("names").enumerated() {
                guard let s = n.string else { throw PartialFields.wrong("suspicious[\(i)].names[\(j)]", "a string", n) }
                names.append(s)
            }
            newSuspicious.append(SuspiciousEntry(host: try f.string("host"), key: try f.string("key"), names: names, size: try f.count("size")))
        }
        guard newSuspicious.count <= Int(suspiciousCount) else {
            throw AggregationIssue(message: "suspicious: \(newSuspicious.count) entries but suspicious_count \(suspiciousCount)")
        }
        var newWarnings: [String] = []
        if value["warnings"] != nil {
            for (i, w) in try p.array("warnings").enumerated() {
                guard let s = w.string else { throw PartialFields.wrong("warnings[\(i)]", "a string", w) }
                newWarnings.append(s)
            }
        }
        var newHosts: [HostTotals] = []
        var seen = Set<String>()
        for (i, hv) in try p.array("hosts").enumerated() {
            let f = try PartialFields(hv, "hosts[\(i)]")
            let name = try f.string("host")
            guard seen.insert(name).inserted else { throw AggregationIssue(message: "hosts[\(i)]: host \(name) is listed twice") }
            var h = HostTotals(host: name)
            h.items = Int(try f.count("items"))
            h.valueBytes = try f.count("value_bytes")
            for (k, v) in try f.counts("bytes_by_kind") { h.bytesByKind[k, default: 0] &+= v }
            h.complete = try f.optionalBool("complete")
            // A host's capture facts come from its one `source` record: in two partials, the same dump
            // was analysed twice (chunks of one stream share hosts, but only one holds the source).
            if h.complete != nil && sourcedHosts.contains(name) {
                throw AggregationIssue(message: "hosts[\(i)]: the capture of host \(name) is in an earlier partial too (the same dump analysed twice?)")
            }
            h.evictions = try f.amount("evictions")
            if let t = try f.optionalObject("traffic") {
                h.traffic = HostTraffic(
                    bytesRead: try t.requiredAmount("bytes_read"), bytesWritten: try t.requiredAmount("bytes_written"),
                    seconds: try t.requiredAmount("seconds"), evictions: try t.amount("evictions"),
                    evictionsDelta: try t.amount("evictions_delta"))
            }
            if let c = try f.optionalObject("since_start") {
                h.sinceStart = CumulativeTraffic(
                    bytesRead: try c.requiredAmount("bytes_read"), bytesWritten: try c.requiredAmount("bytes_written"),
                    uptime: try c.requiredAmount("uptime"))
            }
            newHosts.append(h)
        }
        var newUsers: [UserTotals] = []
        for (i, uv) in try p.array("users").enumerated() {
            let f = try PartialFields(uv, "users[\(i)]")
            var u = UserTotals(
                id: try f.string("id"), name: try f.optionalString("name"), domain: try f.optionalString("domain"),
                inExport: try f.optionalBool("in_export") ?? true)
            u.items = Int(try f.count("items"))
            u.bytes = try f.count("bytes")
            u.tokenKeys = Int(try f.count("token_keys"))
            for (k, v) in try f.counts("bytes_by_host") { u.bytesByHost[k, default: 0] &+= v }
            for (j, lv) in try f.optionalArray("lists").enumerated() {
                let l = try PartialFields(lv, "users[\(i)].lists[\(j)]")
                u.lists.append(TokenListSummary(
                    key: try l.string("key"), host: try l.string("host"), size: try l.count("size"),
                    entries: Int(try l.count("entries")), expired: try l.optionalCount("expired").map(Int.init),
                    issueRate: try l.amount("issue_rate") ?? 0, ceilingShare: try l.amount("ceiling_share") ?? 0))
            }
            newUsers.append(u)
        }
        var newSlabs: [SlabTotals] = []
        for (i, sv) in try p.array("slabs").enumerated() {
            let f = try PartialFields(sv, "slabs[\(i)]")
            var s = SlabTotals(host: try f.string("host"), cls: Int(try f.count("cls")))
            s.items = Int(try f.count("items"))
            s.bytes = try f.count("bytes")
            newSlabs.append(s)
        }
        let newKinds = try p.counts("kinds")
        var newKeys: [KeyEntry] = []
        for (i, kv) in try p.array("keys").enumerated() {
            let f = try PartialFields(kv, "keys[\(i)]")
            let kind = try f.optionalString("kind")
            let logical = try f.optionalString("logical_key")
            newKeys.append(KeyEntry(
                key: try f.string("key"), logicalKey: kind == "token" && !showSecrets ? nil : logical, kind: kind,
                size: try f.count("size"), host: try f.string("host"), owner: try f.optionalString("owner"),
                ownerID: try f.optionalString("owner_id"), placementOK: try f.optionalBool("placement_ok")))
        }
        try mergeWhatIf(value["what_if"])

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
            var t = hosts[h.host] ?? HostTotals(host: h.host)
            t.items &+= h.items
            t.valueBytes &+= h.valueBytes
            for (k, v) in h.bytesByKind { t.bytesByKind[k, default: 0] &+= v }
            if let c = h.complete { t.complete = c }
            if let e = h.evictions { t.evictions = e }
            if let x = h.traffic { t.traffic = x }
            if let x = h.sinceStart { t.sinceStart = x }
            hosts[h.host] = t
        }
        for n in newUsers {
            var u = users[n.id] ?? UserTotals(id: n.id, name: n.name, domain: n.domain, inExport: n.inExport)
            u.items &+= n.items
            u.bytes &+= n.bytes
            u.tokenKeys &+= n.tokenKeys
            for (k, v) in n.bytesByHost { u.bytesByHost[k, default: 0] &+= v }
            u.lists += n.lists
            users[n.id] = u
        }
        for n in newSlabs {
            var s = slabs[SlabKey(host: n.host, cls: n.cls)] ?? SlabTotals(host: n.host, cls: n.cls)
            s.items &+= n.items
            s.bytes &+= n.bytes
            slabs[SlabKey(host: n.host, cls: n.cls)] = s
        }
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
        let c = w["config"]
        let servers = (c?["servers"]?.array ?? []).compactMap(\.string).joined(separator: ",")
        let counts = (c?["counts"]?.array ?? []).compactMap { $0.int.map { String($0) } }.joined(separator: ",")
        let clients = (c?["clients"]?.array ?? []).compactMap(\.string).joined(separator: ",")
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
    }
}

extension WhatIfAnalysis {
    func writePartial(_ j: inout NDJSONWriter) {
        j.beginObject()
        j.key("config"); j.beginObject()
        j.key("servers"); j.beginArray(); for s in config.servers { j.string("\(s):\(s.weight)") }; j.endArray()
        j.key("counts"); j.beginArray(); for n in config.counts { j.int(n) }; j.endArray()
        j.key("clients"); j.beginArray(); for c in config.clients { j.string(c.rawValue) }; j.endArray()
        j.endObject()
        j.field("skipped", skipped)
        j.key("bytes"); WhatIfAnalysis.write(accumulator, &j)
        j.key("traffic"); WhatIfAnalysis.write(traffic, &j)
        j.endObject()
    }

    static func write(_ a: WhatIfAccumulator, _ j: inout NDJSONWriter) {
        j.beginObject()
        j.key("total_bytes"); j.uint(a.totalBytes); j.field("item_count", a.itemCount)
        j.key("other_bytes"); j.uint(a.otherBytes)
        j.key("kept_sizes"); j.beginArray(); for s in a.keptSizes { j.uint(s) }; j.endArray()
        j.key("summaries"); j.beginArray()
        for s in a.summaries {
            j.beginObject()
            j.field("scheme", s.scheme)
            j.key("bytes"); j.beginArray(); for b in s.bytes { j.uint(b) }; j.endArray()
            j.key("items"); j.beginArray(); for n in s.items { j.int(n) }; j.endArray()
            j.endObject()
        }
        j.endArray()
        j.endObject()
    }

    mutating func merge(_ w: JSONValue) throws(AggregationIssue) {
        try WhatIfAnalysis.merge(w["bytes"], into: &accumulator)
        try WhatIfAnalysis.merge(w["traffic"], into: &traffic)
        skipped &+= Int(w["skipped"]?.int ?? 0)
    }

    static func merge(_ w: JSONValue?, into a: inout WhatIfAccumulator) throws(AggregationIssue) {
        func u64(_ v: JSONValue?, _ path: String) throws(AggregationIssue) -> UInt64 {
            UInt64(try PartialFields.count(v, "what_if.\(path)"))
        }
        guard let w, !w.isNull else { throw AggregationIssue(message: "partial what-if: missing accumulator") }
        var summaries: [LoadSummary] = []
        for (i, s) in (w["summaries"]?.array ?? []).enumerated() {
            var bytes: [UInt64] = []
            for (j, b) in (s["bytes"]?.array ?? []).enumerated() { bytes.append(try u64(b, "summaries[\(i)].bytes[\(j)]")) }
            var items: [Int] = []
            for (j, n) in (s["items"]?.array ?? []).enumerated() { items.append(Int(try u64(n, "summaries[\(i)].items[\(j)]"))) }
            summaries.append(LoadSummary(scheme: s["scheme"]?.string ?? "", serverCount: bytes.count, bytes: bytes, items: items))
        }
        var kept: [UInt64] = []
        for (j, k) in (w["kept_sizes"]?.array ?? []).enumerated() { kept.append(try u64(k, "kept_sizes[\(j)]")) }
        let total = try u64(w["total_bytes"], "total_bytes"), count = try u64(w["item_count"], "item_count")
        let other = try u64(w["other_bytes"], "other_bytes")
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
