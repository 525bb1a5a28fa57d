// SafePickleTests/DecoderReuseTests: one `PickleDecoder` used for many pickles in a row (as `decode`
// uses it) gives exactly what a fresh decode of each gives — nothing of one pickle leaks into the
// next, failures included — and it keeps or releases its working memory as documented.
import Foundation
import SafePickle
import Testing
import TestSupport

@Suite("PickleDecoder reuse")
struct DecoderReuseTests {
    /// The decoder-free path: a fresh VM and renderer (`SafePickle.decode` + `PickleValue`).
    static func fresh(_ bytes: [UInt8]) -> String {
        switch SafePickle.decode(bytes).flatMap({ $0.canonicalJSON() }) {
        case .success(let json): return String(decoding: json, as: UTF8.self)
        case .failure(let e): return String(decoding: SafePickle.errorJSON(e), as: UTF8.self)
        }
    }

    static func reused(_ decoder: PickleDecoder, _ bytes: [UInt8]) -> String {
        switch bytes.withUnsafeBytes({ decoder.canonicalJSON($0) }) {
        case .success(let json): return String(decoding: json, as: UTF8.self)
        case .failure(let e): return String(decoding: SafePickle.errorJSON(e), as: UTF8.self)
        }
    }

    static func allCases() throws -> [(id: String, bytes: [UInt8])] {
        try Oracle.cases(Oracle.fixtures + "/py2/cases.jsonl") + Oracle.cases(Oracle.fixtures + "/cpython/cases.jsonl")
    }

    @Test("every fixture case, forwards then backwards through one decoder, matches a fresh decode")
    func sameOutputInAnyOrder() throws {
        let cases = try DecoderReuseTests.allCases()
        #expect(cases.count > 100)
        let expected = cases.map { DecoderReuseTests.fresh($0.bytes) }
        #expect(expected.contains { $0.hasPrefix("{\"$error\"") }, "the cases include failures")
        let decoder = PickleDecoder()
        for (c, want) in zip(cases, expected) {
            #expect(DecoderReuseTests.reused(decoder, c.bytes) == want, "\(c.id)")
        }
        for (c, want) in zip(cases, expected).reversed() {
            #expect(DecoderReuseTests.reused(decoder, c.bytes) == want, "\(c.id) (backwards)")
        }
    }

    @Test("a failed pickle in the middle leaves nothing behind: the next decode is unchanged")
    func failureInBetween() throws {
        let token = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Oracle.fixtures + "/py2/plain_token_dict-cpickle-p0.pkl")))
        let want = DecoderReuseTests.fresh(token)
        let decoder = PickleDecoder()
        #expect(DecoderReuseTests.reused(decoder, token) == want)
        // Cut mid-stream: the VM stops with `truncated` after filling its arena, stack and memo.
        let cut = Array(token.prefix(token.count / 2))
        #expect(DecoderReuseTests.reused(decoder, cut).hasPrefix("{\"$error\":\"truncated\""))
        #expect(DecoderReuseTests.reused(decoder, token) == want)
        // A render-time failure (nesting limit) after the VM succeeded.
        var deep: [UInt8] = [0x80, 0x02]
        for _ in 0..<1001 { deep.append(0x5D) }  // EMPTY_LIST
        for _ in 0..<1000 { deep.append(0x61) }  // APPEND
        deep.append(0x2E)
        #expect(DecoderReuseTests.reused(decoder, deep) == "{\"$error\":\"limit\",\"$detail\":\"JSON nesting deeper than 1000\"}")
        #expect(DecoderReuseTests.reused(decoder, token) == want)
    }

    @Test("splitting a CachedValue gives what PickleValue.cachedValueJSON gives; other values come whole")
    func splitting() throws {
        let token = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Oracle.fixtures + "/py2/token-cpickle-p0.pkl")))
        let value = try SafePickle.decode(token).get()
        let parts = try #require(value.cachedValueJSON())
        let decoder = PickleDecoder()
        let split = try token.withUnsafeBytes { try decoder.json($0, splittingCachedValue: true).get() }
        #expect(split == .cachedValue(payload: try parts.payload.get(), metadata: try parts.metadata.get()))
        let whole = try token.withUnsafeBytes { try decoder.json($0, splittingCachedValue: false).get() }
        #expect(whole == .value(try value.canonicalJSON().get()))
        let plain: [UInt8] = [0x80, 0x02, 0x4B, 0x07, 0x2E]  // 7
        #expect(try plain.withUnsafeBytes { try decoder.json($0, splittingCachedValue: true).get() } == .value(Array("7".utf8)))
    }

    @Test("working memory is kept for the next call, bounded by retainedBytes")
    func retention() throws {
        let token = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Oracle.fixtures + "/py2/plain_token_dict-cpickle-p0.pkl")))
        let keeping = PickleDecoder()
        #expect(keeping.retainedAllocation == 0)
        _ = DecoderReuseTests.reused(keeping, token)
        let kept = keeping.retainedAllocation
        #expect(kept >= token.count, "the input copy at least is kept")
        _ = DecoderReuseTests.reused(keeping, token)
        #expect(keeping.retainedAllocation == kept, "the same pickle again needs no more memory")
        let releasing = PickleDecoder(retainedBytes: 0)
        #expect(DecoderReuseTests.reused(releasing, token) == DecoderReuseTests.fresh(token))
        #expect(releasing.retainedAllocation == 0)
    }
}
