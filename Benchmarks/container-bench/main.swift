// container-bench: writes (or reads) a dump of synthetic Keystone-shaped items through DumpContainer
// and prints throughput and peak RSS. Driven by Benchmarks/container-bench.sh, which compares it with
// `gzip -1` over the same decompressed bytes. Not a test: it prints figures, it asserts nothing.
import DumpContainer
import Foundation

struct Options {
    var mode = "write"
    var path = "/tmp/container-bench.mcdump.gz"
    var megabytes = 300
    var threads = 2
    var level: Int32 = 1
    var memberBytes = 4 << 20
}

func parse() -> Options {
    var o = Options()
    var args = CommandLine.arguments.dropFirst().makeIterator()
    while let a = args.next() {
        switch a {
        case "write", "read", "example": o.mode = a
        case "--out", "--in": o.path = args.next() ?? o.path
        case "--mb": o.megabytes = Int(args.next() ?? "") ?? o.megabytes
        case "--threads": o.threads = Int(args.next() ?? "") ?? o.threads
        case "--level": o.level = Int32(args.next() ?? "") ?? o.level
        case "--member-bytes": o.memberBytes = Int(args.next() ?? "") ?? o.memberBytes
        default:
            FileHandle.standardError.write(
                Data("usage: container-bench write|read [--out|--in PATH] [--mb N] [--threads N] [--level N] [--member-bytes N]\n".utf8))
            exit(64)
        }
    }
    return o
}

