// PHPValuesTests/Oracle: PHP as the oracle — runs Tests/Fixtures/php/generate.php (serialize(),
// igbinary_serialize() and the reference canonicalizer canon.php) and reads its cases; one-line outputs
// of the Swift decoders for comparing.
import Foundation
import PHPValues
import TestSupport

enum PHPOracle {
    static let fixtures = Repo.path("Tests/Fixtures/php")
    static let php = "/usr/bin/php"

    struct Case {
        var id: String
        var serialized: [UInt8]
        var igbinary: [UInt8]
        /// Canonical JSON of `unserialize(serialized)` written by canon.php.
        var expectSerialize: String
        /// Canonical JSON of `igbinary_unserialize(igbinary)` written by canon.php.
        var expectIgbinary: String
    }

    /// Runs generate.php (fixed seed) and parses its JSON lines.
    static func cases(seed: Int = 20_261_206, count: Int = 300) throws -> [Case] {
        let r = try runProcess(php, [fixtures + "/generate.php", "--seed", String(seed), "--count", String(count)])
        guard r.status == 0 else { throw TestSupportError.failed("generate.php exited \(r.status): \(r.stderrText)") }
        return try r.stdoutText.split(separator: "\n").map { line in
            guard let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let id = o["id"] as? String, let ser = (o["ser"] as? String).flatMap({ Data(base64Encoded: $0) }),
                let igb = (o["igb"] as? String).flatMap({ Data(base64Encoded: $0) }),
                let p = o["php"] as? String, let i = o["igb_canon"] as? String
            else { throw TestSupportError.failed("bad case line: \(line.prefix(200))") }
            return Case(id: id, serialized: [UInt8](ser), igbinary: [UInt8](igb), expectSerialize: p, expectIgbinary: i)
        }
    }

    /// Canonical JSON text or the `$error` JSON.
    static func text(_ r: Result<PHPDocument, PHPValueError>) -> String {
        switch r {
        case .success(let d): return d.text
        case .failure(let e): return String(decoding: e.errorJSON, as: UTF8.self)
        }
    }

    static func serialize(_ b: [UInt8], _ limits: PHPLimits = .default) -> String { text(PHPSerialize.canonicalJSON(b, limits: limits)) }
    static func igbinary(_ b: [UInt8], _ limits: PHPLimits = .default) -> String { text(Igbinary.canonicalJSON(b, limits: limits)) }

    static func error(_ r: Result<PHPDocument, PHPValueError>) -> PHPValueError? {
        if case .failure(let e) = r { return e }
        return nil
    }
}

/// Latin-1 bytes of a string literal (each scalar below 256 is one byte).
func latin1(_ s: String) -> [UInt8] { s.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) } }
