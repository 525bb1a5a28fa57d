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
        var j = JSONOut()
        j.open("{")
        j.field("type", Aggregator.partialType); j.field("schema", 1); j.field("top", top); j.field("show_secrets", showSecrets)
        j.field("records", records); j.field("misplaced", misplaced); j.field("attributed", attributed)
        j.field("error_records", integrity.errorRecords); j.field("unverified_records", integrity.unverifiedRecords)
        j.key("warnings"); j.open("["); for w in warnings { j.str(w) }; j.close("]")
        j.key("hosts"); j.open("[")
        for h in hosts.values.sorted(by: { $0.host < $1.host }) {
            j.open("{")
            j.field("host", h.host); j.field("items", h.items); j.key("value_bytes"); j.int(Int(h.valueBytes))
            j.key("bytes_by_kind"); j.open("{"); for (k, v) in h.bytesByKind.sorted(by: { $0.key < $1.key }) { j.key(k); j.int(Int(v)) }; j.close("}")
            j.field("complete", h.complete); j.field("evictions", h.evictions)
            j.key("traffic")
            if let t = h.traffic {
                j.open("{")
                j.field("bytes_read", t.bytesRead); j.field("bytes_written", t.bytesWritten); j.field("seconds", t.seconds)
                j.field("evictions", t.evictions); j.field("evictions_delta", t.evictionsDelta)
                j.close("}")
            } else { j.str(nil) }
            j.key("since_start")
            if let c = h.sinceStart {
                j.open("{"); j.field("bytes_read", c.bytesRead); j.field("bytes_written", c.bytesWritten); j.field("uptime", c.uptime); j.close("}")
            } else { j.str(nil) }
            j.close("}")
        }
        j.close("]")
        j.key("users"); j.open("[")
        for u in users.values.sorted(by: { $0.id < $1.id }) {
            j.open("{")
            j.field("id", u.id); j.field("name", u.name); j.field("domain", u.domain); j.field("in_export", u.inExport)
            j.field("items", u.items); j.key("bytes"); j.int(Int(u.bytes)); j.field("token_keys", u.tokenKeys)
            j.key("bytes_by_host"); j.open("{"); for (k, v) in u.bytesByHost.sorted(by: { $0.key < $1.key }) { j.key(k); j.int(Int(v)) }; j.close("}")
            j.key("lists"); j.open("[")
            for l in u.lists {
                j.open("{")
                j.field("key", l.key); j.field("host", l.host); j.key("size"); j.int(Int(l.size)); j.field("entries", l.entries)
                j.field("expired", l.expired); j.field("issue_rate", l.issueRate); j.field("ceiling_share", l.ceilingShare)
                j.close("}")
            }
            j.close("]")
            j.close("}")
        }
        j.close("]")
        j.key("slabs"); j.open("[")
        for s in slabs.values.sorted(by: { $0.host != $1.host ? $0.host < $1.host : $0.cls < $1.cls }) {
            j.open("{"); j.field("host", s.host); j.field("cls", s.cls); j.field("items", s.items); j.key("bytes"); j.int(Int(s.bytes)); j.close("}")
        }
        j.close("]")
        j.key("kinds"); j.open("{"); for (k, v) in kinds.sorted(by: { $0.key < $1.key }) { j.field(k, v) }; j.close("}")
        j.key("keys"); j.open("[")
        for k in topKeys {
            j.open("{")
            j.field("key", k.key); j.field("logical_key", k.logicalKey); j.field("kind", k.kind); j.key("size"); j.int(Int(k.size))
            j.field("host", k.host); j.field("owner", k.owner); j.field("owner_id", k.ownerID); j.field("placement_ok", k.placementOK)
            j.close("}")
        }
        j.close("]")
        j.key("what_if")
        if let w = whatIf { w.writePartial(&j) } else { j.str(nil) }
        j.close("}")
        return j.s + "\n"
    }

    /// Adds one partial (parsed JSON). Throws when it is not a partial or its what-if differs.
    public func merge(partial p: JSONValue) throws(AggregationIssue) {
        guard p["type"]?.string == Aggregator.partialType, p["schema"]?.int == 1 else {
            throw AggregationIssue(message: "not a report partial (type \"\(Aggregator.partialType)\", schema 1)")
        }
        if let t = p["top"]?.int, Int(t) < top {
            warnings.append("a partial kept only its \(t) largest keys; the largest keys table may miss some")
        }
        records &+= Int(p["records"]?.int ?? 0)
        misplaced &+= Int(p["misplaced"]?.int ?? 0)
        integrity.errorRecords &+= Int(p["error_records"]?.int ?? 0)
        integrity.unverifiedRecords &+= Int(p["unverified_records"]?.int ?? 0)
        if p["attributed"]?.bool == true { attributed = true }
        for w in p["warnings"]?.array ?? [] { if let s = w.string { warnings.append(s) } }
        for hv in p["hosts"]?.array ?? [] {
            guard let name = hv["host"]?.string else { throw AggregationIssue(message: "partial host without a name") }
            var h = hosts[name] ?? HostTotals(host: name)
            h.items &+= Int(hv["items"]?.int ?? 0)
            h.valueBytes &+= hv["value_bytes"]?.int ?? 0
            for (k, v) in hv["bytes_by_kind"]?.members ?? [] { h.bytesByKind[k, default: 0] &+= v.int ?? 0 }
            if let c = hv["complete"]?.bool { h.complete = c }
            if let e = hv["evictions"]?.double { h.evictions = e }
            if let t = hv["traffic"], let r = t["bytes_read"]?.double, let w = t["bytes_written"]?.double, let s = t["seconds"]?.double {
                h.traffic = HostTraffic(bytesRead: r, bytesWritten: w, seconds: s, evictions: t["evictions"]?.double,
                                        evictionsDelta: t["evictions_delta"]?.double)
            }
            if let c = hv["since_start"], let r = c["bytes_read"]?.double, let w = c["bytes_written"]?.double, let up = c["uptime"]?.double {
                h.sinceStart = CumulativeTraffic(bytesRead: r, bytesWritten: w, uptime: up)
            }
            hosts[name] = h
        }
        for uv in p["users"]?.array ?? [] {
            guard let id = uv["id"]?.string else { throw AggregationIssue(message: "partial user without an id") }
            var u = users[id] ?? UserTotals(id: id, name: uv["name"]?.string, domain: uv["domain"]?.string, inExport: uv["in_export"]?.bool ?? true)
            u.items &+= Int(uv["items"]?.int ?? 0)
            u.bytes &+= uv["bytes"]?.int ?? 0
            u.tokenKeys &+= Int(uv["token_keys"]?.int ?? 0)
            for (k, v) in uv["bytes_by_host"]?.members ?? [] { u.bytesByHost[k, default: 0] &+= v.int ?? 0 }
            for l in uv["lists"]?.array ?? [] {
                u.lists.append(TokenListSummary(
                    key: l["key"]?.string ?? "", host: l["host"]?.string ?? "?", size: l["size"]?.int ?? 0, entries: Int(l["entries"]?.int ?? 0),
                    expired: l["expired"]?.int.map(Int.init), issueRate: l["issue_rate"]?.double ?? 0, ceilingShare: l["ceiling_share"]?.double ?? 0))
            }
            users[id] = u
        }
        for sv in p["slabs"]?.array ?? [] {
            let host = sv["host"]?.string ?? "?", cls = Int(sv["cls"]?.int ?? 0)
            var s = slabs["\(host)#\(cls)"] ?? SlabTotals(host: host, cls: cls)
            s.items &+= Int(sv["items"]?.int ?? 0)
            s.bytes &+= sv["bytes"]?.int ?? 0
            slabs["\(host)#\(cls)"] = s
        }
        for (k, v) in p["kinds"]?.members ?? [] { kinds[k, default: 0] &+= Int(v.int ?? 0) }
        for kv in p["keys"]?.array ?? [] {
            let kind = kv["kind"]?.string
            offerKey(KeyEntry(
                key: kv["key"]?.string ?? "", logicalKey: kind == "token" && !showSecrets ? nil : kv["logical_key"]?.string, kind: kind,
                size: kv["size"]?.int ?? 0, host: kv["host"]?.string ?? "?", owner: kv["owner"]?.string, ownerID: kv["owner_id"]?.string,
                placementOK: kv["placement_ok"]?.bool))
        }
        try mergeWhatIf(p["what_if"])
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
    func writePartial(_ j: inout JSONOut) {
        j.open("{")
        j.key("config"); j.open("{")
        j.key("servers"); j.open("["); for s in config.servers { j.str("\(s):\(s.weight)") }; j.close("]")
        j.key("counts"); j.open("["); for n in config.counts { j.int(n) }; j.close("]")
        j.key("clients"); j.open("["); for c in config.clients { j.str(c.rawValue) }; j.close("]")
        j.close("}")
        j.field("skipped", skipped)
        j.key("bytes"); WhatIfAnalysis.write(accumulator, &j)
        j.key("traffic"); WhatIfAnalysis.write(traffic, &j)
        j.close("}")
    }

    static func write(_ a: WhatIfAccumulator, _ j: inout JSONOut) {
        j.open("{")
        j.key("total_bytes"); j.uint(a.totalBytes); j.field("item_count", a.itemCount)
        j.key("other_bytes"); j.uint(a.otherBytes)
        j.key("kept_sizes"); j.open("["); for s in a.keptSizes { j.uint(s) }; j.close("]")
        j.key("summaries"); j.open("[")
        for s in a.summaries {
            j.open("{")
            j.field("scheme", s.scheme)
            j.key("bytes"); j.open("["); for b in s.bytes { j.uint(b) }; j.close("]")
            j.key("items"); j.open("["); for n in s.items { j.int(n) }; j.close("]")
            j.close("}")
        }
        j.close("]")
        j.close("}")
    }

    mutating func merge(_ w: JSONValue) throws(AggregationIssue) {
        try WhatIfAnalysis.merge(w["bytes"], into: &accumulator)
        try WhatIfAnalysis.merge(w["traffic"], into: &traffic)
        skipped &+= Int(w["skipped"]?.int ?? 0)
    }

    static func merge(_ w: JSONValue?, into a: inout WhatIfAccumulator) throws(AggregationIssue) {
        func u64(_ v: JSONValue?) -> UInt64 { UInt64(clamping: v?.int ?? 0) }
        guard let w, !w.isNull else { throw AggregationIssue(message: "partial what-if: missing accumulator") }
        let summaries = (w["summaries"]?.array ?? []).map { s in
            let bytes = (s["bytes"]?.array ?? []).map { u64($0) }
            return LoadSummary(
                scheme: s["scheme"]?.string ?? "", serverCount: bytes.count, bytes: bytes,
                items: (s["items"]?.array ?? []).map { Int($0.int ?? 0) })
        }
        do throws(PlacementError) {
            try a.merge(
                summaries: summaries, totalBytes: u64(w["total_bytes"]), itemCount: Int(w["item_count"]?.int ?? 0),
                keptSizes: (w["kept_sizes"]?.array ?? []).map { u64($0) }, otherBytes: u64(w["other_bytes"]))
        } catch {
            throw AggregationIssue(message: "partial what-if: \(error.message)")
        }
    }
}

extension JSONValue {
    /// The members of an object, in order; nil for other values.
    var members: [(String, JSONValue)]? { if case .object(let m) = self { return m } else { return nil } }
}
