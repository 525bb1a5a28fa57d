// DumpContainerTests/PythonOracleTests: an independent reader of docs/dump-format.md written in Python
// (gzip module + the grammar) parses our dumps; its view of every record must equal DumpReader's.
import DumpContainer
import Foundation
import Testing
import TestSupport

/// Python implementation of the §2 grammar: prints one canonical line per record.
let pythonDumpParser = #"""
    import gzip, hashlib, json, re, sys, urllib.parse
    data = gzip.open(sys.argv[1]).read()
    pos = 0
    def key(tok):
        assert re.fullmatch(rb"(?:[A-Za-z0-9._~-]|%[0-9A-F]{2})+", tok), tok
        return urllib.parse.unquote_to_bytes(tok.decode()).hex()
    while pos < len(data):
        nl = data.index(b"\n", pos)
        line = data[pos:nl]; pos = nl + 1
        typ, _, rest = line.partition(b" ")
        if typ == b"MCDUMP":
            ver, _, js = rest.partition(b" "); assert ver == b"1"
            print("H", json.dumps(json.loads(js), sort_keys=True))
        elif typ == b"STATS":
            sec, lab, js = rest.split(b" ", 2)
            pairs = json.loads(js, object_pairs_hook=lambda p: p)
            print("S", sec.decode(), lab.decode(), json.dumps(pairs))
        elif typ == b"ITEM":
            f = rest.split(b" "); assert len(f) == 10
            k = key(f[0]); nums = [int(x) for x in f[1:]]
            vlen, captured = nums[1], nums[8]
            digest = "-"
            if captured == 1:
                value = data[pos:pos + vlen]; assert len(value) == vlen and data[pos + vlen:pos + vlen + 1] == b"\n"
                pos += vlen + 1; digest = hashlib.sha256(value).hexdigest()
            print("I", k, " ".join(map(str, nums)), digest)
        elif typ == b"MISS":
            f = rest.split(b" ")
            print("M", key(f[0]), urllib.parse.unquote_to_bytes(f[1].decode()).decode() if len(f) > 1 else "-")
        elif typ == b"NOTE":
            print("N", json.dumps(json.loads(rest), sort_keys=True))
        elif typ == b"END":
            print("E", json.dumps(json.loads(rest), sort_keys=True)); assert pos == len(data)
        else:
            raise SystemExit("unknown record " + repr(typ))
    """#

@Suite struct PythonOracleTests {
    /// The same canonical line for a record, computed from DumpReader's value.
    func canonical(_ r: DumpRecord) throws -> String {
        func json<T: Encodable>(_ v: T) throws -> String {
            // Round-trip through Python-compatible JSON: compare as parsed objects, sorted, via Python later.
            let e = JSONEncoder()
            e.outputFormatting = [.sortedKeys]
            return String(decoding: try e.encode(v), as: UTF8.self)
        }
        func hex(_ b: [UInt8]) -> String { b.map { String(format: "%02x", $0) }.joined() }
        switch r {
        case .header(let h): return "H " + (try json(h))
        case .stats(let s): return "S \(s.section) \(s.label) " + (try json(s.values.map { [$0.name, $0.value] }))
        case .item(let i):
            let nums = [
                String(i.flags), String(i.valueLength), String(i.cas), String(i.exp), String(i.lastAccess), String(i.slabClass),
                i.fetched ? "1" : "0", String(i.totalSize), i.value == nil ? "0" : "1",
            ]
            let digest = i.value.map { sha256Hex(Data($0)) } ?? "-"
            return "I \(hex(i.key)) \(nums.joined(separator: " ")) \(digest)"
        case .miss(let m): return "M \(hex(m.key)) \(m.reason ?? "-")"
        case .note(let n): return "N " + (try json(n))
        case .event(let line): return "V " + hex(line)
        case .watch(let w): return "W " + (try json(w))
        case .end(let t): return "E " + (try json(t))
        }
    }

    @Test func pythonParsesTheSameRecords() throws {
        let dir = try makeTempDir()
        let path = dir + "/d.mcdump.gz"
        let script = dir + "/parse.py"
        try pythonDumpParser.write(toFile: script, atomically: true, encoding: .utf8)
        try writeDump(sampleRecords(), to: path, memberBytes: 2000)
        let py = try Python.run(script: script, [path]).stdoutText.split(separator: "\n").map(String.init)
        let ours = try readAll(path: path).records.map(canonical)
        #expect(py.count == ours.count)
        // JSON texts differ in spelling (Python's separators/escapes); normalise both through Python's json.
        let normalise = """
            import json, sys
            for line in sys.stdin.read().split("\\n"):
                if line[:1] in "HNE" and line: print(line[0], json.dumps(json.loads(line[2:]), sort_keys=True))
                elif line[:1] == "S":
                    a, b, c, js = line.split(" ", 3); print(a, b, c, json.dumps(json.loads(js)))
                elif line: print(line)
            """
        let a = try Python.run(code: normalise, stdin: Data(py.joined(separator: "\n").utf8)).stdoutText
        let b = try Python.run(code: normalise, stdin: Data(ours.joined(separator: "\n").utf8)).stdoutText
        #expect(a == b)
        #expect(a.contains("I 000102030405"))  // the all-bytes key made it through both readers
    }
}
