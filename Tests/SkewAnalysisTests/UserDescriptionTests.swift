// SkewAnalysisTests/UserDescriptionTests: a user described differently by two records (a v2 token body without his
// domain, a token list attribute gave his fullest description) gets one description in the report, whatever the
// order of the records or of the partials merged — the order attribute writes its held records in differs between
// one stream and one stream per dump (docs/fleet.md, "the second pass").
import Foundation
import JSONText
import PipelineRecords
import SkewAnalysis
import Testing

private func item(_ host: String, _ key: String, size: Int, name: String?, domain: String?) -> String {
    let n = name.map { "\"\($0)\"" } ?? "null", d = domain.map { "\"\($0)\"" } ?? "null"
    return
        #"{"type":"item","host":"\#(host)","port":11211,"key":"\#(key)","size":\#(size),"kind":"token","user":{"id":"u1","name":\#(n),"domain":\#(d),"in_export":false},"via":"token-body"}"#
}

@Suite struct UserDescriptionTests {
    static let records = [
        item("a", "k1", size: 10, name: "ghost", domain: nil),
        item("b", "k2", size: 20, name: "ghost", domain: "Default"),
        item("b", "k3", size: 30, name: nil, domain: nil),
    ]

    func user(_ r: Report) throws -> UserTotals {
        try #require(r.users.first { $0.id == "u1" })
    }

    @Test func theFullestDescriptionWhateverTheOrder() throws {
        for order in [[0, 1, 2], [2, 1, 0], [1, 0, 2], [2, 0, 1]] {
            let a = Aggregator(top: 10)
            for i in order { try a.add(ArraySlice(Array(Self.records[i].utf8))) }
            let u = try user(a.finish())
            #expect(u.name == "ghost" && u.domain == "Default" && u.items == 3, "\(order)")
            // One partial per record, merged in that order: the same.
            let merged = Aggregator(top: 10)
            for i in order {
                let p = Aggregator(top: 10)
                try p.add(ArraySlice(Array(Self.records[i].utf8)))
                try merged.merge(partialLine: Array(p.partialJSON().utf8))
            }
            let m = try user(merged.finish())
            #expect(m.name == "ghost" && m.domain == "Default" && m.items == 3, "\(order), merged")
        }
    }

    @Test func oneFieldEachTheNameWins() {
        var u = UserTotals(id: "u1", name: nil, domain: "", inExport: false)
        u.describe(name: "", domain: nil)
        #expect(u.name == "" && u.domain == nil)
        var v = UserTotals(id: "u1", name: "", domain: nil, inExport: false)
        v.describe(name: nil, domain: "")
        #expect(v.name == "" && v.domain == nil)
    }
}
