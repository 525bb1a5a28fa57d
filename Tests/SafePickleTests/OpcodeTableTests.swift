// SafePickleTests/OpcodeTableTests: the opcode table as data equals `pickletools.opcodes`.
import Foundation
import SafePickle
import Testing
import TestSupport

@Suite("Opcode table")
struct OpcodeTableTests {
    @Test("name, code, argument kind and protocol match pickletools.opcodes")
    func matchesPickletools() throws {
        let code = """
            import json, pickletools
            print(json.dumps([[o.name, ord(o.code.encode('latin-1')), o.arg.name if o.arg else 'none', o.proto] for o in pickletools.opcodes]))
            """
        let r = try Python.run(code: code)
        let rows = try #require(try JSONSerialization.jsonObject(with: r.stdout) as? [[Any]])
        var python: [String: (Int, String, Int)] = [:]
        for row in rows {
            guard let name = row[0] as? String, let c = row[1] as? Int, let arg = row[2] as? String, let p = row[3] as? Int else {
                Issue.record("bad row \(row)")
                continue
            }
            python[name] = (c, arg, p)
        }
        #expect(python.count == Opcode.allCases.count)
        for row in Opcode.table {
            let py = try #require(python[row.name], "\(row.name) missing from pickletools")
            #expect(py.0 == Int(row.code), "\(row.name) code")
            #expect(py.1 == row.arg.rawValue, "\(row.name) argument kind")
            #expect(py.2 == row.proto, "\(row.name) protocol")
        }
    }
}
