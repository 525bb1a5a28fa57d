// ReportTests/UserHostCapRenderingTests: a report whose users' per-host figures were capped
// (`Aggregator(userHostCells:)`, SkewAnalysisTests' UserHostCellCapTests for the aggregate) in every
// renderer: the per-host share columns say `-` where a user's host has no figure of its own, a last
// `(other hosts)` column, chart segment, JSON share and CSV column carry the rest, and the capture diff
// gives no main host where those bytes could outweigh it.
import Foundation
import SkewAnalysis
import Testing

@testable import ReportRendering

@Suite struct UserHostCapRenderingTests {
    /// u0 and u1 on hosts a, b, c (host by host); with a cap of 3 figures, u0 and u1 keep a, u0 keeps b,
    /// and u1's bytes on b and c and u0's on c go to their (other hosts).
    static let lines: [String] = {
        var out: [String] = []
        for (h, host) in ["a", "b", "c"].enumerated() {
            for u in 0..<2 {
                out.append(
                    #"{"type":"item","host":"\#(host)","port":11211,"key":"t:\#(host):\#(u)","size":\#(1000 * (u + 1) + 100 * h),"kind":"token","user":{"id":"u\#(u)","name":"user-\#(u)","domain":"default","in_export":true}}"#
                )
            }
        }
        return out
    }()

    static func aggregate(cells: Int) throws -> Aggregator {
        let a = Aggregator(top: 10, userHostCells: cells)
        for l in lines { try a.add(ArraySlice(Array(l.utf8))) }
        return a
    }

    @Test func everyFormatShowsTheOtherHosts() throws {
        let r = try Self.aggregate(cells: 3).finish()
        // u1: 2000 + 2100 + 2200 = 6300 bytes, 2000 on a, 4300 elsewhere; u0: 1000 + 1100 + 1200, 1200 elsewhere.
        let u1 = try #require(r.users.first { $0.id == "u1" })
        #expect(u1.bytes == 6300 && u1.bytesByHost == ["a:11211": 2000] && u1.otherHostsBytes == 4300)

        let table = ReportRenderer.userTable(r)
        let md = table.markdown()
        #expect(md.contains("% on (other hosts)"), "\(md)")
        let row1 = try #require(md.split(separator: "\n").first { $0.contains("| user-1 ") })
        // a: 32%, b and c unknown, (other hosts): 68%.
        let cells1 = row1.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(Array(cells1.suffix(4)) == ["32%", "-", "-", "68%"], "\(row1)")
        let row0 = try #require(md.split(separator: "\n").first { $0.contains("| user-0 ") })
        let cells0 = row0.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(Array(cells0.suffix(4)) == ["30%", "33%", "-", "36%"], "\(row0)")
        #expect(ReportRenderer.render(r, format: .text, width: 200).contains("% on (other hosts)"))

        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(ReportRenderer.render(r, format: .json).utf8)) as? [String: Any])
        let top = try #require((json["users"] as? [String: Any])?["top"] as? [[String: Any]])
        let shares = try #require(top.first { $0["id"] as? String == "u1" }?["share_by_host"] as? [String: Double])
        #expect(shares.keys.sorted() == ["(other hosts)", "a:11211"])
        #expect(abs((shares["a:11211"] ?? 0) - 2000.0 / 6300) < 1e-12 && abs((shares["(other hosts)"] ?? 0) - 4300.0 / 6300) < 1e-12)
        #expect((json["warnings"] as? [String])?.contains { $0.hasPrefix("more than 3 per-host user figures") } == true)

        let csv = ReportRenderer.render(r, format: .csv, table: .users).components(separatedBy: "\r\n")
        #expect(csv[0].hasSuffix(",bytes_on a:11211,bytes_on b:11211,bytes_on c:11211,bytes_on (other hosts)"), "\(csv[0])")
        let csv1 = try #require(csv.first { $0.hasPrefix("u1,") })
        #expect(csv1.hasSuffix(",2000,,,4300"), "\(csv1)")

        let html = ReportRenderer.render(r, format: .html)
        #expect(html.contains("(other hosts)"))
        #expect(HTMLReport.userChart(r).contains("(other hosts)"))

        // Uncapped: no such column, key or segment; the hosts' figures are all there.
        let full = try Self.aggregate(cells: 100).finish()
        #expect(!ReportRenderer.render(full, format: .markdown).contains("(other hosts)"))
        #expect(!ReportRenderer.render(full, format: .json).contains("(other hosts)"))
        #expect(!ReportRenderer.render(full, format: .csv, table: .users).contains("(other hosts)"))
        #expect(!HTMLReport.userChart(full).contains("(other hosts)"))
    }

    /// The capture diff's main host of a user: none when its bytes elsewhere could outweigh its largest figure.
    @Test func diffMainHost() throws {
        let d = DiffReport.compare(
            before: try Self.aggregate(cells: 100), after: try Self.aggregate(cells: 3), beforeName: "full", afterName: "capped")
        let u1 = try #require(d.users.first { $0.name.hasPrefix("user-1") })
        #expect(u1.hostBefore == "c:11211" && u1.hostAfter == nil && !u1.moved)
        #expect(u1.bytesBefore == 6300 && u1.bytesAfter == 6300)
        let u0 = try #require(d.users.first { $0.name.hasPrefix("user-0") })
        // u0: a 1000, b 1100, 1200 elsewhere: unknown too.
        #expect(u0.hostBefore == "c:11211" && u0.hostAfter == nil)
    }
}
