// ReportRendering/JSONReport: the report as one JSON document with the same content as the text
// and Markdown forms (raw numbers, not formatted units), for scripts and for the tests' oracle.
import PipelineRecords
import SkewAnalysis
import JSONText

enum JSONReport {
    static func render(_ r: Report) -> String {
        var j = NDJSONWriter(capacity: 1 << 16)
        j.beginObject()
        j.field("schema", 1)
        j.field("records", r.records)
        j.field("attributed", r.attributed)
        j.field("misplaced", r.misplaced)
        j.key("explanation")
        if let e = r.explanation {
            j.beginObject()
            j.field("sentence", e.sentence)
            j.field("host", e.host)
            j.field("basis", e.basis)
            j.field("value", e.value)
            j.field("mean", e.mean)
            j.field("excess", e.excess)
            j.key("users"); j.beginArray(); for u in e.users { j.string(u) }; j.endArray()
            j.key("user_ids"); j.beginArray(); for u in e.userIDs { j.string(u) }; j.endArray()
            j.field("list_bytes", Double(e.listBytes))
            j.field("explained", e.explained)
            j.field("share_of_excess", e.shareOfExcess)
            j.field("all_on_host", e.allOnHost)
            j.endObject()
        } else {
            j.string(nil)
        }
        writeFamilies(r, &j)
        j.key("hosts"); j.beginArray()
        for h in r.hosts {
            j.beginObject()
            j.field("host", h.host)
            j.field("items", h.items)
            j.field("value_bytes", Double(h.valueBytes))
            j.key("bytes_by_kind"); j.beginObject()
            for (k, v) in h.bytesByKind.sorted(by: { $0.key < $1.key }) { j.field(k, Double(v)) }
            j.endObject()
            j.field("complete", h.complete)
            j.key("traffic")
            if let t = h.traffic {
                j.beginObject()
                j.field("bytes_read", t.bytesRead); j.field("bytes_written", t.bytesWritten); j.field("seconds", t.seconds)
                j.field("read_rate", t.readRate); j.field("write_rate", t.writeRate); j.field("rate", t.rate)
                j.field("evictions", t.evictions); j.field("evictions_delta", t.evictionsDelta)
                j.endObject()
            } else {
                j.string(nil)
            }
            j.key("since_start")
            if let c = h.sinceStart {
                j.beginObject()
                j.field("bytes_read", c.bytesRead); j.field("bytes_written", c.bytesWritten); j.field("uptime", c.uptime)
                j.field("read_rate", c.readRate); j.field("write_rate", c.writeRate); j.field("rate", c.rate)
                j.endObject()
            } else {
                j.string(nil)
            }
            j.field("evictions", h.evictions)
            j.endObject()
        }
        j.endArray()
        j.key("skew"); j.beginArray()
        for s in r.skew {
            j.beginObject()
            j.field("metric", s.metric); j.field("max_over_mean", s.maxOverMean); j.field("top_share", s.topShare)
            j.field("gini", s.gini); j.field("top_host", s.topHost)
            j.endObject()
        }
        j.endArray()
        j.key("users"); j.beginObject()
        j.field("count", r.userCount)
        j.key("top"); j.beginArray()
        for u in r.users {
            j.beginObject()
            j.field("id", u.id); j.field("name", u.name); j.field("domain", u.domain); j.field("in_export", u.inExport)
            j.field("items", u.items); j.field("bytes", Double(u.bytes)); j.field("token_keys", u.tokenKeys)
            j.field("estimated_traffic", u.estimatedTraffic)
            j.key("share_by_host"); j.beginObject()
            for (h, b) in u.bytesByHost.sorted(by: { $0.key < $1.key }) { j.field(h, u.bytes > 0 ? Double(b) / Double(u.bytes) : 0) }
            // The bytes on hosts without a figure of their own (Aggregator.maxUserHostCells), only when some are.
            if u.otherHostsBytes > 0 { j.field(UserTotals.otherHosts, u.bytes > 0 ? Double(u.otherHostsBytes) / Double(u.bytes) : 0) }
            j.endObject()
            j.key("lists"); j.beginArray()
            for l in u.lists {
                j.beginObject()
                j.field("key", l.key); j.field("host", l.host); j.field("size", Double(l.size)); j.field("entries", l.entries)
                j.field("expired", l.expired); j.field("issue_rate", l.issueRate); j.field("ceiling_share", l.ceilingShare)
                j.field("estimated_traffic", l.estimatedTraffic)
                j.endObject()
            }
            j.endArray()
            j.endObject()
        }
        j.endArray()
        j.endObject()
        j.key("keys"); j.beginArray()
        for k in r.keys {
            j.beginObject()
            j.field("key", k.key); j.field("logical_key", k.logicalKey); j.field("kind", k.kind); j.field("size", Double(k.size))
            j.field("host", k.host); j.field("owner", k.owner); j.field("owner_id", k.ownerID); j.field("placement_ok", k.placementOK)
            j.endObject()
        }
        j.endArray()
        j.key("slabs"); j.beginArray()
        for s in r.slabs {
            j.beginObject()
            j.field("host", s.host); j.field("cls", s.cls); j.field("items", s.items); j.field("bytes", Double(s.bytes))
            if let st = s.server {
                j.key("server"); j.beginObject()
                j.field("chunk_size", st.chunkSize); j.field("used_chunks", st.usedChunks); j.field("total_pages", st.totalPages)
                j.field("number", st.number); j.field("mem_requested", st.memRequested); j.field("rounding_loss", st.roundingLoss)
                j.field("get_hits", st.getHits); j.field("evicted", st.evicted); j.field("evicted_unfetched", st.evictedUnfetched)
                j.field("age", st.age); j.field("outofmemory", st.outOfMemory)
                let uptime = r.hosts.first { $0.host == s.host }?.uptime
                j.field("estimated_read_rate", st.hitsPerItemPerSecond(uptime: uptime).map { $0 * Double(s.bytes) })
                j.endObject()
            }
            j.endObject()
        }
        j.endArray()
        j.key("kinds"); j.beginObject()
        for (k, v) in r.kinds.sorted(by: { $0.key < $1.key }) { j.field(k, v) }
        j.endObject()
        j.key("warnings"); j.beginArray(); for w in r.warnings { j.string(w) }; j.endArray()
        if r.suspiciousCount > 0 {
            j.field("suspicious_count", r.suspiciousCount)
            j.key("suspicious"); j.beginArray()
            for e in r.suspicious {
                j.beginObject(); j.field("host", e.host); j.field("key", e.key); j.field("size", Double(e.size))
                j.key("names"); j.beginArray(); for n in e.names { j.string(n) }; j.endArray(); j.endObject()
            }
            j.endArray()
        }
        if r.integrity.errorRecords > 0 || r.integrity.unverifiedRecords > 0 {
            j.key("input_integrity"); j.beginObject()
            j.field("error_records", r.integrity.errorRecords); j.field("unverified_records", r.integrity.unverifiedRecords)
            j.endObject()
        }
        j.key("what_if")
        if let w = r.whatIf { whatIf(w, &j) } else { j.string(nil) }
        j.endObject()
        return j.text + "\n"
    }

