// RubyMarshalTests/Oracle: Ruby as the reference — runs the fixture scripts under Tests/Fixtures/ruby
// (Marshal.dump + the canon.rb canonicalizer) and reads their JSON lines; small helpers for the tests.
import Foundation
import RubyMarshal
import Testing
import TestSupport

/// One case a Ruby script printed: the Marshal bytes and the reference JSON and class list.
struct RubyCase: Sendable {
    var name: String
    var bytes: [UInt8]
    var json: String
    var classes: [String]
}

enum RubyOracle {
    static let fixtures = Repo.path("Tests/Fixtures/ruby")

    static var ruby: String {
        for p in ["/usr/bin/ruby", "/usr/local/bin/ruby"] where FileManager.default.isExecutableFile(atPath: p) { return p }
        return "/usr/bin/ruby"
    }

    /// Runs `ruby script args…` and returns stdout; throws with stderr when it fails.
    static func run(_ script: String, _ arguments: [String] = []) throws -> ProcessResult {
        let r = try runProcess(ruby, [fixtures + "/" + script] + arguments)
        if r.status != 0 { throw TestSupportError.failed("ruby \(script) exited \(r.status): \(r.stderrText)") }
        return r
    }

    static func parseCases(_ text: String) throws -> [RubyCase] {
        try text.split(separator: "\n").map { line in
            let obj = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let b64 = try #require(obj["b64"] as? String)
            return RubyCase(
                name: obj["name"] as? String ?? "?", bytes: [UInt8](try #require(Data(base64Encoded: b64))),
                json: try #require(obj["json"] as? String), classes: obj["classes"] as? [String] ?? [])
        }
    }

    /// The cases of marshal_cases.rb, made now by the installed Ruby.
    static func freshCases() throws -> [RubyCase] { try parseCases(try run("marshal_cases.rb").stdoutText) }

    /// The committed output of marshal_cases.rb (cases.jsonl).
    static func committedCases() throws -> [RubyCase] {
        try parseCases(try String(contentsOfFile: fixtures + "/cases.jsonl", encoding: .utf8))
    }
}

/// The decoder's JSON as text, or its error JSON.
func decodedText(_ bytes: [UInt8], limits: MarshalLimits = .default) -> String {
    switch RubyMarshal.canonicalJSON(bytes, limits: limits) {
    case .success(let doc): return String(decoding: doc.json, as: UTF8.self)
    case .failure(let e): return String(decoding: RubyMarshal.errorJSON(e), as: UTF8.self)
    }
}

/// The decoder's error, or nil when it decoded.
func decodeError(_ bytes: [UInt8], limits: MarshalLimits = .default) -> MarshalError? {
    if case .failure(let e) = RubyMarshal.canonicalJSON(bytes, limits: limits) { return e }
    return nil
}

/// Marshal bytes from a readable spelling: `m("[", 1, "i", 6)` — strings become their UTF-8 bytes.
func m(_ parts: Any...) -> [UInt8] {
    var out: [UInt8] = [4, 8]
    for p in parts {
        if let s = p as? String {
            out += Array(s.utf8)
        } else if let b = p as? Int {
            out.append(UInt8(truncatingIfNeeded: b))
        } else if let a = p as? [UInt8] {
            out += a
        } else if let a = p as? [Int] {
            out += a.map { UInt8(truncatingIfNeeded: $0) }
        }
    }
    return out
}

/// A symbol `:name` in Marshal bytes.
func sym(_ name: String) -> [UInt8] { [UInt8(ascii: ":"), UInt8(name.utf8.count + 5)] + Array(name.utf8) }