/// Seeded generator (SplitMix64) so every run writes the same bytes.
struct Rng {
    var s: UInt64
    mutating func next() -> UInt64 {
        s &+= 0x9E37_79B9_7F4A_7C15
        var z = s
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

/// A pool of value shapes seen in Keystone's memcached: pickled token/catalog CachedValues (text-heavy,
/// compressible), zlib-compressed values (flags 9, incompressible) and a few large catalog blobs.
func makePool(_ rng: inout Rng) -> [(flags: UInt32, bytes: [UInt8])] {
    let hex = Array("0123456789abcdef".utf8)
    let words = [
        "user_id", "project_id", "domain_id", "roles", "admin", "member", "reader", "catalog", "endpoints",
        "region", "RegionOne", "interface", "public", "internal", "url", "https://keystone.example:5000/v3",
        "expires_at", "issued_at", "methods", "password", "token", "audit_ids", "is_domain", "name", "id",
    ].map { Array($0.utf8) }
    var pool: [(UInt32, [UInt8])] = []
    for i in 0..<600 {
        var v: [UInt8] = [0x80, 0x02, 0x63] + Array("dogpile.cache.api\nCachedValue\nq\u{0})\u{81}q\u{1}".utf8)
        let target: Int
        switch i % 100 {
        case 0: target = 580_000
        case 1: target = 1_000_000
        default: target = 400 + rng.below(3600)
        }
        if i % 5 == 4 {  // zlib-compressed by the client: near-random bytes
            while v.count < target / 3 { v.append(UInt8(truncatingIfNeeded: rng.next())) }
            pool.append((9, v))
            continue
        }
        while v.count < target {
            switch rng.below(3) {
            case 0: v += words[rng.below(words.count)]
            case 1: for _ in 0..<32 { v.append(hex[rng.below(16)]) }
            default: v += [0x71, UInt8(rng.below(256)), 0x58, UInt8(rng.below(40)), 0, 0, 0]
            }
        }
        pool.append((1, v))
    }
    return pool
}

func peakRSSMiB(_ field: String = "VmHWM:") -> Double {
    guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
    for line in s.split(separator: "\n") where line.hasPrefix(field) {
        let kb = line.split(separator: " ").dropFirst().first.flatMap { Double($0) } ?? -1
        return kb / 1024
    }
    return -1
}

func now() -> Double { Date().timeIntervalSince1970 }

/// User + system CPU seconds of this process (all threads): a load-independent cost figure.
func cpuSeconds() -> Double {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) / 1e6 + Double(u.ru_stime.tv_sec)
        + Double(u.ru_stime.tv_usec) / 1e6
}

let o = parse()
if o.mode == "example" {
    // The tiny dump shown in docs/dump-format.md.
    try? FileManager.default.removeItem(atPath: o.path)
    let w = try DumpWriter(path: o.path)
    try w.write(
        .header(
            DumpHeader(
                host: "10.0.0.2", port: 11211, collector: "0.1.0", method: "metadump",
                serverVersion: "1.6.18", serverTime: 1764000000, serverUptime: 86400, startedLocal: 1764000000.5)))
    try w.write(.stats(DumpStats(section: "general", label: "start", values: [("pid", "812"), ("uptime", "86400"), ("time", "1764000000")])))
    try w.write(
        .item(
            DumpItem(
                key: Array("a b%".utf8), flags: 1, valueLength: 5, cas: 42, exp: -1, lastAccess: 1763999990,
                slabClass: 1, fetched: false, totalSize: 61, value: Array("hi\n!\n".utf8.prefix(5)))))
    try w.write(
        .item(
            DumpItem(
                key: [0xC3, 0xA9], flags: 9, valueLength: 700, cas: 43, exp: 1764003600, lastAccess: 1763999999,
                slabClass: 5, fetched: true, totalSize: 760, value: nil)))
    try w.write(.miss(DumpMiss(key: Array("gone".utf8), reason: "not found")))
    try w.write(.note(DumpNote(level: "warning", message: "example")))
    let s = try w.finish(
        DumpTrailer(
            finishedLocal: 1764000001.25, serverTime: 1764000001, listed: 3, captured: 1, missed: 1,
            valueBytes: 5, complete: true))
    print("\(s.path): \(s.compressedBytes) bytes, sha256 \(s.sha256)")
} else if o.mode == "write" {
    var rng = Rng(s: 42)
    let pool = makePool(&rng)
    let poolBytes = pool.reduce(0) { $0 + $1.bytes.count }
    let baseline = peakRSSMiB("VmRSS:")
    try? FileManager.default.removeItem(atPath: o.path)
    let t0 = now()
    let cpu0 = cpuSeconds()
    let w = try DumpWriter(path: o.path, memberBytes: o.memberBytes, level: o.level, compressionThreads: o.threads)
    try w.write(.header(DumpHeader(host: "127.0.0.1", port: 11211, collector: "bench", method: "metadump", startedLocal: t0)))
    var valueBytes: Int64 = 0
    var items = 0
    let limit = Int64(o.megabytes) << 20
    while valueBytes < limit {
        let (flags, bytes) = pool[rng.below(pool.count)]
        var key = Array("keystone:token:".utf8)
        for _ in 0..<40 { key.append(Array("0123456789abcdef".utf8)[rng.below(16)]) }
        try w.write(
            .item(
                DumpItem(
                    key: key, flags: flags, valueLength: bytes.count, cas: UInt64(items), exp: 1_764_003_600,
                    lastAccess: 1_764_000_000 + Int64(items % 3600), slabClass: 1 + items % 40, fetched: false,
                    totalSize: bytes.count + 100, value: bytes)))
        valueBytes += Int64(bytes.count)
        items += 1
    }
    let s = try w.finish(
        DumpTrailer(finishedLocal: now(), listed: items, captured: items, missed: 0, valueBytes: valueBytes, complete: true))
    let dt = now() - t0
    let cpu = cpuSeconds() - cpu0
    let mb = Double(s.uncompressedBytes) / 1_048_576
    print(
        String(
            format:
                "write: %d items, %.1f MiB in, %.1f MiB out (ratio %.2f), %d members, threads %d, level %d: %.2f s wall, %.1f MiB/s; %.2f s CPU (%.1f MiB per CPU-s); peak RSS %.1f MiB (before writing: %.1f MiB, of which value pool %.1f MiB)",
            items, mb, Double(s.compressedBytes) / 1_048_576, Double(s.uncompressedBytes) / Double(max(1, s.compressedBytes)),
            s.members, o.threads, o.level, dt, mb / dt, cpu, mb / cpu, peakRSSMiB(), baseline, Double(poolBytes) / 1_048_576))
} else {
    let t0 = now()
    let r = try DumpReader(path: o.path)
    var items = 0
    var bytes: Int64 = 0
    while let rec = try r.next() {
        if case .item(let i) = rec {
            items += 1
            bytes += Int64(i.value?.count ?? 0)
        }
    }
    let dt = now() - t0
    print(
        String(
            format: "read: %d items, %.1f MiB of values, complete %@, %.2f s, %.1f MiB/s of values, peak RSS %.1f MiB",
            items, Double(bytes) / 1_048_576, r.sawTrailer ? "yes" : "no", dt, Double(bytes) / 1_048_576 / dt, peakRSSMiB()))
}
