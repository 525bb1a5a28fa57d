// readers-fuzz: fuzzes every reader that takes bytes from outside — the `.mcdump.gz` reader (through
// VerifyingReader, as decode reads), NDJSON records (as report reads them, and attribute's main pass
// and end), user lists, report
// partials (Aggregator.merge), nc captures and metadump/cachedump listings (DecodeInputs), and the
// server's answers (MemcacheProtocol's meta, VALUE, stats and metadump parsers, fed in two pieces).
// The first byte picks the reader, the rest is its input. Built with `-Xswiftc -sanitize=fuzzer
// -Xswiftc -DLIBFUZZER` it is a libFuzzer target; otherwise a seeded random mutator (usage:
// readers-fuzz SEED_DIR SECONDS [seed]). A crash or a trap is the failure the script reports; every
// reader must instead return its own error.
import DecodeInputs
import DumpContainer
import MemcacheProtocol
import PipelineRecords
import SkewAnalysis
import Attribution
import KeyPlacement
import LineBlocks

#if canImport(Glibc)
    import Glibc
#endif

enum Reader: UInt8, CaseIterable {
    case dump, records, users, partial, ncCapture, metadumpListing, cachedumpListing, metaAnswers, valueAnswers, statsAnswers,
        metadumpAnswers
}

/// Bytes as a readable descriptor (an unlinked temporary file), for the readers that take one.
func descriptor(_ bytes: ArraySlice<UInt8>) -> Int32 {
    var template = Array("/tmp/readers-fuzz-XXXXXX".utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    guard fd >= 0 else { fatalError("mkstemp failed") }
    template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
    bytes.withUnsafeBytes { p in
        var off = 0
        while off < p.count {
            let n = write(fd, p.baseAddress! + off, p.count - off)
            if n <= 0 { fatalError("write to memfd failed") }
            off += n
        }
    }
    lseek(fd, 0, SEEK_SET)
    return fd
}

/// Feeds a response parser the input in two pieces (the split point from the input itself).
func pieces(_ body: ArraySlice<UInt8>, _ parse: (inout ResponseBuffer) throws -> Bool) {
    var buf = ResponseBuffer(maxLineLength: 4096)
    let cut = body.isEmpty ? 0 : Int(body[body.startIndex]) % (body.count + 1)
    let parts = [body.prefix(cut), body.dropFirst(cut)]
    for part in parts {
        buf.append(contentsOf: part)
        do {
            while try parse(&buf) {}
        } catch {
            return  // a positioned ProtocolError: the expected outcome for bad input
        }
    }
}

/// attribute's joins with a user, a redaction key and a server list, so every path is reachable.
nonisolated(unsafe) let recordsAttributor: Attributor = {
    var options = AttributionOptions()
    options.redactor = Redactor(key: Array("fuzz".utf8))
    options.servers = try? ServerSpec.parseList("127.0.0.1:11211,127.0.0.1:11212")
    return try! Attributor(users: [User(id: "u1", name: "alice")], options: options)
}()

func fuzzOne(_ input: [UInt8]) {
    guard let first = input.first else { return }
    let reader = Reader.allCases[Int(first) % Reader.allCases.count]
    let body = input.dropFirst()
    switch reader {
    case .dump:
        let fd = descriptor(body)
        defer { close(fd) }
        let r = VerifyingReader(DumpReader(fileDescriptor: fd, name: "fuzz", maxValueBytes: 1 << 20), holdBytes: 1 << 16)
        while let record = try? r.next() { _ = record }
    case .records:
        // As report reads records, and as attribute's main pass and end attribute them.
        for line in body.split(separator: 0x0A) { _ = try? Aggregator.read(line, whatIf: true) }
        let block = Array(body)
        let b = recordsAttributor.attributeBlock { each in
            block.withUnsafeBytes { p in
                var n = 1
                for line in p.split(separator: 0x0A) { if !each(UnsafeRawBufferPointer(rebasing: line), n) { return }; n += 1 }
            }
        }
        recordsAttributor.merge(b)
        let held = DeferredRecords()
        try? held.append(b.deferred, count: b.deferredCount)
        try? recordsAttributor.prepareFinish(held: held)
        var out: [UInt8] = []
        try? held.forEach { recordsAttributor.attributeHeld($0, into: &out) }
    case .users:
        _ = UserListParser.parse(Array(body))
    case .partial:
        let aggregator = Aggregator(top: 5)
        for line in body.split(separator: 0x0A) { try? aggregator.merge(partialLine: line) }
        _ = aggregator.finish()
    case .ncCapture, .metadumpListing, .cachedumpListing:
        let fd = descriptor(body)
        let r = ByteReader(fd: fd, name: "fuzz", maxLineBytes: 1 << 16, closeOnDeinit: true)
        let emit: TextListings.Emit = { _ in true }
        switch reader {
        case .ncCapture: try? TextListings.readGetCapture(r, emit: emit)
        case .metadumpListing: try? TextListings.readMetadump(r, emit: emit)
        default: try? TextListings.readCachedump(r, emit: emit)
        }
    case .metaAnswers:
        var p = MetaResponseParser(maxValueBytes: 1 << 12)
        pieces(body) { buf in try p.next(from: &buf, onValue: { _, _ in }) != nil }
    case .valueAnswers:
        var p = ValueParser(maxValueBytes: 1 << 12)
        pieces(body) { buf in try p.next(from: &buf) != nil }
    case .statsAnswers:
        var p = StatsParser()
        pieces(body) { buf in try p.next(from: &buf) != nil }
    case .metadumpAnswers:
        var p = MetadumpParser()
        pieces(body) { buf in try p.next(from: &buf) != nil }
    }
}

#if LIBFUZZER
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzEntry(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
        fuzzOne(Array(UnsafeBufferPointer(start: data, count: size)))
        return 0
    }

    /// libFuzzer's driver entry (LLVM ≥ 11), called from the executable's entry point, which SwiftPM
    /// names `readers_fuzz_main`.
    @_silgen_name("LLVMFuzzerRunDriver")
    func LLVMFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
    ) -> CInt

    @_cdecl("readers_fuzz_main")
    public func readersFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
        var c = argc
        var v = argv
        return LLVMFuzzerRunDriver(&c, &v) { data, size in fuzzEntry(data, size) }
    }
