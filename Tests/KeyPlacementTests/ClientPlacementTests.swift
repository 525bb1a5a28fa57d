// The client-name table the stages share, Python key forms, and the error paths of every scheme.
import Testing
import KeyPlacement

@Suite struct ClientPlacementTests {
    static let servers = [ServerSpec(host: "10.0.0.1"), ServerSpec(host: "10.0.0.2"), ServerSpec(host: "10.0.0.3")]

    @Test func everyClientBuildsAndPlaces() throws {
        let keys = KeySets.keystone(count: 300)
        var names: Set<String> = []
        for client in ClientPlacement.allCases {
            #expect(try ClientPlacement.named(client.rawValue) == client)
            let scheme = try client.scheme(servers: Self.servers)
            #expect(scheme.serverCount == 3)
            names.insert(scheme.name)
            let used = Set(keys.map { scheme.serverIndex(for: $0) })
            #expect(used == [0, 1, 2], "\(client): \(used)")
            #expect(throws: PlacementError.self) { try client.scheme(servers: []) }
        }
        #expect(names.count == ClientPlacement.allCases.count)
    }

    @Test func clientsMapToTheirSchemes() throws {
        let zero = KeySets.zeroHash(count: 1)[0]
        #expect(try ClientPlacement.pythonMemcached.scheme(servers: Self.servers).serverIndex(for: zero) == 0)
        #expect(try ClientPlacement.pythonMemcached159.scheme(servers: Self.servers).serverIndex(for: zero) == 1)
        let abc = Array("abc".utf8)
        #expect(try ClientPlacement.pymemcache.scheme(servers: Self.servers).serverIndex(for: abc) == 2)
        #expect(try ClientPlacement.pymemcacheBytes.scheme(servers: Self.servers).serverIndex(for: abc) == 1)
    }

    @Test func unknownClientIsAnError() {
        do {
            _ = try ClientPlacement.named("memcache")
            Issue.record("parsed")
        } catch {
            #expect(error.kind == .badArgument)
            #expect(error.message.contains("python-memcached-1.59"))
        }
    }

    @Test func emptyListsAreErrors() {
        #expect(throws: PlacementError.self) { try JumpPlacement(servers: []) }
        #expect(throws: PlacementError.self) { try WhatIf.standardSchemes(servers: []) }
        #expect(throws: PlacementError.self) { try UHashRing(servers: [ServerSpec(host: "a", weight: 20_000)]) }
    }

    @Test func pythonKeyForms() {
        // Invalid UTF-8 cannot have been a Python str; it is read as Latin-1 rather than rejected.
        let invalid: [UInt8] = [0x61, 0xff, 0xc3]
        #expect(PythonKeyForm.str.pythonScalars(of: invalid).map(\.value) == [0x61, 0xff, 0xc3])
        #expect(PythonKeyForm.str.pythonStrUTF8(of: invalid) == [0x61, 0xc3, 0xbf, 0xc3, 0x83])
        #expect(PythonKeyForm.str.pythonStrUTF8(of: Array("é".utf8)) == Array("é".utf8))
        #expect(PythonKeyForm.bytes.pythonStrUTF8(of: [0x27, 0x22]) == Array(#"b'\'"'"#.utf8))
        #expect(PythonKeyForm.bytes.pythonStrUTF8(of: [0x27]) == Array(#"b"'""#.utf8))
    }
}
