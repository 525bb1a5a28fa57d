// SafePickleTests/FixtureTests: committed fixtures — Python 2.7 cPickle/pickle output (Keystone
// Kilo-shaped values, generate_py2.py) and CPython's own canned and bad pickles (pickletester.py).
import Foundation
import SafePickle
import Testing
import TestSupport

@Suite("Committed fixtures")
struct FixtureTests {
    @Test("Python 2.7 cPickle and pickle, protocols 0–2, decode to the expected JSON")
    func python27() throws {
        let s = try Oracle.check(casesPath: Oracle.fixtures + "/py2/cases.jsonl")
        #expect(s.total >= 29)
        #expect(s.mismatchCount == 0, "\(s.mismatches)")
        #expect(s.passed == s.total)
    }

    @Test("Kilo token list is a CachedValue whose payload and metadata render separately")
    func kiloTokenListSplits() throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Oracle.fixtures + "/py2/token_list-cpickle-p0.pkl")))
        let value = try SafePickle.decode(bytes).get()
        #expect(value.isCachedValue)
        let parts = try #require(value.cachedValueJSON())
        let payload = String(decoding: try parts.payload.get(), as: UTF8.self)
        let metadata = String(decoding: try parts.metadata.get(), as: UTF8.self)
        #expect(payload.hasPrefix("[[\"00000000000000000000000000000000\",{\"$datetime\":\"2015-06-01T12:30:45.123456\"}]"))
        #expect(metadata.contains("\"v\":1"))
        #expect(SafePickle.protocolVersion(bytes) == nil)
        let p2 = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Oracle.fixtures + "/py2/token-cpickle-p2.pkl")))
        #expect(SafePickle.protocolVersion(p2) == 2)
    }

    @Test("CPython pickletester canned pickles decode; its bad pickles give $error")
    func pickletester() throws {
        let s = try Oracle.check(casesPath: Oracle.fixtures + "/cpython/cases.jsonl")
        #expect(s.total >= 200)
        #expect(s.mismatchCount == 0, "\(s.mismatches)")
    }
}
