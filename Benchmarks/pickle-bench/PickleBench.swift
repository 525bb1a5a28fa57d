// pickle-bench: decodes a corpus file of length-prefixed pickles (u32 little-endian length, bytes)
// to canonical JSON with SafePickle (one reused PickleDecoder, as `decode` uses it), single-threaded, and prints one JSON line with MB/s.
// usage: pickle-bench CORPUS.bin [repeat]
import Foundation
import SafePickle

@main
struct PickleBench {
    static func main() throws {
        let args = CommandLine.arguments
        guard args.count >= 2, let data = FileManager.default.contents(atPath: args[1]) else {
            FileHandle.standardError.write("usage: pickle-bench CORPUS.bin [repeat]\n".data(using: .utf8)!)
            exit(64)
        }
        let repeats = args.count > 2 ? Int(args[2]) ?? 1 : 1
        let all = [UInt8](data)
        var pickles: [[UInt8]] = []
        var pos = 0
        while pos + 4 <= all.count {
            let n = Int(all[pos]) | Int(all[pos + 1]) << 8 | Int(all[pos + 2]) << 16 | Int(all[pos + 3]) << 24
            pos += 4
            guard n <= all.count - pos else { break }
            pickles.append(Array(all[pos..<(pos + n)]))
            pos += n
        }
        let inputBytes = pickles.reduce(0) { $0 + $1.count }
        var outBytes = 0, errors = 0
        let decoder = PickleDecoder()  // one per thread, reused across pickles, as `decode` does
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<repeats {
            for p in pickles {
                switch p.withUnsafeBytes({ decoder.canonicalJSON($0) }) {
                case .success(let j): outBytes += j.count
                case .failure: errors += 1
                }
            }
        }
        let secs = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let mb = Double(inputBytes * repeats) / 1e6
        print(
            "{\"pickles\": \(pickles.count * repeats), \"input_mb\": \(mb), \"output_mb\": \(Double(outBytes) / 1e6), \"errors\": \(errors), \"seconds\": \(secs), \"mb_per_s\": \(mb / secs)}"
        )
    }
}
