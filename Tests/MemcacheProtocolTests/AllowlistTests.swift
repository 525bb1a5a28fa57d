// Tests of the request allowlist: the exact bytes of every request, and proof that nothing it can
// encode is a storage, touch, flush or mutating meta command.
import Testing

@testable import MemcacheProtocol

@Suite struct AllowlistTests {
    func text(_ r: ReadOnlyRequest) -> String { String(decoding: r.bytes, as: UTF8.self) }

    @Test func exactBytes() throws {
        let key = try #require(MemcacheKey(Array("usertokens-abc".utf8)))
        let binary = try #require(MemcacheKey([0x73, 0x70, 0x20, 0x61, 0x63, 0x65, 0x01, 0xFF]))
        #expect(text(.version) == "version\r\n")
        #expect(text(.stats(.general)) == "stats\r\n")
        #expect(text(.stats(.settings)) == "stats settings\r\n")
        #expect(text(.stats(.items)) == "stats items\r\n")
        #expect(text(.stats(.slabs)) == "stats slabs\r\n")
        #expect(text(.metadumpAll) == "lru_crawler metadump all\r\n")
        #expect(text(.cachedump(slabClass: 39, limit: 0)) == "stats cachedump 39 0\r\n")
        #expect(text(.metaGet(MetaGet(key: key, wantValue: true, quiet: true, opaque: 7))) == "mg usertokens-abc v f t c u q O7\r\n")
        #expect(text(.metaGet(MetaGet(key: key, wantValue: false, quiet: false))) == "mg usertokens-abc f t s c u\r\n")
        #expect(text(.metaGet(MetaGet(key: binary, wantValue: true, quiet: true, opaque: 1))) == "mg c3AgYWNlAf8= b v f t c u q O1\r\n")
        #expect(text(.metaNoop) == "mn\r\n")
        #expect(text(.stats(.conns)) == "stats conns\r\n")
        #expect(text(.watch([.fetchers, .mutations, .evictions, .connevents])) == "watch fetchers mutations evictions connevents\r\n")
        #expect(text(.gets([key, binary], .grantedByOperator())) == "gets usertokens-abc\r\n")
    }

    @Test func keyLimits() {
        #expect(MemcacheKey([]) == nil)
        #expect(MemcacheKey([UInt8](repeating: 0x61, count: 251)) == nil)
        #expect(MemcacheKey([UInt8](repeating: 0x61, count: 250))?.isMetaAddressable == true)
        #expect(MemcacheKey([UInt8](repeating: 0x20, count: 186))?.isMetaAddressable == true)
        #expect(MemcacheKey([UInt8](repeating: 0x20, count: 187))?.isMetaAddressable == false)
        #expect(MemcacheKey(Array("sp\u{e9}cial%x".utf8))?.isTextSafe == true)
    }

    /// Every request the enum can produce, for many keys, is one line starting with an allowed verb,
    /// and an `mg` line carries only the allowed flags. Hostile keys (spaces, CR/LF, "set …") are
    /// base64-encoded, so they can never inject a second command.
    @Test func nothingMutatingCanBeEncoded() throws {
        let hostile: [[UInt8]] = [
            Array("k".utf8), Array("set x 0 0 1".utf8), Array("a\r\nflush_all".utf8), Array("x N30 T1 R5 E9 I".utf8),
            [0x00, 0x0A, 0x0D, 0x20], Array("ms".utf8), (0..<187).map { UInt8($0) },
        ]
        var requests: [ReadOnlyRequest] = [
            .version, .metadumpAll, .metaNoop, .cachedump(slabClass: -5, limit: -1), .watch(WatchStream.allCases), .watch([]),
        ]
        requests += StatsSection.allCases.map { .stats($0) }
        for k in hostile {
            let key = try #require(MemcacheKey(k))
            for v in [true, false] {
                for q in [true, false] {
                    requests.append(.metaGet(MetaGet(key: key, wantValue: v, quiet: q, opaque: 4_294_967_295)))
                }
            }
            requests.append(.gets([key], .grantedByOperator()))
        }
        let allowedMetaFlags: Set<Character> = ["v", "f", "t", "s", "c", "k", "u", "q", "O", "b"]
        for r in requests {
            let bytes = r.bytes
            #expect(bytes.suffix(2) == [0x0D, 0x0A])
            let body = bytes.dropLast(2)
            #expect(!body.contains(0x0A) && !body.contains(0x0D), "one line only: \(text(r))")
            let words = String(decoding: body, as: UTF8.self).split(separator: " ")
            let verb = String(words.first ?? "")
            #expect(["version", "stats", "lru_crawler", "mg", "mn", "gets", "watch"].contains(verb), "verb \(verb)")
            if verb == "stats" {
                #expect(words.count == 1 || ["settings", "items", "slabs", "conns", "cachedump"].contains(String(words[1])))
            }
            if verb == "watch" {
                #expect(words.dropFirst().allSatisfy { ["fetchers", "mutations", "evictions", "connevents"].contains(String($0)) })
            }
            if verb == "lru_crawler" { #expect(words.map(String.init) == ["lru_crawler", "metadump", "all"]) }
            if verb == "mg" {
                for flag in words.dropFirst(2) {
                    #expect(flag.first.map { allowedMetaFlags.contains($0) } == true, "flag \(flag)")
                    if flag.first != "O" { #expect(flag.count == 1) }
                }
                #expect(words.contains("u"), "mg always carries u (no LRU bump)")
            }
        }
    }
}
