// php-fuzz: fuzzes PHPValues. Built with `-Xswiftc -sanitize=fuzzer -Xswiftc -DLIBFUZZER` it is a
// libFuzzer target; otherwise a seeded random mutator over seed files (usage: php-fuzz SEED_DIR
// SECONDS [seed]) that prints executions and outcome counts. A crash is a signal (the script reports it).
// Every input goes through every decoder: PHP serialize, igbinary, msgpack, JSON, FastLZ (with the
// length the input's first bytes claim) and PHPMemcachedPayload under each flag type.
import PHPValues

let fuzzLimits: PHPLimits = {
    var limits = PHPLimits.default
    limits.maxOutputValues = 200_000
    limits.maxOutputBytes = 8 << 20
    return limits
}()

/// Runs every decoder on `bytes`; returns the outcome kinds ("ok" or an error kind), one per decoder.
func decodeAllWays(_ bytes: [UInt8]) -> [String] {
    func kind(_ r: Result<PHPDocument, PHPValueError>) -> String {
        switch r {
        case .success: return "ok"
        case .failure(let e): return e.kind.rawValue
        }
    }
    var kinds: [String] = []
    kinds.append("serialize:" + kind(PHPSerialize.canonicalJSON(bytes, limits: fuzzLimits)))
    kinds.append("igbinary:" + kind(Igbinary.canonicalJSON(bytes, limits: fuzzLimits)))
    kinds.append("msgpack:" + kind(MsgPack.canonicalJSON(bytes, limits: fuzzLimits)))
    kinds.append("json:" + kind(PHPJSON.canonicalJSON(bytes, limits: fuzzLimits)))
    let claimed = bytes.count >= 2 ? Int(bytes[0]) | Int(bytes[1]) << 8 : 0
    do {
        _ = try FastLZ.decompress(Array(bytes.dropFirst(min(2, bytes.count))), expectedCount: claimed)
        kinds.append("fastlz:ok")
    } catch {
        kinds.append("fastlz:" + error.kind.rawValue)
    }
    let flags: UInt32 = bytes.first.map { UInt32($0) } ?? 0
    let d = PHPMemcachedPayload.decode(flags: flags, value: Array(bytes.dropFirst()), maxInflated: 1 << 20, limits: fuzzLimits)
    kinds.append("payload:" + (d.error?.kind.rawValue ?? "ok"))
    return kinds
}

#if LIBFUZZER
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
        _ = decodeAllWays(Array(UnsafeBufferPointer(start: data, count: size)))
        return 0
    }

    /// libFuzzer's driver entry (LLVM ≥ 11), called from the executable's entry point, which SwiftPM
    /// names `php_fuzz_main`.
    @_silgen_name("LLVMFuzzerRunDriver")
    func LLVMFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
    ) -> CInt

    @_cdecl("php_fuzz_main")
    public func phpFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
        var c = argc
        var v = argv
        return LLVMFuzzerRunDriver(&c, &v) { data, size in fuzzOne(data, size) }
    }
#else
    import Foundation

    struct SplitMix {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(next() % UInt64(n)) }
    }

    @main
    struct PHPFuzz {
        /// Bytes that matter to the formats: serialize tags and punctuation, igbinary and msgpack types.
        static let interesting: [UInt8] =
            Array("NbidsSaOCErR:;{}\"0123456789-.E".utf8) + [
                0x00, 0x01, 0x06, 0x0E, 0x11, 0x14, 0x17, 0x1A, 0x1D, 0x22, 0x25, 0x27, 0x80, 0x90, 0xA0, 0xC4, 0xC7, 0xD4, 0xDC, 0xDE,
                0xE0, 0xFF, 0x20, 0x3F, 0x5B, 0x5D,
            ]

        static func main() {
            let args = CommandLine.arguments
            guard args.count >= 3, let seconds = Double(args[2]),
                let names = try? FileManager.default.contentsOfDirectory(atPath: args[1])
            else {
                print("usage: php-fuzz SEED_DIR SECONDS [seed]")
                exit(64)
            }
            var rng = SplitMix(state: args.count > 3 ? UInt64(args[3]) ?? 1 : 1)
            let seeds = names.sorted().compactMap { FileManager.default.contents(atPath: args[1] + "/" + $0).map { [UInt8]($0) } }
                .filter { !$0.isEmpty && $0.count < 200_000 }
            guard !seeds.isEmpty else {
                print("no seeds")
                exit(1)
            }
            var execs = 0
            var outcomes: [String: Int] = [:]
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                for _ in 0..<100 {
                    var b = seeds[rng.below(seeds.count)]
                    for _ in 0...rng.below(4) {
                        switch rng.below(7) {
                        case 0: if !b.isEmpty { b[rng.below(b.count)] = UInt8(truncatingIfNeeded: rng.next()) }
                        case 1: if !b.isEmpty { b[rng.below(b.count)] = interesting[rng.below(interesting.count)] }
                        case 2: b.insert(interesting[rng.below(interesting.count)], at: rng.below(b.count + 1))
                        case 3: if !b.isEmpty { b.remove(at: rng.below(b.count)) }
                        case 4: if b.count > 2 { b.removeLast(rng.below(b.count / 2)) }
                        case 5:  // a digit run grows (counts, lengths, slot numbers)
                            if !b.isEmpty {
                                let at = rng.below(b.count)
                                b.insert(contentsOf: Array(String(rng.next() % 100_000).utf8), at: at)
                            }
                        default:
                            if b.count > 4 {  // duplicate a slice
                                let s = rng.below(b.count - 1)
                                let n = 1 + rng.below(min(16, b.count - s))
                                b.insert(contentsOf: b[s..<(s + n)], at: rng.below(b.count))
                            }
                        }
                    }
                    for k in decodeAllWays(b) { outcomes[k, default: 0] += 1 }
                    execs += 1
                }
            }
            let summary = outcomes.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ")
            print("{\"executions\": \(execs), \"outcomes\": {\(summary)}, \"crashes\": 0}")
        }
    }
#endif
