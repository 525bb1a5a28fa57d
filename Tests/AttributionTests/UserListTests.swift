// User lists in every export format, format detection, bad rows with their line numbers, and
// Keystone's isotime and value shapes (checked against Python's calendar.timegm).
import Attribution
import Foundation
import PipelineRecords
import Testing
import TestSupport

@Suite struct UserListTests {
    func parse(_ s: String) -> ParsedUserList { UserListParser.parse(Array(s.utf8)) }

    @Test func openstackJSON() {
        let p = parse(
            """
            [
              {"ID": "u1", "Name": "ceilometer", "Project": "service", "Domain": "default", "Description": null, "Email": "c@x", "Enabled": true},
              {"ID": "u2", "Name": "j\\u00f6rg", "Domain": "default"},
              {"Name": "no id"},
              {"ID": 17, "Name": "numeric id"},
              "not an object"
            ]
            """)
        #expect(p.format == .json)
        #expect(p.users == [User(id: "u1", name: "ceilometer", domain: "default"), User(id: "u2", name: "jörg", domain: "default")])
        #expect(p.issues.map(\.line) == [4, 5, 6])
    }

    @Test func truncatedJSONReportsWhereItStopped() {
        let p = parse("[\n{\"ID\": \"u1\"},\n{\"ID\": \"u2\"")
        #expect(p.users.map(\.id) == ["u1"])
        #expect(p.issues.count == 1)
        #expect(p.issues.first?.line == 3)
    }

    @Test func openstackCSV() {
        let p = parse(
            """
            \u{FEFF}"ID","Name","Project","Domain","Description","Email","Enabled"
            "u1","ceilometer","service","default","","c@x",True
            "u2","a ""quoted"", name","demo","default","","d@x",True
            "u3","short"
            "u4","unbalanced,"demo","default","","e@x",True
            "","empty","demo","default","","f@x",True
            """)
        #expect(p.format == .csv)
        #expect(p.users == [User(id: "u1", name: "ceilometer", domain: "default"), User(id: "u2", name: "a \"quoted\", name", domain: "default")])
        #expect(p.issues.map(\.line) == [4, 5, 6])
    }

    @Test func plainCSVValueAndNDJSON() {
        let plain = parse("u1,ceilometer\nu2,nova\n\nbad id,x\n")
        #expect(plain.format == .csvPlain)
        #expect(plain.users.map(\.id) == ["u1", "u2"])
        #expect(plain.issues.map(\.line) == [4])

        let value = parse("u1 ceilometer service default  c@x True\nu2 nova\n")
        #expect(value.format == .value)
        #expect(value.users == [User(id: "u1", name: "ceilometer", domain: "default"), User(id: "u2", name: "nova")])

        let nd = parse("{\"id\": \"u1\", \"name\": \"a\", \"domain_id\": \"d\"}\n{oops\n{\"id\": \"u3\"}\n")
        #expect(nd.format == .ndjson)
        #expect(nd.users == [User(id: "u1", name: "a", domain: "d"), User(id: "u3")])
        #expect(nd.issues.map(\.line) == [2])
    }

    @Test func isotimeMatchesPython() throws {
        let samples = [
            "2016-04-26T15:41:25.000000Z", "2015-06-01T12:34:56.123456Z", "1970-01-01T00:00:00Z", "2000-02-29T23:59:59.5Z",
            "2038-01-19T03:14:08.000001Z", "1969-12-31T23:59:59.000000Z", "2100-03-01T00:00:00+00:00",
        ]
        let code = """
            import calendar, datetime, sys
            for s in sys.argv[1:]:
                t = s.replace('+00:00', '').rstrip('Z')
                fmt = '%Y-%m-%dT%H:%M:%S.%f' if '.' in t else '%Y-%m-%dT%H:%M:%S'
                d = datetime.datetime.strptime(t, fmt)
                print(repr(calendar.timegm(d.timetuple()) + d.microsecond / 1e6))
            """
        let out = try Python.run(code: code, samples).stdoutText.split(separator: "\n").map { Double($0) }
        for (s, e) in zip(samples, out) { #expect(KeystoneValues.parseISOTime(s) == e, "\(s)") }
        for bad in ["", "2016-13-01T00:00:00Z", "2016-04-26 15:41", "2016-04-26T15:41:25.0+02:00", "abcd-ef-ghTij:kl:mn"] {
            #expect(KeystoneValues.parseISOTime(bad) == nil, "\(bad)")
        }
    }

    /// Reads a value in place, as attribute does.
    func slice<T>(_ json: String, _ body: (JSONSlice) -> T) -> T {
        Array(json.utf8).withUnsafeBytes { body(JSONSlice(bytes: $0, range: 0..<$0.count)) }
    }

    @Test func valueShapes() throws {
        let entries = try #require(
            slice(#"[["t1","2016-04-26T15:41:25.000000Z"],["t2",{"$datetime":"2016-04-26T15:41:26.000000"}]]"#) { KeystoneValues.tokenList($0) })
        #expect(entries.map(\.tokenID) == ["t1", "t2"])
        #expect(entries.map(\.expires) == [1461685285, 1461685286])
        #expect(slice(#"[["t1"]]"#) { KeystoneValues.tokenList($0) } == nil)
        #expect(slice(#"[]"#) { KeystoneValues.tokenList($0) } == [])
        let body = try #require(
            slice(#"{"id":"t","token_version":"v3.0","token_data":{"token":{"user":{"id":"u","name":"n","domain":{"id":"d","name":"Default"}}}}}"#) {
                KeystoneValues.tokenBody($0)
            })
        #expect(body.tokenID == "t")
        #expect(body.user == User(id: "u", name: "n", domain: "Default", inExport: false))
        let v2 = #"{"token_data":{"access":{"token":{"id":"t2"},"user":{"id":"u2","name":"m"}}}}"#
        #expect(slice(v2) { KeystoneValues.tokenBody($0) }?.tokenID == "t2")
        #expect(slice(v2) { KeystoneValues.tokenBody($0) }?.user?.id == "u2")
        #expect(slice(v2) { KeystoneValues.tokenBody($0) }?.version == "v2.0")
        #expect(slice(#"{"user":{"id":"u"}}"#) { KeystoneValues.tokenBody($0) } == nil)
        // Escaped strings are read unescaped; invalid ones are not read at all.
        #expect(slice(#"[["t\u0031","2016-04-26T15:41:25Z"]]"#) { KeystoneValues.tokenList($0) }?.first?.tokenID == "t1")
        #expect(slice(#"[["t1","2016-04-26T15:41:25Z"],["t2"]]"#) { KeystoneValues.tokenList($0) } == nil)
    }

    @Test func jsonParserRejectsBadInput() throws {
        for bad in ["", "{", "[1,]", "{\"a\" 1}", "tru", "\"abc", "[1] x", "01x", String(repeating: "[", count: 300) + String(repeating: "]", count: 300)] {
            #expect(throws: JSONParseError.self, "\(bad)") { try JSONParser.parse(Array(bad.utf8)) }
        }
        #expect(
            try JSONParser.parse(Array(#"{"a":[1,2.5,"\u00e9\n",true,null]}"#.utf8))
                == .object([("a", .array([.number(1, 1), .number(2.5, nil), .string("é\n"), .bool(true), .null]))]))
    }
}
