// AttributionTests/TrafficAttributionTests: `traffic` records (a watch window) attributed by their keys
// on the Kilo sample — a token list's traffic to its user by its sha1 key, a token's to the user whose
// list names it — counted apart from items; and report, given measured traffic beside attributed token
// lists, states both: the measured sentence and the token lists' one labelled modelled.
import Foundation
import Testing
import TestSupport

@Suite struct TrafficAttributionTests {
    static let servers = "127.0.0.1:21211,127.0.0.1:21212"

    static func traffic(port: Int, key: String, read: Int, gets: Int) -> String {
        #"{"type":"traffic","host":"127.0.0.1","port":\#(port),"key":"\#(key)","window":{"started_local":1.0,"seconds":10.0},"gets":\#(gets),"hits":\#(gets),"misses":0,"sets":0,"stored":0,"bytes_read":\#(read),"bytes_written":0,"evictions":0}"#
    }

    @Test func trafficRecordsGetTheirKeysOwnersAndReportStatesMeasuredBesideModelled() throws {
        let dir = Repo.path("Samples/kilo-2host")
        let dumps = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".mcdump.gz") }.sorted().map { dir + "/" + $0 }
        let decoded = try runProcess(Repo.executable("decode"), dumps)
        #expect(decoded.status == 0)
        let items = ndjsonObjects(decoded.stdout).filter { $0["type"] as? String == "item" }
        // A token key of the sample (sha1 of `tokens-<id>`, named by its owner's list).
        let attributedItems = ndjsonObjects(
            try runProcess(Repo.executable("attribute"), ["--users", dir + "/users.json", "-"], stdin: decoded.stdout).stdout)
        let token = try #require(attributedItems.first { $0["kind"] as? String == "token" && $0["user"] != nil })
        let tokenKey = try #require(token["key"] as? String)
        let tokenPort = try #require(token["port"] as? Int)
        #expect(items.count > 100)
        let ceilometerList = "6e49b86a7502dae881f3b9466ecbdfa4743c7eb9"
        let lines = [
            Self.traffic(port: 21212, key: ceilometerList, read: 5_000_000, gets: 20),
            Self.traffic(port: tokenPort, key: tokenKey, read: 4_000, gets: 4),
            Self.traffic(port: 21211, key: "unknown-key", read: 100_000, gets: 10),
        ]
        let input = decoded.stdout + Data((lines.joined(separator: "\n") + "\n").utf8)
        let a = try runProcess(Repo.executable("attribute"), ["--users", dir + "/users.json", "--servers", Self.servers, "-"], stdin: input)
        #expect(a.status == 0, "\(a.stderrText)")
        #expect(a.stderrText.contains("; 3 traffic records"), "\(a.stderrText)")
        let out = ndjsonObjects(a.stdout)
        let traffic = out.filter { $0["type"] as? String == "traffic" }
        #expect(traffic.count == 3)
        let list = try #require(traffic.first { $0["key"] as? String == ceilometerList })
        #expect(list["kind"] as? String == "usertokens" && list["via"] as? String == "usertokens-sha1")
        #expect((list["user"] as? [String: Any])?["name"] as? String == "ceilometer")
        #expect((list["placement"] as? [String: Any])?["ok"] as? Bool == true)
        let tokenTraffic = try #require(traffic.first { $0["key"] as? String == tokenKey })
        #expect(tokenTraffic["kind"] as? String == "token" && tokenTraffic["via"] as? String == "token-list")
        #expect((tokenTraffic["user"] as? [String: Any])?["id"] as? String == (token["user"] as? [String: Any])?["id"] as? String)
        // The item counts are the items' alone: the same summary as without the traffic records.
        let alone = try runProcess(Repo.executable("attribute"), ["--users", dir + "/users.json", "--servers", Self.servers, "-"], stdin: decoded.stdout)
        func itemsPart(_ s: String) -> String? {
            s.components(separatedBy: "\n").first { $0.contains(" records; items: ") }?.components(separatedBy: "items: ").last
        }
        let withTraffic = try #require(itemsPart(a.stderrText))
        #expect(withTraffic == (try #require(itemsPart(alone.stderrText))) + "; 3 traffic records")

        let report = try runProcess(Repo.executable("report"), ["--servers", Self.servers, "-"], stdin: a.stdout)
        #expect(report.status == 0, "\(report.stderrText)")
        let text = report.stdoutText
        #expect(text.contains("Modelled from the token lists (size × issue rate × 2): "), "\(text.prefix(600))")
        #expect(text.contains("Measured over the watch window (10 s), 127.0.0.1:21212 moved 500.0 kB/s"), "\(text.prefix(900))")
        #expect(text.contains("ceilometer"))
        #expect(text.contains("MEASURED TRAFFIC BY USER"))
    }
}
