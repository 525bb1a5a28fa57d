// pickle-fuzz: fuzzes SafePickle. Built with `-Xswiftc -sanitize=fuzzer -Xswiftc -DLIBFUZZER` it is a
// libFuzzer target; otherwise a seeded random mutator over seed pickles (usage: pickle-fuzz SEED_DIR
// SECONDS [seed]) that prints executions and outcome counts. A crash is a signal (the script reports it).
// Every input is decoded twice: fresh, and by one PickleDecoder reused across all inputs; the two
// outputs must be identical.
import SafePickle

let fuzzLimits: PickleLimits = {
    var limits = PickleLimits.default
    limits.maxOutputValues = 200_000
    return limits
}()

/// One decoder reused across every input (as `decode` reuses them): its output must equal a fresh
/// decode's, whatever came before. A difference stops the run with a trap, which the script reports.
nonisolated(unsafe) let reusedDecoder = PickleDecoder(limits: fuzzLimits)

/// Decodes `bytes` fresh and with the reused decoder, and traps when the two differ.
func decodeBothWays(_ bytes: [UInt8]) -> Result<[UInt8], PickleError> {
    let fresh = SafePickle.canonicalJSON(bytes, limits: fuzzLimits)
    let reused = bytes.withUnsafeBytes { reusedDecoder.canonicalJSON($0) }
    func text(_ r: Result<[UInt8], PickleError>) -> [UInt8] {
        switch r {
        case .success(let json): return json
        case .failure(let e): return SafePickle.errorJSON(e)
        }
    }
    if text(fresh) != text(reused) { fatalError("a reused PickleDecoder differs from a fresh decode") }
    _ = bytes.withUnsafeBytes { reusedDecoder.json($0, splittingCachedValue: true) }
    return fresh
}

#if LIBFUZZER
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
        let bytes = Array(UnsafeBufferPointer(start: data, count: size))
        _ = decodeBothWays(bytes)
        _ = SafePickle.disassemble(bytes)
        return 0
    }

    /// libFuzzer's driver entry (LLVM ≥ 11), called from the executable's entry point, which SwiftPM
    /// names `pickle_fuzz_main`.
    @_silgen_name("LLVMFuzzerRunDriver")
    func LLVMFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
    ) -> CInt

    @_cdecl("pickle_fuzz_main")
    public func pickleFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
        var c = argc
        var v = argv
        return LLVMFuzzerRunDriver(&c, &v) { data, size in fuzzOne(data, size) }
    }
#else
    import Foundation

    struct SplitMix {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E3779B97F4A7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
            z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(next() % UInt64(n)) }
    }

    @main
    struct PickleFuzz {
        static let interesting: [UInt8] = [
            0x28, 0x2E, 0x30, 0x31, 0x32, 0x4E, 0x52, 0x61, 0x62, 0x65, 0x68, 0x71, 0x73, 0x74,
            0x75, 0x5D, 0x7D, 0x29, 0x81, 0x85, 0x86, 0x8C, 0x8F, 0x90, 0x91, 0x92, 0x93, 0x94,
            0x95, 0xFF, 0x00, 0x0A, 0x5C, 0x80,
        ]

        static func main() {
            let args = CommandLine.arguments
            guard args.count >= 3, let seconds = Double(args[2]),
                let names = try? FileManager.default.contentsOfDirectory(atPath: args[1])
            else {
                print("usage: pickle-fuzz SEED_DIR SECONDS [seed]")
                exit(64)
            }
            var rng = SplitMix(state: args.count > 3 ? UInt64(args[3]) ?? 1 : 1)
            let seeds = names.sorted().compactMap { FileManager.default.contents(atPath: args[1] + "/" + $0).map { [UInt8]($0) } }
                .filter { !$0.isEmpty && $0.count < 200_000 }
            guard !seeds.isEmpty else { print("no seeds"); exit(1) }
            var execs = 0, ok = 0
            var kinds: [String: Int] = [:]
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                for _ in 0..<200 {
                    var b = seeds[rng.below(seeds.count)]
                    for _ in 0...rng.below(4) {
                        switch rng.below(6) {
                        case 0: if !b.isEmpty { b[rng.below(b.count)] = UInt8(truncatingIfNeeded: rng.next()) }
                        case 1: if !b.isEmpty { b[rng.below(b.count)] = interesting[rng.below(interesting.count)] }
                        case 2: b.insert(interesting[rng.below(interesting.count)], at: rng.below(b.count + 1))
                        case 3: if !b.isEmpty { b.remove(at: rng.below(b.count)) }
                        case 4: if b.count > 2 { b.removeLast(rng.below(b.count / 2)) }
                        default:
                            if b.count > 4 {  // duplicate a slice
                                let s = rng.below(b.count - 1), n = 1 + rng.below(min(16, b.count - s))
                                b.insert(contentsOf: b[s..<(s + n)], at: rng.below(b.count))
                            }
                        }
                    }
                    switch decodeBothWays(b) {
                    case .success: ok += 1
                    case .failure(let e): kinds[e.kind.rawValue, default: 0] += 1
                    }
                    _ = SafePickle.disassemble(b)
                    execs += 1
                }
            }
            print("{\"executions\": \(execs), \"decoded\": \(ok), \"errors\": \(kinds), \"crashes\": 0}")
        }
    }
#endif