    static func whatIf(_ w: WhatIfResult, _ j: inout NDJSONWriter) {
        j.beginObject()
        j.key("configured"); j.beginArray(); for c in w.configured { j.string(c) }; j.endArray()
        j.field("items", w.items); j.field("bytes", Double(w.bytes)); j.field("largest_item", Double(w.largestItem))
        j.field("skipped", w.skipped); j.field("lists", w.lists); j.field("list_traffic", Double(w.listTraffic))
        j.key("rows"); j.beginArray()
        for row in w.rows {
            j.beginObject()
            j.field("client", row.client); j.field("scheme", row.scheme); j.field("servers", row.serverCount)
            j.key("names"); j.beginArray(); for n in row.servers { j.string(n) }; j.endArray()
            j.key("bytes"); j.beginArray(); for b in row.bytes { j.number(Double(b)) }; j.endArray()
            j.key("items"); j.beginArray(); for n in row.items { j.int(n) }; j.endArray()
            j.key("traffic"); j.beginArray(); for b in row.traffic { j.number(Double(b)) }; j.endArray()
            j.field("max_over_mean", row.maxOverMean); j.field("top_share", row.topShare)
            j.field("traffic_max_over_mean", row.trafficMaxOverMean)
            j.endObject()
        }
        j.endArray()
        for (name, bounds) in [("bounds", w.bounds), ("traffic_bounds", w.trafficBounds)] {
            j.key(name); j.beginArray()
            for b in bounds {
                j.beginObject()
                j.field("servers", b.serverCount); j.field("lower_bound", b.lowerBound); j.field("greedy", b.greedy); j.field("exact", b.exact)
                j.endObject()
            }
            j.endArray()
        }
        j.endObject()
    }

