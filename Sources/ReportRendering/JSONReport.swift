// ReportRendering/JSONReport: the report as one JSON document with the same content as the text
// and Markdown forms (raw numbers, not formatted units), for scripts and for the tests' oracle.
import SkewAnalysis

enum JSONReport {
    static func render(_ r: Report) -> String {
        var j = JSONOut()
        j.open("{")
        j.field("schema", 1)
        j.field("records", r.records)
        j.field("attributed", r.attributed)
        j.field("misplaced", r.misplaced)
        j.key("explanation")
        if let e = r.explanation {
            j.open("{")
            j.field("sentence", e.sentence)
            j.field("host", e.host)
            j.field("basis", e.basis)
            j.field("value", e.value)
            j.field("mean", e.mean)
            j.field("excess", e.excess)
            j.key("users"); j.open("["); for u in e.users { j.str(u) }; j.close("]")
            j.key("user_ids"); j.open("["); for u in e.userIDs { j.str(u) }; j.close("]")
            j.field("list_bytes", Double(e.listBytes))
            j.field("explained", e.explained)
            j.field("share_of_excess", e.shareOfExcess)
            j.field("all_on_host", e.allOnHost)
            j.close("}")
        } else {
            j.str(nil)
        }
        j.key("hosts"); j.open("[")
        for h in r.hosts {
            j.open("{")
            j.field("host", h.host)
            j.field("items", h.items)
            j.field("value_bytes", Double(h.valueBytes))
            j.key("bytes_by_kind"); j.open("{")
            for (k, v) in h.bytesByKind.sorted(by: { $0.key < $1.key }) { j.field(k, Double(v)) }
            j.close("}")
            j.field("complete", h.complete)
            j.key("traffic")
            if let t = h.traffic {
                j.open("{")
                j.field("bytes_read", t.bytesRead); j.field("bytes_written", t.bytesWritten); j.field("seconds", t.seconds)
                j.field("read_rate", t.readRate); j.field("write_rate", t.writeRate); j.field("rate", t.rate)
                j.field("evictions", t.evictions); j.field("evictions_delta", t.evictionsDelta)
                j.close("}")
            } else {
                j.str(nil)
            }
            j.key("since_start")
            if let c = h.sinceStart {
                j.open("{")
                j.field("bytes_read", c.bytesRead); j.field("bytes_written", c.bytesWritten); j.field("uptime", c.uptime)
                j.field("read_rate", c.readRate); j.field("write_rate", c.writeRate); j.field("rate", c.rate)
                j.close("}")
            } else {
                j.str(nil)
            }
            j.field("evictions", h.evictions)
            j.close("}")
        }
        j.close("]")
        j.key("skew"); j.open("[")
        for s in r.skew {
            j.open("{")
            j.field("metric", s.metric); j.field("max_over_mean", s.maxOverMean); j.field("top_share", s.topShare)
            j.field("gini", s.gini); j.field("top_host", s.topHost)
            j.close("}")
        }
        j.close("]")
        j.key("users"); j.open("{")
        j.field("count", r.userCount)
        j.key("top"); j.open("[")
        for u in r.users {
            j.open("{")
            j.field("id", u.id); j.field("name", u.name); j.field("domain", u.domain); j.field("in_export", u.inExport)
            j.field("items", u.items); j.field("bytes", Double(u.bytes)); j.field("token_keys", u.tokenKeys)
            j.field("estimated_traffic", u.estimatedTraffic)
            j.key("share_by_host"); j.open("{")
            for (h, b) in u.bytesByHost.sorted(by: { $0.key < $1.key }) { j.field(h, u.bytes > 0 ? Double(b) / Double(u.bytes) : 0) }
            j.close("}")
            j.key("lists"); j.open("[")
            for l in u.lists {
                j.open("{")
                j.field("key", l.key); j.field("host", l.host); j.field("size", Double(l.size)); j.field("entries", l.entries)
                j.field("expired", l.expired); j.field("issue_rate", l.issueRate); j.field("ceiling_share", l.ceilingShare)
                j.field("estimated_traffic", l.estimatedTraffic)
                j.close("}")
            }
            j.close("]")
            j.close("}")
        }
        j.close("]")
        j.close("}")
        j.key("keys"); j.open("[")
        for k in r.keys {
            j.open("{")
            j.field("key", k.key); j.field("logical_key", k.logicalKey); j.field("kind", k.kind); j.field("size", Double(k.size))
            j.field("host", k.host); j.field("owner", k.owner); j.field("owner_id", k.ownerID); j.field("placement_ok", k.placementOK)
            j.close("}")
        }
        j.close("]")
        j.key("slabs"); j.open("[")
        for s in r.slabs {
            j.open("{")
            j.field("host", s.host); j.field("cls", s.cls); j.field("items", s.items); j.field("bytes", Double(s.bytes))
            j.close("}")
        }
        j.close("]")
        j.key("kinds"); j.open("{")
        for (k, v) in r.kinds.sorted(by: { $0.key < $1.key }) { j.field(k, v) }
        j.close("}")
        j.key("warnings"); j.open("["); for w in r.warnings { j.str(w) }; j.close("]")
        if r.suspiciousCount > 0 {
            j.field("suspicious_count", r.suspiciousCount)
            j.key("suspicious"); j.open("[")
            for e in r.suspicious {
                j.open("{"); j.field("host", e.host); j.field("key", e.key); j.field("size", Double(e.size))
                j.key("names"); j.open("["); for n in e.names { j.str(n) }; j.close("]"); j.close("}")
            }
            j.close("]")
        }
        if r.integrity.errorRecords > 0 || r.integrity.unverifiedRecords > 0 {
            j.key("input_integrity"); j.open("{")
            j.field("error_records", r.integrity.errorRecords); j.field("unverified_records", r.integrity.unverifiedRecords)
            j.close("}")
        }
        j.key("what_if")
        if let w = r.whatIf { whatIf(w, &j) } else { j.str(nil) }
        j.close("}")
        return j.s + "\n"
    }

    static func whatIf(_ w: WhatIfResult, _ j: inout JSONOut) {
        j.open("{")
        j.key("configured"); j.open("["); for c in w.configured { j.str(c) }; j.close("]")
        j.field("items", w.items); j.field("bytes", Double(w.bytes)); j.field("largest_item", Double(w.largestItem))
        j.field("skipped", w.skipped); j.field("lists", w.lists); j.field("list_traffic", Double(w.listTraffic))
        j.key("rows"); j.open("[")
        for row in w.rows {
            j.open("{")
            j.field("client", row.client); j.field("scheme", row.scheme); j.field("servers", row.serverCount)
            j.key("names"); j.open("["); for n in row.servers { j.str(n) }; j.close("]")
            j.key("bytes"); j.open("["); for b in row.bytes { j.num(Double(b)) }; j.close("]")
            j.key("items"); j.open("["); for n in row.items { j.int(n) }; j.close("]")
            j.key("traffic"); j.open("["); for b in row.traffic { j.num(Double(b)) }; j.close("]")
            j.field("max_over_mean", row.maxOverMean); j.field("top_share", row.topShare)
            j.field("traffic_max_over_mean", row.trafficMaxOverMean)
            j.close("}")
        }
        j.close("]")
        for (name, bounds) in [("bounds", w.bounds), ("traffic_bounds", w.trafficBounds)] {
            j.key(name); j.open("[")
            for b in bounds {
                j.open("{")
                j.field("servers", b.serverCount); j.field("lower_bound", b.lowerBound); j.field("greedy", b.greedy); j.field("exact", b.exact)
                j.close("}")
            }
            j.close("]")
        }
        j.close("}")
    }
}
