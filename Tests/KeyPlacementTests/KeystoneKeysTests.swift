// Keystone key derivation and key-shape recognition, against the worked sha1 examples of docs/placement.md and
// Python's hashlib.
import ByteText
import Foundation
import Testing
import KeyPlacement
import TestSupport

@Suite struct KeystoneKeysTests {
    @Test func workedExamples() {
        #expect(KeystoneKeys.userTokensKey("3f1c4e2a9b8d4c7e8f6a5b4c3d2e1f00") == "2726d45caf3b2b47aaf142064ef5e9148c424962")
        #expect(KeystoneKeys.tokenKey("0123456789abcdef0123456789abcdef") == "23ad181cac93e5790aa8a9953cbe1d73b9ad876e")
        #expect(KeystoneKeys.revocationListKey == "d08fca1361cfc00a936d7c93e4308aceb6ebc6ac")
        #expect(KeystoneKeys.userTokensKey("eef939600bc111e69aeb57d4fa849231") == "6e49b86a7502dae881f3b9466ecbdfa4743c7eb9")
        #expect(
            KeystoneKeys.mangled("keystone.token.persistence.core:list_revoked_tokens|")
                == "d5db38400f345c634aee9b815a0cd215fef0aaf7")
        #expect(KeystoneKeys.userTokensLockKey("abc") == "_lockusertokens-abc")
        #expect(
            KeystoneKeys.userTokensKey(Array("3f1c4e2a9b8d4c7e8f6a5b4c3d2e1f00".utf8))
                == "2726d45caf3b2b47aaf142064ef5e9148c424962")
        #expect(
            KeystoneKeys.tokenKey(Array("0123456789abcdef0123456789abcdef".utf8))
                == "23ad181cac93e5790aa8a9953cbe1d73b9ad876e")
    }

    @Test func sha1MatchesHashlib() throws {
        var rng = SplitMix64(seed: 9)
        let logical: [[UInt8]] =
            (0..<500).map { i in
                i % 3 == 0
                    ? Array(("usertokens-" + KeySets.hexID(&rng)).utf8)
                    : (0..<Int.random(in: 0...300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            } + KeySets.unicode(count: 100)
        let input = logical.map { KeystoneKeys.hex($0) + "\n" }.joined()
        let expected = try Python.run(
            code: "import sys, hashlib\nfor l in sys.stdin: print(hashlib.sha1(bytes.fromhex(l.strip())).hexdigest())",
            stdin: Data(input.utf8)
        ).stdoutText.split(separator: "\n").map(String.init)
        #expect(logical.map { KeystoneKeys.mangled($0) } == expected)
    }

    @Test func shapes() {
        #expect(KeystoneKeys.shape(of: Array(KeystoneKeys.tokenKey("x").utf8)) == .sha1Hex)
        #expect(KeystoneKeys.shape(of: Array("6E49B86A7502DAE881F3B9466ECBDFA4743C7EB9".utf8)) == .other)
        #expect(KeystoneKeys.shape(of: Array("_lockusertokens-u1".utf8)) == .lock(logical: "usertokens-u1", userID: "u1"))
        #expect(KeystoneKeys.shape(of: Array("_lockrevocation-list".utf8)) == .lock(logical: "revocation-list", userID: nil))
        #expect(KeystoneKeys.shape(of: Array("_lock".utf8)) == .other)
        #expect(KeystoneKeys.shape(of: Array("_lockusertokens-".utf8)) == .lock(logical: "usertokens-", userID: nil))
        let sha256 = String(repeating: "ab", count: 32)
        #expect(KeystoneKeys.shape(of: Array("tokens/\(sha256)".utf8)) == .middlewareToken(sha256Hex: sha256))
        #expect(KeystoneKeys.shape(ofMetadumpKey: Array("tokens%2F\(sha256)".utf8)) == .middlewareToken(sha256Hex: sha256))
        #expect(KeystoneKeys.shape(of: Array("tokens/\(sha256)0".utf8)) == .other)
        #expect(KeystoneKeys.shape(of: []) == .other)
    }

    @Test func uriDecoding() {
        #expect(PercentEncoding.decodeLenient(Array("a%2Fb%2fc".utf8)) == Array("a/b/c".utf8))
        #expect(PercentEncoding.decodeLenient(Array("100%".utf8)) == Array("100%".utf8))
        #expect(PercentEncoding.decodeLenient(Array("%zz%4".utf8)) == Array("%zz%4".utf8))
        #expect(PercentEncoding.decodeLenient(Array("%C3%A9".utf8)) == [0xc3, 0xa9])
    }
}

@Suite struct RedactorTests {
    @Test func matchesPythonHMAC() throws {
        let r = Redactor(key: Array("secret-key".utf8))
        let label = r.redact("0123456789abcdef0123456789abcdef")
        let expected = try Python.run(
            code: "import hmac, hashlib; print('redacted:' + hmac.new(b'secret-key', b'0123456789abcdef0123456789abcdef', hashlib.sha256).hexdigest()[:16])"
        ).stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(label == expected)
        #expect(Redactor.isRedacted(label))
    }

    @Test func stableAndKeyed() {
        let a = Redactor(key: [1, 2, 3]), b = Redactor(key: [1, 2, 4])
        #expect(a.redact("tok") == a.redact(Array("tok".utf8)))
        #expect(a.redact("tok") != b.redact("tok"))
        #expect(a.redact("tok") != a.redact("tok2"))
        #expect(!Redactor.isRedacted("tok"))
        #expect(!Redactor.isRedacted("redacted:XYZ"))
    }
}