    /// `family_explanation` and `families` (up to `ReportRenderer.jsonFamilies`, each with its hosts).
    static func writeFamilies(_ r: Report, _ j: inout NDJSONWriter) {
        j.key("family_explanation")
        writeFamilyExplanation(r.familyExplanation, &j)
        j.key("family_traffic_explanation")
        writeFamilyExplanation(r.familyTrafficExplanation, &j)
        writeFamilyRows(r, &j)
        writeCopies(r, &j)
        if let m = r.traffic { writeMeasured(m, &j) }
    }

    /// `measured_traffic`: the watch windows' traffic per host, key, family and user, the timeline and
    /// the measured explanation (docs/report.md). Rates are per second over each host's window.
    static func writeMeasured(_ m: MeasuredTraffic, _ j: inout NDJSONWriter) {
        j.key("measured_traffic"); j.beginObject()
        j.key("explanation")
        if let e = m.explanation {
            j.beginObject()
            j.field("sentence", e.sentence()); j.field("basis", "measured")
            j.field("host", e.host); j.field("seconds", e.seconds); j.field("bytes_per_second", e.bytesPerSecond); j.field("mean", e.mean)
            j.field("share_of_excess", e.share)
            j.key("keys"); j.beginArray()
            for p in e.parts {
                j.beginObject()
                j.field("key", p.key); j.field("family", p.family); j.field("owner", p.owner)
                j.field("bytes_per_second", p.bytesPerSecond); j.field("share_of_excess", p.share)
                j.endObject()
            }
            j.endArray(); j.endObject()
        } else {
            j.string(nil)
        }
        j.key("hosts"); j.beginArray()
        for h in m.hosts {
            j.beginObject()
            j.field("host", h.host); j.field("seconds", h.seconds); j.field("keys", h.keys)
            j.field("gets", h.gets); j.field("hits", h.hits); j.field("misses", h.misses); j.field("sets", h.sets); j.field("evictions", h.evictions)
            j.field("bytes_read", Double(h.bytesRead)); j.field("bytes_written", Double(h.bytesWritten))
            j.field("ops_per_second", h.opsPerSecond); j.field("bytes_per_second", h.bytesPerSecond)
            j.endObject()
        }
        j.endArray()
        j.key("keys"); j.beginArray()
        for k in m.keys {
            j.beginObject()
            j.field("key", k.key); j.field("host", k.host); j.field("family", k.family); j.field("owner", k.owner); j.field("kind", k.kind)
            j.field("seconds", k.seconds); j.field("gets", k.gets); j.field("sets", k.sets); j.field("bytes_moved", Double(k.bytesMoved))
            j.field("ops_per_second", k.opsPerSecond); j.field("bytes_per_second", k.bytesPerSecond)
            j.endObject()
        }
        j.endArray()
        for (name, rows) in [("families", m.families), ("users", m.users)] {
            j.key(name); j.beginArray()
            for s in rows.prefix(ReportRenderer.jsonFamilies) {
                j.beginObject()
                j.field("name", s.name); j.field("bytes_per_second", s.bytesPerSecond); j.field("ops_per_second", s.opsPerSecond)
                j.key("by_host"); j.beginObject()
                for (h, v) in s.byHost.sorted(by: { $0.key < $1.key }) { j.field(h, v) }
                j.endObject()
                j.endObject()
            }
            j.endArray()
        }
        j.key("timeline"); j.beginObject()
        for (host, points) in m.timeline.sorted(by: { $0.key < $1.key }) {
            j.key(host); j.beginArray()
            for p in points { p.write(to: &j) }
            j.endArray()
        }
        j.endObject()
        j.endObject()
    }