#else
    /// The seeded random mutator: flips, inserts, deletes and splices bytes of the seeds.
    @main
    struct ReadersFuzzMain {
        static func main() {
            let args = CommandLine.arguments
            guard args.count >= 3, let seconds = Double(args[2]) else {
                print("usage: readers-fuzz SEED_DIR SECONDS [seed]")
                exit(64)
            }
            var seeds: [[UInt8]] = []
            if let dir = opendir(args[1]) {
                while let e = readdir(dir) {
                    let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                    if name.hasPrefix(".") { continue }
                    let fd = open(args[1] + "/" + name, O_RDONLY)
                    if fd < 0 { continue }
                    var bytes: [UInt8] = []
                    var chunk = [UInt8](repeating: 0, count: 65536)
                    while true {
                        let n = read(fd, &chunk, chunk.count)
                        if n <= 0 { break }
                        bytes += chunk[0..<n]
                    }
                    close(fd)
                    seeds.append(bytes)
                }
                closedir(dir)
            }
            if seeds.isEmpty { seeds = [[0]] }
            var state = UInt64(args.count > 3 ? UInt64(args[3]) ?? 1 : 1)
            func next() -> UInt64 {
                state &+= 0x9E37_79B9_7F4A_7C15
                var z = state
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                return z ^ (z >> 31)
            }
            var start = timespec()
            clock_gettime(CLOCK_MONOTONIC, &start)
            var runs = 0
            while true {
                var now = timespec()
                clock_gettime(CLOCK_MONOTONIC, &now)
                if Double(now.tv_sec - start.tv_sec) >= seconds { break }
                var x = seeds[Int(next() % UInt64(seeds.count))]
                for _ in 0..<(1 + Int(next() % 8)) where !x.isEmpty {
                    let at = Int(next() % UInt64(x.count))
                    switch next() % 4 {
                    case 0: x[at] ^= UInt8(1 << (next() % 8))
                    case 1: x.insert(UInt8(truncatingIfNeeded: next()), at: at)
                    case 2: x.remove(at: at)
                    default:
                        let other = seeds[Int(next() % UInt64(seeds.count))]
                        if !other.isEmpty { x.replaceSubrange(at..., with: other[Int(next() % UInt64(other.count))...]) }
                    }
                }
                // Now and then the same bytes go to another reader.
                if !x.isEmpty && next() % 8 == 0 { x[0] = UInt8(truncatingIfNeeded: next()) }
                fuzzOne(x)
                runs += 1
            }
            print("executions: \(runs)")
        }
    }
#endif
