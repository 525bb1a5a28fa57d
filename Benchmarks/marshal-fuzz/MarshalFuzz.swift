// marshal-fuzz: fuzzes RubyMarshal. Built with `-Xswiftc -sanitize=fuzzer -Xswiftc -DLIBFUZZER` it is a
// libFuzzer target; otherwise a seeded random mutator over seed Marshal dumps (usage: marshal-fuzz
// SEED_DIR SECONDS [seed]) that prints executions and outcome counts. A crash is a signal (the script
// reports it). Every input goes through the plain decoder, the Rails entry decoder and DalliValue with
// flags 1 and 3; the plain decode must give the same answer twice.
import RubyMarshal

let fuzzLimits: MarshalLimits = {
    var limits = MarshalLimits.default
    limits.maxOutputValues = 200_000
    limits.maxOutputBytes = 16 << 20
    return limits
}()

/// Decodes `bytes` every way the module offers; traps when a repeated decode differs.
func decodeAllWays(_ bytes: [UInt8]) -> Result<MarshalDocument, MarshalError> {
    let first = RubyMarshal.canonicalJSON(bytes, limits: fuzzLimits)
    let again = RubyMarshal.canonicalJSON(bytes, limits: fuzzLimits)
    if first != again { fatalError("two decodes of one input differ") }
    _ = RailsCacheEntry.decode(bytes, maxInflated: 1 << 20, limits: fuzzLimits)
    _ = DalliValue.decode(bytes, flags: 1, maxInflated: 1 << 20, limits: fuzzLimits)
    if case .failure(let e) = first { _ = RubyMarshal.errorJSON(e) }
    return first
}

#if LIBFUZZER
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
        _ = decodeAllWays(Array(UnsafeBufferPointer(start: data, count: size)))
        return 0
    }

    /// libFuzzer's driver entry (LLVM ≥ 11), called from the executable's entry point, which SwiftPM
    /// names `marshal_fuzz_main`.
    @_silgen_name("LLVMFuzzerRunDriver")
    func LLVMFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
    ) -> CInt

    @_cdecl("marshal_fuzz_main")
    public func marshalFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
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
    struct MarshalFuzz {
        /// Every Marshal type byte, the long-prefix bytes and a few boundary values.
        static let interesting: [UInt8] =
            Array("0TFilf\":;I/[{}ouUScmMeCd@E".utf8) + [
                0x00, 0x01, 0x02, 0x04, 0x05, 0x06, 0x7F, 0x80, 0xFA, 0xFB, 0xFC, 0xFF, 0x78, 0x9C, 0x11, 0xCC,
            ]

        static func main() {
            let args = CommandLine.arguments
            guard args.count >= 3, let seconds = Double(args[2]),
                let names = try? FileManager.default.contentsOfDirectory(atPath: args[1])
            else {
                print("usage: marshal-fuzz SEED_DIR SECONDS [seed]")
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
            var ok = 0
            var kinds: [String: Int] = [:]
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                for _ in 0..<200 {
                    var b = seeds[rng.below(seeds.count)]
                    for _ in 0...rng.below(4) {
                        switch rng.below(7) {
                        case 0: if !b.isEmpty { b[rng.below(b.count)] = UInt8(truncatingIfNeeded: rng.next()) }
                        case 1: if !b.isEmpty { b[rng.below(b.count)] = interesting[rng.below(interesting.count)] }
                        case 2: b.insert(interesting[rng.below(interesting.count)], at: rng.below(b.count + 1))
                        case 3: if !b.isEmpty { b.remove(at: rng.below(b.count)) }
                        case 4: if b.count > 2 { b.removeLast(rng.below(b.count / 2)) }
                        case 5:  // splice a slice of another seed
                            let o = seeds[rng.below(seeds.count)]
                            if o.count > 3 {
                                let s = 2 + rng.below(o.count - 2)
                                let n = 1 + rng.below(min(32, o.count - s))
                                b.insert(contentsOf: o[s..<(s + n)], at: rng.below(b.count + 1))
                            }
                        default:
                            if b.count > 4 {  // duplicate a slice
                                let s = rng.below(b.count - 1)
                                let n = 1 + rng.below(min(16, b.count - s))
                                b.insert(contentsOf: b[s..<(s + n)], at: rng.below(b.count))
                            }
                        }
                    }
                    switch decodeAllWays(b) {
                    case .success: ok += 1
                    case .failure(let e): kinds[e.kind.rawValue, default: 0] += 1
                    }
                    execs += 1
                }
            }
            let errors = kinds.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ")
            print("{\"executions\": \(execs), \"decoded\": \(ok), \"errors\": {\(errors)}, \"crashes\": 0}")
        }
    }
#endif