    static func writeFamilyExplanation(_ e: FamilyExplanation?, _ j: inout NDJSONWriter) {
        if let f = e {
            j.beginObject()
            j.field("sentence", f.sentence())
            j.field("host", f.host); j.field("basis", f.basis.rawValue)
            j.field("value", f.value); j.field("mean", f.mean); j.field("excess", f.excess); j.field("explained", f.explained)
            j.key("families"); j.beginArray()
            for p in f.parts {
                j.beginObject()
                j.field("family", p.family); j.field("owner", p.owner); j.field("excess", p.excess); j.field("share_of_excess", p.share)
                j.field("bytes_on_host", Double(p.bytesOnHost)); j.field("largest_key", p.largestKey); j.field("largest_size", Double(p.largestSize))
                j.endObject()
            }
            j.endArray()
            j.endObject()
        } else {
            j.string(nil)
        }
    }

    static func writeCopies(_ r: Report, _ j: inout NDJSONWriter) {
        j.key("copies"); j.beginObject()
        j.field("keys", r.copies.keys); j.field("extra_copies", r.copies.extraCopies); j.field("extra_bytes", Double(r.copies.extraBytes))
        j.field("same_value_copies", r.copies.sameValueCopies); j.field("differing_value_copies", r.copies.differingValueCopies)
        j.key("entries"); j.beginArray()
        for e in r.copies.entries {
            j.beginObject(); j.field("key", e.key)
            j.key("hosts"); j.beginArray(); for h in e.hosts { j.string(h) }; j.endArray()
            j.key("sizes"); j.beginArray(); for n in e.sizes { j.number(Double(n)) }; j.endArray()
            j.key("same_value"); j.beginArray(); for b in e.sameValue { j.bool(b) }; j.endArray()
            j.key("same_cas"); j.beginArray(); for b in e.sameCAS { j.bool(b) }; j.endArray()
            j.endObject()
        }
        j.endArray(); j.endObject()
    }

    static func writeFamilyRows(_ r: Report, _ j: inout NDJSONWriter) {
        j.field("family_count", r.families.count)
        j.key("families"); j.beginArray()
        func totals(_ t: FamilyTotals) {
            j.field("items", t.items); j.field("bytes", Double(t.bytes))
            j.field("no_expiry", t.noExpiry); j.field("with_expiry", t.withExpiry)
            j.field("exp_min", t.expMin.map(Int.init)); j.field("exp_max", t.expMax.map(Int.init))
            j.field("never_fetched", t.neverFetched); j.field("fetch_known", t.fetchKnown)
            j.field("la_min", t.laMin.map(Int.init)); j.field("la_max", t.laMax.map(Int.init))
            j.field("largest_key", t.largestKey); j.field("largest_size", Double(t.largestSize))
        }
        for row in r.families.prefix(ReportRenderer.jsonFamilies) {
            j.beginObject()
            j.field("family", row.family); j.field("owner", row.owner)
            totals(row.total)
            j.field("mean_idle_seconds", row.meanIdleSeconds)
            j.key("placement")
            if let p = row.placement {
                j.beginObject()
                j.field("basis", p.basis.rawValue)
                j.key("schemes"); j.beginArray(); for n in p.schemes { j.string(n) }; j.endArray()
                j.field("items", p.items); j.field("misplaced", p.misplaced); j.field("misplaced_bytes", Double(p.misplacedBytes))
                j.endObject()
            } else {
                j.string(nil)
            }
            j.key("hosts"); j.beginArray()
            for h in row.perHost {
                j.beginObject(); j.field("host", h.host); totals(h); j.endObject()
            }
            j.endArray()
            j.endObject()
        }
        j.endArray()
    }
}
